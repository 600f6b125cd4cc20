"""The contacts index: search and filters, creating, editing and deleting a contact, and
More → Edit communication subscriptions (a summary at once, or a job with a progress bar)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from consentry.services import contacts
from tests.e2e.web.admin_site import Site, admin_site, sqlite_url

MARKETING = 1
WHO = services.Provenance(Source.PREFERENCE_CENTER, Actor(ActorKind.CONTACT))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        yield running


def make_contacts(site: Site, prefix: str, count: int, **properties: str) -> list[str]:
    emails = [f"{prefix}{i}@example.com" for i in range(count)]
    rows = [
        {"email": e, "firstname": f"{prefix.title()}{i}", **properties}
        for i, e in enumerate(emails)
    ]
    for start in range(0, count, 100):
        contacts.create_batch(site.engine, rows[start : start + 100])
    return emails


def opt_out(site: Site, emails: list[str], type_id: int = MARKETING) -> None:
    services.set_statuses(
        site.engine,
        [
            services.StatusChange(e, Channel.EMAIL, type_id, Status.UNSUBSCRIBED, WHO)
            for e in emails
        ],
    )


def rows(page: Page) -> list[str]:
    return page.locator("table.table tbody tr td:nth-child(3)").all_inner_texts()


def test_search_and_filter_the_index(site: Site, page: Page) -> None:
    make_contacts(site, "ann", 3, company="Acme")
    bob = make_contacts(site, "bob", 4, company="Blue Fjord")
    opt_out(site, bob[:2])
    site.sign_in(page)
    expect(page.get_by_text("7 contacts")).to_be_visible()

    page.get_by_label("Search").fill("acme")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("3 contacts match")).to_be_visible()
    assert sorted(rows(page)) == [f"ann{i}@example.com" for i in range(3)]

    page.get_by_label("Search").fill("")
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Opted out of email").select_option(
        label="Opted out of email: Marketing Information"
    )
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("2 contacts match")).to_be_visible()
    assert sorted(rows(page)) == bob[:2]

    page.get_by_label("Opted out of email").select_option(label="Any type")
    page.locator("select[name=prop]").select_option(label="Company")
    page.get_by_label("Condition").select_option(label="is")
    page.get_by_label("Value").fill("Blue Fjord")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("4 contacts match")).to_be_visible()

    page.get_by_role("link", name="Clear").click()
    expect(page.get_by_text("7 contacts")).to_be_visible()


def test_unsubscribed_from_all_filter(site: Site, page: Page) -> None:
    emails = make_contacts(site, "cat", 3)
    services.unsubscribe_all(site.engine, emails[1], Channel.EMAIL, None, WHO)
    site.sign_in(page)
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Unsubscribed from all email").select_option(label="Yes")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 contact match")).to_be_visible()
    assert rows(page) == [emails[1]]


def test_create_edit_and_delete_a_contact(site: Site, page: Page) -> None:
    site.sign_in(page)
    page.get_by_role("link", name="Create contact").click()
    page.get_by_label("Email").fill("dora@example.com")
    page.get_by_label("First name").fill("Dora")
    page.get_by_label("Company").fill("Kestrel Labs")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Contact created.")).to_be_visible()
    expect(page.locator("h1.contact-name")).to_have_text("Dora")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Last name").fill("Lind")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1.contact-name")).to_have_text("Dora Lind")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete contact").click()
    expect(page.get_by_text("Contact deleted.")).to_be_visible()
    expect(page.get_by_text("0 contacts")).to_be_visible()


def test_a_duplicate_email_is_refused_on_the_form(site: Site, page: Page) -> None:
    make_contacts(site, "eve", 1)
    site.sign_in(page)
    page.goto(f"{site.url}/admin/contacts/new")
    page.get_by_label("Email").fill("eve0@example.com")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("alert")).to_contain_text("eve0@example.com")
    expect(page.get_by_label("Email")).to_have_value("eve0@example.com")


def open_bulk_panel(page: Page) -> None:
    page.get_by_text("More").click()
    page.get_by_role("button", name="Edit communication subscriptions").click()
    expect(page.get_by_role("heading", name="Edit communication subscriptions")).to_be_visible()


def test_bulk_edit_50_contacts_and_read_the_summary(site: Site, page: Page) -> None:
    chosen = make_contacts(site, "bulk", 50)
    make_contacts(site, "other", 10)
    opt_out(site, chosen[:5])  # a bulk edit may not resubscribe these
    site.sign_in(page)
    page.get_by_label("Search").fill("bulk")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("50 contacts match")).to_be_visible()
    page.get_by_label("Select all 50 matching").check()
    open_bulk_panel(page)
    panel = page.locator("aside.panel")
    expect(panel.get_by_text("50 contacts selected")).to_be_visible()
    panel.get_by_label("Opt in").check()
    panel.get_by_label("Marketing Information").check()
    panel.get_by_label("Explanation of consent").fill("Signed up at the fair")
    panel.get_by_role("button", name="Done").click()

    expect(page.get_by_role("heading", name="Communication subscriptions edited")).to_be_visible()
    expect(page.locator("[data-changed]")).to_have_text("45")
    expect(page.locator("[data-no-change]")).to_have_text("0")
    expect(page.locator("[data-refused]")).to_have_text("5")
    expect(
        page.get_by_role("cell", name="A bulk edit cannot resubscribe an address that opted out.")
    ).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download results (CSV)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "contact_id,address,subscription_type_id,outcome,message"
    assert len(lines) == 51
    assert sum(",APPLIED," in line for line in lines) == 45

    found = services.read_statuses_batch(site.engine, chosen, Channel.EMAIL)
    marketing = [next(s for s in f.statuses if s.subscription_type.id == MARKETING) for f in found]  # type: ignore[union-attr]
    assert [s.status for s in marketing] == [Status.UNSUBSCRIBED] * 5 + [Status.SUBSCRIBED] * 45
    assert {s.source for s in marketing[5:]} == {Source.BULK}


def test_ticked_rows_only_and_whatsapp_is_refused_in_bulk(site: Site, page: Page) -> None:
    services.set_setting(site.engine, "whatsapp_enabled", "true")
    services.create_type(site.engine, services.NewType("Order Chat", channel=Channel.WHATSAPP))
    make_contacts(site, "wa", 3, phone="+12025550123")
    site.sign_in(page)
    checkboxes = page.locator("input[name=id]")
    checkboxes.nth(0).check()
    checkboxes.nth(1).check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    open_bulk_panel(page)
    panel = page.locator("aside.panel")
    expect(panel.get_by_text("2 contacts selected")).to_be_visible()
    panel.get_by_label("Opt out").check()
    panel.get_by_label("Channel").select_option(label="WhatsApp")
    panel.get_by_label("Order Chat").check()
    panel.get_by_role("button", name="Done").click()
    expect(page.locator("[data-refused]")).to_have_text("2")
    expect(page.locator("[data-changed]")).to_have_text("0")
    expect(
        page.get_by_role("cell", name="WhatsApp subscriptions cannot be changed in bulk.")
    ).to_be_visible()


def test_a_large_selection_runs_as_a_job_with_a_progress_bar(site: Site, page: Page) -> None:
    make_contacts(site, "big", 1_001)
    site.sign_in(page)
    page.get_by_label(re.compile("Select all 1,001 matching")).check()
    open_bulk_panel(page)
    panel = page.locator("aside.panel")
    expect(panel.get_by_text("runs in the background")).to_be_visible()
    panel.get_by_label("Opt out").check()
    panel.get_by_label("Marketing Information").check()
    panel.get_by_role("button", name="Done").click()
    # The job page polls its progress and shows the summary once the job is done.
    expect(page.get_by_role("heading", name="Bulk edit finished")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-changed]")).to_have_text("1,001")
    expect(page.get_by_role("link", name="Download results (CSV)")).to_be_visible()


def test_a_bulk_edit_without_a_type_asks_for_one(site: Site, page: Page) -> None:
    make_contacts(site, "fay", 2)
    site.sign_in(page)
    page.get_by_label("Select all 2 matching").check()
    open_bulk_panel(page)
    page.locator("aside.panel").get_by_role("button", name="Done").click()
    alert = page.locator("aside.panel").get_by_role("alert")
    expect(alert).to_have_text("Not run: Choose at least one subscription type.")
    expect(page.locator("aside.panel").get_by_text("2 contacts selected")).to_be_visible()


def test_filter_by_business_unit(site: Site, page: Page) -> None:
    services.set_setting(site.engine, "business_units_enabled", "true")
    unit = services.create_unit(site.engine, "Outdoors")
    trail = services.create_type(
        site.engine, services.NewType("Trail News", business_unit_id=unit.id)
    )
    emails = make_contacts(site, "gil", 3)
    opt_out(site, emails[:1], trail.id)
    opt_out(site, emails[1:2])  # an opt-out in the account, not in Outdoors
    site.sign_in(page)
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Business unit").select_option(label="Opted out in Outdoors")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 contact match")).to_be_visible()
    assert rows(page) == emails[:1]
