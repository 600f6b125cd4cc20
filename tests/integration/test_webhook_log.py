"""The delivery log the admin pages read: counts by state for every subscription at once, a
page of one subscription's deliveries filtered by state and paged, and a rotated secret that
signs every later request. Against a real receiver, on SQLite and PostgreSQL."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from consentry.domain import NotFound
from consentry.domain.webhooks import DeliveryState, RetryPolicy, verify
from consentry.services import contacts, webhooks
from consentry.services.webhooks import log
from consentry.services.webhooks.log import DeliveryCounts
from consentry.services.webhooks.rotation import rotate_secret
from tests.e2e.webhook_receiver import receiving

GIVE_UP = RetryPolicy(base=timedelta(0), give_up_after=timedelta(0))


def _deliver(engine: Engine, policy: RetryPolicy = GIVE_UP) -> None:
    sender = webhooks.Sender(engine=engine, worker="test", timeout=5, policy=policy)
    webhooks.fan_out(engine)
    for _ in range(20):
        if webhooks.deliver_due(sender) == 0:
            return


def test_counts_by_state_for_every_subscription_and_a_filtered_page(engine: Engine) -> None:
    # Every other request fails; failures are given up at once (FAILED).
    with receiving(lambda n: 500 if n % 2 else 200) as receiver:
        busy = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        quiet = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["import.completed"], created_by="test"
        )
        for n in range(5):
            contacts.create(engine, {"email": f"c{n}@example.com"})
        _deliver(engine)
    everything = log.counts(engine)
    assert everything[busy.id] == DeliveryCounts(pending=0, failed=2, delivered=3)
    assert quiet.id not in everything
    assert log.counts_of(engine, quiet.id) == DeliveryCounts()
    assert log.counts_of(engine, busy.id).total == 5

    failed = log.page(engine, busy.id, state=DeliveryState.FAILED)
    assert [d.state for d in failed.deliveries] == [DeliveryState.FAILED] * 2
    assert all(failed.attempts[d.id][0].status_code == 500 for d in failed.deliveries)
    assert failed.next_before is None

    first = log.page(engine, busy.id, state=DeliveryState.DELIVERED, limit=2)
    assert len(first.deliveries) == 2 and first.next_before == first.deliveries[-1].id
    rest = log.page(
        engine, busy.id, state=DeliveryState.DELIVERED, before=first.next_before, limit=2
    )
    assert len(rest.deliveries) == 1 and rest.next_before is None
    seen = [d.id for d in first.deliveries + rest.deliveries]
    assert seen == sorted(seen, reverse=True)  # newest first, no overlap
    with pytest.raises(NotFound):
        log.page(engine, 999)


def test_a_rotated_secret_signs_every_later_request(engine: Engine) -> None:
    with receiving() as receiver:
        sub = webhooks.create_subscription(
            engine, url=receiver.url, event_types=["contact.created"], created_by="test"
        )
        rotated = rotate_secret(engine, sub.id)
        contacts.create(engine, {"email": "after@example.com"})
        _deliver(engine)
        (request,) = receiver.delivered()
    assert rotated.secret != sub.secret and rotated.secret.startswith("whsec_")
    assert webhooks.get_subscription(engine, sub.id).secret == rotated.secret

    def signed_by(secret: str) -> bool:
        return verify(
            secret,
            request.headers["consentry-timestamp"],
            request.body,
            request.headers["consentry-signature"],
            now=int(time.time()),
        )

    assert signed_by(rotated.secret) and not signed_by(sub.secret)
    with pytest.raises(NotFound):
        rotate_secret(engine, 999)
