"""The current-status tables as a fold of the ledger: what stood after a run of entries."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from consentry.domain.ledger import Action, LedgerEntry
from consentry.domain.rulebook import Outcome
from consentry.domain.statuses import Status, WideType

WideScope = tuple[WideType, int]


@dataclass
class Projection:
    statuses: dict[int, Status] = field(default_factory=dict)  # type id -> status
    wide: dict[WideScope, bool] = field(default_factory=dict)  # scope -> opted out
    # The entry each status and flag stands on: a stored projection row must name it (its
    # ledger_id), which is how `consentry ledger rebuild --check` tells a row that drifted.
    status_entries: dict[int, LedgerEntry] = field(default_factory=dict)
    wide_entries: dict[WideScope, LedgerEntry] = field(default_factory=dict)


def apply(projection: Projection, entry: LedgerEntry) -> None:
    """One step of the fold: an applied status or wide entry replaces what stood before it.
    Erased entries stand for nothing: the erasure removed their subscriber and its rows."""
    if entry.outcome != Outcome.APPLIED or entry.erased_at is not None:
        return
    if entry.action == Action.SET_STATUS and entry.subscription_type_id is not None:
        type_id = entry.subscription_type_id
        projection.statuses[type_id] = Status(entry.new_status or Status.NOT_SPECIFIED)
        projection.status_entries[type_id] = entry
    elif entry.action in (Action.SET_WIDE, Action.CLEAR_WIDE) and entry.wide_type:
        scope = (WideType(entry.wide_type), entry.business_unit_id or 0)
        projection.wide[scope] = entry.action == Action.SET_WIDE
        projection.wide_entries[scope] = entry


def fold(entries: Iterable[LedgerEntry]) -> Projection:
    """Apply the applied entries of one subscriber and channel, in ledger order."""
    projection = Projection()
    for entry in entries:
        apply(projection, entry)
    return projection
