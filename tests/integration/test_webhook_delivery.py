"""Webhook fan-out and delivery against a real receiving server: each event is queued once per
subscription that wants it, sent signed and in order, retried after a failure, and given up
after the retry period; a receiver that hangs holds up neither the worker nor other
subscriptions."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update

from consentry import services
from consentry.domain import Status
from consentry.domain.events import Position
from consentry.domain.webhooks import DeliveryState, RetryPolicy, verify
from consentry.services import contacts, webhooks
from consentry.services.events import end_position
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.webhooks import fanout
from consentry.services.writing import utcnow
from consentry.storage import events as stored_events
from consentry.storage import webhooks as stored
from consentry.storage.event_tables import event_cursors
from consentry.storage.webhook_tables import webhook_deliveries, webhook_subscriptions
from tests.e2e.webhook_receiver import receiving
from tests.integration.helpers import change

QUICK = RetryPolicy.scaled(0.01)


def _sender(engine: Engine, policy: RetryPolicy = QUICK) -> webhooks.Sender:
    return webhooks.Sender(engine=engine, worker="test", timeout=5, policy=policy)


def _run(engine: Engine, sender: webhooks.Sender, rounds: int = 50) -> None:
    """Fan out and deliver until nothing is left to do (bounded)."""
    for _ in range(rounds):
        webhooks.fan_out(engine)
        if (
            webhooks.deliver_due(sender) == 0
            and webhooks.outbox_stats(engine)["pending_deliveries"] == 0
        ):
            return
        time.sleep(0.02)


def test_events_arrive_signed_in_order_and_only_those_after_creation(engine: Engine) -> None:
    contacts.create(engine, {"email": "before@example.com"})
    with receiving() as receiver:
        sub = webhooks.create_subscription(
            engine,
            url=receiver.url,
            event_types=["contact.created", "subscription.status_changed"],
            created_by="test",
        )
        contacts.create(engine, {"email": "ada@example.com"})
        services.set_statuses(
            engine,
            [
                change("ada@example.com", Status.SUBSCRIBED),
                change("bob@example.com", Status.UNSUBSCRIBED),
            ],
        )
        contacts.update(engine, "1", {"firstname": "Not wanted"})  # contact.updated: not asked
        _run(engine, _sender(engine))
        got = receiver.delivered()
    events = [r.event for r in got]
    assert [e["type"] for e in events] == [
        "contact.created",
        "subscription.status_changed",
        "subscription.status_changed",
    ]
    assert [e["data"].get("address") for e in events[1:]] == ["ada@example.com", "bob@example.com"]
    # A status event names the address's live contact when there is one (ada; bob has none).
    ada = contacts.get(engine, "ada@example.com", id_property="email")
    assert [e["contactId"] for e in events] == [int(ada.id), int(ada.id), None]
    for request in got:
        assert request.headers["consentry-event-id"] == request.event["id"]
        assert verify(
            sub.secret,
            request.headers["consentry-timestamp"],
            request.body,
            request.headers["consentry-signature"],
            now=int(time.time()),
        )
    page = webhooks.list_deliveries(engine, sub.id)
    assert [d.state for d in page.deliveries] == [DeliveryState.DELIVERED] * 3
    assert all(len(page.attempts[d.id]) == 1 for d in page.deliveries)
    assert webhooks.outbox_stats(engine) == {"pending_deliveries": 0, "failed_attempts": 0}


def test_a_failure_is_retried_and_holds_back_the_later_events_of_that_subscription(
    engine: Engine,
) -> None:
    with receiving(lambda n: 500 if n < 3 else 200) as receiver:
        webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        for n in range(4):
            contacts.create(engine, {"email": f"c{n}@example.com"})
        _run(engine, _sender(engine))
        every = receiver.all()
    ids = [r.event["id"] for r in every]
    first = ids[0]
    assert ids[:4] == [first] * 4  # three 500s, then its success; nothing newer meanwhile
    delivered = [r.event["id"] for r in every if r.headers["x-answered"] == "200"]
    assert len(delivered) == len(set(delivered)) == 4
    assert webhooks.outbox_stats(engine)["failed_attempts"] == 3


def test_a_delivery_past_its_retry_period_is_given_up_and_the_next_one_goes(
    engine: Engine,
) -> None:
    with receiving(lambda n: 503 if n == 0 else 200) as receiver:
        sub = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        contacts.create(engine, {"email": "a@example.com"})
        contacts.create(engine, {"email": "b@example.com"})
        policy = RetryPolicy(base=timedelta(0), give_up_after=timedelta(0))
        _run(engine, _sender(engine, policy))
        page = webhooks.list_deliveries(engine, sub.id)
        assert [d.state for d in page.deliveries] == [DeliveryState.DELIVERED, DeliveryState.FAILED]
        given_up = page.deliveries[1]
        assert given_up.last_status_code == 503
        webhooks.redeliver(engine, sub.id, given_up.id)
        _run(engine, _sender(engine))
        assert webhooks.get_subscription(engine, sub.id).active
        page = webhooks.list_deliveries(engine, sub.id)
        assert [d.state for d in page.deliveries] == [DeliveryState.DELIVERED] * 2
        assert len(page.attempts[given_up.id]) == 2
        assert len(receiver.all()) == 3


def test_a_redelivery_starts_its_backoff_again_from_the_shortest_wait(engine: Engine) -> None:
    base = timedelta(seconds=60)
    with receiving(lambda n: 500) as receiver:
        sub = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        contacts.create(engine, {"email": "a@example.com"})
        webhooks.fan_out(engine)
        sender = _sender(engine, RetryPolicy(base=base))
        for _ in range(4):  # four failures: the next wait has grown to 8 × base
            with UnitOfWork(engine, write=True) as uow:
                uow.connection.execute(update(webhook_deliveries).values(next_attempt_at=utcnow()))
                uow.commit()
            webhooks.deliver_due(sender)
        (failing,) = webhooks.list_deliveries(engine, sub.id).deliveries
        assert failing.attempts == 4
        assert failing.next_attempt_at - failing.last_attempt_at >= base * 4
        webhooks.redeliver(engine, sub.id, failing.id)
        webhooks.deliver_due(sender)
    (again,) = webhooks.list_deliveries(engine, sub.id).deliveries
    assert again.attempts == 5 and again.state == DeliveryState.PENDING
    assert again.next_attempt_at - again.last_attempt_at < base  # the first wait, jittered


def test_a_paused_subscription_gets_nothing_until_resumed(engine: Engine) -> None:
    with receiving() as receiver:
        sub = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        contacts.create(engine, {"email": "a@example.com"})
        webhooks.fan_out(engine)
        webhooks.update_subscription(engine, sub.id, active=False)
        contacts.create(engine, {"email": "b@example.com"})  # while paused: not queued
        _run(engine, _sender(engine), rounds=3)
        assert receiver.all() == []
        assert webhooks.outbox_stats(engine)["pending_deliveries"] == 1
        webhooks.update_subscription(engine, sub.id, active=True)
        _run(engine, _sender(engine))
        assert [r.event["data"]["properties"]["email"] for r in receiver.delivered()] == [
            "a@example.com"
        ]


def test_a_lease_held_by_another_worker_is_respected_until_it_runs_out(engine: Engine) -> None:
    with receiving() as receiver:
        sub = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        contacts.create(engine, {"email": "a@example.com"})
        webhooks.fan_out(engine)
        with UnitOfWork(engine, write=True, ledger=False) as uow:
            taken = stored.lease_due(uow.connection, "other", utcnow(), timedelta(hours=1), 5)
            uow.commit()
        assert [s.id for s in taken] == [sub.id]
        assert webhooks.deliver_due(_sender(engine)) == 0  # the other worker is sending it
        with engine.begin() as connection:  # … and died: its lease runs out
            connection.execute(
                update(webhook_subscriptions).values(lease_until=utcnow() - timedelta(seconds=1))
            )
        _run(engine, _sender(engine))
        assert len(receiver.delivered()) == 1


def _until(condition: Callable[[], bool], what: str, pump: Callable[[], int]) -> None:
    """Pump until `condition` holds; a deadline only guards against a hang."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        pump()
        time.sleep(0.02)


def test_a_receiver_that_hangs_holds_up_neither_the_worker_nor_other_subscriptions(
    engine: Engine,
) -> None:
    gate = threading.Event()
    with receiving(gate=gate) as stuck, receiving() as healthy:
        hanging = webhooks.create_subscription(
            engine, url=stuck.url, event_types=["contact.created"], created_by="test"
        )
        webhooks.create_subscription(
            engine, url=healthy.url, event_types=["contact.created"], created_by="test"
        )
        # A timeout far longer than the test: the stuck request is still open at the end.
        dispatcher = webhooks.Dispatcher(
            webhooks.Sender(engine=engine, worker="test", timeout=60, policy=QUICK)
        )

        def pump() -> int:
            webhooks.fan_out(engine)
            return dispatcher.pump()

        contacts.create(engine, {"email": "first@example.com"})
        _until(lambda: len(stuck.all()) == 1 and len(healthy.all()) == 1, "the first", pump)
        for n in range(3):  # made while the stuck receiver still holds its first request
            contacts.create(engine, {"email": f"later{n}@example.com"})
        _until(lambda: len(healthy.delivered()) == 4, "the later events", pump)

        # Every event reached the healthy receiver while the stuck one's first request is
        # still unanswered: its attempt is not even recorded, and nothing newer went to it.
        assert len(stuck.all()) == 1
        page = webhooks.list_deliveries(engine, hanging.id)
        assert [d.state for d in page.deliveries] == [DeliveryState.PENDING] * 4
        assert [d.attempts for d in page.deliveries] == [0] * 4

        gate.set()  # it answers at last: the rest follow, in order
        _until(lambda: len(stuck.all()) == 4, "the stuck receiver's backlog", pump)
    emails = [r.event["data"]["properties"]["email"] for r in stuck.all()]
    assert emails == [
        "first@example.com",
        "later0@example.com",
        "later1@example.com",
        "later2@example.com",
    ]


def test_pausing_applies_from_the_moment_it_is_done_even_while_fan_out_lags_behind(
    engine: Engine,
) -> None:
    with receiving() as receiver:
        sub = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        # No worker runs meanwhile: nothing is fanned out until the end.
        contacts.create(engine, {"email": "before.pause@example.com"})
        webhooks.update_subscription(engine, sub.id, active=False)
        contacts.create(engine, {"email": "while.paused@example.com"})
        webhooks.update_subscription(engine, sub.id, active=True)
        contacts.create(engine, {"email": "after.resume@example.com"})
        webhooks.update_subscription(engine, sub.id, event_types=["contact.updated"])
        contacts.create(engine, {"email": "no.longer.wanted@example.com"})
        _run(engine, _sender(engine))
        emails = [r.event["data"]["properties"]["email"] for r in receiver.delivered()]
    assert emails == ["before.pause@example.com", "after.resume@example.com"]


def _webhook_cursor(engine: Engine) -> Position:
    with UnitOfWork(engine) as uow:
        row = uow.connection.execute(
            select(event_cursors).where(event_cursors.c.consumer == fanout.CONSUMER)
        ).one()
    return Position(int(row.event_row), int(row.ledger_entry))


def test_with_no_active_subscription_fan_out_skips_the_log_unread_and_a_resumed_one_still_hears(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiving() as receiver:
        sub = webhooks.create_subscription(
            engine,
            url=receiver.url,
            event_types=["contact.created", "subscription.status_changed"],
            created_by="test",
        )
        webhooks.update_subscription(engine, sub.id, active=False)
        contacts.create(engine, {"email": "while.paused@example.com"})
        services.set_status(engine, change("paused@example.com", Status.SUBSCRIBED))

        def unread(*_: object) -> None:
            raise AssertionError("the event log was read with no subscription active")

        with monkeypatch.context() as patched:
            patched.setattr(stored_events, "rows_after", unread)
            assert webhooks.fan_out(engine) == 0
            with UnitOfWork(engine) as uow:
                end = end_position(uow.connection)
            assert _webhook_cursor(engine) == end
            assert webhooks.fan_out(engine) == 0
        assert webhooks.outbox_stats(engine)["pending_deliveries"] == 0

        webhooks.update_subscription(engine, sub.id, active=True)
        contacts.create(engine, {"email": "after.resume@example.com"})
        _run(engine, _sender(engine))
        got = [r.event for r in receiver.delivered()]
    assert [(e["type"], e["data"]["properties"]["email"]) for e in got] == [
        ("contact.created", "after.resume@example.com")
    ]
