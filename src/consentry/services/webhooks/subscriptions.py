"""Webhook subscriptions: create, read, change, pause, delete; their delivery log; redeliver.

A new subscription starts at the event log's end: it gets the events that happen after it is
made, never the history (the history is in the ledger and the exports).
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from consentry.domain import NotFound
from consentry.domain.webhooks import (
    Attempt,
    Delivery,
    Subscription,
    parse_event_types,
    parse_secret,
    parse_url,
)
from consentry.services.events import end_position
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.webhooks import fanout
from consentry.services.writing import utcnow
from consentry.storage import webhook_deliveries as deliveries
from consentry.storage import webhooks as stored


@dataclass(frozen=True)
class DeliveryPage:
    deliveries: list[Delivery]
    attempts: dict[int, list[Attempt]]  # by delivery id, oldest first
    next_before: int | None  # pass as `before` for the next (older) page


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def create_subscription(
    engine: Engine,
    *,
    url: str,
    event_types: Iterable[str],
    created_by: str,
    secret: str | None = None,
    active: bool = True,
    description: str = "",
) -> Subscription:
    """Add a subscription; its secret (generated unless given) is in the answer."""
    checked_url = parse_url(url)
    types = parse_event_types(event_types)
    key = parse_secret(secret) if secret else new_secret()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        subscription_id = stored.add(
            uow.connection,
            url=checked_url,
            event_types=types,
            secret=key,
            active=active,
            description=description.strip()[:200],
            start_row=end_position(uow.connection).row,
            created_by=created_by,
            now=utcnow(),
        )
        created = stored.get(uow.connection, subscription_id)
        uow.commit()
    assert created is not None
    return created


def list_subscriptions(engine: Engine) -> list[Subscription]:
    with UnitOfWork(engine) as uow:
        return stored.listing(uow.connection)


def get_subscription(engine: Engine, subscription_id: int) -> Subscription:
    with UnitOfWork(engine) as uow:
        found = stored.get(uow.connection, subscription_id)
    if found is None:
        raise NotFound(f"No webhook subscription {subscription_id}.", field="id")
    return found


def update_subscription(
    engine: Engine,
    subscription_id: int,
    *,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    active: bool | None = None,
    description: str | None = None,
) -> Subscription:
    """Change what is named; the rest stays. Pausing stops sending (queued deliveries wait)
    and fanning out (events while paused are not queued for it). A change of state or of
    event types applies to the events after it: those before are queued under the old ones."""
    values: dict[str, object] = {}
    if url is not None:
        values["url"] = parse_url(url)
    if event_types is not None:
        values["event_types"] = parse_event_types(event_types)
    if active is not None:
        values["active"] = active
    if description is not None:
        values["description"] = description.strip()[:200]
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        current = stored.get(uow.connection, subscription_id)
        if current is None:
            raise NotFound(f"No webhook subscription {subscription_id}.", field="id")
        if (
            values.get("active", current.active) != current.active
            or values.get("event_types", current.event_types) != current.event_types
        ):
            fanout.catch_up(uow.connection)
        if values:
            stored.change(uow.connection, subscription_id, utcnow(), **values)
        changed = stored.get(uow.connection, subscription_id)
        uow.commit()
    assert changed is not None
    return changed


def delete_subscription(engine: Engine, subscription_id: int) -> None:
    """Remove a subscription with its queued deliveries and their log."""
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        if not stored.remove(uow.connection, subscription_id):
            raise NotFound(f"No webhook subscription {subscription_id}.", field="id")
        uow.commit()


def list_deliveries(
    engine: Engine, subscription_id: int, *, before: int | None = None, limit: int = 50
) -> DeliveryPage:
    """A subscription's deliveries, newest first, each with its attempts."""
    with UnitOfWork(engine) as uow:
        if stored.get(uow.connection, subscription_id) is None:
            raise NotFound(f"No webhook subscription {subscription_id}.", field="id")
        found = deliveries.page(uow.connection, subscription_id, before=before, limit=limit + 1)
        shown = found[:limit]
        attempts: dict[int, list[Attempt]] = {item.id: [] for item in shown}
        for attempt in deliveries.attempts_of(uow.connection, list(attempts)):
            attempts[attempt.delivery_id].append(attempt)
    return DeliveryPage(
        deliveries=shown,
        attempts=attempts,
        next_before=shown[-1].id if len(found) > limit else None,
    )


def get_delivery(
    engine: Engine, subscription_id: int, delivery_id: int
) -> tuple[Delivery, list[Attempt]]:
    """One delivery of a subscription, with its attempts (oldest first)."""
    with UnitOfWork(engine) as uow:
        found = deliveries.get(uow.connection, delivery_id)
        if found is None or found.subscription_id != subscription_id:
            raise _no_delivery(subscription_id, delivery_id)
        return found, deliveries.attempts_of(uow.connection, [delivery_id])


def _no_delivery(subscription_id: int, delivery_id: int) -> NotFound:
    return NotFound(
        f"No delivery {delivery_id} of webhook subscription {subscription_id}.",
        field="deliveryId",
    )


def redeliver(engine: Engine, subscription_id: int, delivery_id: int) -> Delivery:
    """Queue a delivery to be sent again now (delivered or given up alike). It goes out
    before the subscription's newer pending deliveries: it is the oldest."""
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        found = deliveries.get(uow.connection, delivery_id)
        if found is None or found.subscription_id != subscription_id:
            raise _no_delivery(subscription_id, delivery_id)
        deliveries.requeue(uow.connection, delivery_id, utcnow())
        requeued = deliveries.get(uow.connection, delivery_id)
        uow.commit()
    assert requeued is not None
    return requeued
