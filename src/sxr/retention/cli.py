"""`sxr retention run [--dry-run]` and `sxr retention erasures`: the retention rules, run by hand or by a job.

The run deletes empty reports and closed cases whose time has come (never one on hold), expires old
staff and victim sessions and rate-limit counters, and says what it did; `--dry-run` only says.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, NoReturn

import typer

from sxr.cases.cli import cli_session

retention_app = typer.Typer(
    help="Retention: delete what the deployment's rules say is due; the erasure ledger.",
    no_args_is_help=True,
)


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr and a non-zero exit (until sxr.cli_support's `fail` replaces it)."""
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


@retention_app.command("run")
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="say what would be deleted; delete nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Apply the retention rules now (settings SXR_RETENTION_*); every deletion is audited."""
    from sxr.retention.services import run_retention

    with cli_session() as (settings, session):
        report = run_retention(session, settings, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps(report.as_json()))
    else:
        verb = "would delete" if dry_run else "deleted"
        for row in report.erased:
            typer.echo(f"{verb} {row.reference} ({row.rule.replace('_', ' ')}, due {row.due:%Y-%m-%d})")
        for row in report.kept_on_hold:
            typer.echo(f"kept {row.reference}: on hold ({row.hold})")
        for row in report.for_review:
            typer.echo(f"for review {row.reference}: closed case due for deletion on {row.due:%Y-%m-%d}")
        for reference, problem in report.failed:
            typer.echo(f"could not delete {reference}: {problem}")
        typer.echo(
            f"{verb} {len(report.erased)} cases; expired {report.staff_sessions} staff sessions, "
            f"{report.victim_sessions} victim sessions, {report.rate_counters} rate-limit counters"
        )
    for path in report.blobs_left:
        print(f"warning: a deleted case's blob could not be removed: {path}", file=sys.stderr)
    if report.failed:
        fail(f"{len(report.failed)} cases could not be deleted (named above); run again or look at the logs")


@retention_app.command("erasures")
def erasures(
    reference: Annotated[
        str | None, typer.Option(help="say whether and when the case with this reference was deleted")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """The erasure ledger (a tombstone per deleted case), its chain checked; exit 1 when broken."""
    from sxr.retention.services import erasures as all_erasures
    from sxr.retention.services import find_erasure, walk_erasures

    with cli_session() as (settings, session):
        rows = all_erasures(session)
        if reference is not None:
            found = find_erasure(session, settings, reference)
            rows = [found] if found is not None else []
        problems = walk_erasures(session)
        listed: list[dict[str, Any]] = [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "reason": e.reason,
                "actor": e.actor,
                "evidence_items": e.evidence_items,
                "derived_items": e.derived_items,
                "watchlist_entries": e.watchlist_entries,
                "bytes": e.bytes,
                "ledger_seq": e.ledger_seq,
                "ledger_head": e.ledger_head,
                "items_digest": e.items_digest,
                "entry_hash": e.entry_hash,
            }
            for e in rows
        ]
    if as_json:
        typer.echo(json.dumps({"erasures": listed, "intact": not problems, "problems": problems}))
    else:
        for e in listed:
            typer.echo(
                f"{e['seq']}  {e['at']}  {e['reason']}  by {e['actor']}: {e['evidence_items']} files, "
                f"{e['watchlist_entries']} watchlist entries, ledger head {e['ledger_head'][:16]}"
            )
        if reference is not None and not listed:
            typer.echo("no deleted case has that reference")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        fail("the erasure ledger is broken (see above)")


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
