"""Fan-out: each event of the log becomes one queued delivery per subscription that wants it.

Runs as the event-log consumer "webhooks": the deliveries and the cursor's move commit
together, so an event is queued once for each subscription even when a worker dies; a second
fan-out of the same event (never expected) is absorbed by the unique (subscription, event).

Whether a subscription wants an event is decided when the event is fanned out, which may be a
moment (or, with no worker running, a while) after it happened. So that pausing, resuming or
changing the event types applies from the moment of the change — not from whenever the worker
catches up — a change first fans out every event before it (`catch_up`), in its transaction.

With no active subscription nothing is read: the cursor jumps to the log's end (`_skip_unheard`),
so status writes do not pay for a fan-out nobody receives.
"""

from dataclasses import replace

from sqlalchemy import Connection, Engine

from consentry.domain.events import Event
from consentry.domain.webhooks import payload
from consentry.services.events import consume, end_position, read
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import contact_selection
from consentry.storage import events as event_log
from consentry.storage import webhook_deliveries as deliveries
from consentry.storage import webhooks as stored

CONSUMER = "webhooks"


def _with_contacts(connection: Connection, events: list[Event]) -> list[Event]:
    """Status events name the subscriber (statuses belong to the address); receivers such as
    a CRM want the contact too: the live contact with that email, when there is one now."""
    unnamed = {
        event.subscriber_id
        for event in events
        if event.contact_id is None
        and event.subscriber_id is not None
        and event.data.get("channel") == "EMAIL"
    }
    if not unnamed:
        return events
    found = contact_selection.contacts_of_email_subscribers(connection, unnamed)
    return [
        replace(event, contact_id=found[event.subscriber_id])
        if event.contact_id is None and event.subscriber_id in found
        else event
        for event in events
    ]


def queue_deliveries(connection: Connection, events: list[Event]) -> None:
    subscriptions = stored.listing(connection, active_only=True)
    if not subscriptions:
        return
    events = _with_contacts(connection, events)
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
    """Queue the next events' deliveries; answers how many events were handled (0 also when
    no subscription is active: skipping is no work the worker should hurry back for)."""
    if _skip_unheard(engine):
        return 0
    return consume(engine, CONSUMER, queue_deliveries, limit=limit)


def _skip_unheard(engine: Engine) -> bool:
    """With no active subscription, move the cursor to the log's end without reading; answers
    whether it did (False: some subscription is active, the events must be read).

    The end is taken before the subscriptions are listed. A subscription this listing misses
    commits after it, and the events it is owed (those committed after it, `wants`) all lie
    past that end: row ids grow in commit order. A resume locks the cursor (`catch_up`), so
    it waits for this move or this move waits for it and then sees it active."""
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        cursor = event_log.lock_cursor(connection, CONSUMER)
        end = end_position(connection)
        if stored.listing(connection, active_only=True):
            return False
        if cursor.row < end.row or (cursor.row == end.row and cursor.entry != 0):
            event_log.move_cursor(connection, CONSUMER, end)
            uow.commit()
        return True


def catch_up(connection: Connection, *, batch: int = 500) -> None:
    """Queue every event not yet fanned out, under the subscriptions as they are now, in the
    caller's transaction (which then changes a subscription: the change and the cursor's move
    commit together, so each event is judged by the subscription as it was when it happened)."""
    position = event_log.lock_cursor(connection, CONSUMER)
    while True:
        found, reached = read(connection, position, batch)
        if reached == position:
            break
        if found:
            queue_deliveries(connection, found)
        position = reached
    event_log.move_cursor(connection, CONSUMER, position)
