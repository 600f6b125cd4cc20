"""The delivery log as the admin pages read it: every subscription's deliveries counted by
state (one query for the whole list), and one subscription's deliveries a page at a time,
optionally in one state, each with its attempts."""

from dataclasses import dataclass

from sqlalchemy import Engine

from consentry.domain import NotFound
from consentry.domain.webhooks import Attempt, DeliveryState
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.webhooks.subscriptions import DeliveryPage
from consentry.storage import webhook_deliveries as deliveries
from consentry.storage import webhooks as stored


@dataclass(frozen=True)
class DeliveryCounts:
    pending: int = 0
    failed: int = 0
    delivered: int = 0

    @classmethod
    def of(cls, by_state: dict[str, int]) -> "DeliveryCounts":
        return cls(
            pending=by_state.get(DeliveryState.PENDING.value, 0),
            failed=by_state.get(DeliveryState.FAILED.value, 0),
            delivered=by_state.get(DeliveryState.DELIVERED.value, 0),
        )

    @property
    def total(self) -> int:
        return self.pending + self.failed + self.delivered


def counts(engine: Engine) -> dict[int, DeliveryCounts]:
    """Each subscription's deliveries by state, by subscription id (absent: none yet)."""
    with UnitOfWork(engine) as uow:
        found = deliveries.counts_by_subscription(uow.connection)
    return {
        subscription_id: DeliveryCounts.of(by_state) for subscription_id, by_state in found.items()
    }


def counts_of(engine: Engine, subscription_id: int) -> DeliveryCounts:
    with UnitOfWork(engine) as uow:
        return DeliveryCounts.of(deliveries.counts_by_state(uow.connection, subscription_id))


def page(
    engine: Engine,
    subscription_id: int,
    *,
    state: DeliveryState | None = None,
    before: int | None = None,
    limit: int = 50,
) -> DeliveryPage:
    """A subscription's deliveries, newest first, in `state` when given, each with its
    attempts (oldest first); `next_before` leads to the older page."""
    with UnitOfWork(engine) as uow:
        if stored.get(uow.connection, subscription_id) is None:
            raise NotFound(f"No webhook subscription {subscription_id}.", field="id")
        found = deliveries.page(
            uow.connection, subscription_id, before=before, limit=limit + 1, state=state
        )
        shown = found[:limit]
        attempts: dict[int, list[Attempt]] = {item.id: [] for item in shown}
        for attempt in deliveries.attempts_of(uow.connection, list(attempts)):
            attempts[attempt.delivery_id].append(attempt)
    return DeliveryPage(
        deliveries=shown,
        attempts=attempts,
        next_before=shown[-1].id if len(found) > limit else None,
    )
