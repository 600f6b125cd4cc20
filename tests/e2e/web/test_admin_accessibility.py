"""The admin for everyone: axe-core finds no serious or critical problem on the main pages and
panels, the record's panel works from the keyboard, every page fits a 390 px phone, and the main
flows work with JavaScript off (progressive enhancement)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from consentry.services import contacts
from tests.e2e.web.admin_site import Site, admin_site, sqlite_url


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        yield running


def problems(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_problems(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "a@x.com", "firstname": "Ada"})
    page.goto(f"{site.url}/admin/sign-in")
    found = {"sign-in": problems(page)}
    site.sign_in(page, "admin")
    for path in (
        "/admin/contacts",
        f"/admin/contacts/bulk?id={contact.id}",
        f"/admin/contacts/{contact.id}",
        f"/admin/contacts/{contact.id}?panel=subscriptions",
        f"/admin/contacts/{contact.id}?panel=history",
        f"/admin/contacts/{contact.id}?panel=subscriptions&dialog=status&type=1&status=SUBSCRIBED",
        "/admin/settings",
        "/admin/settings/types",
        "/admin/settings/types/1",
        "/admin/settings/users",
        "/admin/audit",
        "/admin/workflows",
        "/admin/workflows/new",
        "/admin/webhooks",
        "/admin/webhooks/new",
    ):
        page.goto(site.url + path)
        found[path] = problems(page)
    assert {path: found_ for path, found_ in found.items() if found_} == {}


def test_the_subscriptions_panel_works_from_the_keyboard(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "k@x.com", "firstname": "Kai"})
    site.sign_in(page)
    page.goto(f"{site.url}/admin/contacts/{contact.id}")
    page.get_by_role("link", name="View subscriptions").focus()
    page.keyboard.press("Enter")
    expect(page.locator("aside.panel")).to_be_focused()
    subscribe = page.locator("li.sub-row", has_text="Marketing Information").get_by_role(
        "link", name="Subscribe", exact=True
    )
    for _ in range(12):  # Tab through the panel until the row's action has focus
        page.keyboard.press("Tab")
        if subscribe.evaluate("el => el === document.activeElement"):
            break
    expect(subscribe).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("dialog", name="Subscribe").get_by_label("Subscription type")
    ).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Subscribe")).to_have_count(0)
    expect(page.locator("aside.panel")).to_be_visible()


def test_every_page_fits_a_390_px_phone(site: Site, browser: Browser) -> None:
    contact = contacts.create(
        site.engine, {"email": "a.rather.long.address@example.com", "firstname": "Ada"}
    )
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    site.sign_in(page, "admin")
    too_wide = {}
    for path in (
        "/admin/contacts",
        f"/admin/contacts/bulk?id={contact.id}",
        f"/admin/contacts/{contact.id}",
        f"/admin/contacts/{contact.id}?panel=subscriptions",
        f"/admin/contacts/{contact.id}?panel=history",
        "/admin/settings",
        "/admin/settings/types",
        "/admin/settings/types/1",
        "/admin/settings/units",
        "/admin/settings/users",
        "/admin/settings/tokens",
        "/admin/audit",
        "/admin/workflows",
        "/admin/workflows/new",
        "/admin/webhooks",
        "/admin/webhooks/new",
    ):
        page.goto(site.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    phone.close()
    assert too_wide == {}


def test_the_main_flows_work_without_javascript(site: Site, browser: Browser) -> None:
    for i in range(3):
        contacts.create(site.engine, {"email": f"nojs{i}@example.com", "firstname": f"No{i}"})
    plain = browser.new_context(java_script_enabled=False)
    page = plain.new_page()
    site.sign_in(page)
    page.locator("input[name=id]").first.check()
    page.locator("summary", has_text="More").click()
    page.get_by_role("button", name="Edit communication subscriptions").click()
    panel = page.locator("aside.panel")
    panel.get_by_label("Opt out").check()
    panel.get_by_label("Marketing Information").check()
    panel.get_by_role("button", name="Done").click()
    expect(page.locator("[data-changed]")).to_have_text("1")

    page.goto(f"{site.url}/admin/contacts")
    page.get_by_role("link", name="No1").click()
    page.get_by_role("link", name="View subscriptions").click()
    page.locator("li.sub-row", has_text="One to One").get_by_role(
        "link", name="Subscribe", exact=True
    ).click()
    page.get_by_role("dialog", name="Subscribe").get_by_role("button", name="Done").click()
    expect(page.get_by_role("status")).to_have_text("One to One: subscribed.")
    page.get_by_role("link", name="History").click()
    expect(page.locator("ol.timeline li.entry")).to_have_count(1)
    plain.close()
