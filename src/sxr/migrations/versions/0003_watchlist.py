"""The watchlist: entries, vPDQ frames, matches, alerts; platform API keys.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("value", sa.String(64), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(120), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_watchlist_entries_case_id_cases", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_entries"),
        sa.UniqueConstraint("public_id", name="uq_watchlist_entries_public_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_watchlist_entries_case_id", "watchlist_entries", ["case_id"])
    op.create_index("ix_watchlist_entries_value", "watchlist_entries", ["value"])

    op.create_table(
        "watchlist_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["watchlist_entries.id"],
            name="fk_watchlist_frames_entry_id_watchlist_entries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_frames"),
    )
    op.create_index("ix_watchlist_frames_entry_id", "watchlist_frames", ["entry_id"])

    op.create_table(
        "watchlist_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(40), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(80), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("query_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("feedback", sa.String(16), nullable=True),
        sa.Column("feedback_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["watchlist_entries.id"],
            name="fk_watchlist_matches_entry_id_watchlist_entries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_matches"),
        sa.UniqueConstraint("public_id", name="uq_watchlist_matches_public_id"),
    )
    op.create_index("ix_watchlist_matches_entry_id", "watchlist_matches", ["entry_id"])

    op.create_table(
        "watchlist_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("seen_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_watchlist_alerts_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["watchlist_matches.id"],
            name="fk_watchlist_alerts_match_id_watchlist_matches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_alerts"),
    )
    op.create_index("ix_watchlist_alerts_case_id", "watchlist_alerts", ["case_id"])
    op.create_index("ix_watchlist_alerts_match_id", "watchlist_alerts", ["match_id"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("name", name="uq_api_keys_name"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index("ix_watchlist_alerts_match_id", table_name="watchlist_alerts")
    op.drop_index("ix_watchlist_alerts_case_id", table_name="watchlist_alerts")
    op.drop_table("watchlist_alerts")
    op.drop_index("ix_watchlist_matches_entry_id", table_name="watchlist_matches")
    op.drop_table("watchlist_matches")
    op.drop_index("ix_watchlist_frames_entry_id", table_name="watchlist_frames")
    op.drop_table("watchlist_frames")
    op.drop_index("ix_watchlist_entries_value", table_name="watchlist_entries")
    op.drop_index("ix_watchlist_entries_case_id", table_name="watchlist_entries")
    op.drop_table("watchlist_entries")
