"""`sxr staff add-user | list | deactivate`, and migration 0004 against the staff models."""

from __future__ import annotations

import json

import typer
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

from sxr.accounts import staff_sessions
from sxr.db import get_engine, session_scope
from sxr.models import load_all_models
from sxr.staff.cli import register


def _cli() -> typer.Typer:
    # The staff commands as `sxr` registers them (the lead lists "staff" in sxr.cli's domains).
    import sxr.cli

    root = sxr.cli.app
    if not any(g.name == "staff" for g in root.registered_groups):
        root = typer.Typer()
        root.command()(lambda: None)  # a second command keeps "staff" a sub-command
        register(root)
    return root


def test_add_user_prints_a_password_once_that_signs_in(database_url: str) -> None:
    runner = CliRunner()
    done = runner.invoke(
        _cli(), ["staff", "add-user", "Officer@Example.com", "--name", "Ada Example", "--role", "officer"]
    )
    assert done.exit_code == 0, done.output
    password = done.stdout.strip()
    assert len(password) >= 16 and "\n" not in password
    with session_scope(database_url) as session:
        user = staff_sessions.authenticate(session, "officer@example.com", password)
        assert (user.display_name, user.role, user.active) == ("Ada Example", "officer", True)
        assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash

    given = runner.invoke(
        _cli(),
        [
            "staff",
            "add-user",
            "analyst@example.com",
            "--name",
            "Bo",
            "--role",
            "analyst",
            "--password-stdin",
            "--json",
        ],
        input="a long enough password\n",
    )
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout) == {"email": "analyst@example.com", "name": "Bo", "role": "analyst"}
    with session_scope(database_url) as session:
        staff_sessions.authenticate(session, "analyst@example.com", "a long enough password")

    listed = runner.invoke(_cli(), ["staff", "list", "--json"])
    assert listed.exit_code == 0
    users = json.loads(listed.stdout)["users"]
    assert [(u["email"], u["role"], u["active"]) for u in users] == [
        ("analyst@example.com", "analyst", True),
        ("officer@example.com", "officer", True),
    ]
    off = runner.invoke(_cli(), ["staff", "deactivate", "officer@example.com"])
    assert off.exit_code == 0 and off.stdout == ""
    listed = json.loads(runner.invoke(_cli(), ["staff", "list", "--json"]).stdout)["users"]
    assert [u["active"] for u in listed] == [True, False]
    plain = runner.invoke(_cli(), ["staff", "list"])
    assert "officer@example.com\tofficer\tdeactivated\tAda Example" in plain.stdout


def test_cli_errors_are_one_clear_sentence(database_url: str) -> None:
    runner = CliRunner()
    cases = [
        (["staff", "add-user", "x@example.com", "--name", "X", "--role", "boss"], "A role is one of", 4),
        (["staff", "add-user", "not-an-email", "--name", "X", "--role", "admin"], "not an e-mail address", 4),
        (["staff", "deactivate", "nobody@example.com"], "There is no staff user", 3),
    ]
    for args, message, code in cases:
        done = runner.invoke(_cli(), args)
        assert done.exit_code == code and done.stdout == "" and message in done.stderr, done.output
        assert "Traceback" not in done.output
    short = runner.invoke(
        _cli(),
        ["staff", "add-user", "y@example.com", "--name", "Y", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 4 and "at least 12 characters" in short.stderr
    assert (
        runner.invoke(
            _cli(), ["staff", "add-user", "z@example.com", "--name", "Z", "--role", "admin"]
        ).exit_code
        == 0
    )
    again = runner.invoke(_cli(), ["staff", "add-user", "Z@example.com", "--name", "Z", "--role", "admin"])
    assert again.exit_code == 4 and "already a staff user" in again.stderr


def test_migration_matches_the_staff_models(database_url: str) -> None:
    metadata = load_all_models().metadata
    own = {"staff_users", "staff_sessions"}
    assert set(metadata.tables) >= own
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    mine = [d for d in diffs if own & _names(d)]
    assert mine == []


def _names(diff: object) -> set[str]:
    """Every table name a diff mentions (as a table, a column's or index's table, or a plain name)."""
    out: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item if isinstance(item, tuple) else (item,):
            if isinstance(part, str):
                out.add(part)
            else:
                name = getattr(getattr(part, "table", part), "name", None)
                if isinstance(name, str):
                    out.add(name)
    return out


def test_production_passwords_use_argon2id_with_owasp_strength() -> None:
    from argon2 import Type

    from .conftest import PRODUCTION_HASHER

    assert PRODUCTION_HASHER.type is Type.ID
    # OWASP's minimum for Argon2id: 19 MiB of memory with 2 passes (or more memory, fewer passes).
    assert PRODUCTION_HASHER.memory_cost >= 19 * 1024 and PRODUCTION_HASHER.time_cost >= 2
