"""Tables of the phone channels (issue 8): each channel's set-up, and the review queue of
inbound replies that might be a request to stop.

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from consentry.domain.channels import Channel
from consentry.domain.review import Resolution
from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime

channel_setups = Table(
    "channel_setups",
    metadata,
    Column("channel", String(16), primary_key=True),  # SMS or WHATSAPP
    Column("provider", String(32), nullable=False),  # "twilio", "whatsapp_cloud"
    # SMS: the sender number (E.164) or messaging-service id; WhatsApp: the phone-number id.
    Column("sender", String(64), nullable=False),
    Column("verify_token", String(200)),  # WhatsApp's subscription handshake
    # Twilio's auth token / WhatsApp's app secret: the key of the webhook signatures. Kept as
    # given (it is needed to compute each signature), never shown back in full.
    Column("secret", String(200), nullable=False),
    # What the HELP reply names (CTIA): the program, where to get support, how often we text.
    Column("program_name", String(100)),
    Column("support_contact", String(200)),
    Column("frequency", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    one_of("channel", Channel),
)

review_items = Table(
    "review_items",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("channel", String(16), nullable=False),
    Column("address", String(32), nullable=False),  # E.164
    Column("body", Text, nullable=False),  # the reply as received
    Column("message_id", String(100)),  # the provider's id (MessageSid, wamid...)
    Column("provider", String(32), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("resolution", String(16)),  # none while open
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", String(200)),
    Column("ledger_id", BigInteger),  # the opt-out it was resolved into
    one_of("channel", Channel),
    one_of("resolution", Resolution),
    # The queue lists the open items, oldest first.
    Index(None, "resolution", "id"),
)

__all__ = ["channel_setups", "metadata", "review_items"]
