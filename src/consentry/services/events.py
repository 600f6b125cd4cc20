"""The event log: record what changed, and read it in commit order through named cursors.

Writers call `record` inside a writing unit of work that holds the ledger head (every
`UnitOfWork(engine, write=True)` does unless `ledger=False`): that lock is what makes row ids
grow in commit order, so a cursor never skips a row that commits late. Status changes need no
call: the ledger recorder adds one row per transaction naming its range of ledger entries.

Readers (`consume`) get events in order, at least once per crash and exactly once per
committed handling: the handler's writes and the cursor's move commit together.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.domain.events import LEDGER_RANGE, Event, EventType, Position, from_ledger_entry
from consentry.domain.ledger import LedgerEntry
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import events as stored
from consentry.storage import ledger

Handler = Callable[[Connection, list[Event]], None]


def record(
    connection: Connection,
    event_type: EventType,
    data: Mapping[str, Any],
    *,
    now: datetime,
    contact_id: int | None = None,
    subscriber_id: int | None = None,
) -> None:
    """Add one event to the log, in the caller's (head-locking) transaction."""
    record_many(
        connection,
        [(event_type, data, contact_id, subscriber_id)],
        now=now,
    )


def record_many(
    connection: Connection,
    items: Sequence[tuple[EventType, Mapping[str, Any], int | None, int | None]],
    *,
    now: datetime,
) -> None:
    """Add events (type, data, contact id, subscriber id) in one statement."""
    stored.append(
        connection,
        [
            {
                "type": event_type.value,
                "occurred_at": now,
                "data": dict(data),
                "contact_id": contact_id,
                "subscriber_id": subscriber_id,
            }
            for event_type, data, contact_id, subscriber_id in items
        ],
    )


def record_contacts(
    connection: Connection,
    event_type: EventType,
    changed: Mapping[int, Mapping[str, Any]],
    *,
    now: datetime,
) -> None:
    """One contact event per contact id, with the properties that the event is about (all of
    them for a new contact, the new values for an update, none for an archive)."""
    record_many(
        connection,
        [
            (
                event_type,
                {"contactId": contact_id, "properties": dict(properties)},
                contact_id,
                None,
            )
            for contact_id, properties in changed.items()
        ],
        now=now,
    )


def record_ledger_range(
    connection: Connection, entries: Sequence[LedgerEntry], now: datetime
) -> None:
    """Called by the ledger recorder: one row for the entries a transaction appended, when any
    of them makes an event."""
    if any(from_ledger_entry(entry, 0) is not None for entry in entries):
        stored.append_ledger_range(connection, entries[0].id, entries[-1].id, now)


def _stored_event(row: Any) -> Event:
    return Event(
        id=f"event-{row.id}",
        type=EventType(row.type),
        occurred_at=row.occurred_at,
        position=Position(int(row.id), 0),
        contact_id=row.contact_id,
        subscriber_id=row.subscriber_id,
        data=dict(row.data or {}),
    )


def read(connection: Connection, after: Position, limit: int = 500) -> tuple[list[Event], Position]:
    """Events after `after`, at most about `limit` (ledger entries read count toward it), and
    the position the reader reaches by handling them all."""
    found: list[Event] = []
    position = after
    budget = limit
    for row in stored.rows_after(connection, after.row if after.entry else after.row + 1, limit):
        if budget <= 0:
            break
        if row.type != LEDGER_RANGE:
            if row.id > after.row:
                found.append(_stored_event(row))
                position = Position(int(row.id), 0)
                budget -= 1
            continue
        first = int(row.ledger_first)
        if row.id == after.row:
            first = max(first, after.entry + 1)
        last = min(int(row.ledger_last), first + budget - 1)
        if first <= last:
            for entry in ledger.between(connection, first, last):
                event = from_ledger_entry(entry, int(row.id))
                if event is not None:
                    found.append(event)
            budget -= last - first + 1
        if last >= int(row.ledger_last):
            position = Position(int(row.id), 0)
        else:
            position = Position(int(row.id), last)
            break
    return found, position


def consume(
    engine: Engine, consumer: str, handle: Handler, *, limit: int = 500, lock_head: bool = False
) -> int:
    """Hand the next events to `handle` and move `consumer`'s cursor past them, in one
    transaction. Returns how many events were handled (0: nothing new). `lock_head` holds the
    ledger head too, for a handler that must not interleave with other writers."""
    with UnitOfWork(engine, write=True, ledger=lock_head) as uow:
        after = stored.lock_cursor(uow.connection, consumer)
        found, position = read(uow.connection, after, limit)
        if position == after:
            return 0
        if found:
            handle(uow.connection, found)
        stored.move_cursor(uow.connection, consumer, position)
        uow.commit()
        return len(found) or 1


def end_position(connection: Connection) -> Position:
    """The position just past every event committed so far (a new reader that wants only
    what happens from now on starts here)."""
    return Position(stored.last_row(connection), 0)
