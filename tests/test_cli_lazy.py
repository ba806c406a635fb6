"""`sxr --help` imports no domain: the root lists its commands from COMMANDS in src/sxr/cli.py (a name, the
`register` that adds it, its help line) and imports a command's module only when that command runs.

These tests keep that table true (every command listed, with the help it really has, and nothing listed that
is not there) and check, in a fresh interpreter, what `sxr --help` and `sxr COMMAND --help` import. They are
structural, not timed: bench/cli_start.py measures the time.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._click import Command

from sxr.cli import COMMANDS, app
from sxr.cli_support import LazyCommand, LazyCommands, lazy_group, registered_commands, run

SRC = Path(__file__).resolve().parents[1] / "src"
HOW = (
    "A top-level command is one line in COMMANDS in src/sxr/cli.py: "
    'LazyCommand("NAME", "sxr.DOMAIN.cli:register", "its help\'s first line"); see the top of that file.'
)
# Nothing `sxr --help` needs; each costs a tenth of a second or more to import.
HEAVY = ("sqlalchemy", "numpy", "fastapi", "starlette", "PIL", "cryptography", "argon2", "duckdb", "yaml")


def _help_line(command: Command) -> str:
    """The line a group's help shows for `command`: the first paragraph of its help, on one line."""
    text = command.short_help or command.help or ""
    return " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


def _imports_of(argv: list[str]) -> tuple[set[str], str]:
    """The modules a fresh `sxr ARGV` has imported when it exits, and what it printed."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sys.modules) + '\\n'))\n"
        "from sxr.cli import main\n"
        f"sys.argv = ['sxr', *{argv!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    modules = done.stderr.rsplit("MODULES ", 1)[-1].split()
    return set(modules), done.stdout


def test_the_table_and_the_commands_agree() -> None:
    """Each `register` adds exactly the commands the table says it does, each with the table's help line."""
    problems = []
    for register in dict.fromkeys(entry.register for entry in COMMANDS):
        real = registered_commands(register)
        listed = {entry.name: entry for entry in COMMANDS if entry.register == register}
        for name, command in real.items():
            line = _help_line(command)
            if name not in listed:
                problems.append(f"{register} adds `sxr {name}`, which COMMANDS does not list: add the line")
                problems.append(f"    LazyCommand({name!r}, {register!r}, {line!r}),")
            elif listed[name].help != line:
                problems.append(f"`sxr {name}`'s help changed: in COMMANDS write its help as {line!r}")
        problems += [
            f"COMMANDS lists `sxr {name}` under {register}, which adds no such command (a wrong name, "
            "or the command was moved or removed)"
            for name in listed.keys() - real.keys()
        ]
    assert not problems, "\n".join([*problems, HOW])


def test_every_domain_register_is_in_the_table() -> None:
    """A `register(app)` written in a domain's module but never named in COMMANDS: its commands are lost."""
    named = {entry.register.partition(":")[0] for entry in COMMANDS}
    # A register the root calls itself (`sxr evidence`, given its derivers by sxr.cli:register_evidence).
    root = (SRC / "sxr" / "cli.py").read_text()
    named |= {
        f"sxr.{package}.{module}" for package, module in re.findall(r"from sxr\.(\w+) import (\w+)", root)
    }
    missing = []
    for path in sorted(SRC.glob("sxr/**/*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        if (
            re.search(r"^def register\(app: typer\.Typer", path.read_text(), re.MULTILINE)
            and module not in named
        ):
            missing.append(f"{path.relative_to(SRC.parent)} has a register(app) that COMMANDS does not name")
    assert not missing, "\n".join([*missing, HOW])


def test_the_root_has_no_command_outside_the_table() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root.commands, LazyCommands)  # type: ignore[attr-defined]
    direct = sorted(root.commands.direct)  # type: ignore[attr-defined]
    assert not direct, f"`sxr {direct[0]}` was added to the root directly, so every command imports it. {HOW}"


def test_the_listing_is_the_one_the_real_commands_give(capsys: pytest.CaptureFixture[str]) -> None:
    """`sxr --help` from the table, and from every command imported: the same text."""
    assert run(app, ["--help"]) == 0
    from_table = capsys.readouterr().out
    root = typer.main.get_command(app)
    every = [root.commands[name] for name in root.commands]  # type: ignore[attr-defined]  # imports each
    assert len(every) == len(COMMANDS)
    root.main(["--help"], prog_name="sxr", standalone_mode=False)
    assert capsys.readouterr().out == from_table
    for entry in COMMANDS:
        assert re.search(rf"^\W*{re.escape(entry.name)}\s", from_table, re.MULTILINE), entry.name


def test_sxr_help_imports_no_domain() -> None:
    modules, shown = _imports_of(["--help"])
    assert "serve" in shown and "offenders" in shown, shown  # it ran, and listed the commands
    heavy = sorted(m for m in HEAVY if m in modules)
    assert not heavy, f"`sxr --help` imported {heavy}: import them inside the functions that use them"
    domains = sorted(m for m in modules if m.startswith("sxr.") and m not in ("sxr.cli", "sxr.cli_support"))
    assert not domains, f"`sxr --help` imported {domains}: {HOW}"
    assert "sxr.config" not in modules and "pydantic" not in modules


@pytest.mark.slow
@pytest.mark.parametrize("entry", COMMANDS, ids=[entry.name for entry in COMMANDS])
def test_a_commands_help_imports_nothing_heavy(entry: LazyCommand) -> None:
    """`sxr COMMAND --help` imports the command's module, and that module keeps its heavy imports (the
    database, NumPy, the web app) inside the functions that need them."""
    modules, shown = _imports_of([entry.name, "--help"])
    assert "Usage: sxr" in shown, shown
    heavy = sorted(m for m in HEAVY if m in modules)
    assert not heavy, (
        f"`sxr {entry.name} --help` imported {heavy}: in {entry.register.partition(':')[0]}, import them "
        "inside the functions that use them (under `if TYPE_CHECKING:` for annotations)"
    )


def test_a_table_that_names_a_missing_command_says_so(capfd: pytest.CaptureFixture[str]) -> None:
    wrong = typer.Typer(cls=lazy_group([LazyCommand("nope", "sxr.cases.cli:register", "Not there.")]))

    @wrong.callback()
    def root() -> None:
        """A root whose table is wrong."""

    assert run(wrong, ["nope"]) != 0
    assert "sxr.cases.cli:register registers `sxr nope`, but it does not" in capfd.readouterr().err
    with pytest.raises(ValueError, match="listed twice"):
        lazy_group([LazyCommand("case", "sxr.cases.cli:register", "x")] * 2)
