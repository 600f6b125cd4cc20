"""The event log: one ordered stream of what changed (contacts, imports, workflows, and each transaction's range of ledger entries), read by the webhook and workflow consumers through named cursors.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=True),
        sa.Column("ledger_first", sa.BigInteger(), nullable=True),
        sa.Column("ledger_last", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "event_cursors",
        sa.Column("consumer", sa.String(length=64), primary_key=True),
        sa.Column("event_row", sa.BigInteger(), nullable=False),
        sa.Column("ledger_entry", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("event_cursors")
    op.drop_table("events")
