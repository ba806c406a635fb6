"""`sxr hash` and `sxr scan`: media hashes of files and forensic scans of folders."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sxr.cli_support import EXIT_CODES, fail, load_settings

FPS_HELP = "video frames to hash per second (default: every frame)"


def _check_rate(fps: float | None) -> None:
    if fps is not None and fps <= 0:
        fail("--fps must be a positive number of frames per second.", "usage")


def _summary_line(entry: dict[str, Any]) -> str:
    if entry["error"]:
        return f"{entry['path']}: {entry['error']}"
    parts = [f"md5 {entry['md5']}"]
    if entry["pdq"]:
        usable = "" if entry["pdq"]["quality"] >= 50 else " (too plain to match)"
        parts.append(f"pdq {entry['pdq']['hash']} quality {entry['pdq']['quality']}{usable}")
    if entry["vpdq"]:
        parts.append(f"vpdq {len(entry['vpdq']['frames'])} frames")
    return f"{entry['path']}: " + ", ".join(parts)


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


def scan_command(
    directory: Annotated[Path, typer.Argument(help="the folder to scan (recursively, zip archives too)")],
    watchlist: Annotated[
        Path | None, typer.Option("--watchlist", help="CSV of hashes to report matches against")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="processes to use (default: every core)")
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
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sxr.media.linear_watchlist import LinearWatchlistCheck, WatchlistFileError
    from sxr.media.scan import scan_folder

    _check_rate(fps)
    if not directory.is_dir():
        fail(f"{directory} is not a folder that can be read.", "not_found")
    if workers is not None and workers < 1:
        fail("--workers must be 1 or more.", "usage")
    check = None
    if watchlist is not None:
        try:
            check = LinearWatchlistCheck.from_csv(watchlist)
        except WatchlistFileError as exc:
            fail(f"{exc}.", "refused")
    state_path = state or _default_state_path(directory)
    if fresh and state_path.exists():
        state_path.unlink()

    console = Console(stderr=True)
    columns = (
        TextColumn("hashing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("hashing", total=None)
        try:
            entries, resumed = scan_folder(
                directory,
                state_path=state_path,
                workers=workers,
                video_frames_per_second=None if every_frame else fps,
                on_total=lambda total: progress.update(task, total=total),
                on_progress=lambda done: progress.advance(task, done),
            )
        except OSError as exc:
            reason = exc.strerror or exc
            fail(f"The scan could not keep its state file at {state_path} ({reason}).", "environment")
    if check is not None:
        for entry in entries:
            entry["matches"] = check.matches(entry)
    summary = {
        "files": len(entries),
        "images": sum(1 for entry in entries if entry["pdq"]),
        "videos": sum(1 for entry in entries if entry["vpdq"]),
        "skipped": sum(1 for entry in entries if entry["error"]),
        "resumed": resumed,
        "matched": sum(1 for entry in entries if entry.get("matches")),
    }
    if json_output:
        typer.echo(json.dumps({"root": str(directory), "summary": summary, "files": entries}))
        return
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
        + (f", {summary['matched']} matched the watchlist" if check is not None else "")
    )


def register(app: typer.Typer) -> None:
    """Add `sxr hash` and `sxr scan`."""
    app.command("hash")(hash_command)
    app.command("scan")(scan_command)
