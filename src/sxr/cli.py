"""The `sxr` command: a Typer root; each domain adds its commands through `register(app)`."""

from __future__ import annotations

from typing import Annotated

import typer

from sxr.accounts import cli as accounts_cli
from sxr.analysis import cli as analysis_cli
from sxr.cases import cli as cases_cli
from sxr.config import get_settings
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
) -> None:
    """Serve the web app (victim portal, staff portal, platform API)."""
    import uvicorn

    from sxr.app import create_app
    from sxr.monitoring.logs import configure_logging

    configure_logging()  # JSON lines on stderr; README "What the logs may contain"
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
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
    from sxr.migrations import upgrade

    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    typer.echo("database is up to date", err=True)


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
    app()
