"""`sxr apikey create NAME` / `sxr apikey revoke NAME`: platforms' API keys."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sxr.cli_support import cli_session, fail

apikey_app = typer.Typer(
    help="API keys for platforms that match against the watchlist.", no_args_is_help=True
)


@apikey_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="the platform's name (shown to victims in alerts)")],
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Create the platform's key and print it once: it cannot be shown again."""
    from sxr.accounts.services import ApiKeyError, create_api_key

    try:
        with cli_session() as (_settings, session):
            key = create_api_key(session, name)
    except ApiKeyError as exc:
        fail(str(exc), "refused")
    if json_output:
        typer.echo(json.dumps({"name": name, "key": key}))
    else:
        typer.echo(key)
        typer.echo("Keep this key safe: it is shown only once.", err=True)


@apikey_app.command("revoke")
def revoke_command(name: Annotated[str, typer.Argument(help="the platform's name")]) -> None:
    """Stop the platform's key from working."""
    from sxr.accounts.services import ApiKeyError, revoke_api_key

    try:
        with cli_session() as (_settings, session):
            revoke_api_key(session, name)
    except ApiKeyError as exc:
        fail(str(exc), "not_found")
    typer.echo(f"revoked {name}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(apikey_app, name="apikey")
