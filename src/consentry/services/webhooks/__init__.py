"""Outbound webhooks: subscriptions, the fan-out of the event log into a delivery outbox, and
the signed, retried delivery of that outbox (see `domain.webhooks` for the rules)."""

from sqlalchemy import Connection, Engine

from consentry.services.unit_of_work import UnitOfWork
from consentry.services.webhooks.delivery import (
    Dispatcher,
    Sender,
    deliver_due,
    make_pump,
    make_sender,
    worker_name,
)
from consentry.services.webhooks.fanout import fan_out, queue_deliveries
from consentry.services.webhooks.subscriptions import (
    DeliveryPage,
    create_subscription,
    delete_subscription,
    get_delivery,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    new_secret,
    redeliver,
    update_subscription,
)
from consentry.storage import webhook_deliveries


def outbox_stats(connection_or_engine: Connection | Engine) -> dict[str, int]:
    """The outbox's depth for metrics: deliveries waiting to be sent (first tries and retries)
    and attempts that failed, since the start."""
    if isinstance(connection_or_engine, Engine):
        with UnitOfWork(connection_or_engine) as uow:
            return outbox_stats(uow.connection)
    return {
        "pending_deliveries": webhook_deliveries.pending_count(connection_or_engine),
        "failed_attempts": webhook_deliveries.failed_attempt_count(connection_or_engine),
    }


__all__ = [
    "DeliveryPage",
    "Dispatcher",
    "Sender",
    "create_subscription",
    "delete_subscription",
    "deliver_due",
    "fan_out",
    "get_delivery",
    "get_subscription",
    "list_deliveries",
    "list_subscriptions",
    "make_pump",
    "make_sender",
    "new_secret",
    "outbox_stats",
    "queue_deliveries",
    "redeliver",
    "update_subscription",
    "worker_name",
]
