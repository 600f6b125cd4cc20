"""From stored rows to what eligibility reads of one subscriber for one subscription type.

Every read that answers "may we send?" — a subscriber's statuses, a batch, an audience — builds
its `SendingState` here, so the domain's `eligibility` always sees the same facts.
"""

from collections.abc import Collection, Iterable

from consentry.domain import SubscriptionType, SuccessReason, SuppressionKind
from consentry.domain.eligibility import SendingState
from consentry.domain.statuses import Status, covers
from consentry.storage.statuses import StatusRow, WideRow


def sending_state(
    type_: SubscriptionType,
    row: StatusRow | None,
    wide: Iterable[WideRow],
    suppressions: Collection[SuppressionKind],
) -> SendingState:
    """`row` is the stored status of the type (None: NOT_SPECIFIED); `wide` the subscriber's
    wide rows, set or cleared; `suppressions` the kinds that apply to the subscriber."""
    return SendingState(
        channel=type_.channel,
        kind=type_.kind,
        status=row.status if row else Status.NOT_SPECIFIED,
        confirmed=row.confirmed if row else True,
        status_from_wide=bool(row and row.reason is SuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED),
        unsubscribed_from_all=any(
            w.opted_out and covers(w.wide_type, w.business_unit_id, type_.business_unit_id)
            for w in wide
        ),
        suppressions=suppressions,
    )
