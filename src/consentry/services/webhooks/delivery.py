"""Delivery: send each subscription's queued deliveries, oldest first, signed, with retries.

A worker leases a few subscriptions whose oldest pending delivery is due (the lease is
committed before any request, so no database lock is held while a receiver thinks) and sends
each one's deliveries in a thread of its own, stopping at the first failure: that delivery
waits for its retry and nothing newer of the same subscription goes ahead of it. The worker's
pump (`Dispatcher`) never waits for those threads, so a slow or failing receiver costs its
own subscription time, not the other subscriptions (nor the worker's other pumps).

Each attempt and its result are recorded in one transaction after the request: a worker that
dies mid-request leaves the delivery pending, and once its lease runs out another worker sends
it again (at least once; receivers de-duplicate by the event id).
"""

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine

from consentry.domain.webhooks import (
    Delivery,
    DeliveryState,
    RetryPolicy,
    Subscription,
    body_bytes,
    headers,
    short_error,
    succeeded,
)
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import webhook_deliveries as deliveries
from consentry.storage import webhooks as stored

log = logging.getLogger("consentry.webhooks")


@dataclass(frozen=True)
class Sender:
    """What one worker needs to send: who it is, how long a request may take, the retry rule."""

    engine: Engine
    worker: str
    timeout: float = 10.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    subscriptions_per_round: int = 8
    # A subscription's thread lets go after this many, so others waiting for a thread get one.
    deliveries_per_subscription: int = 100
    transport: httpx.BaseTransport | None = None

    @property
    def lease(self) -> timedelta:
        # Renewed before every request, so it need only outlast one: httpx applies `timeout`
        # to connecting and to reading each, hence twice the timeout, and a margin.
        return timedelta(seconds=2 * self.timeout + 5)


@dataclass(frozen=True)
class Result:
    status_code: int | None  # None: no answer (timeout, refused connection)
    latency_ms: int
    error: str | None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def post(
    client: httpx.Client, url: str, secret: str, event_id: str, body: dict[str, Any]
) -> Result:
    """Send one signed request; any answer or failure becomes a `Result`, never an error."""
    content = body_bytes(body)
    request_headers = headers(secret, event_id, int(time.time()), content)
    started = time.monotonic()
    try:
        response = client.post(url, content=content, headers=request_headers)
    except httpx.HTTPError as error:
        latency = int((time.monotonic() - started) * 1000)
        return Result(None, latency, f"{type(error).__name__}: {error}"[:500])
    latency = int((time.monotonic() - started) * 1000)
    text = "" if succeeded(response.status_code) else response.text
    return Result(response.status_code, latency, short_error(response.status_code, None, text))


def _post(client: httpx.Client, subscription: Subscription, delivery: Delivery) -> Result:
    return post(client, subscription.url, subscription.secret, delivery.event_id, delivery.payload)


def _record(sender: Sender, delivery: Delivery, result: Result) -> bool:
    now = utcnow()
    with UnitOfWork(sender.engine, write=True, ledger=False) as uow:
        if deliveries.get(uow.connection, delivery.id) is None:
            return False  # its subscription was deleted meanwhile
        if succeeded(result.status_code):
            state, next_at = DeliveryState.DELIVERED, now
        else:
            # The backoff counts the tries since the retry period began: a redelivery starts
            # again from the short waits, though its attempt count keeps the whole story.
            tries = deliveries.attempts_since(uow.connection, delivery.id, delivery.created_at)
            retry = sender.policy.next_attempt(tries + 1, delivery.created_at, now, random.random())
            state, next_at = (
                (DeliveryState.PENDING, retry) if retry else (DeliveryState.FAILED, now)
            )
        deliveries.record_attempt(
            uow.connection,
            delivery,
            worker=sender.worker,
            at=now,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error,
            state=state,
            next_attempt_at=next_at,
        )
        uow.commit()
    if state != DeliveryState.DELIVERED:
        log.warning(
            "webhook %s delivery %s (%s) failed: %s%s",
            delivery.subscription_id,
            delivery.id,
            delivery.event_id,
            result.error,
            "; given up" if state == DeliveryState.FAILED else "",
        )
    return state == DeliveryState.DELIVERED


def _next(sender: Sender, subscription: Subscription) -> Delivery | None:
    """Renew the lease and take the subscription's oldest pending delivery if it is due."""
    now = utcnow()
    with UnitOfWork(sender.engine, write=True, ledger=False) as uow:
        if not stored.renew_lease(
            uow.connection, subscription.id, sender.worker, now, sender.lease
        ):
            return None
        found = deliveries.oldest_pending(uow.connection, subscription.id)
        uow.commit()
    if found is None or found.next_attempt_at > now:
        return None
    return found


def _send_subscription(sender: Sender, client: httpx.Client, subscription: Subscription) -> int:
    tried = 0
    try:
        while tried < sender.deliveries_per_subscription:
            delivery = _next(sender, subscription)
            if delivery is None:
                break
            tried += 1
            if not _record(sender, delivery, _post(client, subscription, delivery)):
                break
    finally:
        with UnitOfWork(sender.engine, write=True, ledger=False) as uow:
            stored.release_lease(uow.connection, subscription.id, sender.worker)
            uow.commit()
    return tried


def _lease(sender: Sender, limit: int) -> list[Subscription]:
    """Take up to `limit` subscriptions whose oldest pending delivery is due."""
    now = utcnow()
    with UnitOfWork(sender.engine) as uow:
        if not stored.any_due(uow.connection, now):
            return []  # the common idle case: a read, no write lock
    with UnitOfWork(sender.engine, write=True, ledger=False) as uow:
        leased = stored.lease_due(uow.connection, sender.worker, now, sender.lease, limit)
        uow.commit()
    return leased


def http_client(timeout: float, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The HTTP client requests go out with: no redirects followed (a receiver's URL is what
    was registered, and a redirect would carry the signed body elsewhere)."""
    limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    return httpx.Client(timeout=limits, transport=transport, follow_redirects=False)


def deliver_due(sender: Sender) -> int:
    """One round, waiting for every request it makes: answers how many were made (0: nothing
    was due). For scripts and tests; the worker uses a `Dispatcher`, which does not wait."""
    leased = _lease(sender, sender.subscriptions_per_round)
    if not leased:
        return 0
    with (
        http_client(sender.timeout, sender.transport) as client,
        ThreadPoolExecutor(max_workers=len(leased), thread_name_prefix="webhooks") as pool,
    ):
        counts = pool.map(lambda s: _send_subscription(sender, client, s), leased)
        return sum(counts)


class Dispatcher:
    """The worker's delivery pump. Each call collects the subscriptions whose sending has
    finished and hands newly due ones to free threads; it returns at once, however long a
    receiver takes to answer, so one that hangs until the timeout holds up only itself."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender
        self._client = http_client(sender.timeout, sender.transport)
        self._pool = ThreadPoolExecutor(
            max_workers=sender.subscriptions_per_round, thread_name_prefix="webhooks"
        )
        self._sending: set[Future[int]] = set()

    def pump(self) -> int:
        """Requests finished since the last call plus subscriptions just handed out (so the
        worker looks again soon); 0 when nothing moved."""
        handled = 0
        for future in [f for f in self._sending if f.done()]:
            self._sending.discard(future)
            try:
                handled += future.result()
            except Exception:  # the database went away mid-send: the lease runs out, retried
                log.exception("webhook sending failed")
        free = self._sender.subscriptions_per_round - len(self._sending)
        if free <= 0:
            return handled
        for subscription in _lease(self._sender, free):
            self._sending.add(
                self._pool.submit(_send_subscription, self._sender, self._client, subscription)
            )
            handled += 1
        return handled


def make_sender(engine: Engine, *, timeout: float, retry_base_seconds: float) -> Sender:
    return Sender(
        engine=engine,
        worker=worker_name(),
        timeout=timeout,
        policy=RetryPolicy.scaled(retry_base_seconds),
    )


def make_pump(sender: Sender) -> Callable[[], int]:
    return Dispatcher(sender).pump
