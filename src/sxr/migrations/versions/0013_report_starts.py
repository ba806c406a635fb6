"""Report starts: the used one-time start tokens of the victim's "Start my report" form (hash only), so a
second press after Back, or a resent POST, finds the first report instead of making another.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_starts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_hash", sa.String(64), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_report_starts_case_id_cases", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_starts"),
        sa.UniqueConstraint("start_hash", name="uq_report_starts_start_hash"),
    )
    op.create_index("ix_report_starts_case_id", "report_starts", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_report_starts_case_id", table_name="report_starts")
    op.drop_table("report_starts")
