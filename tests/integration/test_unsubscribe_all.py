"""Unsubscribe from all: account-wide and per business unit, and how resubscribing lifts it."""

import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import (
    Channel,
    EligibilityReason,
    InvalidInput,
    LegalBasis,
    NotFound,
    Outcome,
    Source,
    Status,
    SuccessReason,
    SuppressionKind,
    TypeKind,
    WideType,
)
from tests.integration.helpers import MARKETING, ONE_TO_ONE, USER, change, provenance


def _by_type(view: services.SubscriberStatuses) -> dict[int, services.TypeStatus]:
    return {item.subscription_type.id: item for item in view.statuses}


def test_account_wide_opt_out_records_every_type(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    result = services.unsubscribe_all(
        engine, "a@x.com", Channel.EMAIL, None, provenance(Source.PREFERENCE_CENTER)
    )

    assert result.decision.reason is SuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED
    assert result.wide_type is WideType.PORTAL_WIDE
    assert {r.status for r in result.type_results} == {Status.UNSUBSCRIBED}
    assert len(result.type_results) == 3
    view = services.read_statuses(engine, "a@x.com", Channel.EMAIL)
    assert view.unsubscribed_from_all
    assert not any(item.eligibility.allowed for item in view.statuses)


def test_business_unit_opt_out_leaves_other_units_sendable(engine: Engine) -> None:
    services.set_setting(engine, "business_units_enabled", "true")
    brand = services.create_unit(engine, "Brand Two")
    news = services.create_type(
        engine, services.NewType("Brand Two News", business_unit_id=brand.id)
    )

    result = services.unsubscribe_all(
        engine, "b@x.com", Channel.EMAIL, brand.id, provenance(Source.USER)
    )

    assert result.wide_type is WideType.BUSINESS_UNIT_WIDE
    assert [r.subscription_type.id for r in result.type_results] == [news.id]
    view = services.read_statuses(engine, "b@x.com", Channel.EMAIL)
    assert view.unsubscribed_from_all  # true when opted out of all in *any* unit
    statuses = _by_type(view)
    assert statuses[MARKETING].eligibility.allowed
    assert not statuses[news.id].eligibility.allowed


def test_resubscribing_one_type_lifts_the_wide_opt_out_but_revives_no_other(
    engine: Engine,
) -> None:
    services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, None, provenance())
    result = services.set_status(
        engine,
        change(
            "a@x.com",
            Status.SUBSCRIBED,
            basis=LegalBasis.CONSENT_WITH_NOTICE,
            explanation="Asked us by email",
        ),
    )

    assert result.decision.reason is SuccessReason.RESUBSCRIBE_OCCURRED
    view = services.read_statuses(engine, "a@x.com", Channel.EMAIL)
    assert not view.unsubscribed_from_all
    statuses = _by_type(view)
    assert statuses[MARKETING].eligibility.allowed
    assert statuses[ONE_TO_ONE].status is Status.UNSUBSCRIBED
    actions = [e.action for e in services.history(engine, "a@x.com", Channel.EMAIL).entries]
    assert actions.count("CLEAR_WIDE") == 1


def test_workflow_cannot_resubscribe_under_a_wide_opt_out(engine: Engine) -> None:
    services.unsubscribe_all(
        engine, "a@x.com", Channel.EMAIL, None, provenance(Source.PREFERENCE_CENTER)
    )
    refused = services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, Source.WORKFLOW))
    assert refused.decision.outcome is Outcome.REFUSED
    assert services.read_statuses(engine, "a@x.com", Channel.EMAIL).unsubscribed_from_all


def test_transactional_types_are_outside_unsubscribe_from_all(engine: Engine) -> None:
    receipts = services.create_type(
        engine, services.NewType("Receipts", kind=TypeKind.TRANSACTIONAL)
    )
    result = services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, None, provenance())

    assert receipts.id not in {r.subscription_type.id for r in result.type_results}
    statuses = _by_type(services.read_statuses(engine, "a@x.com", Channel.EMAIL))
    assert statuses[receipts.id].eligibility.allowed


def test_clearing_needs_a_legal_basis_and_is_refused_to_imports(engine: Engine) -> None:
    services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, None, provenance())
    by_import = services.clear_unsubscribe_all(
        engine, "a@x.com", Channel.EMAIL, None, provenance(Source.IMPORT)
    )
    by_user = services.clear_unsubscribe_all(
        engine,
        "a@x.com",
        Channel.EMAIL,
        None,
        provenance(basis=LegalBasis.PERFORMANCE_OF_CONTRACT, explanation="Signed contract"),
    )
    assert by_import.decision.refusal == "CLEAR_WIDE_FORBIDDEN"
    assert by_user.decision.outcome is Outcome.APPLIED and not by_user.opted_out


def test_units_must_exist_and_be_enabled(engine: Engine) -> None:
    with pytest.raises(NotFound, match="Business unit 5 does not exist"):
        services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, 5, provenance())
    services.set_setting(engine, "business_units_enabled", "true")
    brand = services.create_unit(engine, "Brand")
    services.set_setting(engine, "business_units_enabled", "false")
    with pytest.raises(InvalidInput, match="business units are off"):
        services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, brand.id, provenance())


def test_suppression_blocks_sending_and_is_in_the_ledger(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    services.record_suppression(
        engine, "a@x.com", Channel.EMAIL, SuppressionKind.HARD_BOUNCE, USER, detail="550 5.1.1"
    )
    statuses = _by_type(services.read_statuses(engine, "a@x.com", Channel.EMAIL))
    assert statuses[MARKETING].eligibility.reason is EligibilityReason.SUPPRESSED
    assert services.history(engine, "a@x.com", Channel.EMAIL).entries[-1].action == "SUPPRESS"
