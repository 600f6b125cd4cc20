"""Setting statuses through the services: the rulebook's answers are applied and recorded."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from consentry import services
from consentry.domain import (
    Channel,
    InvalidAddress,
    InvalidInput,
    LegalBasis,
    Outcome,
    Source,
    Status,
    SuccessReason,
)
from consentry.storage.tables import ledger, subscribers
from tests.integration.helpers import MARKETING, change


def _ledger_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(ledger)).scalar_one())


def test_unsubscribe_then_workflow_resubscribe_is_refused_and_recorded(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED))
    refused = services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, Source.WORKFLOW))

    assert refused.decision.outcome is Outcome.REFUSED
    assert refused.status is Status.UNSUBSCRIBED
    entries = services.history(engine, "a@x.com", Channel.EMAIL).entries
    assert [e.outcome for e in entries] == ["APPLIED", "REFUSED"]
    assert entries[1].refusal == "RESUBSCRIBE_FORBIDDEN"
    assert entries[1].new_status == "UNSUBSCRIBED"


def test_user_resubscribe_needs_basis_and_explanation(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED))
    refused = services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    applied = services.set_status(
        engine,
        change(
            "a@x.com",
            Status.SUBSCRIBED,
            basis=LegalBasis.LEGITIMATE_INTEREST_CLIENT,
            explanation="Renewed contract",
        ),
    )

    assert refused.decision.outcome is Outcome.REFUSED
    assert applied.decision.reason is SuccessReason.RESUBSCRIBE_OCCURRED
    assert applied.status is Status.SUBSCRIBED
    assert applied.legal_basis is LegalBasis.LEGITIMATE_INTEREST_CLIENT
    assert applied.legal_basis_explanation == "Renewed contract"


def test_repeated_request_is_no_change(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    again = services.set_status(engine, change("A@X.COM", Status.SUBSCRIBED))

    assert again.decision.reason is SuccessReason.NO_STATUS_CHANGE
    assert [e.outcome for e in services.history(engine, "a@x.com", Channel.EMAIL).entries] == [
        "APPLIED",
        "NO_CHANGE",
    ]


def test_older_claim_does_not_override_a_newer_status(engine: Engine) -> None:
    now = datetime.now(UTC)
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, at=now))
    stale = services.set_status(
        engine, change("a@x.com", Status.UNSUBSCRIBED, Source.IMPORT, at=now - timedelta(days=3))
    )

    assert stale.decision.outcome is Outcome.STALE
    assert stale.status is Status.SUBSCRIBED
    assert services.history(engine, "a@x.com", Channel.EMAIL).entries[-1].outcome == "STALE"


@pytest.mark.parametrize(
    ("address", "channel", "problem"),
    [
        ("not-an-email", Channel.EMAIL, "@-sign"),
        ("a@", Channel.EMAIL, "Invalid email address"),
        ("", Channel.EMAIL, "empty"),
    ],
)
def test_invalid_address_is_rejected_and_nothing_written(
    engine: Engine, address: str, channel: Channel, problem: str
) -> None:
    with pytest.raises(InvalidAddress, match=problem):
        services.set_status(engine, change(address, Status.UNSUBSCRIBED, channel=channel))
    assert _ledger_count(engine) == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(subscribers)).scalar() == 0


def test_invalid_phone_is_rejected_and_nothing_written(engine: Engine) -> None:
    sms = services.create_type(engine, services.NewType("SMS Promotions", channel=Channel.SMS))
    with pytest.raises(InvalidAddress, match="Invalid phone number"):
        services.set_status(
            engine, change("+1 555", Status.UNSUBSCRIBED, type_id=sms.id, channel=Channel.SMS)
        )
    assert _ledger_count(engine) == 0


def test_unknown_type_and_wrong_channel_are_input_errors(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="Unknown subscriptionId 999"):
        services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, type_id=999))
    with pytest.raises(InvalidInput, match="EMAIL type"):
        services.set_status(
            engine, change("+14155550123", Status.UNSUBSCRIBED, channel=Channel.SMS)
        )
    assert _ledger_count(engine) == 0


def test_phone_subscribers_are_keyed_in_e164(engine: Engine) -> None:
    sms = services.create_type(engine, services.NewType("SMS Promotions", channel=Channel.SMS))
    result = services.set_status(
        engine,
        change("(415) 555-0123", Status.UNSUBSCRIBED, type_id=sms.id, channel=Channel.SMS),
    )
    assert result.subscriber.key == "+14155550123"
    assert result.subscriber.address == "(415) 555-0123"
    view = services.read_statuses(engine, "+1 415 555 0123", Channel.SMS)
    assert view.statuses[0].status is Status.UNSUBSCRIBED


def test_sms_opt_in_refused_until_channel_enabled(engine: Engine) -> None:
    sms = services.create_type(engine, services.NewType("SMS Promotions", channel=Channel.SMS))
    refused = services.set_status(
        engine, change("+14155550123", Status.SUBSCRIBED, type_id=sms.id, channel=Channel.SMS)
    )
    assert refused.decision.refusal == "CHANNEL_NOT_ENABLED"
    services.set_setting(engine, "sms_enabled", "true")
    applied = services.set_status(
        engine, change("+14155550123", Status.SUBSCRIBED, type_id=sms.id, channel=Channel.SMS)
    )
    assert applied.status is Status.SUBSCRIBED


def test_data_privacy_mode_requires_basis_for_user_opt_in(engine: Engine) -> None:
    services.set_setting(engine, "data_privacy_mode", "true")
    refused = services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    contact = services.set_status(
        engine,
        change("b@x.com", Status.SUBSCRIBED, Source.PREFERENCE_CENTER, notice="I agree to news."),
    )

    assert refused.decision.refusal == "LEGAL_BASIS_REQUIRED"
    assert contact.legal_basis is LegalBasis.CONSENT_WITH_NOTICE
    entry = services.history(engine, "b@x.com", Channel.EMAIL).entries[-1]
    assert entry.notice_hash is not None and entry.evidence == {"ip": "127.0.0.1"}


def test_batch_keeps_order_reports_bad_rows_and_sees_earlier_rows(engine: Engine) -> None:
    results = services.set_statuses(
        engine,
        [
            change("a@x.com", Status.UNSUBSCRIBED),
            change("broken", Status.UNSUBSCRIBED),
            change("a@x.com", Status.SUBSCRIBED, Source.WORKFLOW),
            change("b@x.com", Status.SUBSCRIBED),
        ],
    )

    assert isinstance(results[1], services.InputError)
    assert results[1].index == 1 and "broken" in results[1].error.message
    first, third, fourth = results[0], results[2], results[3]
    assert isinstance(first, services.ChangeResult) and first.status is Status.UNSUBSCRIBED
    assert isinstance(third, services.ChangeResult)
    assert third.decision.outcome is Outcome.REFUSED  # saw the opt-out two rows earlier
    assert isinstance(fourth, services.ChangeResult) and fourth.status is Status.SUBSCRIBED
    assert _ledger_count(engine) == 3


def test_status_as_of_a_past_time(engine: Engine) -> None:
    start = datetime.now(UTC) - timedelta(days=10)
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, at=start))
    services.set_status(
        engine, change("a@x.com", Status.UNSUBSCRIBED, at=start + timedelta(days=5))
    )

    before = services.statuses_as_of(engine, "a@x.com", Channel.EMAIL, start + timedelta(days=1))
    after = services.statuses_as_of(engine, "a@x.com", Channel.EMAIL, start + timedelta(days=6))
    assert before.statuses[MARKETING] is Status.SUBSCRIBED
    assert after.statuses[MARKETING] is Status.UNSUBSCRIBED
