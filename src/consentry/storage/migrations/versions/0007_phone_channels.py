"""Phone channels: each channel's set-up (SMS sender, WhatsApp number) and the review queue of
inbound replies that might be a request to stop.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_setups",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("verify_token", sa.String(length=200), nullable=True),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("program_name", sa.String(length=100), nullable=True),
        sa.Column("support_contact", sa.String(length=200), nullable=True),
        sa.Column("frequency", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('EMAIL', 'SMS', 'WHATSAPP')", name=op.f("ck_channel_setups_channel")
        ),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_setups")),
    )
    op.create_table(
        "review_items",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("ledger_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('EMAIL', 'SMS', 'WHATSAPP')", name=op.f("ck_review_items_channel")
        ),
        sa.CheckConstraint(
            "resolution IN ('OPT_OUT', 'DISMISSED')", name=op.f("ck_review_items_resolution")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    op.create_index(
        op.f("ix_review_items_resolution_id"), "review_items", ["resolution", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_items_resolution_id"), table_name="review_items")
    op.drop_table("review_items")
    op.drop_table("channel_setups")
