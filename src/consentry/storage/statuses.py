"""Current statuses per (subscriber, type), and "unsubscribe from all" flags per scope.

These rows are the ledger's projection: only the services write them, in the transaction that
appends the ledger entry they follow from.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from consentry.domain import LegalBasis, Source, Status, SuccessReason, WideType
from consentry.storage.tables import subscribers, subscription_statuses, wide_statuses
from consentry.storage.upsert import upsert


@dataclass
class StatusRow:
    subscriber_id: int
    subscription_type_id: int
    status: Status
    confirmed: bool
    reason: SuccessReason
    source: Source
    legal_basis: LegalBasis | None
    legal_basis_explanation: str | None
    occurred_at: datetime
    ledger_id: int


@dataclass
class WideRow:
    subscriber_id: int
    wide_type: WideType
    business_unit_id: int
    opted_out: bool
    source: Source
    occurred_at: datetime
    ledger_id: int


def _values(row: StatusRow | WideRow) -> dict[str, object]:
    """The row's columns, read shallowly: dataclasses.asdict would deep-copy them, and even
    `fields()` per row was a twentieth of an import."""
    return dict(row.__dict__)


# Ids per statement: well under every database's bound on parameters.
_CHUNK = 900


def _status_row(row: object) -> StatusRow:
    mapping = row._mapping  # type: ignore[attr-defined]
    return StatusRow(
        subscriber_id=mapping["subscriber_id"],
        subscription_type_id=mapping["subscription_type_id"],
        status=Status(mapping["status"]),
        confirmed=mapping["confirmed"],
        reason=SuccessReason(mapping["reason"]),
        source=Source(mapping["source"]),
        legal_basis=LegalBasis(mapping["legal_basis"]) if mapping["legal_basis"] else None,
        legal_basis_explanation=mapping["legal_basis_explanation"],
        occurred_at=mapping["occurred_at"],
        ledger_id=mapping["ledger_id"],
    )


def load(
    connection: Connection, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], StatusRow]:
    """Stored statuses for (subscriber id, type id) pairs; absent pairs are NOT_SPECIFIED.

    Asks by subscriber id and type id separately (both are indexed key columns) rather than by
    row values, which SQLite cannot look up through the primary key; rows outside the asked-for
    pairs are dropped here.
    """
    wanted = set(pairs)
    ids = sorted({subscriber_id for subscriber_id, _ in wanted})
    type_ids = sorted({type_id for _, type_id in wanted})
    found: dict[tuple[int, int], StatusRow] = {}
    table = subscription_statuses
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(table).where(
                table.c.subscriber_id.in_(ids[start : start + _CHUNK]),
                table.c.subscription_type_id.in_(type_ids),
            )
        )
        for row in rows:
            key = (row.subscriber_id, row.subscription_type_id)
            if key in wanted:
                found[key] = _status_row(row)
    return found


def for_type(
    connection: Connection, type_id: int, subscriber_ids: Iterable[int]
) -> dict[int, StatusRow]:
    """Stored statuses of one type for many subscribers, by subscriber id."""
    ids = sorted(set(subscriber_ids))
    table = subscription_statuses
    found: dict[int, StatusRow] = {}
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(table).where(
                table.c.subscription_type_id == type_id,
                table.c.subscriber_id.in_(ids[start : start + 500]),
            )
        )
        found.update((row.subscriber_id, _status_row(row)) for row in rows)
    return found


def for_subscriber(connection: Connection, subscriber_id: int) -> list[StatusRow]:
    table = subscription_statuses
    rows = connection.execute(select(table).where(table.c.subscriber_id == subscriber_id))
    return [_status_row(row) for row in rows]


def save(connection: Connection, rows: Sequence[StatusRow]) -> None:
    upsert(
        connection,
        subscription_statuses,
        [{**_values(row), "status": row.status.value} for row in rows],
        keys=("subscriber_id", "subscription_type_id"),
    )


def load_wide(connection: Connection, subscriber_ids: Iterable[int]) -> list[WideRow]:
    """Every wide row (set or cleared) of the given subscribers."""
    ids = sorted(set(subscriber_ids))
    found: list[WideRow] = []
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(wide_statuses).where(wide_statuses.c.subscriber_id.in_(ids[start : start + 500]))
        )
        found.extend(
            WideRow(
                row.subscriber_id,
                WideType(row.wide_type),
                row.business_unit_id,
                row.opted_out,
                Source(row.source),
                row.occurred_at,
                row.ledger_id,
            )
            for row in rows
        )
    return found


def save_wide(connection: Connection, rows: Sequence[WideRow]) -> None:
    upsert(
        connection,
        wide_statuses,
        [_values(row) for row in rows],
        keys=("subscriber_id", "wide_type", "business_unit_id"),
    )


def in_subscriber_range(
    connection: Connection, first: int, last: int
) -> tuple[list[StatusRow], list[WideRow]]:
    """Every stored status and wide row of subscribers first..last (inclusive)."""
    between = subscription_statuses.c.subscriber_id.between(first, last)
    rows = [
        _status_row(row) for row in connection.execute(select(subscription_statuses).where(between))
    ]
    wide = [
        WideRow(
            row.subscriber_id,
            WideType(row.wide_type),
            row.business_unit_id,
            row.opted_out,
            Source(row.source),
            row.occurred_at,
            row.ledger_id,
        )
        for row in connection.execute(
            select(wide_statuses).where(wide_statuses.c.subscriber_id.between(first, last))
        )
    ]
    return rows, wide


def last_subscriber_id(connection: Connection) -> int:
    """The highest subscriber id: every stored row and ledger entry names one at or below it."""
    return int(
        connection.execute(select(func.coalesce(func.max(subscribers.c.id), 0))).scalar_one()
    )
