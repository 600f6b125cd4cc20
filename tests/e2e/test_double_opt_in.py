"""Double opt-in end to end, through a real SMTP server (aiosmtpd) started by the test: a new
email opt-in stays pending, the confirmation mail arrives, its link confirms (with a button:
the GET alone changes nothing), and only then is the address eligible. SQLite and PostgreSQL."""

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, LegalBasis, Source, Status
from consentry.services.mail import deliver_due
from tests.e2e.forms import BROWSER, as_data, form_fields, urls
from tests.e2e.public_site import MARKETING, Site, public_site
from tests.e2e.server import free_port

ADDRESS = "new.reader@example.com"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    services.update_settings(engine, {"double_opt_in": "true", "data_privacy_mode": "true"})
    with public_site(engine, database_url) as running:
        yield running


def _eligible(site: Site) -> bool:
    return services.check_eligibility(site.engine, ADDRESS, MARKETING).allowed


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_opt_in_waits_for_the_confirmation_mail(
    site: Site, smtp: tuple[Inbox, int], request: pytest.FixtureRequest
) -> None:
    inbox, port = smtp
    browser = httpx.Client(headers={"User-Agent": BROWSER})
    request.addfinalizer(browser.close)
    page_url = site.links(ADDRESS).manage_preferences_url
    page = browser.get(page_url)
    fields = [(k, v) for k, v in form_fields(page.text) if k != "type"]
    saved = browser.post(
        page_url, data=as_data([*fields, ("type", str(MARKETING)), ("action", "save")])
    )
    assert saved.status_code == 200
    assert "Waiting for your confirmation" in saved.text
    assert not _eligible(site)  # pending: not sendable yet

    config = site.config.model_copy(update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{port}")})
    assert deliver_due(site.engine, config) == 1
    assert deliver_due(site.engine, config) == 0  # sent once, not again

    (message,) = inbox.messages
    assert message["To"] == ADDRESS
    assert "confirm" in message["Subject"].lower()
    (confirm_url,) = urls(_text(message), "confirm")
    assert confirm_url.startswith(site.base)

    landing = browser.get(confirm_url)
    assert landing.status_code == 200
    assert not _eligible(site)  # opening the link is not confirming (scanners open links)

    confirmed = browser.post(confirm_url, data=as_data(form_fields(landing.text)))
    assert confirmed.status_code == 200
    assert "is confirmed" in confirmed.text
    assert _eligible(site)
    last = site.entries(ADDRESS)[-1]
    assert (last.source, last.outcome, last.requested_status) == (
        "DOUBLE_OPT_IN",
        "APPLIED",
        "SUBSCRIBED",
    )
    assert last.evidence["ip"] == "127.0.0.1"
    assert "confirmed_at" in last.evidence


def test_a_failed_send_stays_queued(site: Site) -> None:
    consent = services.Provenance(
        Source.API,
        Actor(ActorKind.API_TOKEN, "1"),
        LegalBasis.CONSENT_WITH_NOTICE,
        "Signed up on the website form.",
    )
    change = services.StatusChange(ADDRESS, Channel.EMAIL, MARKETING, Status.SUBSCRIBED, consent)
    services.set_statuses(site.engine, [change])
    closed = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    config = site.config.model_copy(update={"smtp_url": SecretStr(closed)})

    assert deliver_due(site.engine, config) == 1

    (mail,) = site.mail(ADDRESS)
    assert (mail.state, mail.attempts) == ("PENDING", 1)
    assert deliver_due(site.engine, config) == 0  # not due again until its retry time


def test_a_scanner_confirming_right_away_is_held(site: Site) -> None:
    consent = services.Provenance(
        Source.API,
        Actor(ActorKind.API_TOKEN, "1"),
        LegalBasis.CONSENT_WITH_NOTICE,
        "Signed up on the website form.",
    )
    change = services.StatusChange(ADDRESS, Channel.EMAIL, MARKETING, Status.SUBSCRIBED, consent)
    services.set_statuses(site.engine, [change])
    mails: list[EmailMessage] = []

    class Capture:
        def send(self, message: EmailMessage) -> None:
            mails.append(message)

    deliver_due(site.engine, site.config, mailer=Capture())
    (confirm_url,) = urls(_text(mails[0]), "confirm")
    scanner = {"User-Agent": "Mozilla/5.0 (compatible; Mimecast URL protection)"}
    landing = httpx.get(confirm_url, headers=scanner)

    held = httpx.post(confirm_url, data=as_data(form_fields(landing.text)), headers=scanner)

    assert held.status_code == 202
    assert not _eligible(site)
    entry = site.entries(ADDRESS)[-1]
    assert (entry.source, entry.refusal) == ("DOUBLE_OPT_IN", "HELD_FOR_CONFIRMATION")
    assert entry.evidence["suspected_automation"] is True
    again = httpx.post(confirm_url, data=as_data(form_fields(held.text)), headers=scanner)
    assert again.status_code == 200
    assert _eligible(site)


def test_an_old_confirmation_link_never_resubscribes(site: Site) -> None:
    consent = services.Provenance(
        Source.API,
        Actor(ActorKind.API_TOKEN, "1"),
        LegalBasis.CONSENT_WITH_NOTICE,
        "Signed up on the website form.",
    )
    change = services.StatusChange(ADDRESS, Channel.EMAIL, MARKETING, Status.SUBSCRIBED, consent)
    services.set_statuses(site.engine, [change])
    mails: list[EmailMessage] = []

    class Capture:
        def send(self, message: EmailMessage) -> None:
            mails.append(message)

    deliver_due(site.engine, site.config, mailer=Capture())
    (confirm_url,) = urls(_text(mails[0]), "confirm")
    browser = {"User-Agent": BROWSER}
    landing = httpx.get(confirm_url, headers=browser)
    first = httpx.post(confirm_url, data=as_data(form_fields(landing.text)), headers=browser)
    assert first.status_code == 200
    assert _eligible(site)
    entries = len(site.entries(ADDRESS))

    again = httpx.post(confirm_url, data=as_data(form_fields(landing.text)), headers=browser)
    assert "is confirmed" in again.text
    assert len(site.entries(ADDRESS)) == entries  # a second click records nothing

    unsubscribe = services.StatusChange(
        ADDRESS, Channel.EMAIL, MARKETING, Status.UNSUBSCRIBED, consent
    )
    services.set_statuses(site.engine, [unsubscribe])
    stale = httpx.post(confirm_url, data=as_data(form_fields(landing.text)), headers=browser)

    assert stale.status_code == 200
    assert "There is nothing to confirm" in stale.text
    assert site.status(ADDRESS, MARKETING) is Status.UNSUBSCRIBED
