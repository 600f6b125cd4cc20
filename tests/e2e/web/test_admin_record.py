"""The contact record's Communication subscriptions panel: subscribe with a legal basis, see it in
History, unsubscribe, be refused a resubscription without a legal basis; View all properties;
business units filtering the panel; unsubscribe from all; one-time legal basis."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import text

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status, TypeKind
from consentry.services import contacts
from tests.e2e.web.admin_site import Site, admin_site, sqlite_url

CUSTOMER = "Legitimate interest – existing customer"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        yield running


def open_panel(site: Site, page: Page, contact_id: int, role: str = "marketer") -> Locator:
    site.sign_in(page, role)
    page.goto(f"{site.url}/admin/contacts/{contact_id}")
    page.get_by_role("link", name="View subscriptions").click()
    panel = page.locator("aside.panel")
    expect(panel.get_by_role("heading", name="Communication subscriptions")).to_be_visible()
    return panel


def row_action(panel: Locator, type_name: str, action: str) -> None:
    row = panel.locator("li.sub-row", has_text=type_name)
    row.hover()
    row.get_by_role("link", name=action, exact=True).click()


def newest_entry(page: Page) -> Locator:
    page.locator("aside.panel").get_by_role("link", name="History").click()
    return page.locator("ol.timeline li.entry").first


def test_subscribe_see_history_unsubscribe_and_be_refused_a_resubscribe(
    database_url: str, tmp_path: Path, page: Page
) -> None:
    # The one browser flow run on PostgreSQL too (the others use SQLite to stay quick).
    with admin_site(database_url, tmp_path) as site:
        contact = contacts.create(site.engine, {"email": "rosa@example.com", "firstname": "Rosa"})
        panel = open_panel(site, page, contact.id)

        row_action(panel, "Marketing Information", "Subscribe")
        dialog = page.get_by_role("dialog", name="Subscribe")
        expect(dialog.get_by_label("Subscription type")).to_have_value("1")
        dialog.get_by_label("Legal basis").select_option(label=CUSTOMER)
        dialog.get_by_label("Explanation of consent").fill("Asked for it at the counter")
        dialog.get_by_role("button", name="Done").click()
        expect(page.get_by_role("status")).to_have_text("Marketing Information: subscribed.")
        row = page.locator("li.sub-row", has_text="Marketing Information")
        expect(row.locator(".badge")).to_have_text("Subscribed")

        entry = newest_entry(page)
        expect(entry).to_contain_text("Marketing Information")
        expect(entry.locator(".badge")).to_have_text("Subscribed")
        expect(entry).to_contain_text(CUSTOMER)
        expect(entry).to_contain_text("Asked for it at the counter")
        expect(entry).to_contain_text("marketer@example.com")
        expect(entry).to_contain_text("Contact record")

        page.locator("aside.panel").get_by_role("link", name="Subscriptions").click()
        row_action(page.locator("aside.panel"), "Marketing Information", "Unsubscribe")
        page.get_by_role("dialog", name="Unsubscribe").get_by_role("button", name="Done").click()
        expect(page.get_by_role("status")).to_have_text("Marketing Information: unsubscribed.")

        row_action(page.locator("aside.panel"), "Marketing Information", "Resubscribe")
        page.get_by_role("dialog", name="Subscribe").get_by_role("button", name="Done").click()
        expect(page.get_by_role("status")).to_have_text(
            "Refused: Resubscribing an address that opted out needs a legal basis and an"
            " explanation (missing: legal basis and explanation)."
        )
        expect(
            page.locator("li.sub-row", has_text="Marketing Information").locator(".badge")
        ).to_have_text("Unsubscribed")
        refused = newest_entry(page)
        expect(refused.locator(".badge")).to_have_text("Refused")
        expect(refused).to_contain_text("needs a legal basis and an explanation")
        assert page.locator("ol.timeline li.entry").count() == 3


def test_search_all_properties_for_opted_out(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "omar@example.com", "firstname": "Omar"})
    who = services.Provenance(Source.PREFERENCE_CENTER, Actor(ActorKind.CONTACT))
    for type_id in (1, 3):
        services.set_status(
            site.engine,
            services.StatusChange(
                "omar@example.com", Channel.EMAIL, type_id, Status.UNSUBSCRIBED, who
            ),
        )
    site.sign_in(page)
    page.goto(f"{site.url}/admin/contacts/{contact.id}")
    page.get_by_role("link", name="View all properties").click()
    panel = page.locator("aside.panel")
    expect(panel.get_by_role("heading", name="All properties")).to_be_visible()
    panel.get_by_placeholder("Search properties").fill("Opted out")
    visible = panel.locator("tbody tr:visible")
    expect(visible).to_have_count(3)
    texts = [" ".join(t.split()) for t in visible.all_inner_texts()]
    assert texts == [
        "Opted out of email: Marketing Information hs_email_optout_1 Yes",
        "Opted out of email: One to One hs_email_optout_2",
        "Opted out of email: Customer Service Communication hs_email_optout_3 Yes",
    ]
    panel.get_by_placeholder("Search properties").fill("unsubscribed from all")
    expect(panel.locator("tbody tr:visible")).to_have_count(1)
    expect(panel.locator("tbody tr:visible")).to_have_accessible_name(
        "Unsubscribed from all email hs_email_optout false"
    )
    # Without JavaScript the same search runs on the server.
    panel.get_by_placeholder("Search properties").fill("Opted out")
    panel.get_by_role("button", name="Search").click()
    expect(page.locator("aside.panel tbody tr")).to_have_count(3)


def test_turn_on_business_units_and_filter_the_panel_by_unit(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "ivo@example.com", "firstname": "Ivo"})
    site.sign_in(page, "admin")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Turn on Business units").click()
    expect(page.get_by_role("status")).to_have_text("Business units is on.")
    page.get_by_role("link", name="Business units").click()
    page.locator("form", has=page.get_by_role("button", name="Create business unit")).get_by_label(
        "Name"
    ).fill("Outdoors")
    page.get_by_role("button", name="Create business unit").click()
    expect(page.get_by_role("status")).to_have_text("Business unit 'Outdoors' created.")
    page.get_by_role("link", name="Subscription types").click()
    form = page.locator("form", has=page.get_by_role("button", name="Create type"))
    form.get_by_label("Name").fill("Trail News")
    form.get_by_label("Business unit").select_option(label="Outdoors")
    page.get_by_role("button", name="Create type").click()
    expect(page.get_by_role("status")).to_have_text("Created 'Trail News'.")

    page.goto(f"{site.url}/admin/contacts/{contact.id}?panel=subscriptions")
    panel = page.locator("aside.panel")
    expect(panel.locator("li.sub-row")).to_have_count(4)
    panel.get_by_label("Business unit").select_option(label="Outdoors")
    expect(panel.locator("li.sub-row")).to_have_count(1)
    expect(panel.locator("li.sub-row")).to_contain_text("Trail News")
    panel.get_by_label("Business unit").select_option(label="Account")
    expect(panel.locator("li.sub-row")).to_have_count(3)
    expect(panel).not_to_contain_text("Trail News")


def test_unsubscribe_from_all(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "pia@example.com", "firstname": "Pia"})
    site.sign_in(page)
    page.goto(f"{site.url}/admin/contacts/{contact.id}")
    expect(page.get_by_text("Unsubscribed from all email: No")).to_be_visible()
    page.get_by_role("link", name="Unsubscribe from all").click()
    page.get_by_role("dialog").get_by_role("button", name="Unsubscribe from all").click()
    expect(page.get_by_role("status")).to_have_text("Unsubscribed from all email.")
    badges = page.locator("aside.panel li.sub-row .badge")
    expect(badges).to_have_text(["Unsubscribed"] * 3)
    page.get_by_role("link", name="Close panel").click()
    expect(page.get_by_text("Unsubscribed from all email: Yes")).to_be_visible()


def test_one_time_legal_basis_for_a_call(site: Site, page: Page) -> None:
    services.set_setting(site.engine, "data_privacy_mode", "true")
    services.create_type(site.engine, services.NewType("Sales calls", kind=TypeKind.ONE_TO_ONE))
    contact = contacts.create(site.engine, {"email": "jun@example.com", "firstname": "Jun"})
    who = services.Provenance(Source.PREFERENCE_CENTER, Actor(ActorKind.CONTACT))
    services.unsubscribe_all(site.engine, "jun@example.com", Channel.EMAIL, None, who)
    site.sign_in(page)
    page.goto(f"{site.url}/admin/contacts/{contact.id}")
    page.get_by_role("link", name="One-time legal basis for a call").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Subscription type").select_option(label="Sales calls")
    dialog.get_by_label("Legal basis").select_option(label="Performance of a contract")
    dialog.get_by_label("Explanation").fill("Calling about their open order")
    dialog.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("One-time legal basis recorded: you may")
    expect(page.locator("ol.timeline li.entry").first).to_contain_text(
        "Calling about their open order"
    )


def test_send_the_contact_their_preference_link(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "Tove@Example.com", "firstname": "Tove"})
    site.sign_in(page)
    page.goto(f"{site.url}/admin/contacts/{contact.id}")
    page.get_by_role("button", name="Send preference link").click()
    expect(page.get_by_role("status")).to_have_text("Preference link sent to Tove@Example.com.")
    with site.engine.connect() as connection:
        queued = connection.execute(text("SELECT recipient, requested_by FROM mail_outbox")).all()
    assert [tuple(row) for row in queued] == [("Tove@Example.com", "user:2")]


def test_the_panel_shows_and_changes_phone_channels_too(site: Site, page: Page) -> None:
    services.set_setting(site.engine, "sms_enabled", "true")
    services.create_type(site.engine, services.NewType("Order texts", channel=Channel.SMS))
    contact = contacts.create(
        site.engine, {"email": "lena@example.com", "firstname": "Lena", "phone": "+12025550142"}
    )
    panel = open_panel(site, page, contact.id)
    expect(panel.locator("li.sub-channel")).to_have_text(["Email", "SMS"])
    row_action(panel, "Order texts", "Subscribe")
    dialog = page.get_by_role("dialog", name="Subscribe")
    dialog.get_by_label("Explanation of consent").fill("Texted us START")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_role("status")).to_have_text("Order texts: subscribed.")
    sms = services.read_statuses(site.engine, "+12025550142", Channel.SMS)
    assert [(s.subscription_type.name, s.status) for s in sms.statuses] == [
        ("Order texts", Status.SUBSCRIBED)
    ]
    entry = newest_entry(page)
    expect(entry).to_contain_text("Order texts · SMS")
