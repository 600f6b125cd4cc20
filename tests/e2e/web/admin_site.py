"""A running Consentry for the admin browser tests: a migrated database with one user per
role, served on a real socket, and helpers to sign in (in Chromium or with httpx)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from consentry.services.users import create_user
from consentry.storage import migrate
from consentry.storage.engine import make_engine
from tests.e2e.server import running_server, server_config

PASSWORD = "a long test password"
EMAILS = {
    "admin": "admin@example.com",
    "marketer": "marketer@example.com",
    "viewer": "viewer@example.com",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Site:
    url: str
    engine: Engine

    def sign_in(self, page: Page, role: str = "marketer") -> None:
        page.goto(f"{self.url}/admin/sign-in")
        page.get_by_label("Email").fill(EMAILS[role])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Contacts")).to_be_visible()

    @contextmanager
    def client(self, role: str | None = None) -> Iterator[httpx.Client]:
        """An HTTP client, signed in as `role` when given (its cookies kept)."""
        with httpx.Client(base_url=self.url, follow_redirects=False, timeout=30) as client:
            if role:
                token = csrf_of(client.get("/admin/sign-in").text)
                answer = client.post(
                    "/admin/sign-in",
                    data={"csrf_token": token, "email": EMAILS[role], "password": PASSWORD},
                )
                assert answer.status_code == 303, answer.text
            yield client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@contextmanager
def admin_site(database_url: str, tmp_path: Path, **config: object) -> Iterator[Site]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    for role, email in EMAILS.items():
        create_user(engine, email, PASSWORD, role)
    settings = server_config(
        database_url, jobs_dir=tmp_path / "jobs", outbox_dir=tmp_path / "outbox", **config
    )
    try:
        with running_server(settings) as url:
            yield Site(url, engine)
    finally:
        engine.dispose()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'admin.db'}"
