"""`sxr case new`: open a confidential report from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sxr.cli_support import cli_session

case_app = typer.Typer(help="Confidential reports (cases).", no_args_is_help=True)


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
