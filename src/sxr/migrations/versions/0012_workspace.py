"""An officer's workspace: what the queue and trends show without decrypting a blob (self-harm, paid,
time from first contact to threat on the case row) and the offender's identifiers each case's analyses
hold, for searching the queue by identifier.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("self_harm", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("paid", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("threat_after_minutes", sa.Integer(), nullable=True))
    op.create_table(
        "case_search_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_case_search_identifiers_case_id_cases", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_search_identifiers"),
        sa.UniqueConstraint("case_id", "kind", "value", name="uq_case_search_identifiers_case_id"),
    )
    op.create_index("ix_case_search_identifiers_value", "case_search_identifiers", ["value"])


def downgrade() -> None:
    op.drop_index("ix_case_search_identifiers_value", table_name="case_search_identifiers")
    op.drop_table("case_search_identifiers")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("threat_after_minutes")
        batch.drop_column("paid")
        batch.drop_column("self_harm")
