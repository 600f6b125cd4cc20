"""Initial schema: units, types, subscribers, statuses, wide statuses, suppressions, ledger.

Seeds the "Account" business unit (id 0), the three default email subscription types and the
ledger head.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:40:28.428161
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_account_settings")),
    )
    op.create_table(
        "business_units",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("branding", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_units")),
        sa.UniqueConstraint("name", name=op.f("uq_business_units_name")),
    )
    op.create_table(
        "consent_notices",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_consent_notices")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "subscribers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('EMAIL', 'SMS', 'WHATSAPP')", name=op.f("ck_subscribers_channel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribers")),
        sa.UniqueConstraint("channel", "key", name=op.f("uq_subscribers_channel_key")),
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_key", sa.String(length=320), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("subscription_type_id", sa.Integer(), nullable=True),
        sa.Column("wide_type", sa.String(length=24), nullable=True),
        sa.Column("business_unit_id", sa.Integer(), nullable=True),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("requested_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("success_reason", sa.String(length=40), nullable=True),
        sa.Column("refusal", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("suppression", sa.String(length=24), nullable=True),
        sa.Column("legal_basis", sa.String(length=40), nullable=True),
        sa.Column("legal_basis_explanation", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("notice_hash", sa.String(length=64), nullable=True),
        sa.Column("personal_digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "action IN ('SET_STATUS', 'SET_WIDE', 'CLEAR_WIDE', 'SUPPRESS', 'UNSUPPRESS')",
            name=op.f("ck_ledger_action"),
        ),
        sa.CheckConstraint(
            "actor_kind IN ('CONTACT', 'USER', 'API_TOKEN', 'WORKFLOW', 'PROVIDER', 'SYSTEM')",
            name=op.f("ck_ledger_actor_kind"),
        ),
        sa.CheckConstraint(
            "channel IN ('EMAIL', 'SMS', 'WHATSAPP')", name=op.f("ck_ledger_channel")
        ),
        sa.CheckConstraint(
            "legal_basis IS NULL OR legal_basis IN ('LEGITIMATE_INTEREST_PQL', 'LEGITIMATE_INTEREST_CLIENT', 'LEGITIMATE_INTEREST_OTHER', 'PERFORMANCE_OF_CONTRACT', 'CONSENT_WITH_NOTICE', 'NON_GDPR', 'PROCESS_AND_STORE')",
            name=op.f("ck_ledger_legal_basis"),
        ),
        sa.CheckConstraint(
            "outcome IN ('APPLIED', 'NO_CHANGE', 'STALE', 'REFUSED')",
            name=op.f("ck_ledger_outcome"),
        ),
        sa.CheckConstraint(
            "refusal IS NULL OR refusal IN ('RESUBSCRIBE_FORBIDDEN', 'OPT_OUT_PROTECTED', 'CLEAR_WIDE_FORBIDDEN', 'LEGAL_BASIS_REQUIRED', 'EXPLANATION_REQUIRED', 'BULK_WHATSAPP', 'TYPE_ARCHIVED', 'CHANNEL_NOT_ENABLED', 'UNSUPPORTED')",
            name=op.f("ck_ledger_refusal"),
        ),
        sa.CheckConstraint(
            "source IN ('PREFERENCE_CENTER', 'ONE_CLICK', 'DOUBLE_OPT_IN', 'SMS_KEYWORD', 'WHATSAPP_KEYWORD', 'USER', 'BULK', 'WORKFLOW', 'IMPORT', 'API', 'API_V3', 'SYSTEM')",
            name=op.f("ck_ledger_source"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_hash"],
            ["consent_notices.hash"],
            name=op.f("fk_ledger_notice_hash_consent_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger")),
    )
    op.create_index(
        op.f("ix_ledger_subscriber_id_id"), "ledger", ["subscriber_id", "id"], unique=False
    )
    op.create_table(
        "subscription_types",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("communication_method", sa.String(length=50), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("business_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_internal", sa.Boolean(), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('EMAIL', 'SMS', 'WHATSAPP')", name=op.f("ck_subscription_types_channel")
        ),
        sa.CheckConstraint(
            "kind IN ('MARKETING', 'ONE_TO_ONE', 'TRANSACTIONAL')",
            name=op.f("ck_subscription_types_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["business_unit_id"],
            ["business_units.id"],
            name=op.f("fk_subscription_types_business_unit_id_business_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_types")),
        sa.UniqueConstraint(
            "business_unit_id",
            "channel",
            "name",
            name=op.f("uq_subscription_types_business_unit_id_channel_name"),
        ),
    )
    op.create_table(
        "suppressions",
        sa.Column(
            "subscriber_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('HARD_BOUNCE', 'SPAM_COMPLAINT', 'QUARANTINE', 'INVALID_ADDRESS')",
            name=op.f("ck_suppressions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_suppressions_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "kind", name=op.f("pk_suppressions")),
    )
    op.create_table(
        "wide_statuses",
        sa.Column(
            "subscriber_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("wide_type", sa.String(length=24), nullable=False),
        sa.Column("business_unit_id", sa.Integer(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "source IN ('PREFERENCE_CENTER', 'ONE_CLICK', 'DOUBLE_OPT_IN', 'SMS_KEYWORD', 'WHATSAPP_KEYWORD', 'USER', 'BULK', 'WORKFLOW', 'IMPORT', 'API', 'API_V3', 'SYSTEM')",
            name=op.f("ck_wide_statuses_source"),
        ),
        sa.CheckConstraint(
            "wide_type IN ('PORTAL_WIDE', 'BUSINESS_UNIT_WIDE')",
            name=op.f("ck_wide_statuses_wide_type"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_wide_statuses_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint(
            "subscriber_id", "wide_type", "business_unit_id", name=op.f("pk_wide_statuses")
        ),
    )
    op.create_table(
        "subscription_statuses",
        sa.Column(
            "subscriber_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subscription_type_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("legal_basis", sa.String(length=40), nullable=True),
        sa.Column("legal_basis_explanation", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('NO_STATUS_CHANGE', 'REQUESTED_CHANGE_OCCURRED', 'RESUBSCRIBE_OCCURRED', 'UNSUBSCRIBE_FROM_ALL_OCCURRED')",
            name=op.f("ck_subscription_statuses_reason"),
        ),
        sa.CheckConstraint(
            "source IN ('PREFERENCE_CENTER', 'ONE_CLICK', 'DOUBLE_OPT_IN', 'SMS_KEYWORD', 'WHATSAPP_KEYWORD', 'USER', 'BULK', 'WORKFLOW', 'IMPORT', 'API', 'API_V3', 'SYSTEM')",
            name=op.f("ck_subscription_statuses_source"),
        ),
        sa.CheckConstraint(
            "status IN ('SUBSCRIBED', 'NOT_SPECIFIED', 'UNSUBSCRIBED')",
            name=op.f("ck_subscription_statuses_status"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_subscription_statuses_subscriber_id_subscribers"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_type_id"],
            ["subscription_types.id"],
            name=op.f("fk_subscription_statuses_subscription_type_id_subscription_types"),
        ),
        sa.PrimaryKeyConstraint(
            "subscriber_id", "subscription_type_id", name=op.f("pk_subscription_statuses")
        ),
    )
    op.create_index(
        op.f("ix_subscription_statuses_subscription_type_id_status"),
        "subscription_statuses",
        ["subscription_type_id", "status"],
        unique=False,
    )
    op.create_table(
        "subscription_type_translations",
        sa.Column("subscription_type_id", sa.Integer(), nullable=False),
        sa.Column("language_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_type_id"],
            ["subscription_types.id"],
            name=op.f("fk_subscription_type_translations_subscription_type_id_subscription_types"),
        ),
        sa.PrimaryKeyConstraint(
            "subscription_type_id", "language_code", name=op.f("pk_subscription_type_translations")
        ),
    )

    _seed()


_DEFAULT_TYPES = (
    ("Marketing Information", "Marketing offers and updates.", "Marketing", "MARKETING", 1),
    ("One to One", "One to one emails.", "Sales", "ONE_TO_ONE", 2),
    (
        "Customer Service Communication",
        "Feedback requests and service updates.",
        "Customer Service",
        "MARKETING",
        3,
    ),
)


def _seed() -> None:
    now = datetime.now(UTC)
    units = sa.table(
        "business_units",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("branding", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(units, [{"id": 0, "name": "Account", "branding": {}, "created_at": now}])
    types = sa.table(
        "subscription_types",
        *(
            sa.column(name)
            for name in (
                "name",
                "description",
                "purpose",
                "communication_method",
                "channel",
                "business_unit_id",
                "kind",
                "is_active",
                "is_default",
                "is_internal",
                "display_order",
            )
        ),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        types,
        [
            {
                "name": name,
                "description": description,
                "purpose": purpose,
                "communication_method": "Email",
                "channel": "EMAIL",
                "business_unit_id": 0,
                "kind": kind,
                "is_active": True,
                "is_default": True,
                "is_internal": False,
                "display_order": order,
                "created_at": now,
                "updated_at": now,
            }
            for name, description, purpose, kind, order in _DEFAULT_TYPES
        ],
    )
    head = sa.table(
        "ledger_head",
        sa.column("id", sa.Integer),
        sa.column("last_entry_id", sa.BigInteger),
        sa.column("last_hash", sa.String),
    )
    op.bulk_insert(head, [{"id": 1, "last_entry_id": 0, "last_hash": "0" * 64}])


def downgrade() -> None:
    op.drop_table("subscription_type_translations")
    op.drop_index(
        op.f("ix_subscription_statuses_subscription_type_id_status"),
        table_name="subscription_statuses",
    )
    op.drop_table("subscription_statuses")
    op.drop_table("wide_statuses")
    op.drop_table("suppressions")
    op.drop_table("subscription_types")
    op.drop_index(op.f("ix_ledger_subscriber_id_id"), table_name="ledger")
    op.drop_table("ledger")
    op.drop_table("subscribers")
    op.drop_table("ledger_head")
    op.drop_table("consent_notices")
    op.drop_table("business_units")
    op.drop_table("account_settings")
