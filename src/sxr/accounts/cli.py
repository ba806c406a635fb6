"""`sxr apikey create NAME` / `sxr apikey revoke NAME`: platforms' API keys."""

from __future__ import annotations

import json
from typing import Annotated

import typer

apikey_app = typer.Typer(
    help="API keys for platforms that match against the watchlist.", no_args_is_help=True
)


def _database_url() -> str:
    from sxr.config import get_settings

    settings = get_settings()
    settings.ensure_data_dir()
    return settings.resolved_database_url


@apikey_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="the platform's name (shown to victims in alerts)")],
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Create the platform's key and print it once: it cannot be shown again."""
    from sxr.accounts.services import ApiKeyError, create_api_key
    from sxr.db import session_scope

    try:
        with session_scope(_database_url()) as session:
            key = create_api_key(session, name)
    except ApiKeyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    if json_output:
        typer.echo(json.dumps({"name": name, "key": key}))
    else:
        typer.echo(key)
        typer.echo("Keep this key safe: it is shown only once.", err=True)


@apikey_app.command("revoke")
def revoke_command(name: Annotated[str, typer.Argument(help="the platform's name")]) -> None:
    """Stop the platform's key from working."""
    from sxr.accounts.services import ApiKeyError, revoke_api_key
    from sxr.db import session_scope

    try:
        with session_scope(_database_url()) as session:
            revoke_api_key(session, name)
    except ApiKeyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"revoked {name}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(apikey_app, name="apikey")
