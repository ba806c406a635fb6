"""The `sxr` command: a Typer root; each domain adds its commands through `register(app)`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sxr.accounts import cli as accounts_cli
from sxr.analysis import cli as analysis_cli
from sxr.cases import cli as cases_cli
from sxr.cli_support import describe_database, fail, load_settings, open_database, run
from sxr.conversations import cli as conversations_cli
from sxr.evidence import cli as evidence_cli
from sxr.guidance import cli as guidance_cli
from sxr.linking import cli as linking_cli
from sxr.media import cli as media_cli
from sxr.operations import cli as operations_cli
from sxr.pipeline.derivers import DERIVERS
from sxr.reports import cli as reports_cli
from sxr.retention import cli as retention_cli
from sxr.staff import cli as staff_cli
from sxr.watchlist import cli as watchlist_cli

app = typer.Typer(
    name="sxr",
    help="sxr: sextortion response. Serve the app, keep evidence, read chat exports, hash media, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default SXR_HOST or 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (default SXR_PORT or 8000)")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="worker processes sharing the port (one a core is a good start); they share the database",
        ),
    ] = 1,
) -> None:
    """Serve the web app (victim portal, staff portal, platform API)."""
    from sxr.app import create_app
    from sxr.guidance.content import ContentError
    from sxr.monitoring.logs import configure_logging
    from sxr.web.serving import serve as serve_app

    settings = load_settings()
    open_database(settings)  # set up when new, explained when not this sxr's: before the first request
    try:
        web_app = create_app(settings)
    except ContentError as exc:  # SXR_REGION names no region of the guidance content
        fail(f"the app cannot start: {exc}", "environment", name_database=False)
    configure_logging()  # JSON lines on stderr; README "What the logs may contain"
    serve_app(web_app, host=host or settings.host, port=port or settings.port, workers=workers)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from sxr.migrations import upgrade

    settings = load_settings()
    try:
        settings.ensure_data_dir()
    except OSError as exc:
        fail(f"the data dir {settings.data_dir} cannot be made ({exc.strerror or exc})", "environment")
    url = settings.resolved_database_url
    try:
        upgrade(url)
    except (SQLAlchemyError, ArgumentError, OSError) as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        fail(f"{describe_database(url)} cannot be migrated: {cause[0] if cause else exc}", "environment")
    typer.echo(f"the database {describe_database(url)} is up to date", err=True)


@db_app.command("where")
def db_where(
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="remember this data dir and database for every later `sxr` of this install, run from "
            "any folder (`make run` does this)",
        ),
    ] = False,
) -> None:
    """Say which data dir and database this command line opens, and why."""
    from sxr.config import data_dir_origin, record_deployment

    settings = load_settings()
    if record:
        try:
            typer.echo(f"recorded in {record_deployment()}", err=True)
        except OSError as exc:
            fail(f"the deployment could not be recorded ({exc.strerror or exc})", "environment")
    typer.echo(f"data dir: {settings.data_dir} ({data_dir_origin()})")
    typer.echo(f"database: {describe_database(settings.resolved_database_url)}")


# Each domain adds its commands, in the order `sxr --help` lists them.
guidance_cli.register(app)
cases_cli.register(app)
evidence_cli.register(app, derivers=DERIVERS)
conversations_cli.register(app)
analysis_cli.register(app)
media_cli.register(app)
watchlist_cli.register(app)
accounts_cli.register(app)
reports_cli.register(app)
staff_cli.register(app)
retention_cli.register(app)
operations_cli.register(app)
linking_cli.register(app)


def main() -> None:
    sys.exit(run(app))
