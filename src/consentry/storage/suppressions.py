"""Suppressions: deliverability facts per subscriber (bounce, complaint, quarantine, invalid)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain import Channel, SuppressionKind
from consentry.storage.tables import subscribers, suppressions
from consentry.storage.upsert import upsert


@dataclass(frozen=True)
class SuppressionRow:
    subscriber_id: int
    channel: Channel
    key: str
    address: str
    kind: SuppressionKind
    detail: str
    created_at: datetime
    ledger_id: int


def for_subscribers(
    connection: Connection, subscriber_ids: Iterable[int]
) -> dict[int, set[SuppressionKind]]:
    ids = sorted(set(subscriber_ids))
    found: dict[int, set[SuppressionKind]] = {}
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(suppressions.c.subscriber_id, suppressions.c.kind).where(
                suppressions.c.subscriber_id.in_(ids[start : start + 500])
            )
        )
        for row in rows:
            found.setdefault(row.subscriber_id, set()).add(SuppressionKind(row.kind))
    return found


def save(
    connection: Connection,
    subscriber_id: int,
    kind: SuppressionKind,
    detail: str,
    now: datetime,
    ledger_id: int,
) -> None:
    upsert(
        connection,
        suppressions,
        [
            {
                "subscriber_id": subscriber_id,
                "kind": kind.value,
                "detail": detail,
                "created_at": now,
                "ledger_id": ledger_id,
            }
        ],
        keys=("subscriber_id", "kind"),
    )


def delete(connection: Connection, subscriber_id: int, kind: SuppressionKind) -> bool:
    removed = connection.execute(
        suppressions.delete().where(
            suppressions.c.subscriber_id == subscriber_id, suppressions.c.kind == kind.value
        )
    )
    return removed.rowcount > 0


def page(
    connection: Connection,
    *,
    after: int = 0,
    limit: int = 100,
    channel: Channel | None = None,
    kind: SuppressionKind | None = None,
    subscriber_id: int | None = None,
) -> list[SuppressionRow]:
    """Suppressions in the order they were recorded (by ledger id), after a keyset cursor."""
    query = (
        select(suppressions, subscribers.c.channel, subscribers.c.key, subscribers.c.address)
        .join(subscribers, subscribers.c.id == suppressions.c.subscriber_id)
        .where(suppressions.c.ledger_id > after)
        .order_by(suppressions.c.ledger_id)
        .limit(limit)
    )
    if channel is not None:
        query = query.where(subscribers.c.channel == channel.value)
    if kind is not None:
        query = query.where(suppressions.c.kind == kind.value)
    if subscriber_id is not None:
        query = query.where(suppressions.c.subscriber_id == subscriber_id)
    return [
        SuppressionRow(
            row.subscriber_id,
            Channel(row.channel),
            row.key,
            row.address,
            SuppressionKind(row.kind),
            row.detail,
            row.created_at,
            row.ledger_id,
        )
        for row in connection.execute(query)
    ]
