"""Forensic scans of a folder: every file (and every file inside zip archives) hashed on every core.

A scan is resumable: each finished file is appended to a state file (one JSON line, keyed by its path,
size and modification time), and a scan started again skips what is already there. Zip archives are read
in place, safely: member names that would leave the archive are refused, and sizes and compression ratios
are capped so a zip bomb cannot fill memory or disk.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sxr.media.hashing import BUILT_IN, VIDEO_SUFFIXES, hash_file

ARCHIVE_SEPARATOR = "!/"


@dataclass(frozen=True)
class ScanLimits:
    """Caps on what a zip archive may make the scan read."""

    max_member_bytes: int = 2 * 1024**3
    max_archive_bytes: int = 16 * 1024**3
    max_members: int = 100_000
    max_ratio: float = 200.0


@dataclass(frozen=True)
class ScanItem:
    """One thing to hash: a file, or a member of a zip archive (`member` set)."""

    path: str
    size: int
    mtime_ns: int
    member: str | None = None
    refusal: str | None = None

    @property
    def display_path(self) -> str:
        return self.path if self.member is None else f"{self.path}{ARCHIVE_SEPARATOR}{self.member}"

    @property
    def key(self) -> str:
        """Identifies this exact version of the item in the state file."""
        return f"{self.display_path}\x00{self.size}\x00{self.mtime_ns}"


def _unsafe_member_name(name: str) -> str | None:
    if "\x00" in name or "\\" in name:
        return "the name in the archive is not a plain path"
    pure = PurePosixPath(name)
    if pure.is_absolute() or (pure.parts and ":" in pure.parts[0]):
        return "the name in the archive is an absolute path (refused: it could leave the archive)"
    if ".." in pure.parts:
        return "the name in the archive climbs out with '..' (refused: path traversal)"
    return None


def _zip_items(path: Path, size: int, mtime_ns: int, limits: ScanLimits) -> Iterator[ScanItem]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        problem = f"the zip archive could not be opened ({exc})"
        yield ScanItem(str(path), size, mtime_ns, member="", refusal=problem)
        return
    total = 0
    for count, info in enumerate(infos):
        if info.is_dir():
            continue
        reason = _unsafe_member_name(info.filename)
        if reason is None and count >= limits.max_members:
            reason = f"the archive has more than {limits.max_members} files; the rest are not opened"
        if reason is None and info.file_size > limits.max_member_bytes:
            reason = f"the file is too large to unpack safely ({info.file_size} bytes)"
        if reason is None and info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            reason = "the file is compressed suspiciously well (a possible zip bomb); not unpacked"
        if reason is None and total + info.file_size > limits.max_archive_bytes:
            reason = "the archive unpacks to more than the scan allows; not unpacked"
        if reason is None and info.flag_bits & 0x1:
            reason = "the file is encrypted in the archive"
        if reason is None:
            total += info.file_size
        yield ScanItem(str(path), size, mtime_ns, member=info.filename, refusal=reason)


def iter_scan_items(root: Path, limits: ScanLimits | None = None) -> Iterator[ScanItem]:
    """Every file under `root` (sorted, symbolic links not followed), then the members of each zip."""
    limits = limits or ScanLimits()
    errors: list[OSError] = []
    for directory, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
        dirnames.sort()
        for error in errors:
            yield ScanItem(str(error.filename or directory), 0, 0, refusal=_unreadable(error))
        errors.clear()
        for name in sorted(filenames):
            path = Path(directory) / name
            try:
                info = path.lstat()
            except OSError as exc:
                yield ScanItem(str(path), 0, 0, refusal=_unreadable(exc))
                continue
            if stat.S_ISLNK(info.st_mode):
                yield ScanItem(str(path), 0, 0, refusal="a symbolic link (not followed)")
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            yield ScanItem(str(path), info.st_size, info.st_mtime_ns)
            if _is_zip(path):
                yield from _zip_items(path, info.st_size, info.st_mtime_ns, limits)
    for error in errors:
        yield ScanItem(str(error.filename or root), 0, 0, refusal=_unreadable(error))


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _unreadable(exc: OSError) -> str:
    return f"the file could not be read ({exc.strerror or exc})"


def _refused_entry(item: ScanItem) -> dict[str, Any]:
    return {"path": item.display_path, **dict.fromkeys(BUILT_IN), "error": item.refusal}


def hash_scan_item(item: ScanItem, video_frames_per_second: float | None = None) -> dict[str, Any]:
    """Hash one scan item (never raises: problems become the entry's "error")."""
    if item.refusal is not None:
        return _refused_entry(item)
    try:
        if item.member is None:
            return hash_file(
                Path(item.path), video_frames_per_second=video_frames_per_second, display_path=item.path
            )
        return _hash_member(item, video_frames_per_second)
    except Exception as exc:  # one bad file must never stop a scan of thousands
        entry = _refused_entry(item)
        entry["error"] = f"the file could not be hashed ({exc.__class__.__name__}: {exc})"
        return entry


def _hash_member(item: ScanItem, video_frames_per_second: float | None) -> dict[str, Any]:
    assert item.member is not None
    suffix = PurePosixPath(item.member).suffix[:16]
    with zipfile.ZipFile(item.path) as archive:
        info = archive.getinfo(item.member)
        with tempfile.TemporaryDirectory(prefix="sxr-scan-") as scratch:
            # A fixed name inside a private directory: the member's own name never touches the disk.
            target = Path(scratch) / f"member{suffix}"
            written = 0
            with archive.open(info) as member, target.open("wb") as out:
                while chunk := member.read(1024 * 1024):
                    written += len(chunk)
                    if written > info.file_size:
                        raise ValueError("the file unpacks to more than the archive says")
                    out.write(chunk)
            return hash_file(
                target, video_frames_per_second=video_frames_per_second, display_path=item.display_path
            )


def _state_key(item: ScanItem, rate: float | None) -> str:
    # The video sampling rate is part of the key: a denser scan must not reuse a sparser one's frames.
    return f"{item.key}\x00{rate or 'all'}"


def _hash_task(args: tuple[ScanItem, float | None]) -> tuple[str, dict[str, Any]]:
    item, rate = args
    return _state_key(item, rate), hash_scan_item(item, rate)


def _is_video_name(item: ScanItem) -> bool:
    name = item.member if item.member is not None else item.path
    return PurePosixPath(name).suffix.lower() in VIDEO_SUFFIXES


def _read_ahead(item: ScanItem) -> None:
    """Ask the kernel to start reading a file that will be hashed soon, so no thread waits on the disk."""
    if item.member is not None or item.refusal is not None or not hasattr(os, "posix_fadvise"):
        return
    try:
        descriptor = os.open(item.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return  # the hashing step reports the problem in words
    try:
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass  # only a hint: the file is read either way
    finally:
        os.close(descriptor)


_Task = tuple[ScanItem, float | None]


def _hash_in_parallel(tasks: list[_Task], workers: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Hash the tasks `workers` at a time, yielding each result as it finishes.

    Threads, not processes: decoding, shrinking (Pillow) and MD5/SHA-256 (hashlib) run without the GIL, so
    threads use every core with no process start-up, no re-imports and no pickling (see NOTES.md). Only
    PDQ's C++ holds the GIL, a few milliseconds a picture but most of the work on a full-size video frame:
    so when every frame of several videos is hashed, the videos go to processes of their own.
    """
    every_frame = tasks[0][1] is None
    videos = [task for task in tasks if every_frame and _is_video_name(task[0])]
    others = [task for task in tasks if not (every_frame and _is_video_name(task[0]))]
    if len(videos) < 2:
        videos, others = [], tasks
    with ExitStack() as stack:
        queues: list[tuple[Executor, list[_Task]]] = []
        if others:
            threads = ThreadPoolExecutor(max_workers=min(workers, len(others)), thread_name_prefix="sxr-scan")
            queues.append((stack.enter_context(threads), others))
        if videos:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["sxr.media.hashing"])
            processes = ProcessPoolExecutor(max_workers=min(workers, len(videos)), mp_context=context)
            queues.append((stack.enter_context(processes), videos))
        yield from _run_windowed(queues, 2 * workers)


def _run_windowed(
    queues: list[tuple[Executor, list[_Task]]], window: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Keep at most `window` tasks queued on each executor: memory stays bounded on a million files."""
    running: dict[Future[tuple[str, dict[str, Any]]], tuple[int, _Task]] = {}
    in_flight = [0] * len(queues)
    cursors = [iter(tasks) for _, tasks in queues]
    try:
        while True:
            for number, (executor, _) in enumerate(queues):
                for task in itertools.islice(cursors[number], window - in_flight[number]):
                    _read_ahead(task[0])
                    running[executor.submit(_hash_task, task)] = (number, task)
                    in_flight[number] += 1
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                number, task = running.pop(future)
                in_flight[number] -= 1
                yield _result(future, task)
    finally:
        for future in running:
            future.cancel()


def _result(future: Future[tuple[str, dict[str, Any]]], task: _Task) -> tuple[str, dict[str, Any]]:
    try:
        return future.result()
    except BrokenProcessPool as exc:  # a video that crashed its decoder takes its process with it
        entry = _refused_entry(task[0])
        entry["error"] = f"the file could not be hashed (the hashing process stopped: {exc})"
        return _state_key(*task), entry


class ScanState:
    """The state file: one JSON line per finished item, appended and flushed as each one finishes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, dict[str, Any]] = {}
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    try:
                        record = json.loads(line)
                        self.done[record["key"]] = record["entry"]
                    except (ValueError, KeyError, TypeError):
                        continue  # a line cut short by the interruption: that item is hashed again
        path.parent.mkdir(parents=True, exist_ok=True)
        cut_short = False
        if path.exists() and path.stat().st_size > 0:
            with path.open("rb") as raw:
                raw.seek(-1, os.SEEK_END)
                cut_short = raw.read(1) != b"\n"
        self._handle = path.open("a", encoding="utf-8")
        if cut_short:
            # The last line was cut short by the interruption: start the next record on a line of its own.
            self._handle.write("\n")

    def record(self, key: str, entry: dict[str, Any]) -> None:
        self.done[key] = entry
        self._handle.write(json.dumps({"key": key, "entry": entry}) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def scan_folder(
    root: Path,
    *,
    state_path: Path,
    workers: int | None = None,
    video_frames_per_second: float | None = None,
    limits: ScanLimits | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Hash every file under `root`, `workers` at a time; returns the entries and how many were resumed."""
    items = list(iter_scan_items(root, limits))
    state = ScanState(state_path)
    try:
        keys = [_state_key(item, video_frames_per_second) for item in items]
        pending = [item for item, key in zip(items, keys, strict=True) if key not in state.done]
        resumed = len(items) - len(pending)
        if on_total:
            on_total(len(items))
        if on_progress and resumed:
            on_progress(resumed)
        workers = workers or os.cpu_count() or 1
        tasks = [(item, video_frames_per_second) for item in pending]
        if workers <= 1 or len(pending) <= 1:
            results: Iterator[tuple[str, dict[str, Any]]] = map(_hash_task, tasks)
        else:
            results = _hash_in_parallel(tasks, workers)
        for key, entry in results:
            state.record(key, entry)
            if on_progress:
                on_progress(1)
        entries = [state.done[key] for key in keys]
    finally:
        state.close()
    return entries, resumed
