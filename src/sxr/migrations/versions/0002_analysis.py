"""Indicator decisions: the victim's or staff's confirm/reject of each found detail of a case.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_indicator_decisions_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_decisions"),
    )
    op.create_index("ix_indicator_decisions_case_id", "indicator_decisions", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_decisions_case_id", table_name="indicator_decisions")
    op.drop_table("indicator_decisions")
