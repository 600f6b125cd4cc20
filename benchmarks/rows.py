"""Rows written straight to the tables, for the floor and for seeding read scenarios.

The floor is what the database alone does with the same rows as a scenario: plain
`executemany` in one transaction on SQLite, `COPY` on PostgreSQL. Seeded populations use the
same path; they are set-up, not measured, and carry no ledger (the read scenarios don't read it).
"""

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine

from benchmarks.data import mixed_population

NOW_SQLITE = "2026-01-01 00:00:00.000000"
NOW_PG = "2026-01-01 00:00:00+00"
HASH = "0" * 64

COLUMNS = {
    "subscribers": ("id", "channel", "key", "address", "created_at"),
    "ledger": (
        "id",
        "recorded_at",
        "occurred_at",
        "action",
        "channel",
        "subscriber_id",
        "subscriber_key",
        "address",
        "actor_kind",
        "source",
        "subscription_type_id",
        "outcome",
        "message",
        "evidence",
        "personal_digest",
        "prev_hash",
        "entry_hash",
    ),
    "subscription_statuses": (
        "subscriber_id",
        "subscription_type_id",
        "status",
        "confirmed",
        "reason",
        "source",
        "occurred_at",
        "ledger_id",
    ),
    "wide_statuses": (
        "subscriber_id",
        "wide_type",
        "business_unit_id",
        "opted_out",
        "source",
        "occurred_at",
        "ledger_id",
    ),
    "suppressions": ("subscriber_id", "kind", "detail", "created_at", "ledger_id"),
}


def insert(
    engine: Engine, table: str, rows: Iterable[Sequence[Any]], *, chunk: int = 50_000
) -> None:
    """Write rows to one table in one transaction, as fast as the driver goes."""
    columns = COLUMNS[table]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.execute("BEGIN")
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= chunk:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        raw.commit()
    finally:
        raw.close()


def synthetic(
    table: str, count: int, dialect: str, *, per_subscriber: int = 1
) -> Iterator[tuple[Any, ...]]:
    """`count` rows shaped like the ones the service writes to `table`."""
    now = NOW_PG if dialect == "postgresql" else NOW_SQLITE
    true = True if dialect == "postgresql" else 1
    for index in range(count):
        subscriber = index // per_subscriber + 1
        if table == "subscribers":
            key = f"user{index:07d}@bench.example.com"
            yield (index + 1, "EMAIL", key, key, now)
        elif table == "ledger":
            yield (
                index + 1,
                now,
                now,
                "SET_STATUS",
                "EMAIL",
                subscriber,
                f"user{subscriber:07d}@bench.example.com",
                f"user{subscriber:07d}@bench.example.com",
                "API_TOKEN",
                "API",
                1,
                "APPLIED",
                "Unsubscribed.",
                "{}",
                HASH,
                HASH,
                HASH,
            )
        elif table == "subscription_statuses":
            yield (
                subscriber,
                index % per_subscriber + 1,
                "UNSUBSCRIBED",
                true,
                "REQUESTED_CHANGE_OCCURRED",
                "API",
                now,
                index + 1,
            )
        elif table == "wide_statuses":
            yield (index + 1, "PORTAL_WIDE", 0, true, "IMPORT", now, index + 1)
        else:
            raise ValueError(table)


def floor_seconds(engine: Engine, counts: dict[str, int], per_subscriber: int = 1) -> float:
    """Seconds to write these row counts per table with the driver alone."""
    started = time.perf_counter()
    for table, count in counts.items():
        fanout = per_subscriber if table == "subscription_statuses" else 1
        insert(engine, table, synthetic(table, count, engine.dialect.name, per_subscriber=fanout))
    return time.perf_counter() - started


def seed_population(engine: Engine, count: int) -> None:
    """`count` subscribers with the mixed statuses of `data.mixed_population`, for type 1."""
    dialect = engine.dialect.name
    now = NOW_PG if dialect == "postgresql" else NOW_SQLITE
    true = True if dialect == "postgresql" else 1
    population = list(mixed_population(count))
    insert(engine, "subscribers", ((i + 1, "EMAIL", a, a, now) for i, a, _, _, _ in population))
    insert(
        engine,
        "subscription_statuses",
        (
            (i + 1, 1, s, true, "REQUESTED_CHANGE_OCCURRED", "API", now, 0)
            for i, _, s, _, _ in population
            if s
        ),
    )
    insert(
        engine,
        "wide_statuses",
        ((i + 1, "PORTAL_WIDE", 0, true, "API", now, 0) for i, _, _, w, _ in population if w),
    )
    insert(
        engine,
        "suppressions",
        ((i + 1, k, "", now, 0) for i, _, _, _, k in population if k),
    )
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


FLOOR_AUDIENCE_SQL = """
SELECT s.address, st.status, w.opted_out, sp.kind
FROM subscribers s
LEFT JOIN subscription_statuses st ON st.subscriber_id = s.id AND st.subscription_type_id = 1
LEFT JOIN wide_statuses w ON w.subscriber_id = s.id AND w.wide_type = 'PORTAL_WIDE'
LEFT JOIN suppressions sp ON sp.subscriber_id = s.id
WHERE s.channel = 'EMAIL'
"""


def audience_floor_seconds(engine: Engine) -> float:
    """One hand-written query answering the audience's facts, every row fetched."""
    started = time.perf_counter()
    with engine.connect() as connection:
        result = connection.exec_driver_sql(FLOOR_AUDIENCE_SQL)
        while result.fetchmany(10_000):
            pass
    return time.perf_counter() - started
