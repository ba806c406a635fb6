"""Migrations 0003, 0007 and 0015 create exactly the watchlist tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sxr.db import get_engine
from sxr.models import load_all_models

OWN_TABLES = {
    "watchlist_entries",
    "watchlist_frames",
    "watchlist_matches",
    "watchlist_alerts",
    "watchlist_changes",
    "watchlist_change_logs",
}


def _mentions_own_table(diff: object) -> bool:
    return any(table in repr(diff) for table in OWN_TABLES)


def test_migrations_match_the_watchlist_models(database_url: str) -> None:
    metadata = load_all_models().metadata
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    assert [d for d in diffs if _mentions_own_table(d)] == []
