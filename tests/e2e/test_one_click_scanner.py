"""Link scanners on the unsubscribe link's confirm button: a POST from a known scanner within
the window after the link was made is held (a second confirmation, flagged in the ledger as
suspected automation) — never applied silently, never dropped. SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Status
from tests.e2e.forms import BROWSER, as_data, form_fields
from tests.e2e.public_site import MARKETING, Site, public_site

ADDRESS = "scanned@example.com"
SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel link protection)"


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    with public_site(engine, database_url, scanner_window_seconds=300) as running:
        yield running


def _press_button(url: str, agent: str, extra: dict[str, str] | None = None) -> httpx.Response:
    with httpx.Client(headers={"User-Agent": agent}) as client:
        page = client.get(url)
        assert page.status_code == 200
        fields = as_data(form_fields(page.text))
        return client.post(url, data={**fields, **(extra or {})})


def test_a_scanner_click_right_after_sending_is_held(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    held = _press_button(url, SCANNER)

    assert held.status_code == 202
    assert "Please confirm once more" in held.text
    assert site.status(ADDRESS, MARKETING) is Status.NOT_SPECIFIED
    (entry,) = site.entries(ADDRESS)
    assert (entry.outcome, entry.refusal) == ("REFUSED", "HELD_FOR_CONFIRMATION")
    assert entry.evidence["suspected_automation"] is True
    assert entry.evidence["user_agent"] == SCANNER
    assert services.verify_ledger(site.engine).ok

    # The second confirmation is taken.
    confirmed = httpx.post(
        url, data=as_data(form_fields(held.text)), headers={"User-Agent": SCANNER}
    )
    assert confirmed.status_code == 200
    assert "You have been unsubscribed" in confirmed.text
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_a_person_is_never_held(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = _press_button(url, BROWSER)

    assert answer.status_code == 200
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED
    assert [e.outcome for e in site.entries(ADDRESS) if e.action == "SET_WIDE"] == ["APPLIED"]


def test_a_scanner_agent_after_the_window_is_taken(site: Site) -> None:
    made = datetime.now(UTC) - timedelta(minutes=10)
    url = site.links(ADDRESS, issued_at=made).unsubscribe_all_url

    assert _press_button(url, SCANNER).status_code == 200
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_the_rfc_8058_post_is_never_held(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = httpx.post(
        url, data={"List-Unsubscribe": "One-Click"}, headers={"User-Agent": SCANNER}
    )

    assert answer.status_code == 200
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_a_confirm_button_post_without_its_form_token_changes_nothing(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = httpx.post(url, data={"lang": "en"}, headers={"User-Agent": BROWSER})

    assert answer.status_code == 400
    assert site.status(ADDRESS, MARKETING) is Status.NOT_SPECIFIED
    assert site.entries(ADDRESS) == ()
