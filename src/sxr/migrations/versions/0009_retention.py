"""Retention: holds on cases, the erasure ledger (tombstones), and when a case was closed.

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("closed_at", TZ, nullable=True))
    # Cases closed before this revision count as closed from now: their retention period starts at the
    # upgrade, never earlier than anyone could have known.
    op.execute(sa.text("UPDATE cases SET closed_at = CURRENT_TIMESTAMP WHERE status = 'closed'"))
    op.create_table(
        "case_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_case_holds_case_id_cases"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(120), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
        sa.Column("lifted_by", sa.String(120), nullable=True),
        sa.Column("lifted_at", TZ, nullable=True),
        sa.Column("lift_reason", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_holds"),
    )
    op.create_index("ix_case_holds_case_id", "case_holds", ["case_id"])
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("reference_mac", sa.String(64), nullable=False),
        sa.Column("case_created_at", TZ, nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.Column("ledger_head", sa.String(64), nullable=False),
        sa.Column("evidence_items", sa.Integer(), nullable=False),
        sa.Column("derived_items", sa.Integer(), nullable=False),
        sa.Column("watchlist_entries", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("items_digest", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_erasures"),
        sa.UniqueConstraint("seq", name="uq_erasures_seq"),
    )
    op.create_index("ix_erasures_reference_mac", "erasures", ["reference_mac"])


def downgrade() -> None:
    op.drop_index("ix_erasures_reference_mac", table_name="erasures")
    op.drop_table("erasures")
    op.drop_index("ix_case_holds_case_id", table_name="case_holds")
    op.drop_table("case_holds")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("closed_at")
