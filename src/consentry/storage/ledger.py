"""The ledger table: append, read, and the head row that serialises writers."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from consentry.domain import LedgerEntry
from consentry.domain.ledger import restored
from consentry.storage.tables import ledger, ledger_head
from consentry.storage.types import UTCDateTime
from consentry.storage.upsert import insert_rows

_FIELDS = tuple(f.name for f in fields(LedgerEntry))


def lock_head(connection: Connection) -> tuple[int, str]:
    """Lock the head row for this transaction and return (last entry id, last hash).

    Every writing transaction calls this first, before touching any other row: one lock order
    for all writers, so they queue instead of deadlocking.
    """
    row = connection.execute(
        select(ledger_head).where(ledger_head.c.id == 1).with_for_update()
    ).one()
    return row.last_entry_id, row.last_hash


def head(connection: Connection) -> tuple[int, str]:
    row = connection.execute(select(ledger_head).where(ledger_head.c.id == 1)).one()
    return row.last_entry_id, row.last_hash


def append(connection: Connection, entries: Sequence[LedgerEntry]) -> None:
    """Insert sealed entries and move the head to the last of them."""
    if not entries:
        return
    # The entries' own field dicts, read as they are: dataclasses.asdict deep-copies every
    # evidence dict (half the cost of a 1,000-input batch), and even a shallow copy per entry
    # was a tenth of an import's.
    insert_rows(connection, ledger, [entry.__dict__ for entry in entries])
    last = entries[-1]
    connection.execute(
        update(ledger_head)
        .where(ledger_head.c.id == 1)
        .values(last_entry_id=last.id, last_hash=last.entry_hash)
    )


def _entry(row: object) -> LedgerEntry:
    mapping = row._mapping  # type: ignore[attr-defined]
    return LedgerEntry(**{name: mapping[name] for name in _FIELDS})


def for_subscriber(
    connection: Connection, subscriber_id: int, *, until: datetime | None = None
) -> list[LedgerEntry]:
    """Entries of one subscriber, oldest first; with `until`, those that occurred by then."""
    query = select(ledger).where(ledger.c.subscriber_id == subscriber_id)
    if until is not None:
        query = query.where(ledger.c.occurred_at <= until)
    return [_entry(row) for row in connection.execute(query.order_by(ledger.c.id))]


def page_for_subscriber(
    connection: Connection,
    subscriber_id: int,
    *,
    after: int = 0,
    limit: int = 100,
    until: datetime | None = None,
) -> list[LedgerEntry]:
    """Up to `limit` entries of one subscriber with ids above `after`, oldest first."""
    query = select(ledger).where(ledger.c.subscriber_id == subscriber_id, ledger.c.id > after)
    if until is not None:
        query = query.where(ledger.c.occurred_at <= until)
    rows = connection.execute(query.order_by(ledger.c.id).limit(limit))
    return [_entry(row) for row in rows]


def iterate(connection: Connection, *, chunk: int = 5_000) -> Iterator[LedgerEntry]:
    """Every entry in id order, read in keyset-paged chunks so memory stays flat."""
    after = 0
    while True:
        entries = _read(connection, _PAGE, (after, chunk))
        if not entries:
            return
        yield from entries
        after = entries[-1].id


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(ledger)).scalar_one())


def between(connection: Connection, first: int, last: int) -> list[LedgerEntry]:
    """Entries with ids first..last (inclusive), oldest first."""
    return _read(connection, _BETWEEN, (first, last))


def for_subscriber_range(connection: Connection, first: int, last: int) -> list[LedgerEntry]:
    """Entries of subscribers first..last (inclusive), by subscriber, each oldest first."""
    return _read(connection, _SUBSCRIBERS, (first, last))


# Ranges of entries (the event log's readers, verification) are read through the driver's
# cursor: SQLAlchemy's per-row processing and the entry's generated __init__ were most of the
# cost of every event-log consumer, which runs after each batch write.
_COLUMNS = ", ".join(_FIELDS)
_BETWEEN = f"SELECT {_COLUMNS} FROM ledger WHERE id >= ? AND id <= ? ORDER BY id"
_PAGE = f"SELECT {_COLUMNS} FROM ledger WHERE id > ? ORDER BY id LIMIT ?"
_SUBSCRIBERS = (
    f"SELECT {_COLUMNS} FROM ledger WHERE subscriber_id >= ? AND subscriber_id <= ?"
    " ORDER BY subscriber_id, id"
)
_TIMES = tuple(i for i, name in enumerate(_FIELDS) if isinstance(ledger.c[name].type, UTCDateTime))
_EVIDENCE = _FIELDS.index("evidence")


def _read(connection: Connection, sql: str, parameters: tuple[int, int]) -> list[LedgerEntry]:
    postgres = connection.dialect.name == "postgresql"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql.replace("?", "%s") if postgres else sql, parameters)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    times: dict[Any, datetime] = {}
    entries = []
    for row in rows:
        values = list(row)
        for index in _TIMES:
            value = values[index]
            if value is not None:
                moment = times.get(value)
                if moment is None:
                    moment = times[value] = _utc(value)
                values[index] = moment
        evidence = values[_EVIDENCE]
        if isinstance(evidence, str):  # SQLite keeps JSON as text; psycopg decodes it
            values[_EVIDENCE] = json.loads(evidence)
        entries.append(restored(dict(zip(_FIELDS, values, strict=True))))
    return entries


def _utc(value: str | datetime) -> datetime:
    """A stored time as UTCDateTime reads it: SQLite's text is UTC without an offset."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)
