"""Watchlist entries carry a trust level (victim-submitted or reviewed by staff) and who reviewed them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("watchlist_entries") as batch:
        batch.add_column(sa.Column("trust", sa.String(16), nullable=False, server_default="victim"))
        batch.add_column(sa.Column("reviewed_by", sa.String(120), nullable=True))
        batch.add_column(sa.Column("reviewed_at", TZ, nullable=True))
    # Entries an operator banked (the CLI, an imported bank) were never the victim's word alone.
    op.execute("UPDATE watchlist_entries SET trust = 'reviewed' WHERE added_by <> 'victim'")
    op.create_index("ix_watchlist_entries_case_id_trust", "watchlist_entries", ["case_id", "trust"])


def downgrade() -> None:
    op.drop_index("ix_watchlist_entries_case_id_trust", table_name="watchlist_entries")
    with op.batch_alter_table("watchlist_entries") as batch:
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
        batch.drop_column("trust")
