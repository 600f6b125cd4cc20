"""Which ledger entries make an event, and of which type: a table."""

from datetime import UTC, datetime

import pytest

from consentry.domain import LedgerEntry
from consentry.domain.events import EventType, Position, from_ledger_entry
from consentry.domain.ledger import Action

AT = datetime(2026, 12, 3, tzinfo=UTC)


def entry(action: Action, outcome: str, wide: str | None = None) -> LedgerEntry:
    return LedgerEntry(
        id=7,
        recorded_at=AT,
        occurred_at=AT,
        action=action.value,
        channel="EMAIL",
        subscriber_id=3,
        subscriber_key="ada@example.com",
        address="ada@example.com",
        actor_kind="USER",
        source="USER",
        outcome=outcome,
        message="",
        subscription_type_id=None if wide else 1,
        wide_type=wide,
        old_status="NOT_SPECIFIED",
        new_status="UNSUBSCRIBED",
    )


@pytest.mark.parametrize(
    ("action", "outcome", "wide", "expected"),
    [
        (Action.SET_STATUS, "APPLIED", None, EventType.STATUS_CHANGED),
        (Action.SET_STATUS, "NO_CHANGE", None, None),
        (Action.SET_STATUS, "REFUSED", None, None),
        (Action.SET_WIDE, "APPLIED", "PORTAL_WIDE", EventType.UNSUBSCRIBED_ALL),
        (Action.CLEAR_WIDE, "APPLIED", "PORTAL_WIDE", EventType.UNSUBSCRIBED_ALL),
        (Action.SUPPRESS, "APPLIED", None, None),
        (Action.UNSUPPRESS, "APPLIED", None, None),
        (Action.ONE_TIME_LEGAL_BASIS, "APPLIED", None, None),
    ],
)
def test_which_entries_make_events(
    action: Action, outcome: str, wide: str | None, expected: EventType | None
) -> None:
    event = from_ledger_entry(entry(action, outcome, wide), row=5)
    assert (event.type if event else None) == expected


def test_an_event_is_named_by_its_entry_and_placed_in_its_row() -> None:
    event = from_ledger_entry(entry(Action.SET_WIDE, "APPLIED", "PORTAL_WIDE"), row=5)
    assert event is not None
    assert event.id == "ledger-7"
    assert event.position == Position(5, 7)
    assert event.data["unsubscribedFromAll"] is True
    assert event.data["status"] == "UNSUBSCRIBED"
    assert Position(5, 7) < Position(6, 0) and Position(5, 0) < Position(5, 1)
