"""`sxr hash` and `sxr scan`: media hashes of files and forensic scans of folders."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sxr.cli_support import EXIT_CODES, fail, load_settings

if TYPE_CHECKING:
    from sxr.media.linear_watchlist import LinearWatchlistCheck

FPS_HELP = "video frames to hash per second (default: every frame)"


def _check_rate(fps: float | None) -> None:
    if fps is not None and fps <= 0:
        fail("--fps must be a positive number of frames per second.", "usage")


def _summary_line(entry: dict[str, Any]) -> str:
    from sxr.media.signal_types import SIGNAL_TYPES

    if entry["error"]:
        return f"{entry['path']}: {entry['error']}"
    parts = [signal.describe(entry.get(name)) for name, signal in SIGNAL_TYPES.items()]
    return f"{entry['path']}: " + ", ".join(part for part in parts if part)


def hash_command(
    files: Annotated[list[Path], typer.Argument(help="images, videos or any other files")],
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    fps: Annotated[float | None, typer.Option("--fps", help=FPS_HELP)] = None,
) -> None:
    """MD5, SHA-256 and PDQ (images) or vPDQ (videos) of each file."""
    from sxr.media.hashing import hash_file

    _check_rate(fps)
    entries = [hash_file(path, video_frames_per_second=fps) for path in files]
    if json_output:
        typer.echo(json.dumps({"files": entries}))
    else:
        for entry in entries:
            typer.echo(_summary_line(entry))
    failed = [entry for entry in entries if entry["error"]]
    for entry in failed:
        typer.echo(f"Could not hash {entry['path']}: {entry['error']}.", err=True)
    if failed:
        raise typer.Exit(EXIT_CODES["failed"])


def _default_state_path(root: Path) -> Path:
    # One state file per scanned folder, in the data dir: the scanned folder itself is never written to.
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return load_settings().data_dir / "scans" / f"{digest}.jsonl"


def _watchlist_check(path: Path | None) -> LinearWatchlistCheck | None:
    from sxr.media.linear_watchlist import LinearWatchlistCheck, WatchlistFileError

    if path is None:
        return None
    try:
        return LinearWatchlistCheck.from_csv(path)
    except WatchlistFileError as exc:
        fail(f"{exc}.", "refused")


def _hash_folder(
    directory: Path, state_path: Path, workers: int | None, rate: float | None
) -> tuple[list[dict[str, Any]], int]:
    """Every file's hashes, with a progress bar on a terminal; the entries and how many were resumed."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sxr.media.scan import scan_folder

    columns = (TextColumn("hashing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    console = Console(stderr=True)
    with Progress(*columns, console=console, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("hashing", total=None)
        try:
            return scan_folder(
                directory,
                state_path=state_path,
                workers=workers,
                video_frames_per_second=rate,
                on_total=lambda total: progress.update(task, total=total),
                on_progress=lambda done: progress.advance(task, done),
            )
        except OSError as exc:
            fail(
                f"The scan could not keep its state file at {state_path} ({exc.strerror or exc}).",
                "environment",
            )


def _scan_summary(entries: list[dict[str, Any]], resumed: int) -> dict[str, int]:
    return {
        "files": len(entries),
        "images": sum(1 for entry in entries if entry["pdq"]),
        "videos": sum(1 for entry in entries if entry["vpdq"]),
        "skipped": sum(1 for entry in entries if entry["error"]),
        "resumed": resumed,
        "matched": sum(1 for entry in entries if entry.get("matches")),
    }


def _print_scan(entries: list[dict[str, Any]], summary: dict[str, int], checked: bool) -> None:
    for entry in entries:
        if entry["error"]:
            typer.echo(f"skipped {entry['path']}: {entry['error']}")
        for match in entry.get("matches", []):
            typer.echo(
                f"MATCH {entry['path']}: watchlist entry {match['entry_id']} ({match['type']}, "
                f"distance {match['distance']})"
            )
    typer.echo(
        f"{summary['files']} files: {summary['images']} images, {summary['videos']} videos, "
        f"{summary['skipped']} skipped, {summary['resumed']} from an earlier run"
        + (f", {summary['matched']} matched the watchlist" if checked else "")
    )


def scan_command(
    directory: Annotated[Path, typer.Argument(help="the folder to scan (recursively, zip archives too)")],
    watchlist: Annotated[
        Path | None, typer.Option("--watchlist", help="CSV of hashes to report matches against")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="files hashed at once (default: one per core)")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    fps: Annotated[
        float, typer.Option("--fps", help="video frames to hash per second (a query: banks hash every frame)")
    ] = 1.0,
    every_frame: Annotated[
        bool, typer.Option("--every-frame", help="hash every video frame (slower; for banking)")
    ] = False,
    state: Annotated[
        Path | None, typer.Option("--state", help="state file that makes the scan resumable")
    ] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="ignore what an earlier scan finished")] = False,
) -> None:
    """Hash every file in a folder on every core; resumable; optionally match a watchlist."""
    _check_rate(fps)
    if not directory.is_dir():
        fail(f"{directory} is not a folder that can be read.", "not_found")
    if workers is not None and workers < 1:
        fail("--workers must be 1 or more.", "usage")
    check = _watchlist_check(watchlist)
    state_path = state or _default_state_path(directory)
    if fresh and state_path.exists():
        state_path.unlink()
    entries, resumed = _hash_folder(directory, state_path, workers, None if every_frame else fps)
    if check is not None:
        for entry in entries:
            entry["matches"] = check.matches(entry)
    summary = _scan_summary(entries, resumed)
    if json_output:
        typer.echo(json.dumps({"root": str(directory), "summary": summary, "files": entries}))
    else:
        _print_scan(entries, summary, check is not None)


def register(app: typer.Typer) -> None:
    """Add `sxr hash` and `sxr scan`."""
    app.command("hash")(hash_command)
    app.command("scan")(scan_command)
