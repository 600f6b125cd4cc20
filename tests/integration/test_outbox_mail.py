"""The mail outbox on SQLite and PostgreSQL: what is queued, in which transaction, and what the
worker's pump sends (written as .eml files here; the SMTP path is the double opt-in e2e test)."""

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from consentry import services
from consentry.config import Config
from consentry.domain import (
    Actor,
    ActorKind,
    Channel,
    InvalidInput,
    LegalBasis,
    NotFound,
    Source,
    Status,
)
from consentry.domain.links import Purpose, open_token
from consentry.domain.mail import MailKind
from consentry.services.changes import InputError
from consentry.services.mail import EmlMailer, deliver_due
from consentry.services.preference_links import request_fresh_link, send_preference_link
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import outbox
from tests.e2e.forms import urls
from tests.integration.helpers import MARKETING

ADMIN = Actor(ActorKind.USER, "admin-1")
ADDRESS = "Mia@Example.com"
SECRET = "k" * 48


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(
        secret_key=SECRET,  # type: ignore[arg-type]
        public_url="https://prefs.example.com",
        outbox_dir=tmp_path / "outbox",
        mail_from="Brand <news@brand.example>",
    )


def _queued(engine: Engine) -> list[outbox.QueuedMail]:
    with UnitOfWork(engine) as uow:
        return outbox.listing(uow.connection)


def _sent(config: Config) -> list[EmailMessage]:
    messages = []
    for path in sorted(config.outbox_dir.glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_a_preference_link_mail_is_queued_then_sent_branded(engine: Engine, config: Config) -> None:
    services.set_setting(engine, "business_units_enabled", "true")
    unit = services.create_unit(engine, "Northwind")
    send_preference_link(engine, config, ADDRESS, Channel.EMAIL, unit.id, actor=ADMIN)
    (queued,) = _queued(engine)
    assert (queued.kind, queued.recipient, queued.state) == (
        MailKind.PREFERENCE_LINK,
        ADDRESS,
        "PENDING",
    )

    assert deliver_due(engine, config, mailer=EmlMailer(config.outbox_dir)) == 1

    (message,) = _sent(config)
    assert message["To"] == ADDRESS
    assert message["From"] == "Northwind <news@brand.example>"
    assert message["Subject"] == "Your subscription preferences for Northwind"
    assert "List-Unsubscribe" not in message  # transactional mail
    text = _text(message)
    (manage,) = urls(text, "preferences")
    (unsubscribe,) = urls(text, "unsubscribe")
    assert manage.startswith("https://prefs.example.com/preferences/")
    claims = open_token(manage.rsplit("/", 1)[1], SECRET, utcnow().date())
    assert (claims.purpose, claims.business_unit_id) == (Purpose.MANAGE_PREFERENCES, unit.id)
    assert open_token(unsubscribe.rsplit("/", 1)[1], SECRET, utcnow().date()).purpose is (
        Purpose.UNSUBSCRIBE_ALL
    )
    assert [m.state for m in _queued(engine)] == ["SENT"]
    assert deliver_due(engine, config, mailer=EmlMailer(config.outbox_dir)) == 0


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("ja", "Account の配信設定"),
        ("zh-TW", "您在 Account 的訂閱偏好"),
        ("zh-CN", "您在 Account 的订阅偏好"),
        ("es", "Tus preferencias de suscripción de Account"),
        ("fr", "Vos préférences d’abonnement pour Account"),
        ("de", "Ihre Abonnement-Einstellungen bei Account"),
    ],
)
def test_the_mail_is_in_the_language_asked(
    engine: Engine, config: Config, language: str, subject: str
) -> None:
    send_preference_link(engine, config, ADDRESS, Channel.EMAIL, 0, actor=ADMIN, language=language)
    deliver_due(engine, config, mailer=EmlMailer(config.outbox_dir))

    (message,) = _sent(config)
    assert message["Subject"] == subject
    assert f"?lang={language}" in _text(message)


@pytest.mark.parametrize(
    ("address", "channel", "unit", "error"),
    [
        ("not an address", Channel.EMAIL, 0, InvalidInput),
        (ADDRESS, Channel.EMAIL, 999, NotFound),
        ("+14155550100", Channel.SMS, 0, InvalidInput),
    ],
)
def test_a_bad_address_or_unit_queues_nothing(
    engine: Engine,
    config: Config,
    address: str,
    channel: Channel,
    unit: int,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        send_preference_link(engine, config, address, channel, unit, actor=ADMIN)
    assert _queued(engine) == []


def _consent_opt_in(address: str = ADDRESS) -> services.StatusChange:
    provenance = services.Provenance(
        Source.API,
        Actor(ActorKind.API_TOKEN, "7"),
        LegalBasis.CONSENT_WITH_NOTICE,
        "Signed up on the website.",
    )
    return services.StatusChange(address, Channel.EMAIL, MARKETING, Status.SUBSCRIBED, provenance)


def test_double_opt_in_mail_is_queued_with_the_pending_opt_in(engine: Engine) -> None:
    services.set_setting(engine, "double_opt_in", "true")

    (result,) = services.set_statuses(engine, [_consent_opt_in()])

    assert not isinstance(result, InputError)
    assert result.decision.awaiting_confirmation
    (queued,) = _queued(engine)
    assert (queued.kind, queued.subscription_type_id) == (MailKind.DOUBLE_OPT_IN, MARKETING)
    # A repeat is no change: no second mail.
    services.set_statuses(engine, [_consent_opt_in()])
    assert len(_queued(engine)) == 1


def test_no_mail_when_the_opt_in_is_rolled_back(engine: Engine) -> None:
    services.set_setting(engine, "double_opt_in", "true")

    def fail(connection: Connection, answers: object) -> None:
        raise RuntimeError("the job crashed before committing")

    with pytest.raises(RuntimeError):
        services.set_statuses(engine, [_consent_opt_in()], before_commit=fail)
    assert _queued(engine) == []


def test_no_confirmation_mail_without_double_opt_in(engine: Engine) -> None:
    services.set_statuses(engine, [_consent_opt_in()])
    assert _queued(engine) == []


def test_the_confirmation_mail_names_the_type(engine: Engine, config: Config) -> None:
    services.set_setting(engine, "double_opt_in", "true")
    services.set_statuses(engine, [_consent_opt_in()])

    deliver_due(engine, config, mailer=EmlMailer(config.outbox_dir))

    (message,) = _sent(config)
    assert message["Subject"] == "Please confirm your subscription to Account"
    text = _text(message)
    assert "“Marketing Information”" in text
    (confirm,) = urls(text, "confirm")
    claims = open_token(confirm.rsplit("/", 1)[1], SECRET, utcnow().date())
    assert (claims.purpose, claims.subscription_type_id) == (Purpose.CONFIRM_OPT_IN, MARKETING)


def test_a_fresh_link_is_sent_only_to_a_known_address(engine: Engine) -> None:
    request_fresh_link(engine, "stranger@example.com")
    assert _queued(engine) == []

    services.set_statuses(engine, [_consent_opt_in()])
    request_fresh_link(engine, ADDRESS.lower(), language="fr")

    (queued,) = _queued(engine)
    assert (queued.kind, queued.recipient, queued.language) == (
        MailKind.PREFERENCE_LINK,
        ADDRESS,
        "fr",
    )


def test_an_opted_out_address_asking_back_gets_the_resubscribe_mail(
    engine: Engine, config: Config
) -> None:
    services.unsubscribe_all(
        engine, ADDRESS, Channel.EMAIL, None, services.Provenance(Source.ONE_CLICK, ADMIN)
    )
    request_fresh_link(engine, ADDRESS)
    deliver_due(engine, config, mailer=EmlMailer(config.outbox_dir))

    (message,) = _sent(config)
    assert message["Subject"] == "Come back to Account: choose your subscriptions"
    assert urls(_text(message), "preferences")


def test_a_claimed_mail_is_taken_again_only_after_its_lease(engine: Engine) -> None:
    send_preference_link(engine, Config(), ADDRESS, Channel.EMAIL, 0, actor=ADMIN)
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        assert len(outbox.claim(uow.connection, now, timedelta(minutes=5), 10)) == 1
        assert outbox.claim(uow.connection, now, timedelta(minutes=5), 10) == []
        later = now + timedelta(minutes=6)  # the first worker died mid-send
        assert len(outbox.claim(uow.connection, later, timedelta(minutes=5), 10)) == 1
        uow.commit()


def test_mail_without_a_language_uses_the_account_default(engine: Engine, config: Config) -> None:
    services.set_setting(engine, "default_language", "fr")
    send_preference_link(engine, config, ADDRESS, Channel.EMAIL, 0, actor=ADMIN)

    deliver_due(engine, config, mailer=EmlMailer(config.outbox_dir))

    (message,) = _sent(config)
    assert message["Subject"] == "Vos préférences d’abonnement pour Account"


def test_the_public_form_mails_an_address_at_most_once_in_ten_minutes(engine: Engine) -> None:
    services.set_statuses(engine, [_consent_opt_in()])
    for _ in range(3):
        request_fresh_link(engine, ADDRESS)

    assert len(_queued(engine)) == 1
