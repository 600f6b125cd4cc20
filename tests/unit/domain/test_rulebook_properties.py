"""Property: once the contact has opted out, nothing but a person can make them sendable again.

PRODUCT.md §2: "A workflow can never add a subscription that the address opted out of", and
imports, bulk edits and API v3 cannot resubscribe, remove an opt-out or clear "unsubscribe from
all". A small model of one email subscriber, kept the way a service keeps it, folds `decide` over
random change requests; after the contact opts out, only WORKFLOW / IMPORT / BULK / API_V3
requests follow, and `eligibility` of the opted-out types must stay "no" after every one of them.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.domain import (
    AccountSettings,
    ChangeRequest,
    Channel,
    CurrentState,
    Decision,
    LegalBasis,
    Outcome,
    SendingState,
    Source,
    Status,
    Transition,
    TypeKind,
    decide,
    eligibility,
)

PORTAL = "portal"
# type id -> (business unit, kind). Transactional types ignore "unsubscribe from all" by design,
# so they are left out of a property about opt-outs.
TYPES = {1: (0, TypeKind.MARKETING), 2: (0, TypeKind.ONE_TO_ONE), 3: (1, TypeKind.MARKETING)}
SCOPES: tuple[str | int, ...] = (PORTAL, 0, 1)
RESTRICTED = (Source.WORKFLOW, Source.IMPORT, Source.BULK, Source.API_V3)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
TAKE_BACK_AN_OPT_OUT = {Transition.RESUBSCRIBE, Transition.WITHDRAW_OPT_OUT, Transition.CLEAR_WIDE}


@dataclass
class Row:
    status: Status = Status.NOT_SPECIFIED
    changed_at: datetime | None = None
    confirmed: bool = True
    from_wide: bool = False


@dataclass
class Flag:
    on: bool = False
    changed_at: datetime | None = None


@dataclass
class Subscriber:
    rows: dict[int, Row] = field(default_factory=lambda: {t: Row() for t in TYPES})
    wide: dict[str | int, Flag] = field(default_factory=lambda: {s: Flag() for s in SCOPES})
    now: datetime = T0

    def covering(self, type_id: int) -> list[Flag]:
        unit = TYPES[type_id][0]
        return [self.wide[PORTAL], self.wide[unit]]

    def covered(self, scope: str | int) -> list[int]:
        return [t for t, (unit, _) in TYPES.items() if scope in (PORTAL, unit)]

    def sending_state(self, type_id: int) -> SendingState:
        row = self.rows[type_id]
        return SendingState(
            Channel.EMAIL,
            TYPES[type_id][1],
            row.status,
            confirmed=row.confirmed,
            status_from_wide=row.from_wide,
            unsubscribed_from_all=any(flag.on for flag in self.covering(type_id)),
        )


@dataclass(frozen=True)
class Step:
    target: tuple[str, str | int]  # ("type", id) or ("wide", scope)
    requested: Status
    source: Source
    legal_basis: LegalBasis | None
    explanation: str | None
    advance: int  # seconds the clock moves before the request
    back: int | None  # occurred_at this many seconds before now; None: no claimed time
    type_active: bool
    settings: AccountSettings


def apply(sub: Subscriber, step: Step) -> Decision:
    """Decide one request and store its answer the way a service does."""
    sub.now += timedelta(seconds=step.advance)
    occurred_at = None if step.back is None else sub.now - timedelta(seconds=step.back)
    at = occurred_at or sub.now
    kind, target = step.target
    request = ChangeRequest(
        Channel.EMAIL,
        step.requested,
        step.source,
        wide=kind == "wide",
        type_active=step.type_active,
        legal_basis=step.legal_basis,
        explanation=step.explanation,
        occurred_at=occurred_at,
    )
    if kind == "wide":
        flag = sub.wide[target]
        current = CurrentState(
            Status.UNSUBSCRIBED if flag.on else Status.NOT_SPECIFIED, flag.changed_at
        )
        decision = decide(request, current, step.settings)
        if decision.applied:
            flag.on, flag.changed_at = decision.transition is Transition.SET_WIDE, at
            if flag.on:  # and each type it covers is recorded UNSUBSCRIBED
                for type_id in sub.covered(target):
                    row = sub.rows[type_id]
                    if row.status is not Status.UNSUBSCRIBED:
                        sub.rows[type_id] = Row(Status.UNSUBSCRIBED, at, from_wide=True)
        return decision

    assert isinstance(target, int)
    row, covering = sub.rows[target], [f for f in sub.covering(target) if f.on]
    wide_at = max((f.changed_at for f in covering if f.changed_at), default=None)
    current = CurrentState(row.status, row.changed_at, row.confirmed, wide_at)
    decision = decide(request, current, step.settings)
    if decision.applied:
        sub.rows[target] = Row(step.requested, at, not decision.awaiting_confirmation)
        if decision.clears_wide:
            for flag in covering:
                flag.on, flag.changed_at = False, at
    return decision


TARGETS = [("type", t) for t in TYPES] + [("wide", s) for s in SCOPES]
any_settings = st.builds(
    AccountSettings,
    data_privacy_mode=st.booleans(),
    business_units_enabled=st.booleans(),
    double_opt_in=st.booleans(),
    sms_enabled=st.booleans(),
    whatsapp_enabled=st.booleans(),
)


def steps(sources: tuple[Source, ...]) -> st.SearchStrategy[Step]:
    return st.builds(
        Step,
        target=st.sampled_from(TARGETS),
        requested=st.sampled_from(list(Status)),
        source=st.sampled_from(sources),
        legal_basis=st.none() | st.sampled_from(list(LegalBasis)),
        explanation=st.sampled_from([None, "", "   ", "Asked for it at the trade show."]),
        advance=st.sampled_from([0, 1, 60, 3600]),
        back=st.none() | st.sampled_from([0, 1, 60, 7200]),
        type_active=st.booleans(),
        settings=any_settings,
    )


def assert_not_sendable(sub: Subscriber, protected: list[int], step: Step | None) -> None:
    for type_id in protected:
        for account in {
            AccountSettings(),
            AccountSettings(data_privacy_mode=True),
            step.settings if step else AccountSettings(),
        }:
            answer = eligibility(sub.sending_state(type_id), account)
            assert not answer.allowed, (type_id, step, sub, answer)


@settings(max_examples=200, deadline=None)
@given(
    before=st.lists(steps(tuple(Source)), max_size=12),
    opt_out=st.sampled_from(TARGETS),
    by=st.sampled_from([Source.PREFERENCE_CENTER, Source.ONE_CLICK]),
    after=st.lists(steps(RESTRICTED), min_size=1, max_size=25),
)
def test_after_the_contact_opts_out_only_a_person_can_make_them_sendable_again(
    before: list[Step], opt_out: tuple[str, str | int], by: Source, after: list[Step]
) -> None:
    sub = Subscriber()
    for step in before:
        apply(sub, step)

    contact_opt_out = Step(
        opt_out,
        Status.UNSUBSCRIBED,
        by,
        None,
        None,
        advance=1,
        back=None,
        type_active=True,
        settings=AccountSettings(),
    )
    assert apply(sub, contact_opt_out).outcome in (Outcome.APPLIED, Outcome.NO_CHANGE)
    kind, target = opt_out
    protected = sub.covered(target) if kind == "wide" else [int(target)]
    assert_not_sendable(sub, protected, None)

    for step in after:
        decision = apply(sub, step)
        assert not (decision.applied and decision.transition in TAKE_BACK_AN_OPT_OUT), decision
        assert_not_sendable(sub, protected, step)

    # Not vacuous: a user with a legal basis and an explanation can bring one of them back.
    resubscribe = Step(
        ("type", protected[0]),
        Status.SUBSCRIBED,
        Source.USER,
        LegalBasis.LEGITIMATE_INTEREST_CLIENT,
        "Asked us on the phone.",
        advance=1,
        back=None,
        type_active=True,
        settings=AccountSettings(),
    )
    assert apply(sub, resubscribe).applied
    assert eligibility(sub.sending_state(protected[0]), AccountSettings()).allowed
