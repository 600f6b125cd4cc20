"""Who may be sent what (PRODUCT.md §3), step by step, with the reason for every answer."""

from typing import Any

import pytest

from consentry.domain import (
    AccountSettings,
    Channel,
    EligibilityReason,
    LegalBasis,
    SendingState,
    Status,
    SuppressionKind,
    TypeKind,
    eligibility,
)

PLAIN = AccountSettings()
DPM = AccountSettings(data_privacy_mode=True)
DOI = AccountSettings(double_opt_in=True)
ONE_TIME = LegalBasis.LEGITIMATE_INTEREST_CLIENT

EMAIL, SMS, WHATSAPP = Channel.EMAIL, Channel.SMS, Channel.WHATSAPP
MARKETING, ONE_TO_ONE, TRANSACTIONAL = (
    TypeKind.MARKETING,
    TypeKind.ONE_TO_ONE,
    TypeKind.TRANSACTIONAL,
)
SUB, NS, UNSUB = Status.SUBSCRIBED, Status.NOT_SPECIFIED, Status.UNSUBSCRIBED
R = EligibilityReason


def state(
    channel: Channel = EMAIL, kind: TypeKind = MARKETING, status: Status = NS, **kwargs: object
) -> SendingState:
    return SendingState(channel, kind, status, **kwargs)  # type: ignore[arg-type]


def case(
    case_id: str,
    st: SendingState,
    allowed: bool,
    reason: EligibilityReason,
    settings: AccountSettings = PLAIN,
    one_time: LegalBasis | None = None,
) -> object:
    return pytest.param(st, settings, one_time, allowed, reason, id=case_id)


HARD = SuppressionKind.HARD_BOUNCE
SPAM = SuppressionKind.SPAM_COMPLAINT

NO_BLOCKING = (HARD, SuppressionKind.INVALID_ADDRESS, SuppressionKind.QUARANTINE)

# fmt: off
TABLE = [
    # 1. suppressions
    *[case(f"suppressed-{kind.value}-marketing", state(status=SUB, suppressions={kind}),
           False, R.SUPPRESSED) for kind in SuppressionKind],
    *[case(f"suppressed-{kind.value}-transactional",
           state(kind=TRANSACTIONAL, status=SUB, suppressions={kind}), False, R.SUPPRESSED)
      for kind in NO_BLOCKING],
    case("spam-complaint-does-not-block-transactional",
         state(kind=TRANSACTIONAL, status=SUB, suppressions={SPAM}), True, R.SUBSCRIBED),
    case("suppression-wins-over-one-time-basis",
         state(kind=ONE_TO_ONE, suppressions={HARD}, unsubscribed_from_all=True), False,
         R.SUPPRESSED, DPM, ONE_TIME),
    case("suppression-checked-before-wide-opt-out",
         state(status=UNSUB, unsubscribed_from_all=True, suppressions={SPAM}), False,
         R.SUPPRESSED),
    case("suppressed-sms", state(SMS, status=SUB, suppressions={HARD}), False, R.SUPPRESSED),
    # 2. unsubscribed from all
    case("wide-opt-out-blocks-subscribed-marketing",
         state(status=SUB, unsubscribed_from_all=True), False, R.UNSUBSCRIBED_FROM_ALL),
    case("wide-opt-out-blocks-not-specified-marketing",
         state(unsubscribed_from_all=True), False, R.UNSUBSCRIBED_FROM_ALL),
    case("wide-opt-out-blocks-sms", state(SMS, status=SUB, unsubscribed_from_all=True), False,
         R.UNSUBSCRIBED_FROM_ALL),
    case("wide-opt-out-blocks-one-to-one-without-basis",
         state(kind=ONE_TO_ONE, status=SUB, unsubscribed_from_all=True), False,
         R.UNSUBSCRIBED_FROM_ALL, DPM),
    case("transactional-ignores-wide-opt-out",
         state(kind=TRANSACTIONAL, status=SUB, unsubscribed_from_all=True), True, R.SUBSCRIBED),
    case("transactional-not-specified-ignores-wide-opt-out",
         state(kind=TRANSACTIONAL, unsubscribed_from_all=True), True, R.NOT_SPECIFIED_EMAIL),
    # 3. the type's own opt-out
    case("unsubscribed-marketing", state(status=UNSUB), False, R.UNSUBSCRIBED),
    case("unsubscribed-transactional", state(kind=TRANSACTIONAL, status=UNSUB), False,
         R.UNSUBSCRIBED),
    case("unsubscribed-whatsapp", state(WHATSAPP, status=UNSUB), False, R.UNSUBSCRIBED),
    # 4. subscribed (confirmed where double opt-in is on)
    case("subscribed-email", state(status=SUB), True, R.SUBSCRIBED),
    case("subscribed-sms", state(SMS, status=SUB), True, R.SUBSCRIBED),
    case("subscribed-whatsapp", state(WHATSAPP, status=SUB), True, R.SUBSCRIBED),
    case("subscribed-in-data-privacy-mode", state(status=SUB), True, R.SUBSCRIBED, DPM),
    case("subscribed-confirmed-under-double-opt-in", state(status=SUB), True, R.SUBSCRIBED, DOI),
    case("subscribed-unconfirmed-under-double-opt-in", state(status=SUB, confirmed=False),
         False, R.AWAITING_CONFIRMATION, DOI),
    # 5. not specified
    case("not-specified-email", state(), True, R.NOT_SPECIFIED_EMAIL),
    case("not-specified-email-data-privacy-mode", state(), False, R.NEEDS_LEGAL_BASIS, DPM),
    case("not-specified-transactional-data-privacy-mode", state(kind=TRANSACTIONAL), True,
         R.NOT_SPECIFIED_EMAIL, DPM),
    *[case(f"not-specified-{ch.value}-{kind.value}{suffix}", state(ch, kind=kind), False,
           R.NEEDS_EXPLICIT_OPT_IN, settings)
      for ch in (SMS, WHATSAPP)
      for kind in (MARKETING, TRANSACTIONAL)
      for suffix, settings in (("", PLAIN), ("-data-privacy-mode", DPM))],
]
# fmt: on


@pytest.mark.parametrize(("st", "settings", "one_time", "allowed", "reason"), TABLE)
def test_eligibility(
    st: SendingState,
    settings: AccountSettings,
    one_time: LegalBasis | None,
    allowed: bool,
    reason: EligibilityReason,
) -> None:
    answer = eligibility(st, settings, one_time)
    assert answer.allowed is allowed
    assert answer.reason is reason
    if reason is R.SUPPRESSED:
        assert answer.suppression in st.suppressions
    else:
        assert answer.suppression is None


def test_the_suppression_named_is_one_that_blocks() -> None:
    st = state(kind=TRANSACTIONAL, status=SUB, suppressions={SPAM, HARD})
    assert eligibility(st, PLAIN).suppression is HARD


# ---- One-to-one with a one-time legal basis (data privacy mode only) ---------------------------

# fmt: off
ONE_TO_ONE_CASES = [
    case("overrides-wide-opt-out",
         state(kind=ONE_TO_ONE, unsubscribed_from_all=True), True, R.ONE_TIME_LEGAL_BASIS,
         DPM, ONE_TIME),
    case("overrides-wide-opt-out-of-a-subscribed-type",
         state(kind=ONE_TO_ONE, status=SUB, unsubscribed_from_all=True), True,
         R.ONE_TIME_LEGAL_BASIS, DPM, ONE_TIME),
    case("overrides-type-opt-out-that-came-from-the-wide-opt-out",
         state(kind=ONE_TO_ONE, status=UNSUB, status_from_wide=True, unsubscribed_from_all=True),
         True, R.ONE_TIME_LEGAL_BASIS, DPM, ONE_TIME),
    case("never-overrides-an-explicit-opt-out-of-the-type",
         state(kind=ONE_TO_ONE, status=UNSUB, unsubscribed_from_all=True), False,
         R.UNSUBSCRIBED, DPM, ONE_TIME),
    case("never-overrides-an-explicit-opt-out-without-wide",
         state(kind=ONE_TO_ONE, status=UNSUB), False, R.UNSUBSCRIBED, DPM, ONE_TIME),
    case("serves-as-the-legal-basis-for-not-specified",
         state(kind=ONE_TO_ONE), True, R.ONE_TIME_LEGAL_BASIS, DPM, ONE_TIME),
    case("no-override-without-data-privacy-mode",
         state(kind=ONE_TO_ONE, unsubscribed_from_all=True), False, R.UNSUBSCRIBED_FROM_ALL,
         PLAIN, ONE_TIME),
    case("no-override-of-wide-derived-opt-out-without-data-privacy-mode",
         state(kind=ONE_TO_ONE, status=UNSUB, status_from_wide=True, unsubscribed_from_all=True),
         False, R.UNSUBSCRIBED_FROM_ALL, PLAIN, ONE_TIME),
    case("no-override-without-a-basis",
         state(kind=ONE_TO_ONE, unsubscribed_from_all=True), False, R.UNSUBSCRIBED_FROM_ALL, DPM),
    case("marketing-types-get-no-one-time-override",
         state(kind=MARKETING, unsubscribed_from_all=True), False, R.UNSUBSCRIBED_FROM_ALL,
         DPM, ONE_TIME),
    case("marketing-not-specified-still-needs-a-standing-basis",
         state(kind=MARKETING), False, R.NEEDS_LEGAL_BASIS, DPM, ONE_TIME),
]
# fmt: on


@pytest.mark.parametrize(("st", "settings", "one_time", "allowed", "reason"), ONE_TO_ONE_CASES)
def test_one_to_one_with_a_one_time_legal_basis(
    st: SendingState,
    settings: AccountSettings,
    one_time: LegalBasis | None,
    allowed: bool,
    reason: EligibilityReason,
) -> None:
    answer = eligibility(st, settings, one_time)
    assert answer.allowed is allowed
    assert answer.reason is reason


@pytest.mark.parametrize("channel", [SMS, WHATSAPP], ids=lambda c: c.value)
@pytest.mark.parametrize(
    "kwargs",
    [{"status": NS}, {"status": UNSUB, "status_from_wide": True}],
    ids=["not-specified", "wide-derived-opt-out"],
)
def test_a_one_time_basis_never_reaches_sms_or_whatsapp(
    channel: Channel, kwargs: dict[str, Any]
) -> None:
    st = state(channel, ONE_TO_ONE, unsubscribed_from_all=True, **kwargs)
    assert eligibility(st, DPM, ONE_TIME).allowed is False
