"""The current-status tables as a fold of the ledger: what stood after a run of entries."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from consentry.domain.ledger import Action, LedgerEntry
from consentry.domain.rulebook import Outcome
from consentry.domain.statuses import Status, WideType


@dataclass
class Projection:
    statuses: dict[int, Status] = field(default_factory=dict)  # type id -> status
    wide: dict[tuple[WideType, int], bool] = field(default_factory=dict)  # scope -> opted out


def fold(entries: Iterable[LedgerEntry]) -> Projection:
    """Apply the applied entries of one subscriber and channel, in ledger order."""
    projection = Projection()
    for entry in entries:
        if entry.outcome != Outcome.APPLIED:
            continue
        if entry.action == Action.SET_STATUS and entry.subscription_type_id is not None:
            projection.statuses[entry.subscription_type_id] = Status(
                entry.new_status or Status.NOT_SPECIFIED
            )
        elif entry.action in (Action.SET_WIDE, Action.CLEAR_WIDE) and entry.wide_type:
            scope = (WideType(entry.wide_type), entry.business_unit_id or 0)
            projection.wide[scope] = entry.action == Action.SET_WIDE
    return projection
