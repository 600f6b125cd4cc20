"""The tables. Statuses are strings with CHECK constraints, portable to SQLite.

The ledger is the record; `subscription_statuses` and `wide_statuses` are its projection,
kept in the same transaction as each entry.
"""

from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from consentry.domain import (
    Action,
    ActorKind,
    Channel,
    LegalBasis,
    Outcome,
    Refusal,
    Source,
    Status,
    SuccessReason,
    SuppressionKind,
    TypeKind,
    WideType,
)
from consentry.storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def spelled_out(column: str, enum: type[StrEnum]) -> str:
    """`col = 'A' OR col = 'B' …`: SQLite runs `col IN ('A', 'B')` in a CHECK by building a
    temporary index per inserted row, which cost three quarters of a ledger insert (0011)."""
    return " OR ".join(f"{column} = '{member.value}'" for member in enum)


def one_of(column: str, enum: type[StrEnum], name: str | None = None) -> CheckConstraint:
    return CheckConstraint(spelled_out(column, enum), name=name or column)


business_units = Table(
    "business_units",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("branding", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
)

subscription_types = Table(
    "subscription_types",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("purpose", String(200), nullable=False, default="Marketing"),
    Column("communication_method", String(50), nullable=False, default="Email"),
    Column("channel", String(16), nullable=False),
    Column("business_unit_id", Integer, ForeignKey("business_units.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("is_internal", Boolean, nullable=False, default=False),
    Column("display_order", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("business_unit_id", "channel", "name"),
    one_of("channel", Channel),
    one_of("kind", TypeKind),
)

subscription_type_translations = Table(
    "subscription_type_translations",
    metadata,
    Column("subscription_type_id", Integer, ForeignKey("subscription_types.id"), primary_key=True),
    Column("language_code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("channel", String(16), nullable=False),
    Column("key", String(320), nullable=False),
    Column("address", String(320), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("channel", "key"),
    one_of("channel", Channel),
)

subscription_statuses = Table(
    "subscription_statuses",
    metadata,
    Column(
        "subscriber_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("subscribers.id"),
        primary_key=True,
    ),
    Column("subscription_type_id", Integer, ForeignKey("subscription_types.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("confirmed", Boolean, nullable=False, default=True),
    Column("reason", String(40), nullable=False),
    Column("source", String(24), nullable=False),
    Column("legal_basis", String(40)),
    Column("legal_basis_explanation", Text),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("ledger_id", BigInteger, nullable=False),
    one_of("status", Status),
    one_of("reason", SuccessReason),
    one_of("source", Source),
    # Eligibility of an audience for one type scans by type.
    Index(None, "subscription_type_id", "status"),
)

wide_statuses = Table(
    "wide_statuses",
    metadata,
    Column(
        "subscriber_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("subscribers.id"),
        primary_key=True,
    ),
    Column("wide_type", String(24), primary_key=True),
    # 0 for PORTAL_WIDE: keys may not be NULL, and the account is unit 0.
    Column("business_unit_id", Integer, primary_key=True),
    Column("opted_out", Boolean, nullable=False),
    Column("source", String(24), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("ledger_id", BigInteger, nullable=False),
    one_of("wide_type", WideType),
    one_of("source", Source),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column(
        "subscriber_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("subscribers.id"),
        primary_key=True,
    ),
    Column("kind", String(24), primary_key=True),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ledger_id", BigInteger, nullable=False),
    one_of("kind", SuppressionKind),
    # The suppression list is paged in the order the suppressions were recorded.
    Index(None, "ledger_id"),
)

account_settings = Table(
    "account_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

consent_notices = Table(
    "consent_notices",
    metadata,
    # The SHA-256 of the exact text: editing a notice makes a new row, never changes one.
    Column("hash", String(64), primary_key=True),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# One row that names the last entry: writers lock it, so the chain never forks and ids never
# skip, and verification can tell a removed tail from a short ledger.
ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_entry_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

ledger = Table(
    "ledger",
    metadata,
    # Assigned from ledger_head, not a sequence, so they are gapless in commit order.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("request_id", String(64)),
    Column("action", String(24), nullable=False),
    Column("channel", String(16), nullable=False),
    # No foreign keys: the ledger outlives contacts, and must never cascade.
    Column("subscriber_id", BigInteger, nullable=False),
    Column("subscriber_key", String(320)),
    Column("address", String(320)),
    Column("contact_id", BigInteger),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(200)),
    Column("source", String(24), nullable=False),
    Column("subscription_type_id", Integer),
    Column("wide_type", String(24)),
    Column("business_unit_id", Integer),
    Column("old_status", String(16)),
    Column("requested_status", String(16)),
    Column("new_status", String(16)),
    Column("outcome", String(16), nullable=False),
    Column("success_reason", String(40)),
    Column("refusal", String(40)),
    Column("message", Text, nullable=False),
    Column("suppression", String(24)),
    Column("legal_basis", String(40)),
    Column("legal_basis_explanation", Text),
    Column("evidence", JSON, nullable=False),
    Column("notice_hash", String(64), ForeignKey("consent_notices.hash")),
    Column("personal_digest", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("erased_at", UTCDateTime),
    Column("personal_salt", String(32)),
    one_of("action", Action),
    one_of("channel", Channel),
    one_of("actor_kind", ActorKind),
    one_of("source", Source),
    one_of("outcome", Outcome),
    CheckConstraint("refusal IS NULL OR " + spelled_out("refusal", Refusal), name="refusal"),
    CheckConstraint(
        "legal_basis IS NULL OR " + spelled_out("legal_basis", LegalBasis), name="legal_basis"
    ),
    # History of one address, newest first, and "status as of" a past time.
    Index(None, "subscriber_id", "id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    # SHA-256 of the token: tokens carry 256 random bits, so a fast hash is enough, and the
    # plain token is shown once and never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_prefix", String(16), nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated scope names
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

contacts = Table(
    "contacts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    # The subscriber keys the contact's statuses are found under (statuses belong to the
    # address, not the contact): archiving or deleting a contact leaves them in place.
    Column("email_key", String(320)),
    Column("phone_key", String(32)),
    Column("properties", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("archived_at", UTCDateTime),
    # One live contact per email address; archived ones may repeat it.
    Index(
        "uq_contacts_live_email_key",
        "email_key",
        unique=True,
        sqlite_where=text("archived = 0"),
        postgresql_where=text("archived = false"),
    ),
    Index(None, "archived", "id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("token_id", Integer, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", String(500), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
