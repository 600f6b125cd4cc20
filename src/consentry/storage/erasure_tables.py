"""The erased addresses, by keyed hash only (domain.erasure).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from sqlalchemy import BigInteger, Column, String, Table

from consentry.domain import Channel
from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime

erased_addresses = Table(
    "erased_addresses",
    metadata,
    Column("channel", String(16), primary_key=True),
    # HMAC-SHA256 of the channel and normalised key, under the account's erasure key.
    Column("address_hash", String(64), primary_key=True),
    Column("erased_at", UTCDateTime, nullable=False),
    Column("ledger_id", BigInteger, nullable=False),  # the entry that records the erasure
    one_of("channel", Channel),
)

__all__ = ["erased_addresses", "metadata"]
