"""Webhook subscriptions: their rows, and the lease that lets one worker at a time send a
subscription's deliveries (which keeps them in order)."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from consentry.domain.events import EventType
from consentry.domain.webhooks import Subscription
from consentry.storage.webhook_tables import (
    DeliveryStateValue,
    webhook_deliveries,
    webhook_subscriptions,
)

_table = webhook_subscriptions


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=int(row.id),
        url=row.url,
        event_types=tuple(EventType(value) for value in row.event_types),
        secret=row.secret,
        active=bool(row.active),
        description=row.description,
        start_row=int(row.start_row),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
    )


def add(
    connection: Connection,
    *,
    url: str,
    event_types: tuple[EventType, ...],
    secret: str,
    active: bool,
    description: str,
    start_row: int,
    created_by: str,
    now: datetime,
) -> int:
    result = connection.execute(
        insert(_table).values(
            url=url,
            event_types=[member.value for member in event_types],
            secret=secret,
            active=active,
            description=description,
            start_row=start_row,
            created_at=now,
            created_by=created_by,
            updated_at=now,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def get(connection: Connection, subscription_id: int) -> Subscription | None:
    row = connection.execute(select(_table).where(_table.c.id == subscription_id)).first()
    return _subscription(row) if row is not None else None


def listing(connection: Connection, *, active_only: bool = False) -> list[Subscription]:
    query = select(_table).order_by(_table.c.id)
    if active_only:
        query = query.where(_table.c.active.is_(True))
    return [_subscription(row) for row in connection.execute(query)]


def change(connection: Connection, subscription_id: int, now: datetime, **values: Any) -> None:
    if "event_types" in values:
        values["event_types"] = [member.value for member in values["event_types"]]
    connection.execute(
        update(_table).where(_table.c.id == subscription_id).values(updated_at=now, **values)
    )


def remove(connection: Connection, subscription_id: int) -> bool:
    result = connection.execute(delete(_table).where(_table.c.id == subscription_id))
    return result.rowcount == 1


# --- leases ---------------------------------------------------------------------------------


def _oldest_pending_at() -> Any:
    """When the subscription's oldest pending delivery is due (a newer one never goes ahead
    of an older one waiting for its retry)."""
    return (
        select(webhook_deliveries.c.next_attempt_at)
        .where(
            webhook_deliveries.c.subscription_id == _table.c.id,
            webhook_deliveries.c.state == DeliveryStateValue.PENDING.value,
        )
        .order_by(webhook_deliveries.c.id)
        .limit(1)
        .correlate(_table)
        .scalar_subquery()
    )


def _oldest_pending_due(now: datetime) -> Any:
    return _oldest_pending_at() <= now


def _free(now: datetime) -> Any:
    return or_(_table.c.lease_until.is_(None), _table.c.lease_until < now)


def any_due(connection: Connection, now: datetime) -> bool:
    query = (
        select(_table.c.id)
        .where(_table.c.active.is_(True), _free(now), _oldest_pending_due(now))
        .limit(1)
    )
    return connection.execute(query).first() is not None


def lease_due(
    connection: Connection, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[Subscription]:
    """Take up to `limit` subscriptions with a due delivery for `worker` until `now + lease`;
    other workers skip them (and rows another transaction holds, on PostgreSQL)."""
    rows = connection.execute(
        select(_table)
        .where(_table.c.active.is_(True), _free(now), _oldest_pending_due(now))
        # The longest waiting first: with more subscriptions due than threads free, low ids
        # (or receivers that keep failing) do not always go first.
        .order_by(_oldest_pending_at(), _table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    taken: list[Subscription] = []
    for row in rows:
        result = connection.execute(
            update(_table)
            .where(_table.c.id == row.id, _free(now))
            .values(lease_owner=worker, lease_until=now + lease)
        )
        if result.rowcount == 1:
            taken.append(_subscription(row))
    return taken


def renew_lease(
    connection: Connection, subscription_id: int, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Extend `worker`'s lease; False when it has lost it (it ran out and another took it)
    or the subscription was paused or deleted meanwhile."""
    result = connection.execute(
        update(_table)
        .where(
            and_(
                _table.c.id == subscription_id,
                _table.c.lease_owner == worker,
                _table.c.active.is_(True),
            )
        )
        .values(lease_until=now + lease)
    )
    return result.rowcount == 1


def release_lease(connection: Connection, subscription_id: int, worker: str) -> None:
    connection.execute(
        update(_table)
        .where(_table.c.id == subscription_id, _table.c.lease_owner == worker)
        .values(lease_owner=None, lease_until=None)
    )
