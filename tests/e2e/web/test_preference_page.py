"""The preference page in Chromium (Playwright) on a real server: change two types and save
(ledger entries with IP, user agent and the exact notice text), unsubscribe from all,
resubscribe, keyboard-only use, and an axe-core scan. SQLite and PostgreSQL."""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel, Status
from tests.e2e.public_site import CUSTOMER_SERVICE, MARKETING, ONE_TO_ONE, Site, public_site

ADDRESS = "ana@example.com"


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    services.update_settings(engine, {"data_privacy_mode": "true"})
    with public_site(engine, database_url) as running:
        yield running


def _box(page: Page, type_id: int):  # type: ignore[no-untyped-def]
    return page.locator(f"#type-{type_id}")


def test_change_two_types_and_save(site: Site, page: Page) -> None:
    page.goto(site.links(ADDRESS).manage_preferences_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your subscription preferences")
    # Data privacy mode: nothing is pre-ticked for types without an explicit opt-in.
    for type_id in (MARKETING, ONE_TO_ONE, CUSTOMER_SERVICE):
        expect(_box(page, type_id)).not_to_be_checked()
    notice = page.locator("#consent-notice").inner_text()

    page.get_by_label("Marketing Information").check()
    page.get_by_label("Customer Service Communication").check()
    page.get_by_role("button", name="Save my preferences").click()

    expect(page.get_by_role("status")).to_contain_text("Your preferences have been saved.")
    expect(_box(page, MARKETING)).to_be_checked()
    entries = site.entries(ADDRESS)
    assert [(e.subscription_type_id, e.new_status, e.source) for e in entries] == [
        (MARKETING, "SUBSCRIBED", "PREFERENCE_CENTER"),
        (CUSTOMER_SERVICE, "SUBSCRIBED", "PREFERENCE_CENTER"),
    ]
    for entry in entries:
        assert entry.actor_kind == "CONTACT"
        assert entry.evidence["ip"] == "127.0.0.1"
        assert "Chrome" in entry.evidence["user_agent"]
        assert entry.legal_basis == "CONSENT_WITH_NOTICE"
        assert site.notice(entry) == notice
    assert site.status(ADDRESS, ONE_TO_ONE) is Status.NOT_SPECIFIED  # untouched: not recorded


def test_unsubscribe_from_all_then_resubscribe(site: Site, page: Page) -> None:
    page.goto(site.links(ADDRESS).manage_preferences_url)
    page.get_by_label("Marketing Information").check()
    page.get_by_role("button", name="Save my preferences").click()
    expect(page.get_by_role("status")).to_contain_text("saved")

    page.get_by_role("button", name="Unsubscribe from all").click()

    expect(page.get_by_role("status")).to_contain_text("You have been unsubscribed from all")
    expect(_box(page, MARKETING)).not_to_be_checked()
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED
    read = services.read_statuses(site.engine, ADDRESS, Channel.EMAIL)
    assert read.unsubscribed_from_all

    # The contact may come back: tick a type again and save.
    page.get_by_label("Marketing Information").check()
    page.get_by_role("button", name="Save my preferences").click()

    expect(page.get_by_role("status")).to_contain_text("saved")
    assert site.status(ADDRESS, MARKETING) is Status.SUBSCRIBED
    last = [e for e in site.entries(ADDRESS) if e.action == "SET_STATUS"][-1]
    assert last.success_reason == "RESUBSCRIBE_OCCURRED"


def test_keyboard_only(site: Site, page: Page) -> None:
    page.goto(site.links(ADDRESS).manage_preferences_url)
    page.keyboard.press("Tab")
    expect(page.get_by_text("Skip to content")).to_be_focused()
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
        if focused[-1] == f"type-{MARKETING}":
            break
    assert focused[-1] == f"type-{MARKETING}"
    page.keyboard.press("Space")  # tick Marketing
    while page.evaluate("document.activeElement.value") != "save":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("saved")
    assert site.status(ADDRESS, MARKETING) is Status.SUBSCRIBED


def test_the_page_in_traditional_chinese_and_in_english(site: Site, browser: Browser) -> None:
    services.set_translation(site.engine, MARKETING, "zh-tw", "行銷資訊", "優惠與最新消息。")
    context = browser.new_context(locale="zh-TW")  # Accept-Language: zh-TW
    page = context.new_page()
    try:
        page.goto(site.links(ADDRESS).manage_preferences_url)
        expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
        expect(page.get_by_role("heading", level=1)).to_have_text("您的訂閱偏好")
        expect(page.get_by_text("優惠與最新消息。")).to_be_visible()
        page.get_by_label("行銷資訊").check()
        page.get_by_role("button", name="儲存我的偏好").click()
        expect(page.get_by_role("status")).to_contain_text("您的偏好設定已儲存。")
        (entry,) = site.entries(ADDRESS)
        assert entry.evidence["language"] == "zh-TW"
        assert (site.notice(entry) or "").startswith("儲存即表示您同意")

        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your subscription preferences")
        expect(page.get_by_label("Marketing Information")).to_be_checked()
    finally:
        context.close()


@pytest.mark.parametrize(
    "which", ["preferences", "preferences in zh-TW", "unsubscribe", "bad link", "request link"]
)
def test_no_serious_accessibility_violations(site: Site, page: Page, which: str) -> None:
    links = site.links(ADDRESS)
    url = {
        "preferences": links.manage_preferences_url,
        "preferences in zh-TW": links.manage_preferences_url + "?lang=zh-TW",
        "request link": f"{site.base}/request-link",
        "unsubscribe": links.unsubscribe_all_url,
        "bad link": links.manage_preferences_url[:-3] + "xyz",
    }[which]
    page.goto(url)

    results = Axe().run(page)

    serious = [
        (v["id"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
