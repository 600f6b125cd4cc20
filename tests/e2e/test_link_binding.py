"""A personal link acts only on what it was made for: its subscriber, its channel, its
business unit and (single-type links) its subscription type. Tried with real links on a real
server, on SQLite and PostgreSQL: a tampered token, a's link used with b's form, boxes of
another unit's or channel's types ticked on a page, a single-type link, a unit's link."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel, Status
from consentry.domain.links import LinkClaims, open_token, seal
from consentry.services.account import update_settings
from consentry.services.catalog import NewType, create_type, create_unit
from consentry.services.links import generate_links
from consentry.services.writing import utcnow
from tests.e2e.server import running_server, server_config

SECRET = "x" * 40
A, B = "a@example.com", "b@example.com"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    url: str
    engine: Engine
    types: dict[str, int]  # "email0", "email0b", "email1" (unit 1), "sms"
    unit: int

    def link(self, address: str, kind: str = "manage", **options: Any) -> str:
        links = generate_links(
            self.engine, address, Channel.EMAIL, secret=SECRET, public_url=self.url, **options
        )
        url = {
            "manage": links.manage_preferences_url,
            "all": links.unsubscribe_all_url,
            "one": links.unsubscribe_single_url,
        }[kind]
        assert url is not None
        return url

    def state(self, address: str, channel: Channel = Channel.EMAIL) -> tuple[object, ...]:
        view = services.read_statuses(self.engine, address, channel)
        return (
            tuple(sorted((s.subscription_type.id, s.status) for s in view.statuses)),
            view.wide_opt_outs,
        )

    def status(self, address: str, type_key: str) -> Status:
        type_id = self.types[type_key]
        channel = Channel.SMS if type_key == "sms" else Channel.EMAIL
        view = services.read_statuses(self.engine, address, channel)
        return next(s.status for s in view.statuses if s.subscription_type.id == type_id)


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    update_settings(engine, {"business_units_enabled": "true"})
    unit = create_unit(engine, "Second brand").id
    types = {
        "email0": create_type(engine, NewType("News")).id,
        "email0b": create_type(engine, NewType("Offers")).id,
        "email1": create_type(engine, NewType("Brand news", business_unit_id=unit)).id,
        "sms": create_type(engine, NewType("Alerts", channel=Channel.SMS)).id,
    }
    for address in (A, B):  # both known, nothing stated yet
        generate_links(engine, address, Channel.EMAIL, secret=SECRET, public_url="http://x")
    with running_server(server_config(database_url)) as url:
        yield Site(url, engine, types, unit)


def _form(page: httpx.Response) -> dict[str, str]:
    nonce, csrf = NONCE.search(page.text), CSRF.search(page.text)
    assert nonce and csrf
    return {"nonce": nonce.group(1), "csrf": csrf.group(1), "action": "save"}


def test_a_token_changed_anywhere_opens_nothing(site: Site) -> None:
    url = site.link(A, "all")
    base, token = url.rsplit("/", 1)
    before = site.state(A)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for position in range(len(token)):
        swapped = alphabet[(alphabet.index(token[position]) + 1) % len(alphabet)]
        forged = token[:position] + swapped + token[position + 1 :]
        assert httpx.post(f"{base}/{forged}", data=ONE_CLICK).status_code == 404, position
        assert httpx.get(f"{base}/{forged}").status_code == 404, position
    assert site.state(A) == before


def test_a_link_made_for_a_acts_on_a_only(site: Site) -> None:
    before_b = site.state(B)
    page = httpx.get(site.link(A))
    assert A in page.text and B not in page.text
    assert httpx.post(site.link(A, "all"), data=ONE_CLICK).status_code == 200
    assert site.state(B) == before_b
    assert site.state(A) != before_b


def test_a_form_from_a_page_does_not_work_on_b_link(site: Site) -> None:
    form = _form(httpx.get(site.link(A)))
    form |= {"type": str(site.types["email0"]), f"shown_{site.types['email0']}": "0"}
    before = site.state(B)
    answer = httpx.post(site.link(B), data=form)
    assert answer.status_code == 400  # a stale form: nothing was changed
    assert site.state(B) == before


def test_boxes_of_another_unit_or_channel_are_ignored(site: Site) -> None:
    url = site.link(A)  # the account's unit, email
    page = httpx.get(url)
    form = _form(page)
    foreign = (site.types["email1"], site.types["sms"])
    for type_id in foreign:
        assert f'name="type" value="{type_id}"' not in page.text
        form |= {f"shown_{type_id}": "0"}
    form[f"shown_{site.types['email0']}"] = "0"  # shown unticked, now ticked: an opt-in
    form["type"] = [str(site.types["email0"]), *map(str, foreign)]  # type: ignore[assignment]
    assert httpx.post(url, data=form).status_code == 200
    assert site.status(A, "email0") is Status.SUBSCRIBED
    assert site.status(A, "email1") is Status.NOT_SPECIFIED
    sms = services.read_statuses(site.engine, "+14155550123", Channel.SMS)
    assert not sms.known


def test_a_single_type_link_unsubscribes_from_that_type_only(site: Site) -> None:
    url = site.link(A, "one", subscription_type_id=site.types["email0"])
    assert httpx.post(url, data=ONE_CLICK).status_code == 200
    assert site.status(A, "email0") is Status.UNSUBSCRIBED
    assert site.status(A, "email0b") is Status.NOT_SPECIFIED
    assert site.state(A)[1] == site.state(B)[1]  # no "unsubscribe from all"


def test_a_unit_link_unsubscribes_from_that_unit_only(site: Site) -> None:
    url = site.link(A, "all", business_unit_id=site.unit)
    assert httpx.post(url, data=ONE_CLICK).status_code == 200
    assert not services.check_eligibility(site.engine, A, site.types["email1"]).allowed
    assert services.check_eligibility(site.engine, A, site.types["email0"]).allowed
    page = httpx.get(site.link(A, business_unit_id=site.unit))
    assert f'value="{site.types["email0"]}"' not in page.text  # the unit's types only


def test_claims_naming_another_channel_open_nothing(site: Site) -> None:
    """Defence in depth: even a correctly sealed token whose channel is not its subscriber's
    (which no code path makes) is refused, not applied to the other channel."""
    genuine = site.link(A, "all").rsplit("/", 1)[1]
    claims = open_token(genuine, SECRET, utcnow().date())
    for channel in (Channel.SMS, Channel.WHATSAPP):
        forged = seal(
            LinkClaims(
                claims.purpose,
                channel,
                claims.subscriber_id,
                claims.business_unit_id,
                None,
                claims.issued_on,
                claims.issued_at,
            ),
            SECRET,
        )
        assert httpx.post(f"{site.url}/unsubscribe/{forged}", data=ONE_CLICK).status_code == 404
        assert httpx.get(f"{site.url}/preferences/{forged}").status_code in (404, 410)
    assert site.state(A) == site.state(B)


def test_a_link_purpose_cannot_be_swapped(site: Site) -> None:
    """A manage-preferences token is not an unsubscribe or confirmation link, nor the reverse."""
    manage = site.link(A).rsplit("/", 1)[1]
    unsubscribe = site.link(A, "all").rsplit("/", 1)[1]
    assert httpx.get(f"{site.url}/unsubscribe/{manage}").status_code == 404
    assert httpx.post(f"{site.url}/unsubscribe/{manage}", data=ONE_CLICK).status_code == 404
    assert httpx.get(f"{site.url}/confirm/{manage}").status_code == 404
    assert httpx.get(f"{site.url}/preferences/{unsubscribe}").status_code == 404
    assert site.state(A) == site.state(B)
