"""The watchlist's change sequence: every entry banked or withdrawn is numbered, by triggers.

Each process's index applies the changes past the number it holds (polled on SQLite; on PostgreSQL also
woken by NOTIFY), so an entry banked or withdrawn in any process is matched, or not, by every process
within a second. Triggers write the rows, so a bank, a withdrawal, a case's erasure (a cascade), a restore
or plain SQL are all numbered alike. On PostgreSQL the trigger runs at commit (deferred) and takes one
transaction lock before it numbers the row: numbers then rise in commit order, so a reader never sees
number n + 1 before an n that will still commit. SQLite has one writer at a time, so its numbers do already.

Revision ID: 0015
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

# The PostgreSQL advisory lock that orders the numbers, and the channel the changes are announced on
# (sxr.watchlist.live uses the same two).
CHANGES_LOCK = 0x5358_5257_4C43  # "SXRWLC"
CHANGES_CHANNEL = "sxr_watchlist_changes"

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER watchlist_entry_banked AFTER INSERT ON watchlist_entries
    BEGIN
        INSERT INTO watchlist_changes (entry_id, op, type) VALUES (NEW.id, 'add', NEW.type);
    END
    """,
    """
    CREATE TRIGGER watchlist_entry_withdrawn AFTER DELETE ON watchlist_entries
    BEGIN
        INSERT INTO watchlist_changes (entry_id, op, type) VALUES (OLD.id, 'withdraw', OLD.type);
    END
    """,
)

POSTGRES_TRIGGERS = (
    f"""
    CREATE FUNCTION sxr_watchlist_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({CHANGES_LOCK});
        IF TG_OP = 'INSERT' THEN
            INSERT INTO watchlist_changes (entry_id, op, type) VALUES (NEW.id, 'add', NEW.type);
        ELSE
            INSERT INTO watchlist_changes (entry_id, op, type) VALUES (OLD.id, 'withdraw', OLD.type);
        END IF;
        PERFORM pg_notify('{CHANGES_CHANNEL}', '');
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 - constants only
    """
    CREATE CONSTRAINT TRIGGER watchlist_entry_changed AFTER INSERT OR DELETE ON watchlist_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sxr_watchlist_change()
    """,
)


def upgrade() -> None:
    op.create_table(
        "watchlist_changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_watchlist_changes"),
        sqlite_autoincrement=True,
    )
    # Its one row is written by the first snapshot of the index (a restore brings its own, or none).
    op.create_table(
        "watchlist_change_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_change_logs"),
    )
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS watchlist_entry_changed ON watchlist_entries")
        op.execute("DROP FUNCTION IF EXISTS sxr_watchlist_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS watchlist_entry_banked")
        op.execute("DROP TRIGGER IF EXISTS watchlist_entry_withdrawn")
    op.drop_table("watchlist_change_logs")
    op.drop_table("watchlist_changes")
