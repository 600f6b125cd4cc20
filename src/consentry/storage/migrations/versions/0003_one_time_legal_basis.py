"""The ONE_TIME_LEGAL_BASIS ledger action; suppressions paged by ledger id.

The ledger's `action` column grows from 16 to 24 characters to hold the new action's name, and
its CHECK constraint takes the new value. On SQLite both changes rebuild the ledger table (batch
mode copies every row once); on PostgreSQL they are two ALTERs. Existing entries and their
hashes are unchanged: hashes cover the action's text, not the column's type.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_ACTIONS_BEFORE = ("SET_STATUS", "SET_WIDE", "CLEAR_WIDE", "SUPPRESS", "UNSUPPRESS")
_ACTIONS_AFTER = (*_ACTIONS_BEFORE, "ONE_TIME_LEGAL_BASIS")


def _check(actions: Sequence[str]) -> str:
    return "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"


def upgrade() -> None:
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_action"), type_="check")
        batch_op.alter_column(
            "action",
            existing_type=sa.String(length=16),
            type_=sa.String(length=24),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_ledger_action"), _check(_ACTIONS_AFTER))
    op.create_index(op.f("ix_suppressions_ledger_id"), "suppressions", ["ledger_id"], unique=False)


def downgrade() -> None:
    # Fails while any ONE_TIME_LEGAL_BASIS entry exists: ledger entries are never deleted.
    op.drop_index(op.f("ix_suppressions_ledger_id"), table_name="suppressions")
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_action"), type_="check")
        batch_op.alter_column(
            "action",
            existing_type=sa.String(length=24),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_ledger_action"), _check(_ACTIONS_BEFORE))
