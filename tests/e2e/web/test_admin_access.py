"""Signing in and out, sessions, CSRF, roles, throttling, escaping and HTML error pages."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consentry.domain.throttle import MAX_FAILURES
from consentry.services import contacts
from tests.e2e.web.admin_site import EMAILS, PASSWORD, Site, admin_site, csrf_of, sqlite_url


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        yield running


def test_sign_in_and_sign_out(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/admin/contacts")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(EMAILS["marketer"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an active user."
    )
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    expect(page.get_by_text("marketer@example.com · marketer")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(f"{site.url}/admin/contacts")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_returns_to_the_page_asked_for(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/admin/audit")
    page.get_by_label("Email").fill(EMAILS["viewer"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Audit")).to_be_visible()


def test_failed_sign_ins_are_throttled_with_a_clear_message(site: Site) -> None:
    with site.client() as client:
        for _ in range(MAX_FAILURES):
            token = csrf_of(client.get("/admin/sign-in").text)
            data = {"csrf_token": token, "email": EMAILS["admin"], "password": "guess"}
            assert client.post("/admin/sign-in", data=data).status_code == 401
        token = csrf_of(client.get("/admin/sign-in").text)
        data = {"csrf_token": token, "email": EMAILS["admin"], "password": PASSWORD}
        answer = client.post("/admin/sign-in", data=data)
    assert answer.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in answer.text
    assert int(answer.headers["Retry-After"]) > 0


def test_the_session_cookie_is_http_only_and_same_site(site: Site) -> None:
    with site.client() as client:
        token = csrf_of(client.get("/admin/sign-in").text)
        data = {"csrf_token": token, "email": EMAILS["admin"], "password": PASSWORD}
        cookie = client.post("/admin/sign-in", data=data).headers["set-cookie"]
    assert "consentry_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served over plain http here


def test_pages_forbid_framing_and_foreign_scripts(site: Site) -> None:
    with site.client("viewer") as client:
        headers = client.get("/admin/contacts").headers
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy


def test_behind_https_the_session_cookie_is_secure(tmp_path: Path) -> None:
    https = "https://consent.example.com"
    with admin_site(sqlite_url(tmp_path), tmp_path, public_url=https) as s, s.client() as client:
        form = client.get("/admin/sign-in")
        # The client speaks plain http to the test server, so it would not send a Secure
        # cookie back by itself: send it as a browser behind HTTPS would.
        sign_in_cookie = form.cookies["consentry_sign_in"]
        data = {"csrf_token": csrf_of(form.text), "email": EMAILS["admin"], "password": PASSWORD}
        answer = client.post(
            "/admin/sign-in", data=data, headers={"Cookie": f"consentry_sign_in={sign_in_cookie}"}
        )
    assert "Secure" in form.headers["set-cookie"]
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def test_a_form_posted_without_its_csrf_token_is_refused(site: Site) -> None:
    with site.client("admin") as client:
        missing = client.post("/admin/contacts", data={"email": "new@x.com"})
        wrong = client.post("/admin/contacts", data={"email": "new@x.com", "csrf_token": "forged"})
        sign_out = client.post("/admin/sign-out")
        still_in = client.get("/admin/contacts")
    assert missing.status_code == wrong.status_code == sign_out.status_code == 403
    assert "security token (CSRF)" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    assert still_in.status_code == 200
    assert contacts.search(site.engine, contacts.SearchRequest(query="new@x.com")).total == 0
    with site.client() as anonymous:
        anonymous.get("/admin/sign-in")
        data = {"email": EMAILS["admin"], "password": PASSWORD}
        assert anonymous.post("/admin/sign-in", data=data).status_code == 403


def test_a_viewer_cannot_change_anything(site: Site, page: Page) -> None:
    contact = contacts.create(site.engine, {"email": "c@x.com", "firstname": "Cleo"})
    posts = {
        "/admin/contacts": {"email": "new@x.com"},
        f"/admin/contacts/{contact.id}": {"firstname": "Changed"},
        f"/admin/contacts/{contact.id}/status": {"type_id": "1", "status": "UNSUBSCRIBED"},
        f"/admin/contacts/{contact.id}/unsubscribe-all": {},
        f"/admin/contacts/{contact.id}/delete": {},
        "/admin/contacts/bulk": {"id": str(contact.id), "status": "UNSUBSCRIBED", "type_id": "1"},
        "/admin/settings/toggle": {"key": "business_units_enabled", "value": "true"},
        "/admin/settings/types": {"name": "Sneaky"},
        "/admin/settings/types/1/archive": {"archived": "true"},
        "/admin/settings/remove-opt-outs": {"confirm": "0"},
    }
    with site.client("viewer") as client:
        token = csrf_of(client.get("/admin/contacts").text)
        answers = {
            path: client.post(path, data={**data, "csrf_token": token})
            for path, data in posts.items()
        }
    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(
        posts, 403
    )
    assert "can look but not change anything" in answers["/admin/contacts"].text
    after = contacts.get(site.engine, str(contact.id), properties=["firstname", "hs_email_optout"])
    assert after.properties == {**after.properties, "firstname": "Cleo", "hs_email_optout": "false"}

    site.sign_in(page, "viewer")
    expect(page.get_by_role("link", name="Create contact")).to_have_count(0)
    page.goto(f"{site.url}/admin/contacts/{contact.id}?panel=subscriptions")
    expect(page.get_by_text("Marketing Information")).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe")).to_have_count(0)


def test_a_marketer_cannot_reach_admin_only_settings(site: Site) -> None:
    with site.client("marketer") as client:
        token = csrf_of(client.get("/admin/settings").text)
        pages = [
            client.get(p).status_code
            for p in (
                "/admin/settings/users",
                "/admin/settings/tokens",
                "/admin/settings/remove-opt-outs",
            )
        ]
        privacy = client.post(
            "/admin/settings/toggle",
            data={"csrf_token": token, "key": "data_privacy_mode", "value": "true"},
        )
        units = client.post(
            "/admin/settings/toggle",
            data={"csrf_token": token, "key": "business_units_enabled", "value": "true"},
        )
    assert pages == [403, 403, 403]
    assert privacy.status_code == 403
    assert units.status_code == 303


def test_user_content_is_escaped_everywhere(site: Site, page: Page) -> None:
    evil = "<script>alert(1)</script>"
    contact = contacts.create(
        site.engine, {"email": "evil@x.com", "firstname": evil, "company": "<b>bold</b>"}
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    site.sign_in(page)
    expect(page.get_by_role("link", name=evil)).to_be_visible()
    expect(page.get_by_text("<b>bold</b>")).to_be_visible()
    for path in ("", "?panel=properties", "?panel=subscriptions", "?panel=history"):
        page.goto(f"{site.url}/admin/contacts/{contact.id}{path}")
        expect(page.locator("h1.contact-name")).to_have_text(evil)
    assert page.locator("script:not([src])").count() == 0
    assert dialogs == []


def test_people_get_html_error_pages_and_programs_get_json(site: Site) -> None:
    with site.client("admin") as client:
        page = client.get("/admin/no-such-page")
        api = client.get("/crm/v3/no-such-route")
        contact = client.get("/admin/contacts/987654")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at /admin/no-such-page." in page.text
    assert api.status_code == 404 and api.json()["category"] == "OBJECT_NOT_FOUND"
    assert contact.status_code == 404 and "<h1>Page not found</h1>" in contact.text
