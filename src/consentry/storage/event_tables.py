"""Tables of the event log: the ordered stream of changes and each reader's cursor.

Rows are appended only inside a writing unit of work that holds the ledger head lock, so row
ids grow in commit order on PostgreSQL too (a reader never sees id 7 commit after it read 8).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table

from consentry.storage.tables import metadata
from consentry.storage.types import UTCDateTime

events = Table(
    "events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    # An EventType, or "ledger.range" for a row that stands for ledger entries first..last.
    Column("type", String(48), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("contact_id", BigInteger),
    Column("subscriber_id", BigInteger),
    Column("ledger_first", BigInteger),
    Column("ledger_last", BigInteger),
    Column("data", JSON, nullable=False),
)

# One row per reader ("webhooks", "workflows", …): how far into the stream it has handled.
event_cursors = Table(
    "event_cursors",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("event_row", BigInteger, nullable=False),
    Column("ledger_entry", BigInteger, nullable=False),
)
