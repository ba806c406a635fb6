"""Abuse limits shared by every process; queue fields on cases (no blob decrypted to list cases).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_rate_counters"),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("evidence_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("risk_level", sa.String(16), nullable=True))
        batch.add_column(sa.Column("risk_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE cases SET evidence_count = "
        "(SELECT COUNT(*) FROM evidence_items WHERE evidence_items.case_id = cases.id)"
    )
    op.execute(
        "UPDATE cases SET last_activity_at = "
        "(SELECT MAX(received_at) FROM evidence_items WHERE evidence_items.case_id = cases.id)"
    )
    op.create_index("ix_cases_created_at", "cases", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_created_at", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("last_activity_at")
        batch.drop_column("risk_score")
        batch.drop_column("risk_level")
        batch.drop_column("evidence_count")
    op.drop_table("rate_counters")
