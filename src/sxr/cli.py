"""The `sxr` command: a Typer root whose commands are imported only when one runs.

`COMMANDS` below is the one list of `sxr`'s top-level commands, in the order `sxr --help` shows them:
each names the `register(app)` function that adds it (a domain's `cli.py`) and the line `sxr --help`
prints, so `sxr --help` answers without importing any domain (SQLAlchemy, NumPy, the derivers).

To add a command: write it in a `register(app: typer.Typer)` of your domain's `cli.py` (as the others do:
`@app.command("name")` or `app.add_typer(name_app, name="name")`), then add one line to `COMMANDS`:
`LazyCommand("name", "sxr.domain.cli:register", "Its help's first line.")`. A sub-command of an
existing group (`sxr watchlist snapshot`) needs no line: the group is imported as a whole.
tests/test_cli_lazy.py fails, naming the line to write, when this table and the commands disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from sxr.cli_support import (
    LazyCommand,
    describe_database,
    fail,
    lazy_group,
    load_settings,
    open_database,
    run,
)

if TYPE_CHECKING:
    from sxr.evidence.services import Deriver

COMMANDS = (
    LazyCommand(
        "serve", "sxr.cli:register", "Serve the web app (victim portal, staff portal, platform API)."
    ),
    LazyCommand(
        "plan",
        "sxr.guidance.cli:register",
        "Make a personal plan from the answers (what to do, in order, and who can help).",
    ),
    LazyCommand(
        "import",
        "sxr.conversations.cli:register",
        "Read a chat export (WhatsApp, Messenger or Instagram, Telegram, Discord, Snapchat, Skype, Signal, "
        "Google Chat, e-mail, pasted chat) or chat screenshots into one conversation.",
    ),
    LazyCommand(
        "analyze",
        "sxr.analysis.cli:register",
        "Find the offender's details, the payments, the stages of the extortion and the risk.",
    ),
    LazyCommand(
        "hash", "sxr.media.cli:register", "MD5, SHA-256 and PDQ (images) or vPDQ (videos) of each file."
    ),
    LazyCommand(
        "scan",
        "sxr.media.cli:register",
        "Hash every file in a folder on every core; resumable; optionally match a watchlist.",
    ),
    LazyCommand("db", "sxr.cli:register", "The database."),
    LazyCommand("case", "sxr.cases.cli:register", "Confidential reports (cases)."),
    LazyCommand("evidence", "sxr.cli:register_evidence", "The evidence locker: add, list, verify, export."),
    LazyCommand("watchlist", "sxr.watchlist.cli:register", "The watchlist of victims' media hashes."),
    LazyCommand(
        "apikey", "sxr.accounts.cli:register", "API keys for platforms that match against the watchlist."
    ),
    LazyCommand(
        "report", "sxr.reports.cli:register", "Police report packs: build, verify, publish the signing key."
    ),
    LazyCommand("staff", "sxr.staff.cli:register", "Staff users of the staff portal."),
    LazyCommand(
        "retention",
        "sxr.retention.cli:register",
        "Retention: delete what the deployment's rules say is due; the erasure ledger.",
    ),
    LazyCommand(
        "backup",
        "sxr.operations.cli:register",
        "Back up the database and the evidence, check a backup, restore one into an empty deployment.",
    ),
    LazyCommand("keys", "sxr.operations.cli:register", "Rotate the master key and the report-signing key."),
    LazyCommand("links", "sxr.linking.cli:register", "Links between cases that share an offender."),
    LazyCommand(
        "worker",
        "sxr.cli:register_worker",
        "Run queued jobs: reading uploads (import, OCR, analysis), nightly retention and link rebuilds.",
    ),
    LazyCommand(
        "offenders", "sxr.linking.cli:register", "Offenders: clusters of linked cases, ranked by harm."
    ),
)

app = typer.Typer(
    name="sxr",
    cls=lazy_group(COMMANDS),
    help="sxr: sextortion response. Serve the app, keep evidence, read chat exports, hash media, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """The root itself does nothing: each command does its own work (a group needs a callback)."""


db_app = typer.Typer(help="The database.", no_args_is_help=True)


def serve(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default SXR_HOST or 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (default SXR_PORT or 8000)")] = None,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="start an `sxr worker` beside the server for queued jobs (default SXR_SERVE_WORKER: yes); "
            "--no-worker when workers run elsewhere",
        ),
    ] = None,
) -> None:
    """Serve the web app (victim portal, staff portal, platform API)."""
    import uvicorn

    from sxr.app import create_app
    from sxr.guidance.content import ContentError
    from sxr.monitoring.logs import configure_logging

    settings = load_settings()
    open_database(settings)  # set up when new, explained when not this sxr's: before the first request
    try:
        web_app = create_app(settings)
    except ContentError as exc:  # SXR_REGION names no region of the guidance content
        fail(f"the app cannot start: {exc}", "environment", name_database=False)
    configure_logging()  # JSON lines on stderr; README "What the logs may contain"
    from sxr.pipeline.worker import worker_beside

    with worker_beside(settings, enabled=settings.serve_worker if worker is None else worker):
        uvicorn.run(
            web_app,
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
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from sxr.migrations import upgrade

    settings = load_settings()
    try:
        settings.ensure_data_dir()
    except OSError as exc:
        fail(f"the data dir {settings.data_dir} cannot be made ({exc.strerror or exc})", "environment")
    url = settings.resolved_database_url
    try:
        upgrade(url)
    except (SQLAlchemyError, ArgumentError, OSError) as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        fail(f"{describe_database(url)} cannot be migrated: {cause[0] if cause else exc}", "environment")
    typer.echo(f"the database {describe_database(url)} is up to date", err=True)


@db_app.command("where")
def db_where(
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="remember this data dir and database for every later `sxr` of this install, run from "
            "any folder (`make run` does this)",
        ),
    ] = False,
) -> None:
    """Say which data dir and database this command line opens, and why."""
    from sxr.config import data_dir_origin, record_deployment

    settings = load_settings()
    if record:
        try:
            typer.echo(f"recorded in {record_deployment()}", err=True)
        except OSError as exc:
            fail(f"the deployment could not be recorded ({exc.strerror or exc})", "environment")
    typer.echo(f"data dir: {settings.data_dir} ({data_dir_origin()})")
    typer.echo(f"database: {describe_database(settings.resolved_database_url)}")


def register(app: typer.Typer) -> None:
    """Add the root's own commands: `sxr serve` and `sxr db`."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")


def register_evidence(app: typer.Typer) -> None:
    """Add `sxr evidence`, with the one list of derivers that new evidence runs through."""
    from sxr.evidence import cli as evidence_cli

    evidence_cli.register(app, derivers=derivers)


def register_worker(app: typer.Typer) -> None:
    """Add `sxr worker` (sxr.pipeline.worker), with monitoring's JSON logs (which pipeline may not import)."""
    from sxr.pipeline import worker as worker_cli

    worker_cli.add_command(app, configure_logging=_worker_logs)


def _worker_logs() -> None:
    from sxr.monitoring.logs import configure_logging

    configure_logging()


def derivers() -> Sequence[Deriver]:
    """sxr.pipeline's derivers, imported when a file is added (`sxr evidence --help` needs none)."""
    from sxr.pipeline.derivers import DERIVERS

    return DERIVERS


def main() -> None:
    sys.exit(run(app))
