"""Fan-out: each event of the log becomes one queued delivery per subscription that wants it.

Runs as the event-log consumer "webhooks": the deliveries and the cursor's move commit
together, so an event is queued once for each subscription even when a worker dies; a second
fan-out of the same event (never expected) is absorbed by the unique (subscription, event).
"""

from sqlalchemy import Connection, Engine

from consentry.domain.events import Event
from consentry.domain.webhooks import payload
from consentry.services.events import consume
from consentry.services.writing import utcnow
from consentry.storage import webhook_deliveries as deliveries
from consentry.storage import webhooks as stored

CONSUMER = "webhooks"


def queue_deliveries(connection: Connection, events: list[Event]) -> None:
    subscriptions = stored.listing(connection, active_only=True)
    if not subscriptions:
        return
    rows = [
        {
            "subscription_id": subscription.id,
            "event_id": event.id,
            "event_type": event.type.value,
            "payload": payload(event),
            "position_row": event.position.row,
            "position_entry": event.position.entry,
        }
        for event in events
        for subscription in subscriptions
        if subscription.wants(event)
    ]
    # Ordered by subscription then event, so ids follow each subscription's event order.
    rows.sort(key=lambda row: (row["subscription_id"], row["position_row"], row["position_entry"]))
    deliveries.add(connection, rows, utcnow())


def fan_out(engine: Engine, *, limit: int = 500) -> int:
    """Queue the next events' deliveries; answers how many events were handled."""
    return consume(engine, CONSUMER, queue_deliveries, limit=limit)
