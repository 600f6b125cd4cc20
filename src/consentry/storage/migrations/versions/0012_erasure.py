"""Erasure (GDPR 17): the ledger's per-entry personal salt, the erased addresses by keyed hash,
and the ERASED suppression kind.

`personal_salt` is NULL on every entry written before this revision: their personal digest
stays the one they were sealed with (domain.ledger), so the chain verifies unchanged.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_KINDS = ("HARD_BOUNCE", "SPAM_COMPLAINT", "QUARANTINE", "INVALID_ADDRESS")


def _kind_check(kinds: Sequence[str]) -> None:
    condition = " OR ".join(f"kind = '{kind}'" for kind in kinds)
    # SQLite cannot alter a constraint: batch mode rebuilds the (small) table.
    with op.batch_alter_table("suppressions") as batch_op:
        batch_op.drop_constraint(op.f("ck_suppressions_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_suppressions_kind"), condition)


def upgrade() -> None:
    op.add_column("ledger", sa.Column("personal_salt", sa.String(length=32), nullable=True))
    op.create_table(
        "erased_addresses",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "channel = 'EMAIL' OR channel = 'SMS' OR channel = 'WHATSAPP'",
            name=op.f("ck_erased_addresses_channel"),
        ),
        sa.PrimaryKeyConstraint("channel", "address_hash", name=op.f("pk_erased_addresses")),
    )
    _kind_check((*_KINDS, "ERASED"))


def downgrade() -> None:
    salted = op.get_bind().execute(
        sa.text("SELECT 1 FROM ledger WHERE personal_salt IS NOT NULL LIMIT 1")
    )
    if salted.first() is not None:
        # Their digests cover the salt: without it the chain would no longer verify.
        raise RuntimeError("Entries written since 0012 carry a personal salt; cannot downgrade.")
    op.execute("DELETE FROM suppressions WHERE kind = 'ERASED'")
    _kind_check(_KINDS)
    op.drop_table("erased_addresses")
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.drop_column("personal_salt")
