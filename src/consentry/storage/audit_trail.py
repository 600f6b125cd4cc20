"""The whole ledger, newest first, filtered for the Audit page (keyset-paged by entry id)."""

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain import LedgerEntry
from consentry.storage.tables import ledger

_FIELDS = tuple(f.name for f in fields(LedgerEntry))


@dataclass(frozen=True)
class AuditFilter:
    subscriber_key: str | None = None
    subscription_type_id: int | None = None
    source: str | None = None
    actor_kind: str | None = None
    actor_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def page(
    connection: Connection, where: AuditFilter, *, before: int | None, limit: int
) -> list[LedgerEntry]:
    query = select(ledger)
    conditions = [
        (where.subscriber_key, ledger.c.subscriber_key),
        (where.subscription_type_id, ledger.c.subscription_type_id),
        (where.source, ledger.c.source),
        (where.actor_kind, ledger.c.actor_kind),
        (where.actor_id, ledger.c.actor_id),
    ]
    for value, column in conditions:
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(ledger.c.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(ledger.c.occurred_at < where.until)
    if before is not None:
        query = query.where(ledger.c.id < before)
    rows = connection.execute(query.order_by(ledger.c.id.desc()).limit(limit))
    return [LedgerEntry(**{name: row._mapping[name] for name in _FIELDS}) for row in rows]
