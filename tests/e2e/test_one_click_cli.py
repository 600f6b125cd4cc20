"""`consentry links generate` and `consentry links headers` (the real command): the header
values a sender puts on a mail, and the link in them unsubscribes by one-click POST."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from consentry.domain import Status
from tests.e2e.helpers import CONSENTRY, cli_env
from tests.e2e.public_site import CUSTOMER_SERVICE, MARKETING, Site, public_site

PUBLIC = "https://prefs.example.com"


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    with public_site(engine, database_url) as running:
        yield running


def _consentry(site: Site, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(str(site.engine.url.render_as_string(hide_password=False)))
    env["CONSENTRY_SECRET_KEY"] = site.config.secret()
    env["CONSENTRY_PUBLIC_URL"] = PUBLIC
    return subprocess.run(
        [CONSENTRY, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_headers_for_a_mail_and_their_link_unsubscribes(site: Site, tmp_path: Path) -> None:
    result = _consentry(
        site, tmp_path, "links", "headers", "kim@example.com", "--type", str(MARKETING)
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    match = re.fullmatch(rf"List-Unsubscribe: <{PUBLIC}(/unsubscribe/[\w-]+)>", lines[0])
    assert match is not None
    answer = httpx.post(site.base + match.group(1), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert site.status("kim@example.com", MARKETING) is Status.UNSUBSCRIBED
    assert site.status("kim@example.com", CUSTOMER_SERVICE) is Status.NOT_SPECIFIED


def test_generate_prints_the_three_links(site: Site, tmp_path: Path) -> None:
    result = _consentry(
        site, tmp_path, "links", "generate", "kim@example.com", "--type", "1", "--lang", "ja"
    )

    assert result.returncode == 0, result.stderr
    assert f"manage preferences:   {PUBLIC}/preferences/" in result.stdout
    assert f"unsubscribe from all: {PUBLIC}/unsubscribe/" in result.stdout
    assert "unsubscribe from type:" in result.stdout
    assert "?lang=ja" in result.stdout


def test_an_unknown_type_is_a_clear_error(site: Site, tmp_path: Path) -> None:
    result = _consentry(site, tmp_path, "links", "headers", "kim@example.com", "--type", "99")

    assert result.returncode == 2
    assert "Unknown subscriptionId 99" in result.stderr
