"""Settings: subscription types (create, translate, reorder by arrows and by drag, archive,
preview), data privacy, users, API tokens, "Remove opt-outs added by users"; and the Audit page."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from consentry.services.user_opt_outs import count_user_opt_outs
from tests.e2e.web.admin_site import Site, admin_site, sqlite_url


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        yield running


def type_names(page: Page) -> list[str]:
    return [
        t.split("\n")[0]
        for t in page.locator("tbody[data-reorder] tr td:nth-child(2)").all_inner_texts()
    ]


DEFAULTS = ["Marketing Information", "One to One", "Customer Service Communication"]


def test_create_translate_reorder_and_archive_a_type(site: Site, page: Page) -> None:
    site.sign_in(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Subscription types").click()
    form = page.locator("form", has=page.get_by_role("button", name="Create type"))
    form.get_by_label("Name").fill("Product Tips")
    form.get_by_label("Description").fill("How to get more out of it")
    form.get_by_role("button", name="Create type").click()
    expect(page.get_by_role("heading", name="Product Tips")).to_be_visible()

    translate = page.locator("form", has=page.get_by_role("button", name="Add translation"))
    translate.get_by_label("Language code").fill("DE")
    translate.get_by_label("Translated name").fill("Produkttipps")
    translate.get_by_label("Translated description").fill("So holen Sie mehr heraus")
    translate.get_by_role("button", name="Add translation").click()
    expect(page.get_by_role("status")).to_have_text("Translation 'DE' saved.")
    expect(page.get_by_role("row", name="de Produkttipps So holen Sie mehr heraus")).to_be_visible()

    page.goto(f"{site.url}/admin/settings/preview?lang=de")
    expect(page.locator(".preview")).to_contain_text("Produkttipps")
    page.goto(f"{site.url}/admin/settings/preview")
    expect(page.locator(".preview")).to_contain_text("Product Tips")

    page.goto(f"{site.url}/admin/settings/types")
    assert type_names(page) == [*DEFAULTS, "Product Tips"]
    page.get_by_role("button", name="Move Product Tips up").click()
    expect(page.get_by_role("status")).to_have_text("Order saved.")
    assert type_names(page) == [
        "Marketing Information",
        "One to One",
        "Product Tips",
        "Customer Service Communication",
    ]

    rows = page.locator("tbody[data-reorder] tr")
    rows.filter(has_text="Product Tips").drag_to(rows.first, target_position={"x": 20, "y": 5})
    expect(page.get_by_role("status")).to_have_text("Order saved.")
    assert type_names(page) == ["Product Tips", *DEFAULTS]
    assert [t.name for t in services.list_types(site.engine)] == ["Product Tips", *DEFAULTS]

    page.get_by_role("link", name="Product Tips").click()
    page.get_by_role("button", name="Archive type").click()
    expect(page.get_by_role("status")).to_have_text(
        "'Product Tips' is archived: it takes no new opt-ins."
    )
    page.goto(f"{site.url}/admin/settings/types")
    expect(page.get_by_role("row", name="Product Tips").locator(".badge")).to_have_text("Archived")
    page.goto(f"{site.url}/admin/settings/preview")
    expect(page.locator(".preview")).not_to_contain_text("Product Tips")


def test_data_privacy_mode_shows_purpose_and_method(site: Site, page: Page) -> None:
    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/settings")
    page.get_by_role("button", name="Turn on Data privacy mode").click()
    expect(page.get_by_role("status")).to_have_text("Data privacy mode is on.")
    assert services.get_settings(site.engine).data_privacy_mode
    page.goto(f"{site.url}/admin/settings/types")
    expect(page.get_by_role("columnheader", name="Purpose")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Method")).to_be_visible()


def test_remove_opt_outs_added_by_users(site: Site, page: Page) -> None:
    user = services.Provenance(Source.USER, Actor(ActorKind.USER, "1"))
    own = services.Provenance(Source.PREFERENCE_CENTER, Actor(ActorKind.CONTACT))
    changes = [
        services.StatusChange(f"u{i}@x.com", Channel.EMAIL, 1, Status.UNSUBSCRIBED, user)
        for i in range(3)
    ]
    changes += [
        services.StatusChange(f"c{i}@x.com", Channel.EMAIL, 1, Status.UNSUBSCRIBED, own)
        for i in range(2)
    ]
    services.set_statuses(site.engine, changes)
    site.sign_in(page, "admin")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Remove opt-outs added by users").click()
    expect(page.locator("[data-count]")).to_have_text("3")
    page.get_by_label("Type 3 to confirm").fill("2")
    page.get_by_role("button", name="Remove 3 opt-outs").click()
    expect(page.get_by_role("status")).to_have_text(
        "Not run: type the number of opt-outs (3) exactly to confirm."
    )
    assert count_user_opt_outs(site.engine) == 3
    page.get_by_label("Type 3 to confirm").fill("3")
    page.get_by_role("button", name="Remove 3 opt-outs").click()
    expect(page.get_by_role("status")).to_have_text("Removed 3 opt-outs added by users.")
    expect(page.get_by_text("There is nothing to remove.")).to_be_visible()
    statuses = services.read_statuses_batch(site.engine, ["u0@x.com", "c0@x.com"], Channel.EMAIL)
    assert [s.statuses[0].status for s in statuses] == [Status.NOT_SPECIFIED, Status.UNSUBSCRIBED]  # type: ignore[union-attr]


def test_users_and_api_tokens(site: Site, page: Page) -> None:
    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/settings/users")
    page.get_by_label("Email").fill("new.viewer@example.com")
    page.get_by_label("Password").fill("another long password")
    page.get_by_label("Viewer").check()
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_have_text("User new.viewer@example.com (viewer) created.")
    page.get_by_role("row", name="new.viewer@example.com").get_by_role(
        "button", name="Disable"
    ).click()
    expect(page.get_by_role("status")).to_have_text(
        "new.viewer@example.com is disabled (signed out everywhere)."
    )

    page.goto(f"{site.url}/admin/settings/tokens")
    page.get_by_label("Name").fill("mailer")
    page.get_by_label("communication_preferences.read_write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator(".secret").inner_text()
    assert secret.startswith("cst_")
    page.reload()
    expect(page.locator(".secret")).to_have_count(0)
    expect(page.get_by_role("row", name="mailer")).to_contain_text(secret[:10])


def test_the_audit_page_filters_and_verifies_the_ledger(site: Site, page: Page) -> None:
    who = services.Provenance(Source.ONE_CLICK, Actor(ActorKind.CONTACT))
    for address in ("a@x.com", "b@x.com"):
        services.set_status(
            site.engine, services.StatusChange(address, Channel.EMAIL, 1, Status.UNSUBSCRIBED, who)
        )
    site.sign_in(page, "viewer")
    page.get_by_role("link", name="Audit").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_label("Address").fill("B@X.com")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("b@x.com")
    expect(page.locator("tbody tr")).to_contain_text("List-unsubscribe header")
    page.get_by_role("link", name="Verify the chain").click()
    expect(page.get_by_role("status")).to_have_text("The ledger is intact: 2 entries verified.")

    today = datetime.now(UTC).date()
    page.goto(f"{site.url}/admin/audit")
    page.get_by_label("Source").select_option(label="List-unsubscribe header")
    page.get_by_label("Actor").fill("CONTACT")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_label("From").fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No entries match.")).to_be_visible()
    page.get_by_label("From").fill("")
    page.get_by_label("Actor").fill("USER")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No entries match.")).to_be_visible()


def test_business_unit_branding(site: Site, page: Page) -> None:
    services.set_setting(site.engine, "business_units_enabled", "true")
    services.create_unit(site.engine, "Outdoors")
    site.sign_in(page)
    page.goto(f"{site.url}/admin/settings/units")
    unit = page.locator("section", has=page.get_by_role("heading", name="Outdoors"))
    unit.get_by_label("Logo URL (https)").fill("https://cdn.example.com/logo.png")
    unit.get_by_label("Primary colour").fill("#1f7a4d")
    unit.get_by_role("button", name="Save Outdoors").click()
    expect(page.get_by_role("status")).to_have_text("Business unit 'Outdoors' saved.")
    (saved,) = [u for u in services.list_units(site.engine) if u.name == "Outdoors"]
    assert saved.branding == {
        "logoUrl": "https://cdn.example.com/logo.png",
        "primaryColor": "#1f7a4d",
    }
    unit = page.locator("section", has=page.get_by_role("heading", name="Outdoors"))
    unit.get_by_label("Accent colour").fill("green")
    unit.get_by_role("button", name="Save Outdoors").click()
    expect(page.get_by_role("status")).to_contain_text("Not saved:")
    page.goto(f"{site.url}/admin/settings/preview?unit={saved.id}")
    expect(page.get_by_role("img", name="Outdoors")).to_have_attribute(
        "src", "https://cdn.example.com/logo.png"
    )
