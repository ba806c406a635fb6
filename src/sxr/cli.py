"""The `sxr` command: a Typer root; each domain adds its commands through `register(app)`."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from sxr.cli_support import describe_database, fail, load_settings, open_database, run

app = typer.Typer(
    name="sxr",
    help="sxr: sextortion response. Serve the app, keep evidence, read chat exports, hash media, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# Domains whose `cli.register(app)` adds commands, in the order `sxr --help` lists them.
DOMAINS_WITH_CLI = (
    "guidance",
    "cases",
    "evidence",
    "conversations",
    "analysis",
    "media",
    "watchlist",
    "accounts",
    "reports",
    "staff",
    "retention",
)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default SXR_HOST or 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (default SXR_PORT or 8000)")] = None,
) -> None:
    """Serve the web app (victim portal, staff portal, platform API)."""
    import uvicorn

    from sxr.app import create_app
    from sxr.guidance.content import ContentError
    from sxr.monitoring.logs import configure_logging

    settings = load_settings()
    open_database(settings)  # set up when new, explained when not this sxr's: before the first request
    try:
        web_app = create_app(settings)
    except ContentError as exc:  # SXR_REGION names no region of the guidance content
        fail(f"the app cannot start: {exc}", "environment", name_database=False)
    configure_logging()  # JSON lines on stderr; README "What the logs may contain"
    uvicorn.run(
        web_app,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=False,
        server_header=False,
        # Access logs would record /case/{token} paths, and a token opens a case for 30 minutes.
        access_log=False,
        log_config=None,
    )


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


def _register_domains() -> None:
    from sxr.conversations.derivers import install as install_derivers

    install_derivers()
    for domain in DOMAINS_WITH_CLI:
        try:
            module = importlib.import_module(f"sxr.{domain}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"sxr.{domain}.cli":
                raise
            continue
        module.register(app)


_register_domains()


def main() -> None:
    sys.exit(run(app))
