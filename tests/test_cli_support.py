"""The CLI's one error path and one database open: every command on a fresh data dir says at most one line
on stderr, never a traceback, with the exit code of its kind; a database that is not this sxr's is explained
in one line naming it."""

from __future__ import annotations

import enum
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer

from sxr.cli import app
from sxr.cli_support import EXIT_CODES, UNEXPECTED, describe_database, one_line, run
from sxr.config import get_settings
from sxr.db import dispose_engines, session_scope

# Commands that run until they are stopped: the walk cannot wait for them (serve's database open is the
# same `open_database` every other command uses, and is tested below).
RUNS_UNTIL_STOPPED = {("serve",)}
SXR = Path(sys.executable).with_name("sxr")


def _leaf_commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    children = getattr(command, "commands", None)
    if children is None:
        yield path, command
        return
    for name, child in sorted(children.items()):
        yield from _leaf_commands(child, (*path, name))


def _value(param: Any, sample: Path) -> str:
    """A plausible value for a required parameter: a real file for a path, a reference-like word else."""
    annotation = param.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return str(next(iter(annotation)).value)
    if "Path" in str(annotation):
        return str(sample)
    if annotation in (int, float):
        return "1"
    return "SXR-2222-2222"


def _argv(path: tuple[str, ...], command: Any, sample: Path) -> list[str]:
    argv = list(path)
    for param in command.params:
        if not param.required:
            continue
        if param.param_type_name == "argument":
            argv.append(_value(param, sample))
        else:
            argv += [param.opts[0], _value(param, sample)]
    return argv


def every_command() -> list[tuple[tuple[str, ...], Any]]:
    return list(_leaf_commands(typer.main.get_command(app)))


def test_the_walk_sees_every_command() -> None:
    names = {" ".join(path) for path, _ in every_command()}
    # A few that must be there, so a broken walk cannot pass by finding nothing.
    assert {"case new", "staff list", "apikey create", "watchlist export", "db upgrade", "plan"} <= names
    assert {" ".join(p) for p in RUNS_UNTIL_STOPPED} <= names


@pytest.mark.slow
def test_every_command_on_a_fresh_data_dir_says_at_most_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SXR_ENVIRONMENT", "test")
    monkeypatch.delenv("SXR_DATABASE_URL", raising=False)
    monkeypatch.delenv("SXR_MASTER_KEY", raising=False)
    monkeypatch.delenv("SXR_SIGNING_KEY", raising=False)
    sample = tmp_path / "sample.txt"
    sample.write_text("12/03/2025, 21:14 - Alex: send a pic\n")
    walked = []
    for n, (path, command) in enumerate(every_command()):
        if path in RUNS_UNTIL_STOPPED:
            continue
        monkeypatch.setenv("SXR_DATA_DIR", str(tmp_path / f"fresh-{n}" / "data"))
        monkeypatch.chdir(tmp_path)
        get_settings.cache_clear()
        argv = _argv(path, command, sample)
        code = run(app, argv)
        out, err = capfd.readouterr()
        dispose_engines()
        said = [line for line in err.splitlines() if line.strip()]
        where = f"`sxr {' '.join(argv)}` exited {code} saying {err!r}"
        assert len(said) <= 1, where
        assert "Traceback" not in out + err, where
        assert code in EXIT_CODES.values() or code == 0, where
        assert code != 0 or not said or not said[0].startswith("sxr: "), where
        walked.append(" ".join(path))
    assert len(walked) >= 25, walked
    get_settings.cache_clear()


@pytest.mark.slow
def test_the_commands_the_issue_named_answer_on_a_fresh_data_dir(tmp_path: Path) -> None:
    """As a person types them: the installed `sxr` in a new folder, nothing set up."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SXR_DATA_DIR": str(tmp_path / "data")}
    for argv, code in ((["staff", "list"], 0), (["apikey", "create", "ExampleChat"], 0)):
        done = subprocess.run([str(SXR), *argv], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) <= 1, done.stderr
    missing = subprocess.run(
        [str(SXR), "evidence", "list", "SXR-2222-2222"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert missing.returncode == EXIT_CODES["not_found"]
    assert missing.stderr.count("\n") == 1 and str(tmp_path / "data" / "sxr.sqlite3") in missing.stderr


def test_usage_errors_are_one_line(capfd: pytest.CaptureFixture[str], settings: Any) -> None:
    assert run(app, ["case", "new", "--no-such-option"]) == EXIT_CODES["usage"]
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "--no-such-option" in err and "sxr case new --help" in err
    assert run(app, ["plan", "--region", "XX"]) == EXIT_CODES["usage"]
    assert capfd.readouterr().err.count("\n") == 1


def test_a_fault_in_sxr_is_one_line_and_its_details_are_kept(
    settings: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    broken = typer.Typer()

    @broken.command()
    def explode() -> None:
        """A command with a bug in it."""
        {}["missing"]  # a real KeyError, as a bug would raise it

    @broken.command()
    def other() -> None:
        """Makes `explode` a sub-command."""

    assert run(broken, ["explode"]) == UNEXPECTED
    err = capfd.readouterr().err
    log = settings.data_dir / "logs" / "cli-errors.log"
    assert err.count("\n") == 1 and "KeyError" in err and str(log) in err
    assert "Traceback" in log.read_text() and (log.stat().st_mode & 0o777) == 0o600


def test_one_line_keeps_terminal_escapes_out() -> None:
    assert one_line("evil\x1b]0;owned\x07\nname\u202egpj.exe") == "evil\ufffd]0;owned\ufffd name\ufffdgpj.exe"


def test_an_older_database_is_explained_not_migrated(
    settings: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    from sxr.migrations import upgrade

    upgrade(settings.resolved_database_url, "0006")
    dispose_engines()
    assert run(app, ["staff", "list"]) == EXIT_CODES["environment"]
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "0006" in err and "sxr db upgrade" in err
    assert str(settings.data_dir / "sxr.sqlite3") in err
    assert run(app, ["db", "upgrade"]) == 0 and "is up to date" in capfd.readouterr().err
    assert run(app, ["staff", "list"]) == 0


def test_tables_sxr_did_not_make_are_left_alone(settings: Any, capfd: pytest.CaptureFixture[str]) -> None:
    settings.ensure_data_dir()
    with session_scope(settings.resolved_database_url) as session:
        session.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    assert run(app, ["case", "new"]) == EXIT_CODES["environment"]
    assert "tables sxr did not make" in capfd.readouterr().err


def test_an_unreachable_database_is_named_without_its_password(
    settings: Any, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # Port 9 on the loopback: nothing listens there, so the connection is refused at once.
    monkeypatch.setenv("SXR_DATABASE_URL", "postgresql+psycopg://sxr:hunter2secret@127.0.0.1:9/sxr")
    get_settings.cache_clear()
    assert run(app, ["watchlist", "export"]) == EXIT_CODES["environment"]
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1:9/sxr" in err and "hunter2secret" not in err


@pytest.mark.postgres
def test_a_new_empty_postgresql_database_is_set_up(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    empty_postgres_url: str,
) -> None:
    monkeypatch.setenv("SXR_DATABASE_URL", empty_postgres_url)
    get_settings.cache_clear()
    assert run(app, ["staff", "list"]) == 0
    assert run(app, ["evidence", "list", "SXR-2222-2222"]) == EXIT_CODES["not_found"]
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and describe_database(empty_postgres_url) in err
    get_settings.cache_clear()
