"""Events: what other systems and the workflow engine learn of each change.

The event log is one ordered stream. Status changes are not copied into it row by row: each
writing transaction adds one row naming the range of ledger entries it appended, and readers
expand that range into one event per applied entry. The ledger already is the durable,
gapless record of those changes; a second copy would double the cost of every import.

An event's `id` is stable and unique ("ledger-<entry id>" or "event-<row id>"), so receivers
can de-duplicate; `position` orders events the way their transactions committed.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from consentry.domain.ledger import Action, LedgerEntry
from consentry.domain.rulebook import Outcome


class EventType(StrEnum):
    STATUS_CHANGED = "subscription.status_changed"
    UNSUBSCRIBED_ALL = "subscription.unsubscribed_all"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_ARCHIVED = "contact.archived"
    IMPORT_COMPLETED = "import.completed"
    WORKFLOW_ACTION_REFUSED = "workflow.action_refused"


# The kind of a stored row that stands for a range of ledger entries (never sent as such).
LEDGER_RANGE = "ledger.range"


@dataclass(frozen=True)
class Position:
    """Where a reader stands: the last event row it has handled, and within a ledger-range row
    the last ledger entry (0 when the row was handled whole)."""

    row: int = 0
    entry: int = 0

    def __lt__(self, other: "Position") -> bool:
        return (self.row, self.entry) < (other.row, other.entry)


@dataclass(frozen=True)
class Event:
    id: str
    type: EventType
    occurred_at: datetime
    position: Position
    contact_id: int | None = None
    subscriber_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _status_type(entry: LedgerEntry) -> EventType | None:
    """The event an applied ledger entry makes, if any. Suppressions and one-time bases are
    facts about sending, not subscription changes; NO_CHANGE and REFUSED change nothing."""
    if entry.outcome != Outcome.APPLIED:
        return None
    if entry.action == Action.SET_STATUS:
        return EventType.STATUS_CHANGED
    if entry.action in (Action.SET_WIDE, Action.CLEAR_WIDE):
        return EventType.UNSUBSCRIBED_ALL
    return None


def from_ledger_entry(entry: LedgerEntry, row: int) -> Event | None:
    """The event of one ledger entry read from the range row `row`, or None."""
    event_type = _status_type(entry)
    if event_type is None:
        return None
    data: dict[str, Any] = {
        "ledgerEntryId": entry.id,
        "channel": entry.channel,
        "address": entry.address,
        "subscriberId": entry.subscriber_id,
        "contactId": entry.contact_id,
        "subscriptionTypeId": entry.subscription_type_id,
        "wideType": entry.wide_type,
        "businessUnitId": entry.business_unit_id,
        "previousStatus": entry.old_status,
        "status": entry.new_status,
        "source": entry.source,
        "actor": {"kind": entry.actor_kind, "id": entry.actor_id},
        "legalBasis": entry.legal_basis,
        "legalBasisExplanation": entry.legal_basis_explanation,
        "occurredAt": entry.occurred_at.isoformat(),
        "recordedAt": entry.recorded_at.isoformat(),
    }
    if entry.wide_type is not None:
        # Both directions are one event type: receivers read this flag.
        data["unsubscribedFromAll"] = entry.action == Action.SET_WIDE
    return Event(
        id=f"ledger-{entry.id}",
        type=event_type,
        occurred_at=entry.occurred_at,
        position=Position(row, entry.id),
        contact_id=entry.contact_id,
        subscriber_id=entry.subscriber_id,
        data=data,
    )
