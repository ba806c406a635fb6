"""Evidence readings (what the derivers made of each item) and superseded derived items.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evidence_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("problem", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("date_order", sa.String(3), nullable=True),
        sa.Column("date_how", sa.String(16), nullable=True),
        sa.Column("date_choice", sa.String(3), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_item_id"],
            ["evidence_items.id"],
            name="fk_evidence_readings_evidence_item_id_evidence_items",
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_evidence_readings_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_readings"),
        sa.UniqueConstraint("evidence_item_id", name="uq_evidence_readings_evidence_item_id"),
    )
    op.create_index("ix_evidence_readings_case_id", "evidence_readings", ["case_id"])
    op.add_column("derived_items", sa.Column("superseded_at", TZ, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("derived_items") as batch:
        batch.drop_column("superseded_at")
    op.drop_index("ix_evidence_readings_case_id", table_name="evidence_readings")
    op.drop_table("evidence_readings")
