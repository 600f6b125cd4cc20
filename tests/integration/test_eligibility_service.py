"""Eligibility for one address, a batch and an audience: the same answers as a subscriber's own
statuses, with a fixed number of queries however many addresses; and the one-time legal basis."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event

from consentry import services
from consentry.domain import (
    Channel,
    EligibilityReason,
    InvalidAddress,
    InvalidInput,
    LegalBasis,
    Source,
    Status,
    SuppressionKind,
)
from tests.integration.helpers import MARKETING, ONE_TO_ONE, USER, change, provenance

R = EligibilityReason


def _mixed_audience(engine: Engine) -> list[str]:
    """One address in each state eligibility distinguishes."""
    services.set_status(engine, change("in@x.com", Status.SUBSCRIBED))
    services.set_status(engine, change("out@x.com", Status.UNSUBSCRIBED))
    services.unsubscribe_all(engine, "all@x.com", Channel.EMAIL, None, provenance())
    services.record_suppression(
        engine, "bounced@x.com", Channel.EMAIL, SuppressionKind.HARD_BOUNCE, USER
    )
    services.set_status(engine, change("bounced@x.com", Status.SUBSCRIBED))
    return ["in@x.com", "out@x.com", "all@x.com", "bounced@x.com", "new@x.com"]


def test_batch_answers_as_the_subscribers_own_statuses_do(engine: Engine) -> None:
    addresses = _mixed_audience(engine)
    answers = services.check_eligibility_batch(engine, addresses, MARKETING)

    expected = []
    for address in addresses:
        view = services.read_statuses(engine, address, Channel.EMAIL)
        (own,) = [s for s in view.statuses if s.subscription_type.id == MARKETING]
        expected.append((own.eligibility.allowed, own.eligibility.reason))
    assert [(a.allowed, a.reason) for a in answers] == expected
    assert [a.reason for a in answers] == [
        R.SUBSCRIBED,
        R.UNSUBSCRIBED,
        R.UNSUBSCRIBED_FROM_ALL,
        R.SUPPRESSED,
        R.NOT_SPECIFIED_EMAIL,
    ]
    assert answers[3].suppression is SuppressionKind.HARD_BOUNCE


def test_invalid_addresses_answer_in_place_and_duplicates_each_get_one(engine: Engine) -> None:
    _mixed_audience(engine)
    answers = services.check_eligibility_batch(
        engine, ["OUT@x.com", "not an address", "out@x.com"], MARKETING
    )
    assert [(a.address, a.allowed, a.reason) for a in answers] == [
        ("OUT@x.com", False, R.UNSUBSCRIBED),
        ("not an address", False, "INVALID_ADDRESS"),
        ("out@x.com", False, R.UNSUBSCRIBED),
    ]
    assert answers[1].message and "not an address" in answers[1].message


def test_one_address(engine: Engine) -> None:
    _mixed_audience(engine)
    assert services.check_eligibility(engine, "in@x.com", MARKETING).allowed
    with pytest.raises(InvalidAddress):
        services.check_eligibility(engine, "nope", MARKETING)
    with pytest.raises(InvalidInput) as raised:
        services.check_eligibility(engine, "in@x.com", 999)
    assert raised.value.field == "subscriptionId"


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_no_query_per_address(engine: Engine) -> None:
    known = [f"u{n}@x.com" for n in range(400)]
    services.set_statuses(engine, [change(a, Status.SUBSCRIBED) for a in known])
    services.unsubscribe_all(engine, "u1@x.com", Channel.EMAIL, None, provenance())

    with _counting(engine) as few:
        services.check_eligibility_batch(engine, known[:5], MARKETING)
    with _counting(engine) as many:
        services.check_eligibility_batch(engine, known + ["x@x.com"] * 100, MARKETING)
    assert len(many) == len(few)


def test_audience_in_chunks_matches_the_batch(engine: Engine) -> None:
    addresses = [*_mixed_audience(engine), "bad", "in@x.com"] * 3
    audience = services.open_audience(engine, MARKETING)
    chunks = list(services.audience_answers(engine, audience, iter(addresses), chunk=4))

    assert [len(c) for c in chunks] == [4, 4, 4, 4, 4, 1]
    flat = [answer for chunk in chunks for answer in chunk.answers()]
    assert flat == services.check_eligibility_batch(engine, addresses, MARKETING)


def test_an_unknown_type_is_refused_before_any_answer(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        services.open_audience(engine, 999)


def _basis(explanation: str = "Answering the question they emailed us") -> services.Provenance:
    return provenance(
        Source.API, basis=LegalBasis.LEGITIMATE_INTEREST_CLIENT, explanation=explanation
    )


def test_one_time_basis_lets_one_one_to_one_email_through_and_is_recorded(engine: Engine) -> None:
    services.set_setting(engine, "data_privacy_mode", "true")
    services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, None, provenance())
    assert services.check_eligibility(engine, "a@x.com", ONE_TO_ONE).reason is (
        R.UNSUBSCRIBED_FROM_ALL
    )

    result = services.record_one_time_basis(engine, "A@x.com", ONE_TO_ONE, _basis())

    assert (result.answer.allowed, result.answer.reason) == (True, R.ONE_TIME_LEGAL_BASIS)
    entry = services.history(engine, "a@x.com", Channel.EMAIL).entries[-1]
    assert (entry.id, entry.action, entry.outcome, entry.subscription_type_id) == (
        result.ledger_id,
        "ONE_TIME_LEGAL_BASIS",
        "APPLIED",
        ONE_TO_ONE,
    )
    assert (entry.legal_basis, entry.legal_basis_explanation) == (
        "LEGITIMATE_INTEREST_CLIENT",
        "Answering the question they emailed us",
    )
    assert (entry.old_status, entry.new_status) == ("UNSUBSCRIBED", "UNSUBSCRIBED")
    # For that one message only: the next check without a basis is a "no" again.
    assert not services.check_eligibility(engine, "a@x.com", ONE_TO_ONE).allowed
    assert services.verify_ledger(engine).ok


def test_one_time_basis_never_overrides_the_contacts_own_opt_out(engine: Engine) -> None:
    services.set_setting(engine, "data_privacy_mode", "true")
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, type_id=ONE_TO_ONE))

    result = services.record_one_time_basis(engine, "a@x.com", ONE_TO_ONE, _basis())

    assert (result.answer.allowed, result.answer.reason) == (False, R.UNSUBSCRIBED)
    entry = services.history(engine, "a@x.com", Channel.EMAIL).entries[-1]
    assert (entry.outcome, entry.message) == (
        "NO_CHANGE",
        "One-time legal basis recorded; sending is still not allowed (UNSUBSCRIBED).",
    )


def test_one_time_basis_not_needed_outside_data_privacy_mode(engine: Engine) -> None:
    result = services.record_one_time_basis(engine, "a@x.com", ONE_TO_ONE, _basis())
    assert (result.answer.allowed, result.answer.reason) == (True, R.NOT_SPECIFIED_EMAIL)
    assert services.history(engine, "a@x.com", Channel.EMAIL).entries[-1].outcome == "NO_CHANGE"


@pytest.mark.parametrize(
    ("type_id", "basis", "field"),
    [
        (MARKETING, _basis(), "subscriptionId"),
        (999, _basis(), "subscriptionId"),
        (ONE_TO_ONE, _basis("   "), "explanation"),
        (ONE_TO_ONE, provenance(Source.API, explanation="why"), "legalBasis"),
    ],
)
def test_one_time_basis_refusals_write_nothing(
    engine: Engine, type_id: int, basis: services.Provenance, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.record_one_time_basis(engine, "a@x.com", type_id, basis)
    assert raised.value.field == field
    assert services.history(engine, "a@x.com", Channel.EMAIL).entries == ()


def test_stored_facts_read_back_whole_when_a_subscriber_has_several_of_each(
    engine: Engine,
) -> None:
    """The audience read packs each subscriber's facts into one short code; a subscriber with
    several wide opt-outs and several suppressions comes back with all of them."""
    from consentry.domain.statuses import WideType
    from consentry.services.unit_of_work import UnitOfWork
    from consentry.storage import audience

    services.set_setting(engine, "business_units_enabled", "true")
    unit = services.create_unit(engine, "Second brand")
    services.set_status(engine, change("many@x.com", Status.SUBSCRIBED))
    services.unsubscribe_all(engine, "many@x.com", Channel.EMAIL, None, provenance())
    services.unsubscribe_all(engine, "many@x.com", Channel.EMAIL, unit.id, provenance())
    for kind in (SuppressionKind.SPAM_COMPLAINT, SuppressionKind.HARD_BOUNCE):
        services.record_suppression(engine, "many@x.com", Channel.EMAIL, kind, USER)
    services.set_status(engine, change("plain@x.com", Status.UNSUBSCRIBED))

    keys = ["nobody@x.com", "many@x.com", "plain@x.com", "many@x.com"]
    with UnitOfWork(engine) as uow:
        facts = audience.sending_facts(uow.connection, "EMAIL", MARKETING, keys)

    nobody, many, plain, again = facts
    assert nobody is None
    assert many == again
    assert many == audience.StoredFacts(
        status="UNSUBSCRIBED",  # an unsubscribe from all opts out of every type it covers
        confirmed=True,
        reason="UNSUBSCRIBE_FROM_ALL_OCCURRED",
        wide_opt_outs=(
            (WideType.BUSINESS_UNIT_WIDE.value, unit.id),
            (WideType.PORTAL_WIDE.value, 0),
        ),
        suppressions=("HARD_BOUNCE", "SPAM_COMPLAINT"),
    )
    assert plain is not None
    assert (plain.status, plain.wide_opt_outs, plain.suppressions) == ("UNSUBSCRIBED", (), ())
