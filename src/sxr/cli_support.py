"""The CLI's plumbing, one of each for every command: the error path, the database open, the run loop.

- `fail(message, kind)`: one line on stderr and the exit code of its kind (EXIT_CODES); never a traceback
  for a user's mistake. Once a command has opened its database, a complaint that a thing was not found
  or that the environment is wrong names that database, so a user pointed at the wrong one can tell.
- `open_database(settings)` / `cli_session()`: a new, empty database is set up; one at an older revision,
  one made by a newer sxr, one holding tables sxr did not make, or one that cannot be reached is explained
  in one line (and the command stops), the same way for every command.
- `run(app, argv)`: the Typer app with Click's usage errors in one line and anything unexpected turned
  into one line plus where its details were saved.
- `LazyCommand` / `lazy_group(table)`: `sxr`'s commands imported only when one runs; `sxr --help` lists
  them from the table without importing any (src/sxr/cli.py holds the table).

This module is imported by every command before it parses its arguments, `sxr --help` included: it
imports nothing heavy at the top (SQLAlchemy and the settings are imported where they are used).
"""

from __future__ import annotations

import contextvars
import importlib
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NoReturn, cast

import typer
from typer._click import Command, Context, HelpFormatter  # Typer's own Click, whose group we extend
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sxr.config import Settings

FailKind = Literal["failed", "usage", "not_found", "refused", "environment"]

EXIT_CODES: dict[FailKind, int] = {
    "failed": 1,  # the command ran and its answer is no: a check found damage, a file could not be hashed
    "usage": 2,  # the command was called wrongly (Click uses 2 for this too)
    "not_found": 3,  # no such case, entry, user, key or file
    "refused": 4,  # the input was refused: invalid, too big, already there
    "environment": 5,  # the database, data dir, keys or settings are not usable
}
UNEXPECTED = 70  # a fault in sxr itself (sysexits' EX_SOFTWARE)
INTERRUPTED = 130

_opened: contextvars.ContextVar[str | None] = contextvars.ContextVar("sxr_cli_database", default=None)
# "sxr analyze", "sxr staff list": the words a complaint starts with (run() knows them; "sxr" else).
_command: contextvars.ContextVar[str] = contextvars.ContextVar("sxr_cli_command", default="sxr")

# Control characters (an offender's file name can hold terminal escapes) and bidi controls are shown as
# U+FFFD; runs of whitespace, newlines included, become one space: a complaint is one line.
_UNSAFE = {code: "\ufffd" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_UNSAFE.update({ord(ch): "\ufffd" for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"})
_UNSAFE.update({ord(ch): " " for ch in "\t\n\r\x0b\x0c"})


def one_line(text: str, limit: int = 600) -> str:
    """`text` as one safe line for a terminal (control characters replaced, whitespace joined, cut)."""
    line = " ".join(text.translate(_UNSAFE).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def fail(message: str, kind: FailKind = "refused", *, name_database: bool = True) -> NoReturn:
    """Say what went wrong in one line on stderr and stop with the exit code of `kind` (naming the opened
    database when it is a thing not found or the environment, unless `name_database` is False)."""
    line = one_line(message)
    database = _opened.get() if name_database else None
    if database and kind in ("not_found", "environment") and database not in line:
        line = f"{line} (database: {database})"
    typer.echo(f"{_command.get()}: {line}", err=True)
    raise typer.Exit(EXIT_CODES[kind])


def load_settings() -> Settings:
    """The settings, or one line naming every setting that is wrong."""
    from sxr.config import SettingsError, get_settings

    try:
        return get_settings()
    except SettingsError as exc:
        fail(f"the settings cannot be used: {exc}", "environment")


def describe_database(url: str) -> str:
    """The database as a person would name it: the SQLite file's path, or the URL without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "an unreadable SXR_DATABASE_URL"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _cause(exc: BaseException) -> str:
    # The driver's own first line says what failed (no such host, password refused); SQLAlchemy adds
    # the statement and a web address after it.
    origin = getattr(exc, "orig", None) or exc
    text = str(origin).strip().splitlines()
    return text[0] if text else type(origin).__name__


@dataclass(frozen=True)
class Database:
    """The database a command opened: its URL, and how to name it to a person."""

    url: str
    shown: str


def open_database(settings: Settings) -> Database:
    """The deployment's database, ready for this sxr: a new, empty one is set up; anything else that is
    not at this sxr's revision is explained (and the command stops)."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from sxr.migrations import schema_state, upgrade

    try:
        settings.ensure_data_dir()
    except OSError as exc:
        reason = exc.strerror or exc
        fail(f"the data dir {settings.data_dir} cannot be made or used ({reason})", "environment")
    url = settings.resolved_database_url
    database = Database(url, describe_database(url))
    _opened.set(database.shown)
    try:
        state = schema_state(url)
        if state.is_new:
            upgrade(url)
            return database
    except (SQLAlchemyError, ArgumentError, OSError) as exc:
        fail(f"the database cannot be opened: {_cause(exc)}", "environment")
    if state.is_current:
        return database
    current = ", ".join(state.current) or "none"
    head = ", ".join(state.head)
    if state.is_ahead:
        fail(
            f"the database was set up by a newer sxr (revision {current}; this one knows up to {head})",
            "environment",
        )
    if not state.current:
        fail(
            "the database holds tables sxr did not make: point SXR_DATABASE_URL at sxr's own database or an "
            "empty one",
            "environment",
        )
    fail(
        f"the database is at revision {current} and this sxr needs {head}: back it up, then run "
        "`sxr db upgrade`",
        "environment",
    )


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[tuple[Settings, Session]]:
    """Settings and a session on the opened database that commits on success, for one command; a
    database that fails on the way is one line, not a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from sxr.db import session_scope

    settings = settings or load_settings()
    database = open_database(settings)
    try:
        with session_scope(database.url) as session:
            yield settings, session
    except SQLAlchemyError as exc:
        fail(f"the database failed: {_cause(exc)}", "environment")


def _details_file(settings: Settings | None) -> Path:
    """Where an unexpected error's traceback goes: the private data dir, or the temp folder without it."""
    if settings is not None:
        try:
            folder = settings.ensure_data_dir() / "logs"
            folder.mkdir(mode=0o700, exist_ok=True)
            return folder / "cli-errors.log"
        except OSError:
            pass
    return Path(tempfile.gettempdir()) / f"sxr-cli-errors-{os.getuid()}.log"


def _save_details(exc: BaseException, argv: Sequence[str]) -> Path | None:
    from sxr.config import SettingsError, get_settings

    try:
        settings: Settings | None = get_settings()
    except SettingsError:
        settings = None
    path = _details_file(settings)
    text = f"--- {datetime.now(UTC).isoformat(timespec='seconds')} sxr {' '.join(argv)}\n" + "".join(
        traceback.format_exception(exc)
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as out:
            out.write(text)
    except OSError:
        return None
    return path


def _usage_line(exc: typer.TyperException) -> str:
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if exc.exit_code == EXIT_CODES["usage"] and ctx is not None:
        return f"{message} (see `{ctx.command_path} --help`)"
    return message


def _command_words(command: object, args: list[str]) -> str:
    words = ["sxr"]
    for arg in args:
        children = getattr(command, "commands", None)
        if not isinstance(children, dict) or arg not in children:
            break
        words.append(arg)
        command = children[arg]
    return " ".join(words)


def _unexpected(exc: Exception, args: Sequence[str]) -> int:
    """Settings that cannot be used, or a fault in sxr itself: one line, and where its details were saved."""
    from sxr.config import SettingsError

    if isinstance(exc, SettingsError):
        typer.echo(f"sxr: the settings cannot be used: {one_line(str(exc))}", err=True)
        return EXIT_CODES["environment"]
    saved = _save_details(exc, args)
    where = f"details in {saved}" if saved else "its details could not be saved"
    typer.echo(
        f"sxr: something went wrong inside sxr ({type(exc).__name__}: {one_line(str(exc), 200)}); {where}",
        err=True,
    )
    return UNEXPECTED


def run(app: typer.Typer, argv: Sequence[str] | None = None) -> int:
    """Run the Typer app on `argv` and return its exit code; nothing but a one-line error on stderr."""
    args = list(sys.argv[1:] if argv is None else argv)
    token = _opened.set(None)
    command_token = _command.set("sxr")
    try:
        command = typer.main.get_command(app)
        _command.set(_command_words(command, args))  # imports the command's module (a lazy group's)
        result = command.main(args=args, prog_name="sxr", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.TyperException as exc:  # Typer's (vendored Click's) usage errors
        # `sxr` or `sxr GROUP` alone: the help, as Typer gives it.
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            return EXIT_CODES["usage"]
        typer.echo(f"sxr: {one_line(_usage_line(exc))}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("sxr: stopped", err=True)
        return INTERRUPTED
    except Exception as exc:  # the one place a fault in sxr itself is caught: one line and where to look
        return _unexpected(exc, args)
    finally:
        _opened.reset(token)
        _command.reset(command_token)


# The lazy command table. `sxr --help` used to import every domain's commands (SQLAlchemy, the derivers,
# NumPy): most of a second before a word was printed. Now the root lists its commands from a table of
# names, the function that registers each, and the line `sxr --help` shows; a command's module is
# imported when that command (or its `--help`) runs. tests/test_cli_lazy.py keeps the table true.


@dataclass(frozen=True)
class LazyCommand:
    """One top-level command of `sxr`: its name, the `module:function` that registers it on a Typer app
    (a domain's `register(app)`, as `@app.command` or `app.add_typer` would), and its line in `sxr --help`."""

    name: str
    register: str
    help: str


def registered_commands(register: str) -> dict[str, Command]:
    """The Click commands that `register` ("module:function") adds to a Typer app, by name (imports it)."""
    module_name, _, function_name = register.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    scratch = typer.Typer()
    function(scratch)
    return dict(typer.main.get_group(scratch).commands)


class LazyCommands(MutableMapping[str, Command]):
    """A group's commands by name: the names (and their order) from the table, each command imported when
    it is first looked up; commands added directly (`add_command`) are kept as they are."""

    def __init__(self, table: Sequence[LazyCommand], direct: Mapping[str, Command]) -> None:
        self.table = {entry.name: entry for entry in table}
        self.direct = dict(direct)
        self._loaded: dict[str, dict[str, Command]] = {}  # by `register`: what it registered

    def loaded(self, name: str) -> Command | None:
        """The command if it is already imported (or added directly), else None; imports nothing."""
        if name in self.direct:
            return self.direct[name]
        entry = self.table.get(name)
        return self._loaded.get(entry.register, {}).get(name) if entry else None

    def __getitem__(self, name: str) -> Command:
        if name in self.direct:
            return self.direct[name]
        entry = self.table[name]
        if entry.register not in self._loaded:
            self._loaded[entry.register] = registered_commands(entry.register)
        try:
            return self._loaded[entry.register][name]
        except KeyError:
            raise LookupError(
                f"src/sxr/cli.py's COMMANDS says {entry.register} registers `sxr {name}`, but it does not"
            ) from None

    def __setitem__(self, name: str, command: Command) -> None:
        self.direct[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("sxr's commands are fixed by its table")

    def __contains__(self, name: object) -> bool:
        return name in self.table or name in self.direct

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.direct if name not in self.table)

    def __len__(self) -> int:
        return len(self.table) + sum(1 for name in self.direct if name not in self.table)


class LazyGroup(TyperGroup):
    """A Typer group whose commands come from `table` (a `LazyCommand` each), imported one by one."""

    table: ClassVar[tuple[LazyCommand, ...]] = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.table, self.commands)
        self._listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        commands = cast(LazyCommands, self.commands)
        if cmd_name not in commands:
            return None
        if self._listing and commands.loaded(cmd_name) is None:
            # The group's help lists the command: its line from the table, nothing imported.
            return TyperCommand(name=cmd_name, help=commands.table[cmd_name].help)
        return commands[cmd_name]

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def lazy_group(table: Sequence[LazyCommand]) -> type[LazyGroup]:
    """The class of a Typer group (`typer.Typer(cls=...)`) whose commands are `table`'s, imported lazily."""
    names = [entry.name for entry in table]
    if len(set(names)) != len(names):
        raise ValueError(f"a command is listed twice: {sorted({n for n in names if names.count(n) > 1})}")
    return type("SxrGroup", (LazyGroup,), {"table": tuple(table)})
