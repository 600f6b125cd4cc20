"""Workflows: definitions and versions, each trigger's matched set, enrollments and the per-contact run log.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workflows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("listen_row", sa.BigInteger(), nullable=False),
        sa.Column("listen_entry", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflows")),
    )
    op.create_table(
        "workflow_versions",
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "version", name=op.f("pk_workflow_versions")),
    )
    op.create_table(
        "workflow_members",
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("matching", sa.Boolean(), nullable=False),
        sa.Column("enrollments", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "contact_id", name=op.f("pk_workflow_members")),
    )
    op.create_table(
        "workflow_enrollments",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("active_contact", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("due_at", _WHEN, nullable=False),
        sa.Column("enrolled_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "state IN ('ACTIVE', 'COMPLETED', 'ENDED')",
            name=op.f("ck_workflow_enrollments_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_enrollments")),
        sa.UniqueConstraint(
            "workflow_id",
            "active_contact",
            name=op.f("uq_workflow_enrollments_workflow_id_active_contact"),
        ),
    )
    op.create_index(
        op.f("ix_workflow_enrollments_state_due_at"),
        "workflow_enrollments",
        ["state", "due_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_enrollments_workflow_id_contact_id"),
        "workflow_enrollments",
        ["workflow_id", "contact_id"],
        unique=False,
    )
    op.create_table(
        "workflow_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "outcome IN ('APPLIED', 'NO_CHANGE', 'REFUSED', 'STALE', 'NO_ADDRESS', 'WAITING',"
            " 'ENROLLED', 'ENDED')",
            name=op.f("ck_workflow_log_outcome"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_log")),
    )
    op.create_index(
        op.f("ix_workflow_log_workflow_id_id"), "workflow_log", ["workflow_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_workflow_log_workflow_id_contact_id"),
        "workflow_log",
        ["workflow_id", "contact_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_workflow_log_workflow_id_contact_id"), table_name="workflow_log")
    op.drop_index(op.f("ix_workflow_log_workflow_id_id"), table_name="workflow_log")
    op.drop_table("workflow_log")
    op.drop_index(
        op.f("ix_workflow_enrollments_workflow_id_contact_id"), table_name="workflow_enrollments"
    )
    op.drop_index(op.f("ix_workflow_enrollments_state_due_at"), table_name="workflow_enrollments")
    op.drop_table("workflow_enrollments")
    op.drop_table("workflow_members")
    op.drop_table("workflow_versions")
    op.drop_table("workflows")
