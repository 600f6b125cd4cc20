"""From stored rows to what eligibility reads of one subscriber for one subscription type.

Every read that answers "may we send?" — a subscriber's statuses, a batch, an audience — builds
its `SendingState` here, so the domain's `eligibility` always sees the same facts.
"""

from collections.abc import Collection, Iterable

from consentry.domain import SubscriptionType, SuccessReason, SuppressionKind, WideType
from consentry.domain.eligibility import SendingState
from consentry.domain.statuses import Status, covers
from consentry.storage.audience import StoredFacts
from consentry.storage.statuses import StatusRow, WideRow


def sending_state(
    type_: SubscriptionType,
    row: StatusRow | None,
    wide: Iterable[WideRow],
    suppressions: Collection[SuppressionKind],
) -> SendingState:
    """`row` is the stored status of the type (None: NOT_SPECIFIED); `wide` the subscriber's
    wide rows, set or cleared; `suppressions` the kinds that apply to the subscriber."""
    return _state(
        type_,
        row.status if row else None,
        row.confirmed if row else True,
        row.reason if row else None,
        [(w.wide_type, w.business_unit_id) for w in wide if w.opted_out],
        suppressions,
    )


def state_of(type_: SubscriptionType, facts: StoredFacts | None) -> SendingState:
    """The same, from the facts an audience query gathers (None: nothing stored)."""
    if facts is None:
        return SendingState(channel=type_.channel, kind=type_.kind)
    return _state(
        type_,
        Status(facts.status) if facts.status else None,
        facts.confirmed,
        SuccessReason(facts.reason) if facts.reason else None,
        [(WideType(wide_type), unit_id) for wide_type, unit_id in facts.wide_opt_outs],
        frozenset(SuppressionKind(kind) for kind in facts.suppressions),
    )


def _state(
    type_: SubscriptionType,
    status: Status | None,
    confirmed: bool,
    reason: SuccessReason | None,
    wide_opt_outs: Iterable[tuple[WideType, int]],
    suppressions: Collection[SuppressionKind],
) -> SendingState:
    return SendingState(
        channel=type_.channel,
        kind=type_.kind,
        status=status or Status.NOT_SPECIFIED,
        confirmed=confirmed,
        status_from_wide=reason is SuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED,
        unsubscribed_from_all=any(
            covers(wide_type, unit_id, type_.business_unit_id)
            for wide_type, unit_id in wide_opt_outs
        ),
        suppressions=suppressions,
    )
