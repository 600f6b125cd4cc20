"""Preference pages and the mail outbox; the HELD_FOR_CONFIRMATION refusal.

The mail outbox queues the mail of the public pages (preference links, double opt-in
confirmations, resubscribe mail) in the transaction that causes it. The ledger's `refusal` CHECK
takes HELD_FOR_CONFIRMATION: a confirm-button POST that looked like a link scanner is recorded,
not applied, until the contact confirms again. On SQLite the CHECK change rebuilds the ledger
table (batch mode copies every row once); entries and their hashes are unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_REFUSALS_BEFORE = (
    "RESUBSCRIBE_FORBIDDEN",
    "OPT_OUT_PROTECTED",
    "CLEAR_WIDE_FORBIDDEN",
    "LEGAL_BASIS_REQUIRED",
    "EXPLANATION_REQUIRED",
    "BULK_WHATSAPP",
    "TYPE_ARCHIVED",
    "CHANNEL_NOT_ENABLED",
    "UNSUPPORTED",
)
_REFUSALS_AFTER = (*_REFUSALS_BEFORE, "HELD_FOR_CONFIRMATION")


def _refusal_check(refusals: Sequence[str]) -> str:
    return "refusal IS NULL OR refusal IN (" + ", ".join(f"'{r}'" for r in refusals) + ")"


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("business_unit_id", sa.Integer(), nullable=False),
        sa.Column("subscription_type_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('PREFERENCE_LINK', 'DOUBLE_OPT_IN', 'RESUBSCRIBE')",
            name=op.f("ck_mail_outbox_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('PENDING', 'SENT', 'FAILED')", name=op.f("ck_mail_outbox_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    op.create_index(
        op.f("ix_mail_outbox_state_next_attempt_at"),
        "mail_outbox",
        ["state", "next_attempt_at"],
        unique=False,
    )
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_refusal"), type_="check")
        batch_op.create_check_constraint(op.f("ck_ledger_refusal"), _refusal_check(_REFUSALS_AFTER))


def downgrade() -> None:
    # Fails while any HELD_FOR_CONFIRMATION entry exists: ledger entries are never deleted.
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_refusal"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_ledger_refusal"), _refusal_check(_REFUSALS_BEFORE)
        )
    op.drop_index(op.f("ix_mail_outbox_state_next_attempt_at"), table_name="mail_outbox")
    op.drop_table("mail_outbox")
