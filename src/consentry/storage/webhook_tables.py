"""Tables of outbound webhooks (issue 10): subscriptions, one delivery per subscription and
event (the outbox), and the log of each delivery's attempts.

- A subscription gets only events after `start_row` (the event log's end when it was made).
- `webhook_deliveries` is unique per (subscription, event id): fanning an event out twice
  (a worker that died before its cursor moved) makes no second delivery.
- `lease_owner`/`lease_until` on a subscription say which worker is sending its deliveries;
  one worker at a time per subscription keeps its events in order.

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime

_ID = BigInteger().with_variant(Integer, "sqlite")


class DeliveryStateValue(StrEnum):
    PENDING = "PENDING"  # to send at `next_attempt_at` (first try, or a retry)
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    FAILED = "FAILED"  # retried for the whole retry period; given up


webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("description", String(200), nullable=False, default=""),
    Column("start_row", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(200)),
    Column("lease_until", UTCDateTime),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        Integer,
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(48), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("position_row", BigInteger, nullable=False),
    Column("position_entry", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime),
    Column("last_status_code", Integer),
    Column("last_latency_ms", Integer),
    Column("last_error", Text),
    Column("delivered_at", UTCDateTime),
    one_of("state", DeliveryStateValue),
    UniqueConstraint("subscription_id", "event_id"),
    # Senders look for each subscription's oldest pending delivery.
    Index(None, "subscription_id", "state", "id"),
    Index(None, "state", "next_attempt_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column(
        "delivery_id",
        _ID,
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", UTCDateTime, nullable=False),
    Column("status_code", Integer),
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text),
    Column("worker_id", String(200), nullable=False),
    Index(None, "delivery_id", "id"),
)

__all__ = [
    "DeliveryStateValue",
    "metadata",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_subscriptions",
]
