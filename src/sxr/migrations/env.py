"""Alembic environment: online migrations against the URL the CLI passes in."""

from __future__ import annotations

from alembic import context

from sxr.db import get_engine
from sxr.models import load_all_models

target_metadata = load_all_models().metadata


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `sxr db upgrade`")
run_migrations_online()
