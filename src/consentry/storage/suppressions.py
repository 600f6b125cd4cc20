"""Suppressions: deliverability facts per subscriber (bounce, complaint, quarantine, invalid)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain import SuppressionKind
from consentry.storage.tables import suppressions
from consentry.storage.upsert import upsert


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
