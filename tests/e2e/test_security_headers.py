"""Every answer carries the security headers (a CSP with frame-ancestors 'none', nosniff,
no Referer, no framing), HSTS when we are reached over HTTPS, and the per-client rate limits
answer 429 with Retry-After and a small page: tried on a real server, on SQLite and
PostgreSQL."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from consentry.app import create_app
from consentry.domain import Channel
from consentry.services.links import generate_links
from tests.e2e.server import free_port, running_server, server_config
from tests.e2e.test_route_access import RULES, SECRET, Needs, Other, concrete
from tests.e2e.web.admin_site import EMAILS, PASSWORD, Site, admin_site, csrf_of

ADMIN_GETS = sorted(
    concrete(path)
    for (method, path), rule in RULES.items()
    if method == "GET" and path.startswith("/admin") and isinstance(rule, Needs | Other)
)


def assert_secured(answer: httpx.Response) -> None:
    headers = answer.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], answer.url
    assert headers["X-Content-Type-Options"] == "nosniff", answer.url
    assert headers["Referrer-Policy"] == "no-referrer", answer.url
    assert headers["X-Frame-Options"] == "DENY", answer.url


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with admin_site(database_url, tmp_path) as running:
        yield running


def test_every_page_carries_the_security_headers(site: Site) -> None:
    links = generate_links(
        site.engine, "a@example.com", Channel.EMAIL, secret=SECRET, public_url=site.url
    )
    with site.client("admin") as admin:
        for path in ADMIN_GETS:
            answer = admin.get(path)
            assert answer.status_code < 500, path
            assert_secured(answer)
            if "text/html" in answer.headers.get("content-type", ""):
                assert "script-src 'self';" in answer.headers["Content-Security-Policy"], path
    public = [
        links.manage_preferences_url,
        links.unsubscribe_all_url,
        f"{site.url}/preferences/forged",
        f"{site.url}/request-link",
        f"{site.url}/docs",
        f"{site.url}/redoc",
        f"{site.url}/openapi.json",
        f"{site.url}/healthz",
        f"{site.url}/admin/sign-in",
        f"{site.url}/no-such-page",
        f"{site.url}/communication-preferences/v4/definitions",  # a 401
    ]
    for url in public:
        assert_secured(httpx.get(url))
    one_click = httpx.post(links.unsubscribe_all_url, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert_secured(one_click)
    # The contact's pages admit their inline styles by a nonce of their own, and nothing else.
    policy = httpx.get(links.manage_preferences_url).headers["Content-Security-Policy"]
    assert "'nonce-" in policy and "script-src" not in policy and "default-src 'none'" in policy


def test_no_hsts_over_plain_http(site: Site) -> None:
    assert "Strict-Transport-Security" not in httpx.get(f"{site.url}/healthz").headers


def test_hsts_when_the_public_url_is_https(engine: Engine, database_url: str) -> None:
    config = server_config(database_url, public_url="https://consent.example.com")
    with running_server(config) as url:
        for path in ("/healthz", "/admin/sign-in", "/request-link"):
            assert httpx.get(url + path).headers["Strict-Transport-Security"] == "max-age=31536000"


def _serve(database_url: str, forwarded_allow_ips: str) -> Iterator[str]:
    """A server whose uvicorn trusts X-Forwarded-* only from `forwarded_allow_ips`."""
    app = create_app(server_config(database_url))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="error",
            forwarded_allow_ips=forwarded_allow_ips,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


@pytest.mark.parametrize(("trusted", "hsts"), [("127.0.0.1", True), ("10.1.2.3", False)])
def test_forwarded_proto_counts_only_from_a_trusted_proxy(
    engine: Engine, database_url: str, trusted: str, hsts: bool
) -> None:
    for url in _serve(database_url, trusted):
        answer = httpx.get(f"{url}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert ("Strict-Transport-Security" in answer.headers) is hsts


# --- rate limits ---------------------------------------------------------------------------


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Site]:
    limits = {
        "rate_limit_sign_in": 2,
        "rate_limit_link_requests": 2,
        "rate_limit_public_pages": 3,
        "rate_limit_one_click": 2,
    }
    with admin_site(database_url, tmp_path, **limits) as running:
        yield running


def _from(ip: str) -> dict[str, str]:
    # The test server's uvicorn trusts X-Forwarded-For from 127.0.0.1, like a local proxy.
    return {"X-Forwarded-For": ip}


def assert_throttled(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    wait = int(answer.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert_secured(answer)
    # A page for the person (or mailbox provider) sent away: what happened and when to retry.
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Too many attempts</h1>" in answer.text
    assert f"Try again in {wait} seconds." in answer.text


def test_the_contact_pages_are_limited_per_client(limited: Site) -> None:
    links = generate_links(
        limited.engine, "a@example.com", Channel.EMAIL, secret=SECRET, public_url=limited.url
    )
    first = _from("203.0.113.1")
    for _ in range(3):
        assert httpx.get(links.manage_preferences_url, headers=first).status_code == 200
    assert_throttled(httpx.get(links.manage_preferences_url, headers=first))
    assert_throttled(httpx.get(f"{limited.url}/request-link", headers=first))
    # Another client is not held back by the first.
    assert httpx.get(links.manage_preferences_url, headers=_from("203.0.113.2")).status_code == 200


def test_one_click_posts_have_a_limit_of_their_own(limited: Site) -> None:
    links = generate_links(
        limited.engine, "a@example.com", Channel.EMAIL, secret=SECRET, public_url=limited.url
    )
    provider = _from("198.51.100.7")
    body = {"List-Unsubscribe": "One-Click"}
    for _ in range(2):
        assert httpx.post(links.unsubscribe_all_url, data=body, headers=provider).status_code == 200
    assert_throttled(httpx.post(links.unsubscribe_all_url, data=body, headers=provider))
    # The pages' own limit is untouched by the one-click POSTs.
    assert httpx.get(links.unsubscribe_all_url, headers=provider).status_code == 200


def test_fresh_link_requests_are_limited(limited: Site) -> None:
    client = _from("203.0.113.9")
    for _ in range(2):
        data = {"email": "a@example.com"}
        assert (
            httpx.post(f"{limited.url}/request-link", data=data, headers=client).status_code == 200
        )
    assert_throttled(httpx.post(f"{limited.url}/request-link", data=data, headers=client))


def test_sign_in_posts_are_limited_per_client_whatever_the_email(limited: Site) -> None:
    with httpx.Client(base_url=limited.url, headers=_from("192.0.2.5")) as client:
        for email in ("admin@example.com", "viewer@example.com"):
            token = csrf_of(client.get("/admin/sign-in").text)
            data = {"csrf_token": token, "email": email, "password": "guess"}
            assert client.post("/admin/sign-in", data=data).status_code == 401
        token = csrf_of(client.get("/admin/sign-in").text)
        data = {"csrf_token": token, "email": EMAILS["marketer"], "password": PASSWORD}
        assert_throttled(client.post("/admin/sign-in", data=data))
