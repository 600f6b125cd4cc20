"""The webhook outbox: one delivery per subscription and event, and the log of attempts."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from consentry.domain.webhooks import Attempt, Delivery, DeliveryState
from consentry.storage.upsert import insert_ignoring_conflicts
from consentry.storage.webhook_tables import webhook_attempts, webhook_deliveries

_table = webhook_deliveries
_PENDING = DeliveryState.PENDING.value


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=int(row.id),
        subscription_id=int(row.subscription_id),
        event_id=row.event_id,
        event_type=row.event_type,
        payload=dict(row.payload),
        state=DeliveryState(row.state),
        attempts=int(row.attempts),
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        last_latency_ms=row.last_latency_ms,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


def add(connection: Connection, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Queue deliveries (each: subscription_id, event_id, event_type, payload, position_row,
    position_entry); one already queued for the same subscription and event is kept as is."""
    insert_ignoring_conflicts(
        connection,
        _table,
        [
            {
                **row,
                "state": _PENDING,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
                "last_attempt_at": None,
                "last_status_code": None,
                "last_latency_ms": None,
                "last_error": None,
                "delivered_at": None,
            }
            for row in rows
        ],
    )


def oldest_pending(connection: Connection, subscription_id: int) -> Delivery | None:
    row = connection.execute(
        select(_table)
        .where(_table.c.subscription_id == subscription_id, _table.c.state == _PENDING)
        .order_by(_table.c.id)
        .limit(1)
    ).first()
    return _delivery(row) if row is not None else None


def get(connection: Connection, delivery_id: int) -> Delivery | None:
    row = connection.execute(select(_table).where(_table.c.id == delivery_id)).first()
    return _delivery(row) if row is not None else None


def page(
    connection: Connection,
    subscription_id: int,
    *,
    before: int | None,
    limit: int,
    state: DeliveryState | None = None,
) -> list[Delivery]:
    """A subscription's deliveries, newest first, older than `before` and in `state` when
    given (the index on subscription, state, id serves both)."""
    query = select(_table).where(_table.c.subscription_id == subscription_id)
    if state is not None:
        query = query.where(_table.c.state == state.value)
    if before is not None:
        query = query.where(_table.c.id < before)
    query = query.order_by(_table.c.id.desc()).limit(limit)
    return [_delivery(row) for row in connection.execute(query)]


def attempts_of(connection: Connection, delivery_ids: Sequence[int]) -> list[Attempt]:
    if not delivery_ids:
        return []
    table = webhook_attempts
    query = select(table).where(table.c.delivery_id.in_(list(delivery_ids))).order_by(table.c.id)
    return [
        Attempt(
            delivery_id=int(row.delivery_id),
            at=row.at,
            status_code=row.status_code,
            latency_ms=int(row.latency_ms),
            error=row.error,
        )
        for row in connection.execute(query)
    ]


def attempts_since(connection: Connection, delivery_id: int, since: datetime) -> int:
    """How many times the delivery was tried since `since` (its retry period's start)."""
    query = select(func.count()).where(
        webhook_attempts.c.delivery_id == delivery_id, webhook_attempts.c.at >= since
    )
    return int(connection.execute(query).scalar_one())


def record_attempt(
    connection: Connection,
    delivery: Delivery,
    *,
    worker: str,
    at: datetime,
    status_code: int | None,
    latency_ms: int,
    error: str | None,
    state: DeliveryState,
    next_attempt_at: datetime,
) -> None:
    """Log one attempt and move the delivery on. A delivery another worker has meanwhile
    delivered stays delivered (the attempt is logged all the same)."""
    connection.execute(
        insert(webhook_attempts).values(
            delivery_id=delivery.id,
            at=at,
            status_code=status_code,
            latency_ms=latency_ms,
            error=error,
            worker_id=worker,
        )
    )
    connection.execute(
        update(_table)
        .where(_table.c.id == delivery.id, _table.c.state == _PENDING)
        .values(
            state=state.value,
            attempts=_table.c.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_attempt_at=at,
            last_status_code=status_code,
            last_latency_ms=latency_ms,
            last_error=error,
            delivered_at=at if state == DeliveryState.DELIVERED else None,
        )
    )


def requeue(connection: Connection, delivery_id: int, now: datetime) -> None:
    """Send again (redeliver): pending from now, its retry period starting anew."""
    connection.execute(
        update(_table)
        .where(_table.c.id == delivery_id)
        .values(state=_PENDING, next_attempt_at=now, created_at=now, delivered_at=None)
    )


def pending_count(connection: Connection) -> int:
    query = select(func.count()).where(_table.c.state == _PENDING)
    return int(connection.execute(query).scalar_one())


def failed_attempt_count(connection: Connection) -> int:
    table = webhook_attempts
    query = select(func.count()).where(
        (table.c.status_code.is_(None)) | (table.c.status_code < 200) | (table.c.status_code >= 300)
    )
    return int(connection.execute(query).scalar_one())


def counts_by_state(connection: Connection, subscription_id: int) -> dict[str, int]:
    query = (
        select(_table.c.state, func.count())
        .where(_table.c.subscription_id == subscription_id)
        .group_by(_table.c.state)
    )
    return {state: int(count) for state, count in connection.execute(query)}


def counts_by_subscription(connection: Connection) -> dict[int, dict[str, int]]:
    """Every subscription's deliveries by state, in one query (for the list of webhooks)."""
    query = select(_table.c.subscription_id, _table.c.state, func.count()).group_by(
        _table.c.subscription_id, _table.c.state
    )
    counts: dict[int, dict[str, int]] = {}
    for subscription_id, state, count in connection.execute(query):
        counts.setdefault(int(subscription_id), {})[state] = int(count)
    return counts
