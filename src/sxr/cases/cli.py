"""`sxr case new`: open a confidential report from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from sxr.config import Settings, get_settings
from sxr.db import get_engine, session_scope

case_app = typer.Typer(help="Confidential reports (cases).", no_args_is_help=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clear sentence on stderr and exit non-zero (no traceback)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def ensure_database(settings: Settings) -> str:
    """The database URL, migrated first when it is a brand-new SQLite file in the data dir."""
    settings.ensure_data_dir()
    url = settings.resolved_database_url
    if not settings.database_url and not Path(settings.data_dir / "sxr.sqlite3").exists():
        from sxr.migrations import upgrade

        upgrade(url)
    if not inspect(get_engine(url)).has_table("cases"):
        fail("the database is not set up yet: run `sxr db upgrade` first")
    return url


@contextmanager
def cli_session() -> Iterator[tuple[Settings, Session]]:
    """Settings and a session that commits on success, for one CLI command."""
    settings = get_settings()
    url = ensure_database(settings)
    with session_scope(url) as session:
        yield settings, session


@case_app.command("new")
def case_new(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Open a new case; prints its reference and PIN (the PIN is shown only this once)."""
    from sxr.cases.services import create_case

    with cli_session() as (_settings, session):
        case, pin = create_case(session)
        reference = case.reference
    if as_json:
        typer.echo(json.dumps({"reference": reference, "pin": pin}))
    else:
        typer.echo(f"reference: {reference}\npin: {pin}")
        typer.echo("Keep the reference and PIN safe: the PIN cannot be shown again.", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
