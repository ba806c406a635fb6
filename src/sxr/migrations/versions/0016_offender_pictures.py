"""Offender's pictures: evidence pictures staff marked as the offender's own (profile picture, a photo he
sent), with their PDQ hash, which links cases.

Revision ID: 0016
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_link_pictures_case_id_cases", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "evidence_item_id",
            sa.Integer(),
            sa.ForeignKey(
                "evidence_items.id",
                name="fk_link_pictures_evidence_item_id_evidence_items",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("pdq", sa.String(64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("marked_by", sa.String(120), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_pictures"),
        sa.UniqueConstraint("evidence_item_id", name="uq_link_pictures_evidence_item_id"),
    )
    op.create_index("ix_link_pictures_case_id", "link_pictures", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_link_pictures_case_id", table_name="link_pictures")
    op.drop_table("link_pictures")
