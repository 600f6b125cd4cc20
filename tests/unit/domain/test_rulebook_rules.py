"""The rulebook's "more rules" (PRODUCT.md §2): channels, archived types, out-of-order updates,
a wide opt-out covering a type, success reasons and double opt-in."""

from datetime import UTC, datetime, timedelta

import pytest

from consentry.domain import (
    AccountSettings,
    ChangeRequest,
    Channel,
    CurrentState,
    LegalBasis,
    Outcome,
    Refusal,
    Source,
    Status,
    SuccessReason,
    Transition,
    decide,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
EARLIER, LATER = T0 - timedelta(minutes=5), T0 + timedelta(minutes=5)
SETTINGS = AccountSettings(sms_enabled=True, whatsapp_enabled=True)
BASIS = LegalBasis.LEGITIMATE_INTEREST_CLIENT
WHY = "Customer asked by phone on 3 May to get the newsletter again."
V3_RESUBSCRIBE_MESSAGE = "You cannot subscribe an unsubscribed address."

NOT_SPECIFIED = CurrentState(Status.NOT_SPECIFIED)
SUBSCRIBED = CurrentState(Status.SUBSCRIBED, T0)
UNSUBSCRIBED = CurrentState(Status.UNSUBSCRIBED, T0)


def req(
    source: Source, requested: Status, channel: Channel = Channel.EMAIL, **kwargs: object
) -> ChangeRequest:
    return ChangeRequest(channel, requested, source, **kwargs)  # type: ignore[arg-type]


# ---- Channels must be enabled before their types take opt-ins ----------------------------------

PHONE_CHANNELS = {
    Channel.SMS: (Source.SMS_KEYWORD, AccountSettings(whatsapp_enabled=True), "sms sender"),
    Channel.WHATSAPP: (
        Source.WHATSAPP_KEYWORD,
        AccountSettings(sms_enabled=True),
        "whatsapp business number",
    ),
}


@pytest.mark.parametrize("channel", list(PHONE_CHANNELS), ids=lambda c: c.value)
@pytest.mark.parametrize("current", [NOT_SPECIFIED, UNSUBSCRIBED], ids=["opt-in", "resubscribe"])
def test_a_channel_not_set_up_takes_no_opt_ins(channel: Channel, current: CurrentState) -> None:
    keyword, settings, needed = PHONE_CHANNELS[channel]
    for source in (keyword, Source.USER, Source.API):
        request = req(source, Status.SUBSCRIBED, channel, legal_basis=BASIS, explanation=WHY)
        decision = decide(request, current, settings)
        assert decision.outcome is Outcome.REFUSED
        assert decision.refusal is Refusal.CHANNEL_NOT_ENABLED
        assert channel.value in decision.message
        assert needed in decision.message.lower()


@pytest.mark.parametrize("channel", list(PHONE_CHANNELS), ids=lambda c: c.value)
@pytest.mark.parametrize("wide", [False, True], ids=["type", "unsubscribe-from-all"])
def test_a_channel_not_set_up_still_records_opt_outs(channel: Channel, wide: bool) -> None:
    keyword, settings, _ = PHONE_CHANNELS[channel]
    for source in (keyword, Source.USER, Source.WORKFLOW, Source.IMPORT):
        current = NOT_SPECIFIED if wide else SUBSCRIBED
        decision = decide(req(source, Status.UNSUBSCRIBED, channel, wide=wide), current, settings)
        assert decision.outcome is Outcome.APPLIED


def test_email_needs_no_channel_set_up() -> None:
    decision = decide(
        req(Source.PREFERENCE_CENTER, Status.SUBSCRIBED), NOT_SPECIFIED, AccountSettings()
    )
    assert decision.outcome is Outcome.APPLIED


# ---- Archived types take no new opt-ins; opt-outs still work -----------------------------------


@pytest.mark.parametrize(
    "source", [Source.PREFERENCE_CENTER, Source.USER, Source.API], ids=lambda s: s.value
)
@pytest.mark.parametrize("current", [NOT_SPECIFIED, UNSUBSCRIBED], ids=["opt-in", "resubscribe"])
def test_archived_types_take_no_opt_ins(source: Source, current: CurrentState) -> None:
    request = req(source, Status.SUBSCRIBED, type_active=False, legal_basis=BASIS, explanation=WHY)
    decision = decide(request, current, SETTINGS)
    assert decision.outcome is Outcome.REFUSED
    assert decision.refusal is Refusal.TYPE_ARCHIVED
    assert "archived" in decision.message.lower()


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (SUBSCRIBED, Status.UNSUBSCRIBED),
        (NOT_SPECIFIED, Status.UNSUBSCRIBED),
        (SUBSCRIBED, Status.NOT_SPECIFIED),
    ],
    ids=["subscribed-to-unsubscribed", "not-specified-to-unsubscribed", "withdraw-opt-in"],
)
@pytest.mark.parametrize(
    "source", [Source.ONE_CLICK, Source.USER, Source.WORKFLOW], ids=lambda s: s.value
)
def test_archived_types_still_take_opt_outs(
    source: Source, current: CurrentState, requested: Status
) -> None:
    decision = decide(req(source, requested, type_active=False), current, SETTINGS)
    assert decision.outcome is Outcome.APPLIED


# ---- Out-of-order updates -----------------------------------------------------------------------

IMPORT, CONTACT = Source.IMPORT, Source.PREFERENCE_CENTER
SUB, NS, UNSUB = Status.SUBSCRIBED, Status.NOT_SPECIFIED, Status.UNSUBSCRIBED
STALE, APPLIED = Outcome.STALE, Outcome.APPLIED

# fmt: off
OUT_OF_ORDER = [
    # current, source, requested, occurred_at, expected outcome
    pytest.param(SUBSCRIBED, IMPORT, UNSUB, EARLIER, STALE, id="old-opt-out-vs-newer-opt-in"),
    pytest.param(UNSUBSCRIBED, CONTACT, SUB, EARLIER, STALE, id="old-opt-in-vs-newer-opt-out"),
    pytest.param(SUBSCRIBED, IMPORT, NS, EARLIER, STALE, id="old-withdrawal-vs-newer-opt-in"),
    pytest.param(SUBSCRIBED, IMPORT, UNSUB, LATER, APPLIED, id="newer-opt-out-applies"),
    pytest.param(UNSUBSCRIBED, CONTACT, SUB, LATER, APPLIED, id="newer-opt-in-applies"),
    pytest.param(SUBSCRIBED, IMPORT, UNSUB, None, APPLIED, id="no-claimed-time-applies"),
    pytest.param(NOT_SPECIFIED, IMPORT, UNSUB, EARLIER, APPLIED, id="nothing-recorded-applies"),
    pytest.param(SUBSCRIBED, IMPORT, UNSUB, T0, APPLIED, id="tie-opt-out-wins-over-opt-in"),
    pytest.param(UNSUBSCRIBED, CONTACT, SUB, T0, STALE, id="tie-opt-in-loses-to-opt-out"),
    pytest.param(UNSUBSCRIBED, CONTACT, NS, T0, STALE, id="tie-withdrawal-loses-to-opt-out"),
]
# fmt: on


@pytest.mark.parametrize(
    ("current", "source", "requested", "occurred_at", "expected"), OUT_OF_ORDER
)
def test_out_of_order_updates(
    current: CurrentState,
    source: Source,
    requested: Status,
    occurred_at: datetime | None,
    expected: Outcome,
) -> None:
    decision = decide(req(source, requested, occurred_at=occurred_at), current, SETTINGS)
    assert decision.outcome is expected
    if expected is Outcome.STALE:
        assert not decision.applied
        assert decision.reason is SuccessReason.NO_STATUS_CHANGE
        assert "newer" in decision.message.lower()


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [(EARLIER, Outcome.STALE), (T0, Outcome.STALE), (LATER, Outcome.APPLIED)],
    ids=["older", "tie", "newer"],
)
def test_clearing_unsubscribe_from_all_out_of_order(
    occurred_at: datetime, expected: Outcome
) -> None:
    request = req(Source.PREFERENCE_CENTER, Status.SUBSCRIBED, wide=True, occurred_at=occurred_at)
    assert decide(request, UNSUBSCRIBED, SETTINGS).outcome is expected


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [(EARLIER, Outcome.STALE), (T0, Outcome.APPLIED), (LATER, Outcome.APPLIED)],
    ids=["older", "tie", "newer"],
)
def test_setting_unsubscribe_from_all_out_of_order(
    occurred_at: datetime, expected: Outcome
) -> None:
    cleared_at_t0 = CurrentState(Status.NOT_SPECIFIED, T0)
    request = req(Source.IMPORT, Status.UNSUBSCRIBED, wide=True, occurred_at=occurred_at)
    assert decide(request, cleared_at_t0, SETTINGS).outcome is expected


def test_a_subscribe_older_than_the_wide_opt_out_covering_the_type_is_stale() -> None:
    # The type's own row is older than the claim, but the unsubscribe from all is newer.
    current = CurrentState(Status.SUBSCRIBED, T0 - timedelta(days=30), wide_opt_out_at=T0)
    request = req(Source.PREFERENCE_CENTER, Status.SUBSCRIBED, occurred_at=EARLIER)
    assert decide(request, current, SETTINGS).outcome is Outcome.STALE


# ---- A wide opt-out covering the type: a subscribe is a resubscribe ----------------------------

WIDE = T0 - timedelta(days=1)
COVERED = [
    pytest.param(
        CurrentState(Status.UNSUBSCRIBED, WIDE, wide_opt_out_at=WIDE),
        id="type-recorded-unsubscribed",
    ),
    pytest.param(
        CurrentState(Status.NOT_SPECIFIED, wide_opt_out_at=WIDE), id="type-added-after-the-opt-out"
    ),
]


@pytest.mark.parametrize("current", COVERED)
@pytest.mark.parametrize("source", [Source.USER, Source.API], ids=lambda s: s.value)
def test_user_and_api_resubscribe_under_a_wide_opt_out_and_clear_it(
    source: Source, current: CurrentState
) -> None:
    decision = decide(
        req(source, Status.SUBSCRIBED, legal_basis=BASIS, explanation=WHY), current, SETTINGS
    )
    assert decision.outcome is Outcome.APPLIED
    assert decision.transition is Transition.RESUBSCRIBE
    assert decision.reason is SuccessReason.RESUBSCRIBE_OCCURRED
    assert decision.clears_wide is True

    refused = decide(req(source, Status.SUBSCRIBED), current, SETTINGS)
    assert refused.refusal is Refusal.LEGAL_BASIS_REQUIRED
    assert refused.clears_wide is False


@pytest.mark.parametrize("current", COVERED)
def test_the_contact_resubscribing_clears_the_wide_opt_out(current: CurrentState) -> None:
    decision = decide(req(Source.PREFERENCE_CENTER, Status.SUBSCRIBED), current, SETTINGS)
    assert decision.reason is SuccessReason.RESUBSCRIBE_OCCURRED
    assert decision.clears_wide is True


@pytest.mark.parametrize("current", COVERED)
@pytest.mark.parametrize(
    "source", [Source.WORKFLOW, Source.IMPORT, Source.BULK, Source.API_V3], ids=lambda s: s.value
)
def test_others_cannot_subscribe_a_type_under_a_wide_opt_out(
    source: Source, current: CurrentState
) -> None:
    decision = decide(
        req(source, Status.SUBSCRIBED, legal_basis=BASIS, explanation=WHY), current, SETTINGS
    )
    assert decision.outcome is Outcome.REFUSED
    assert decision.refusal is Refusal.RESUBSCRIBE_FORBIDDEN
    assert decision.clears_wide is False
    if source is Source.API_V3:
        assert decision.message == V3_RESUBSCRIBE_MESSAGE


def test_opt_ins_without_a_wide_opt_out_clear_nothing() -> None:
    decision = decide(req(Source.PREFERENCE_CENTER, Status.SUBSCRIBED), UNSUBSCRIBED, SETTINGS)
    assert decision.reason is SuccessReason.RESUBSCRIBE_OCCURRED
    assert decision.clears_wide is False


def test_an_opt_out_under_a_wide_opt_out_does_not_clear_it() -> None:
    current = CurrentState(Status.NOT_SPECIFIED, wide_opt_out_at=WIDE)
    decision = decide(req(Source.USER, Status.UNSUBSCRIBED), current, SETTINGS)
    assert decision.outcome is Outcome.APPLIED
    assert decision.clears_wide is False


# ---- Success reasons ----------------------------------------------------------------------------

NO_CHANGE = [
    pytest.param(req(Source.USER, Status.SUBSCRIBED), SUBSCRIBED, id="already-subscribed"),
    pytest.param(
        req(Source.WORKFLOW, Status.UNSUBSCRIBED), UNSUBSCRIBED, id="already-unsubscribed"
    ),
    pytest.param(
        req(Source.API_V3, Status.NOT_SPECIFIED), NOT_SPECIFIED, id="already-not-specified"
    ),
    pytest.param(
        req(Source.BULK, Status.UNSUBSCRIBED, wide=True),
        UNSUBSCRIBED,
        id="already-unsubscribed-from-all",
    ),
    pytest.param(
        req(Source.IMPORT, Status.SUBSCRIBED, wide=True),
        NOT_SPECIFIED,
        id="wide-flag-already-clear",
    ),
]


@pytest.mark.parametrize(("request_", "current"), NO_CHANGE)
def test_asking_for_the_current_state_is_no_change(
    request_: ChangeRequest, current: CurrentState
) -> None:
    decision = decide(request_, current, SETTINGS)
    assert decision.outcome is Outcome.NO_CHANGE
    assert decision.reason is SuccessReason.NO_STATUS_CHANGE
    assert decision.transition is None
    assert not decision.applied
    assert decision.message.strip()


# ---- Double opt-in ---------------------------------------------------------------------------

DOI = AccountSettings(double_opt_in=True, sms_enabled=True, whatsapp_enabled=True)

CONSENT, CONTRACT = LegalBasis.CONSENT_WITH_NOTICE, LegalBasis.PERFORMANCE_OF_CONTRACT

# fmt: off
AWAITING = [
    # request, current, settings, awaiting confirmation
    pytest.param(req(CONTACT, SUB), NOT_SPECIFIED, DOI, True, id="contact-email-opt-in-waits"),
    pytest.param(req(CONTACT, SUB), UNSUBSCRIBED, DOI, True, id="contact-resubscribe-waits"),
    pytest.param(req(Source.USER, SUB, legal_basis=CONSENT, explanation=WHY), NOT_SPECIFIED,
                 DOI, True, id="user-opt-in-on-consent-waits"),
    pytest.param(req(Source.USER, SUB, legal_basis=CONTRACT, explanation=WHY), NOT_SPECIFIED,
                 DOI, False, id="user-opt-in-on-contract-does-not-wait"),
    pytest.param(req(Source.SMS_KEYWORD, SUB, Channel.SMS), NOT_SPECIFIED, DOI, False,
                 id="sms-opt-in-does-not-wait"),
    pytest.param(req(CONTACT, SUB), NOT_SPECIFIED, SETTINGS, False, id="double-opt-in-off"),
    pytest.param(req(Source.DOUBLE_OPT_IN, SUB), NOT_SPECIFIED, DOI, False,
                 id="the-confirmation-itself-does-not-wait"),
    pytest.param(req(CONTACT, UNSUB), SUBSCRIBED, DOI, False, id="opt-outs-never-wait"),
]
# fmt: on


@pytest.mark.parametrize(("request_", "current", "settings", "awaiting"), AWAITING)
def test_double_opt_in_makes_consent_email_opt_ins_await_confirmation(
    request_: ChangeRequest, current: CurrentState, settings: AccountSettings, awaiting: bool
) -> None:
    decision = decide(request_, current, settings)
    assert decision.outcome is Outcome.APPLIED
    assert decision.awaiting_confirmation is awaiting


def test_double_opt_in_confirmation_confirms_an_unconfirmed_subscription() -> None:
    unconfirmed = CurrentState(Status.SUBSCRIBED, T0, confirmed=False)
    decision = decide(req(Source.DOUBLE_OPT_IN, Status.SUBSCRIBED), unconfirmed, DOI)
    assert decision.outcome is Outcome.APPLIED
    assert decision.transition is Transition.OPT_IN
    assert decision.reason is SuccessReason.REQUESTED_CHANGE_OCCURRED
    assert decision.awaiting_confirmation is False


def test_double_opt_in_confirmation_of_a_confirmed_subscription_is_no_change() -> None:
    decision = decide(req(Source.DOUBLE_OPT_IN, Status.SUBSCRIBED), SUBSCRIBED, DOI)
    assert decision.outcome is Outcome.NO_CHANGE


@pytest.mark.parametrize(
    "source", [Source.PREFERENCE_CENTER, Source.USER, Source.WORKFLOW], ids=lambda s: s.value
)
def test_only_the_confirmation_confirms(source: Source) -> None:
    unconfirmed = CurrentState(Status.SUBSCRIBED, T0, confirmed=False)
    decision = decide(
        req(source, Status.SUBSCRIBED, legal_basis=BASIS, explanation=WHY), unconfirmed, DOI
    )
    assert decision.outcome is Outcome.NO_CHANGE
    assert decision.awaiting_confirmation is False
