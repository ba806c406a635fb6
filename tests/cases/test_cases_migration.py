"""Migration 0001 creates exactly the tables the cases, evidence and audit models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sxr.db import get_engine
from sxr.models import load_all_models

OWN_TABLES = {
    "cases",
    "victim_sessions",
    "evidence_items",
    "derived_items",
    "ledger_entries",
    "audit_events",
    "evidence_readings",
}


def _table_of(diff: object) -> str | None:
    for part in diff if isinstance(diff, list) else [diff]:
        for value in part if isinstance(part, tuple) else ():
            name = getattr(value, "name", None) if not isinstance(value, str) else None
            table = getattr(value, "table", None)
            if table is not None and getattr(table, "name", None):
                return str(table.name)
            if name and hasattr(value, "columns") and not hasattr(value, "table"):
                return str(name)
        if isinstance(part, tuple) and len(part) > 2 and isinstance(part[2], str):
            return part[2]
    return None


def test_migration_matches_the_models(database_url: str) -> None:
    metadata = load_all_models().metadata
    assert set(metadata.tables) >= OWN_TABLES
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    own = [d for d in diffs if _table_of(d) in OWN_TABLES]
    assert own == []
