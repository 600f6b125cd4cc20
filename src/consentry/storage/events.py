"""The event log's rows and cursors."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from consentry.domain.events import LEDGER_RANGE, Position
from consentry.storage.event_tables import event_cursors, events
from consentry.storage.upsert import insert_ignoring_conflicts, insert_rows


def append(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert event rows (each: type, occurred_at, data, and optional ids)."""
    insert_rows(
        connection,
        events,
        [
            {
                "type": row["type"],
                "occurred_at": row["occurred_at"],
                "contact_id": row.get("contact_id"),
                "subscriber_id": row.get("subscriber_id"),
                "ledger_first": row.get("ledger_first"),
                "ledger_last": row.get("ledger_last"),
                "data": row.get("data", {}),
            }
            for row in rows
        ],
    )


def append_ledger_range(connection: Connection, first: int, last: int, now: datetime) -> None:
    connection.execute(
        insert(events).values(
            type=LEDGER_RANGE, occurred_at=now, ledger_first=first, ledger_last=last, data={}
        )
    )


def rows_after(connection: Connection, row: int, limit: int) -> list[Any]:
    """Event rows from `row` on (inclusive: a ledger range may be part-read), oldest first."""
    query = select(events).where(events.c.id >= row).order_by(events.c.id).limit(limit)
    return list(connection.execute(query))


def last_row(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one())


def lock_cursor(connection: Connection, consumer: str) -> Position:
    """The reader's position, locked for this transaction (two workers never read the same
    events for one consumer). A new reader starts at the beginning."""
    insert_ignoring_conflicts(
        connection, event_cursors, [{"consumer": consumer, "event_row": 0, "ledger_entry": 0}]
    )
    row = connection.execute(
        select(event_cursors).where(event_cursors.c.consumer == consumer).with_for_update()
    ).one()
    return Position(int(row.event_row), int(row.ledger_entry))


def move_cursor(connection: Connection, consumer: str, position: Position) -> None:
    connection.execute(
        update(event_cursors)
        .where(event_cursors.c.consumer == consumer)
        .values(event_row=position.row, ledger_entry=position.entry)
    )
