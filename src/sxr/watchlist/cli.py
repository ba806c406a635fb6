"""`sxr watchlist ...`: bank files' hashes for a case, withdraw, exchange CSV with HMA, match files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sxr.cli_support import cli_session, fail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

watchlist_app = typer.Typer(help="The watchlist of victims' media hashes.", no_args_is_help=True)


def _hash_files(files: list[Path]) -> list[dict[str, Any]]:
    from sxr.media.hashing import hash_file

    for path in files:
        if not path.exists():
            fail(f"{path} does not exist.", "not_found")
    hashed = [hash_file(path) for path in files]
    for entry in hashed:
        if entry["error"]:
            fail(f"Could not hash {entry['path']}: {entry['error']}.", "refused")
    return hashed


def _file_hashes(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every hash of one hashed file, of every registered type, perceptual ones first."""
    from sxr.media.signal_types import SIGNAL_TYPES

    return [item for name, signal in SIGNAL_TYPES.items() for item in signal.from_file_entry(entry.get(name))]


def _matches_of(session: Session, entry: dict[str, Any]) -> dict[str, int]:
    """The entries one hashed file matches, each at its nearest distance (0 for a matching video)."""
    from sxr.media.signal_types import SIGNAL_TYPES
    from sxr.watchlist.services import lookup, lookup_frames

    matches: dict[str, int] = {}
    items = _file_hashes(entry)
    framed = {signal.name for signal in SIGNAL_TYPES.framed()}
    queries = [
        {"type": item["type"], "value": item["value"]}
        for item in items
        if item["type"] not in framed and SIGNAL_TYPES[item["type"]].usable(item.get("quality"))
    ]
    for hits in lookup(session, queries):
        for hit in hits:
            matches[hit.entry.public_id] = min(hit.distance, matches.get(hit.entry.public_id, hit.distance))
    for item in items:
        if item["type"] in framed:
            for video, _q, _c in lookup_frames(session, item):
                matches.setdefault(video.public_id, 0)
    return matches


@watchlist_app.command("add")
def add_command(
    reference: Annotated[str, typer.Argument(help="the case's reference")],
    files: Annotated[list[Path], typer.Argument(help="pictures or videos on this machine")],
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Hash files here and bank the hashes for case REFERENCE (the files themselves are not kept)."""
    from sxr.cases.services import get_case_by_reference
    from sxr.watchlist.services import WatchlistError, bank_hashes

    hashed = _hash_files(files)
    try:
        with cli_session() as (_settings, session):
            case = get_case_by_reference(session, reference)
            if case is None:
                fail(f"There is no case with reference {reference}.", "not_found")
            # The operator hashed the files here: staff have seen them, so the entries are reviewed.
            entries = bank_hashes(
                session, case.id, [h for e in hashed for h in _file_hashes(e)], "cli", trust="reviewed"
            )
            out = [{"id": e.public_id, "type": e.type, "hash": e.value} for e in entries]
    except WatchlistError as exc:
        fail(str(exc), "refused")
    if json_output:
        typer.echo(json.dumps({"entries": out}))
    else:
        for item in out:
            typer.echo(f"{item['id']} {item['type']} {item['hash'] or ''}".rstrip())


@watchlist_app.command("withdraw")
def withdraw_command(entry_id: Annotated[str, typer.Argument(help="the entry's id")]) -> None:
    """Take an entry off the watchlist and delete it (it stops matching at once)."""
    from sxr.watchlist.services import NotFound, withdraw_entry

    try:
        with cli_session() as (_settings, session):
            withdraw_entry(session, entry_id)
    except NotFound as exc:
        fail(str(exc), "not_found")
    typer.echo(f"withdrawn {entry_id}", err=True)


@watchlist_app.command("import")
def import_command(
    csv_file: Annotated[Path, typer.Argument(help="signal_type,signal_value CSV (HMA / ThreatExchange)")],
) -> None:
    """Bank the signals of a file exported by HMA or ThreatExchange tools (every single-value hash type)."""
    from sxr.watchlist.services import WatchlistError, import_csv

    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        fail(f"Could not read {csv_file}: there is no such file.", "not_found")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"Could not read {csv_file}: {exc.__class__.__name__}.", "refused")
    try:
        with cli_session() as (_settings, session):
            entries = import_csv(session, text, added_by=f"import:{csv_file.name}"[:120])
    except WatchlistError as exc:
        fail(f"{csv_file}: {exc}", "refused")
    typer.echo(f"imported {len(entries)} signals", err=True)


@watchlist_app.command("export")
def export_command() -> None:
    """Print every single-value entry (PDQ, MD5, ...) as signal_type,signal_value CSV (no case data)."""
    from sxr.watchlist.services import export_csv

    with cli_session() as (_settings, session):
        export_csv(session, sys.stdout)


@watchlist_app.command("match")
def match_command(
    files: Annotated[list[Path], typer.Argument(help="pictures or videos to check")],
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Check files on this machine against the watchlist (nothing is recorded)."""

    hashed = _hash_files(files)
    out = []
    with cli_session() as (_settings, session):
        for entry in hashed:
            matches = _matches_of(session, entry)
            nearest = sorted(matches.items(), key=lambda kv: kv[1])
            out.append(
                {"path": entry["path"], "matches": [{"entry_id": k, "distance": d} for k, d in nearest]}
            )
    if json_output:
        typer.echo(json.dumps({"files": out}))
    else:
        for item in out:
            found = ", ".join(f"{m['entry_id']} at {m['distance']}" for m in item["matches"]) or "no match"
            typer.echo(f"{item['path']}: {found}")


@watchlist_app.command("snapshot")
def snapshot_command(
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Write the watchlist index to the data dir, so that a process starts from it in seconds."""
    import time

    from sxr.watchlist.services import live_index
    from sxr.watchlist.snapshot import snapshot_now

    started = time.perf_counter()
    with cli_session() as (settings, session):
        index = live_index(session)
        try:
            folder = snapshot_now(index, session.get_bind().engine, settings)
        except OSError as exc:
            problem = exc.strerror or type(exc).__name__
            fail(f"Could not write the snapshot in {settings.data_dir}: {problem}.", "environment")
        counts = index.loaded()
        seq = index.seq
    if folder is None:
        fail("Another process is writing the snapshot just now: try again in a minute.", "environment")
    out = {
        "path": str(folder),
        "change_seq": seq,
        "entries": counts,
        "loaded_from": index.source,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if json_output:
        typer.echo(json.dumps(out))
    else:
        typer.echo(f"wrote {folder}: {sum(counts.values())} entries up to change {seq}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(watchlist_app, name="watchlist")
