"""Alembic migrations; run with `sxr db upgrade`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against this sxr's migrations."""

    current: tuple[str, ...]
    """the revisions the database is at (empty: never migrated)"""
    head: tuple[str, ...]
    """the newest revisions this sxr knows"""
    known: frozenset[str]
    """every revision this sxr knows"""
    has_tables: bool
    """whether the database holds any table at all"""

    @property
    def is_new(self) -> bool:
        """An empty database that sxr may set up without asking."""
        return not self.current and not self.has_tables

    @property
    def is_current(self) -> bool:
        return set(self.current) == set(self.head)

    @property
    def is_ahead(self) -> bool:
        """Set up by a newer sxr: a revision this one does not know."""
        return any(rev not in self.known for rev in self.current)


def schema_state(database_url: str) -> SchemaState:
    """Read the database's revision and compare it with this sxr's newest (connects; SQLAlchemyError when
    the database cannot be reached)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from sxr.db import get_engine

    script = ScriptDirectory.from_config(alembic_config(database_url))
    with get_engine(database_url).connect() as connection:
        current = tuple(MigrationContext.configure(connection).get_current_heads())
        has_tables = bool(inspect(connection).get_table_names())
    return SchemaState(
        current=current,
        head=tuple(script.get_heads()),
        known=frozenset(rev.revision for rev in script.walk_revisions()),
        has_tables=has_tables,
    )
