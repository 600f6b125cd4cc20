"""Eligibility (PRODUCT.md §3) as a whole: an added opt-out never turns a "no" into a "yes"."""

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from consentry.domain import (
    AccountSettings,
    Channel,
    LegalBasis,
    SendingState,
    Status,
    SuppressionKind,
    TypeKind,
    eligibility,
)

SUB, UNSUB = Status.SUBSCRIBED, Status.UNSUBSCRIBED
ONE_TIME = LegalBasis.LEGITIMATE_INTEREST_CLIENT


def unsubscribe_from_all(st: SendingState) -> SendingState:
    """What "unsubscribe from all" does to a type's state: the flag, and the type UNSUBSCRIBED."""
    if st.status is UNSUB:
        return replace(st, unsubscribed_from_all=True)
    return replace(
        st, unsubscribed_from_all=True, status=UNSUB, status_from_wide=True, confirmed=True
    )


def opt_out_of_the_type(st: SendingState) -> SendingState:
    return replace(st, status=UNSUB, status_from_wide=False, confirmed=True)


def reachable_states() -> st_.SearchStrategy[SendingState]:
    def build(
        channel: Channel,
        kind: TypeKind,
        status: Status,
        confirmed: bool,
        from_wide: bool,
        wide: bool,
        suppressions: frozenset[SuppressionKind],
    ) -> SendingState:
        # Unsubscribe from all records each type UNSUBSCRIBED; a resubscribe clears the flag.
        unsub = status is UNSUB
        return SendingState(
            channel,
            kind,
            status,
            confirmed or status is not SUB,
            from_wide and unsub,
            wide and unsub,
            suppressions,
        )

    return st_.builds(
        build,
        st_.sampled_from(list(Channel)),
        st_.sampled_from(list(TypeKind)),
        st_.sampled_from(list(Status)),
        st_.booleans(),
        st_.booleans(),
        st_.booleans(),
        st_.frozensets(st_.sampled_from(list(SuppressionKind))),
    )


def suppressed(st: SendingState, kind: SuppressionKind) -> SendingState:
    return replace(st, suppressions=frozenset({*st.suppressions, kind}))


ANY_SETTINGS = st_.builds(
    AccountSettings, data_privacy_mode=st_.booleans(), double_opt_in=st_.booleans()
)
OPT_OUTS: dict[str, Callable[[SendingState], SendingState]] = {
    "unsubscribe-from-all": unsubscribe_from_all,
    "type-opt-out": opt_out_of_the_type,
    **{f"suppression-{kind.value}": partial(suppressed, kind=kind) for kind in SuppressionKind},
}


@settings(max_examples=300, deadline=None)
@given(st=reachable_states(), account=ANY_SETTINGS, opt_out=st_.sampled_from(list(OPT_OUTS)))
def test_an_added_opt_out_never_turns_a_no_into_a_yes(
    st: SendingState, account: AccountSettings, opt_out: str
) -> None:
    before = eligibility(st, account)
    after = eligibility(OPT_OUTS[opt_out](st), account)
    assert before.allowed or not after.allowed, (before, after)


@pytest.mark.parametrize(
    "before",
    [
        SendingState(Channel.EMAIL, TypeKind.ONE_TO_ONE, UNSUB, status_from_wide=True),
        SendingState(Channel.EMAIL, TypeKind.ONE_TO_ONE, SUB, confirmed=False),
    ],
    ids=["wide-derived-opt-out-after-the-flag-was-cleared", "unconfirmed-double-opt-in"],
)
def test_with_a_one_time_basis_unsubscribing_from_all_never_turns_a_no_into_a_yes(
    before: SendingState,
) -> None:
    settings_ = AccountSettings(data_privacy_mode=True, double_opt_in=True)
    was = eligibility(before, settings_, ONE_TIME)
    now = eligibility(unsubscribe_from_all(before), settings_, ONE_TIME)
    # Either side may be the one to fix; what must hold is that the opt-out does not help.
    assert was.allowed or not now.allowed, (was, now)
