"""`sxr staff add-user | list | deactivate`: staff users of the staff portal; `sxr staff refresh-queue`: the
queue's columns read again from the stored analyses."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from sxr.cli_support import EXIT_CODES, cli_session, fail

staff_app = typer.Typer(help="Staff users of the staff portal.", no_args_is_help=True)


@staff_app.command("add-user")
def add_user(
    email: Annotated[str, typer.Argument(help="the staff member's e-mail address (their sign-in name)")],
    name: Annotated[str, typer.Option("--name", help="display name")],
    role: Annotated[str, typer.Option("--role", help="admin | officer | analyst | support")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin instead of generating one")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Add a staff user; prints a generated password once (or reads one with --password-stdin)."""
    from sxr.accounts.staff_users import StaffError, create_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with cli_session() as (_settings, session):
            user, password = create_user(session, email, name, role, password)
            document = {"email": user.email, "name": user.display_name, "role": user.role}
    except StaffError as exc:
        fail(str(exc), "refused")
    if json_output:
        if not password_stdin:
            document["password"] = password
        typer.echo(json.dumps(document))
    elif not password_stdin:
        typer.echo(password)
        typer.echo(
            "This password is shown only once: pass it on safely. It must be changed at first sign-in.",
            err=True,
        )
    else:
        typer.echo(f"added {document['email']}", err=True)


@staff_app.command("list")
def list_command(
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """List staff users."""
    from sxr.accounts.staff_users import list_users
    from sxr.clock import as_utc

    with cli_session() as (_settings, session):
        users = [
            {
                "email": u.email,
                "name": u.display_name,
                "role": u.role,
                "active": u.active,
                "created_at": as_utc(u.created_at).isoformat(),
            }
            for u in list_users(session)
        ]
    if json_output:
        typer.echo(json.dumps({"users": users}))
        return
    for u in users:
        state = "active" if u["active"] else "deactivated"
        typer.echo(f"{u['email']}\t{u['role']}\t{state}\t{u['name']}")


@staff_app.command("deactivate")
def deactivate(email: Annotated[str, typer.Argument(help="the staff member's e-mail address")]) -> None:
    """Stop a staff user from signing in and end their open sessions."""
    from sxr.accounts.staff_users import StaffError, deactivate_user

    try:
        with cli_session() as (_settings, session):
            deactivate_user(session, email)
    except StaffError as exc:
        fail(str(exc), "not_found")
    typer.echo(f"deactivated {email.strip().lower()}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")


@staff_app.command("refresh-queue")
def refresh_queue() -> None:
    """Read every case's stored analyses again into the queue's columns and the identifier search (for
    cases analysed before this version kept them)."""
    from sqlalchemy import select

    from sxr.cases.models import Case
    from sxr.staff.casework import refresh_queue_columns

    with cli_session() as (settings, session):
        ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    problems = 0
    for case_id in ids:  # one case per transaction: a long run holds no lock for long
        with cli_session(settings) as (_settings, session):
            case = session.get(Case, case_id)
            if case is None:
                continue
            for problem in refresh_queue_columns(session, settings, case):
                problems += 1
                typer.echo(f"{case.reference}: {problem}", err=True)
    typer.echo(f"{len(ids)} cases read again; {problems} problems (listed above).")
    if problems:
        raise typer.Exit(code=EXIT_CODES["failed"])
