"""The "email me a new link" form of the bad-link page: the same answer for a known and an
unknown address (it never reveals which addresses are on the list), mail only to a known one,
and a clear message for something that is not an email address."""

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.public_site import Site, public_site

KNOWN = "known@example.com"


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    with public_site(engine, database_url) as running:
        yield running


def _without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", html)


def _ask(site: Site, address: str) -> httpx.Response:
    return httpx.post(f"{site.base}/request-link", data={"email": address, "lang": "fr"})


def test_known_and_unknown_addresses_get_the_same_answer(site: Site) -> None:
    site.links(KNOWN)  # the address is on the list

    known, unknown = _ask(site, KNOWN), _ask(site, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    # Identical but for the per-response style nonce.
    assert _without_nonce(known.text) == _without_nonce(unknown.text)
    assert "Consultez votre boîte de réception" in known.text
    assert [(m.recipient, m.language) for m in site.mail()] == [(KNOWN, "fr")]


def test_something_that_is_not_an_address_is_named(site: Site) -> None:
    answer = _ask(site, "not-an-address")

    assert answer.status_code == 400
    assert 'aria-invalid="true"' in answer.text
    assert site.mail() == []
