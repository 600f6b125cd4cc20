"""RFC 8058 one-click unsubscribe on a real server: both encodings, no cookie or redirect,
GET and HEAD inert, a retry records nothing new, a forged token changes nothing, and a link
made 61 days ago still works. On SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from consentry.domain import Source, Status
from tests.e2e.public_site import MARKETING, ONE_TO_ONE, Site, public_site

ONE_CLICK = {"List-Unsubscribe": "One-Click"}
ADDRESS = "reader@example.com"


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    with public_site(engine, database_url) as running:
        yield running


def _post(url: str, encoding: str, fields: dict[str, str]) -> httpx.Response:
    if encoding == "urlencoded":
        return httpx.post(url, data=fields, follow_redirects=False)
    # multipart/form-data, as some mailbox providers send it
    files = {name: (None, value) for name, value in fields.items()}
    return httpx.post(url, files=files, follow_redirects=False)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_post_unsubscribes_at_once(site: Site, encoding: str) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = _post(url, encoding, ONE_CLICK)

    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    assert "location" not in answer.headers
    assert len(answer.content) < 100
    (entry,) = [e for e in site.entries(ADDRESS) if e.action == "SET_WIDE"]
    assert entry.outcome == "APPLIED"
    assert entry.source == Source.ONE_CLICK.value == "ONE_CLICK"
    assert entry.actor_kind == "CONTACT"
    assert entry.evidence["ip"] == "127.0.0.1"
    assert entry.evidence["user_agent"].startswith("python-httpx")
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_one_click_on_the_preference_link_unsubscribes_from_all(site: Site) -> None:
    url = site.links(ADDRESS).manage_preferences_url

    answer = _post(url, "multipart", ONE_CLICK)

    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_single_type_link_unsubscribes_from_that_type_only(site: Site) -> None:
    url = site.links(ADDRESS, type_id=MARKETING).unsubscribe_single_url
    assert url is not None

    assert _post(url, "urlencoded", ONE_CLICK).status_code == 200

    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED
    assert site.status(ADDRESS, ONE_TO_ONE) is Status.NOT_SPECIFIED
    (entry,) = site.entries(ADDRESS)
    assert (entry.action, entry.subscription_type_id, entry.source) == (
        "SET_STATUS",
        MARKETING,
        "ONE_CLICK",
    )


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_get_and_head_change_nothing(site: Site, method: str) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = httpx.request(method, url)

    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    if method == "GET":
        assert "<button" in answer.text  # the one-button confirmation
    assert site.entries(ADDRESS) == ()
    assert site.status(ADDRESS, MARKETING) is Status.NOT_SPECIFIED


def test_a_retried_post_records_nothing_new(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url
    assert _post(url, "urlencoded", ONE_CLICK).status_code == 200
    first = site.entries(ADDRESS)

    again = _post(url, "multipart", ONE_CLICK)

    assert again.status_code == 200
    assert site.entries(ADDRESS) == first
    assert len([e for e in first if e.action == "SET_WIDE"]) == 1


def test_other_fields_are_never_acted_on(site: Site) -> None:
    url = site.links(ADDRESS, type_id=MARKETING).unsubscribe_single_url
    assert url is not None

    fields = {**ONE_CLICK, "type": str(ONE_TO_ONE), "action": "unsubscribe_all"}
    assert _post(url, "urlencoded", fields).status_code == 200

    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED
    assert site.status(ADDRESS, ONE_TO_ONE) is Status.NOT_SPECIFIED


def test_a_tampered_token_is_refused_and_changes_nothing(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url
    position = url.rindex("/") + 10
    forged = url[:position] + ("A" if url[position] != "A" else "B") + url[position + 1 :]

    answer = _post(forged, "urlencoded", ONE_CLICK)

    assert 400 <= answer.status_code < 500
    assert site.entries(ADDRESS) == ()
    assert site.status(ADDRESS, MARKETING) is Status.NOT_SPECIFIED
    page = httpx.get(forged)
    assert page.status_code == 404
    assert "new link" in page.text  # the friendly page offers a fresh link


def test_a_61_day_old_link_still_works(site: Site) -> None:
    made = datetime.now(UTC) - timedelta(days=61)
    url = site.links(ADDRESS, issued_at=made).unsubscribe_all_url

    assert _post(url, "urlencoded", ONE_CLICK).status_code == 200

    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_an_expired_link_gets_the_fresh_link_page(site: Site) -> None:
    made = datetime.now(UTC) - timedelta(days=181)
    url = site.links(ADDRESS, issued_at=made).manage_preferences_url

    page = httpx.get(url)

    assert page.status_code == 410
    assert "expired" in page.text
    assert 'action="/request-link"' in page.text


def test_a_one_click_body_without_a_form_content_type_still_unsubscribes(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = httpx.post(url, content=b"List-Unsubscribe=One-Click")

    assert answer.status_code == 200
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED


def test_an_oversized_body_is_refused_and_changes_nothing(site: Site) -> None:
    url = site.links(ADDRESS).unsubscribe_all_url

    answer = httpx.post(url, data={**ONE_CLICK, "padding": "x" * 100_000})

    assert answer.status_code == 413
    assert site.status(ADDRESS, MARKETING) is Status.NOT_SPECIFIED
