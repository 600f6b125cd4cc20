"""Tables of the public pages and mail: the outbox (issue 5).

A row is one mail to send: what kind, to whom, and what it is about (subscriber, unit, type,
language); the worker renders it when it sends it, so the secret that signs its links never
needs to be stored. `claimed_until` is a lease: a worker that dies mid-send leaves the row to
be taken again after it.

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from consentry.domain.mail import MailKind, MailState
from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime

mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kind", String(24), nullable=False),
    Column("state", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subscriber_id", BigInteger, nullable=False),
    Column("business_unit_id", Integer, nullable=False),
    Column("subscription_type_id", Integer),
    Column("language", String(16)),
    Column("requested_by", String(200)),  # the actor who asked (a user sending a link)
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    one_of("kind", MailKind),
    one_of("state", MailState),
    # The worker looks for the oldest due mail.
    Index(None, "state", "next_attempt_at"),
)

__all__ = ["mail_outbox", "metadata"]
