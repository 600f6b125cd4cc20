"""Writing many rows at once: INSERT, INSERT … ON CONFLICT DO NOTHING and upserts, on both
dialects.

On SQLite the rows go straight to the driver's `executemany` with values converted once per
column: SQLAlchemy's per-row parameter processing was a fifth of a 1,000-input batch write. The
text written is what SQLAlchemy itself writes for these types, so reads see no difference. On
PostgreSQL the SQLAlchemy constructs are kept.
"""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Table
from sqlalchemy.dialects import postgresql

from consentry.storage.types import UTCDateTime


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        _sqlite_write(connection, table, rows, "")
    else:
        connection.execute(table.insert(), list(rows))


def insert_ignoring_conflicts(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        _sqlite_write(connection, table, rows, " ON CONFLICT DO NOTHING")
        return
    connection.execute(postgresql.insert(table).on_conflict_do_nothing(), list(rows))


def upsert(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows, or overwrite every non-key column of the row with the same keys."""
    if not rows:
        return
    others = [name for name in rows[0] if name not in keys]
    if connection.dialect.name == "sqlite":
        sets = ", ".join(f"{name} = excluded.{name}" for name in others)
        conflict = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
        _sqlite_write(connection, table, rows, conflict)
        return
    statement = postgresql.insert(table)
    updates = {name: statement.excluded[name] for name in others}
    connection.execute(
        statement.on_conflict_do_update(index_elements=list(keys), set_=updates), list(rows)
    )


def sqlite_time(moment: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores for a UTC moment."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_write(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], suffix: str
) -> None:
    names = list(rows[0])
    special = [
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _converter(table.c[name].type)) is not _same
    ]
    marks = ", ".join("?" * len(names))
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks}){suffix}"
    get = itemgetter(*names)
    values: list[Any] = []
    for row in rows:
        value = list(get(row)) if len(names) > 1 else [get(row)]
        for index, convert in special:
            value[index] = convert(value[index])
        values.append(tuple(value))
    connection.exec_driver_sql(sql, values)


def _converter(type_: Any) -> Callable[[Any], Any]:
    if isinstance(type_, UTCDateTime):
        return _time_once()
    if isinstance(type_, JSON):
        return _json_once()
    if isinstance(type_, Boolean):
        return _optional(int)
    return _same


def _same(value: Any) -> Any:
    return value


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


def _time_once() -> Callable[[Any], Any]:
    """SQLite's text of a time, converted once per distinct time: the rows of one transaction
    share a handful (its clock, the client's claims)."""
    seen: dict[datetime, str] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        text = seen.get(value)
        if text is None:
            text = seen[value] = sqlite_time(value)
        return text

    return convert


def _json_once() -> Callable[[Any], Any]:
    """JSON text, encoded once per distinct flat dict: the entries of one request carry equal
    copies of its evidence."""
    seen: dict[tuple[tuple[str, Any], ...], str] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        try:
            key = tuple(value.items())
            text = seen.get(key)
        except (AttributeError, TypeError):  # not a dict of plain values: encode it as it is
            return json.dumps(value)
        if text is None:
            text = seen[key] = json.dumps(value)
        return text

    return convert


__all__ = ["insert_ignoring_conflicts", "insert_rows", "sqlite_time", "upsert"]
