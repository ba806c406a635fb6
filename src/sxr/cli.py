"""The `sxr` command: a Typer root; each domain adds its commands through `register(app)`."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from sxr.config import get_settings

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
    app()
