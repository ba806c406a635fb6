"""A snapshot of the watchlist index on disk, so that a process at millions of entries is ready in seconds.

`$SXR_DATA_DIR/watchlist-index/` holds `current.json` (the manifest: format, the change sequence's token
and the change number the snapshot holds, each hash type's threshold and its arrays' files with their size
and CRC-32) and the folder it names, one `.npy` file per array: for PDQ, the index's own segments
(hashes, labels, tombstones, inverted lists and bucket tables), so nothing is sorted again on start.

A process maps the files read-only (`numpy.load(mmap_mode="r")`), checks every file against the manifest
(reading them once, which also brings them into memory), then catches up from the change sequence past
the snapshot's number. A snapshot that is missing, torn, corrupt, of another database or another
threshold, or newer than the database's changes is set aside with a warning and the index is read from
the database instead: never a crash, never a wrong answer.

Written atomically (a new folder, then `current.json` replaced by rename) by `sxr watchlist snapshot`
and after a process has read the whole index from the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from sxr.config import Settings
from sxr.media.signal import FramedHashType
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.models import WatchlistChange, WatchlistChangeLog

if TYPE_CHECKING:
    from sxr.watchlist.live import LiveIndex

logger = logging.getLogger(__name__)

FORMAT = "sxr-watchlist-index/1"
FOLDER = "watchlist-index"
MANIFEST = "current.json"
_READ_BLOCK = 1 << 24


class SnapshotRefused(Exception):
    """This snapshot cannot be used; the message says why, in a few words."""


def snapshot_folder(settings: Settings) -> Path:
    return settings.data_dir / FOLDER


def sequence_token(conn: Connection, *, create: bool = False) -> str | None:
    """The change sequence's token (made on first use with `create`)."""
    token = conn.scalar(select(WatchlistChangeLog.token).where(WatchlistChangeLog.id == 1))
    if token is not None or not create:
        return token
    try:
        with conn.begin_nested():
            conn.execute(insert(WatchlistChangeLog).values(id=1, token=secrets.token_hex(16)))
    except IntegrityError:
        pass  # another process made it first
    conn.commit()
    return conn.scalar(select(WatchlistChangeLog.token).where(WatchlistChangeLog.id == 1))


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as src:
        while block := src.read(_READ_BLOCK):
            crc = zlib.crc32(block, crc)
    return crc


# --- writing --------------------------------------------------------------------------------------


def _capture(index: LiveIndex) -> tuple[int, dict[str, Any]]:
    """The index's arrays at one change number (call with `index.catching_up` held)."""
    types: dict[str, Any] = {}
    for name, signal in SIGNAL_TYPES.items():
        if issubclass(signal, FramedHashType):
            arrays = index.video_index(signal).to_arrays()
        else:
            arrays = index.value_index(signal).to_arrays()
        types[name] = {"threshold": index.threshold(signal), "arrays": arrays}
    return index.seq, types


def _write_folder(folder: Path, types: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {}
    for name, held in types.items():
        files: dict[str, Any] = {}
        for key, array in held["arrays"].items():
            file_name = f"{name}.{key}.npy"
            path = folder / file_name
            with open(path, "wb") as out:
                np.save(out, np.ascontiguousarray(array), allow_pickle=False)
                out.flush()
                os.fsync(out.fileno())
            files[key] = {"file": file_name, "bytes": path.stat().st_size, "crc32": _crc32(path)}
        described[name] = {"threshold": held["threshold"], "files": files}
    return described


@contextlib.contextmanager
def _writer_lock(root: Path) -> Iterator[bool]:
    """One writer at a time on this data dir; yields False when another holds it (nothing is written)."""
    with open(root / ".lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_snapshot(settings: Settings, token: str, seq: int, types: dict[str, Any]) -> Path | None:
    """Write captured arrays as the current snapshot; its folder, or None when another writer was busy."""
    root = snapshot_folder(settings)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _writer_lock(root) as mine:
        if not mine:
            return None
        folder = root / f"snapshot-{seq}-{secrets.token_hex(4)}"
        scratch = root / f".tmp-{secrets.token_hex(8)}"
        scratch.mkdir(mode=0o700)
        try:
            manifest = {
                "format": FORMAT,
                "token": token,
                "seq": seq,
                "folder": folder.name,
                "written_at": datetime.now(UTC).isoformat(),
                "types": _write_folder(scratch, types),
            }
            os.rename(scratch, folder)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        temporary = root / f".{MANIFEST}.{secrets.token_hex(4)}"
        temporary.write_text(json.dumps(manifest, indent=1), "utf-8")
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, root / MANIFEST)
        # Older folders go: a process that mapped one keeps its files until it lets go of them.
        for old in root.iterdir():
            if old.is_dir() and old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
    return folder


def snapshot_now(index: LiveIndex, engine: Engine, settings: Settings) -> Path | None:
    """Bring the index up to date and write it as the current snapshot (`sxr watchlist snapshot`)."""
    from sxr.watchlist.live import catch_up

    with engine.connect() as conn:
        token = sequence_token(conn, create=True)
        assert token is not None
        with index.catching_up:
            catch_up(index, conn)
            seq, types = _capture(index)
    return write_snapshot(settings, token, seq, types)


def write_in_background(index: LiveIndex, engine: Engine, settings: Settings) -> None:
    """Capture the index now (call with `index.catching_up` held) and write it in a thread."""
    seq, types = _capture(index)

    def write() -> None:
        started = time.perf_counter()
        try:
            # Named in the thread: the caller may hold SQLite's write lock in a transaction of its own.
            with engine.connect() as conn:
                token = sequence_token(conn, create=True)
            assert token is not None
            folder = write_snapshot(settings, token, seq, types)
        except Exception:  # the index works without one; the next start reads the database again
            logger.exception("the watchlist index snapshot could not be written")
            return
        if folder is not None:
            logger.info(
                "watchlist index snapshot written to %s in %.1f s", folder, time.perf_counter() - started
            )

    threading.Thread(target=write, name="sxr-watchlist-snapshot", daemon=True).start()


# --- reading --------------------------------------------------------------------------------------


def _read_manifest(root: Path) -> dict[str, Any] | None:
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotRefused("its manifest cannot be read") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SnapshotRefused("it is not in this version's format")
    return manifest


def _check_against_database(manifest: dict[str, Any], conn: Connection, index: LiveIndex) -> int:
    token = sequence_token(conn)
    if token is None or manifest.get("token") != token:
        raise SnapshotRefused("it is of another database")
    seq = manifest.get("seq")
    newest = conn.scalar(select(func.coalesce(func.max(WatchlistChange.seq), 0)))
    if not isinstance(seq, int) or seq < 0 or seq > int(newest or 0):
        raise SnapshotRefused("it holds changes the database does not have")
    types = manifest.get("types")
    if not isinstance(types, dict) or set(types) != set(SIGNAL_TYPES):
        raise SnapshotRefused("it holds other hash types than this sxr registers")
    for name, held in types.items():
        if not isinstance(held, dict) or held.get("threshold") != index.threshold(SIGNAL_TYPES[name]):
            raise SnapshotRefused(f"its {name} index was made for another match radius")
    return seq


def _checked_files(folder: Path, types: dict[str, Any]) -> list[tuple[str, str, Path]]:
    """(type, array name, path) of every file, each checked for its size and CRC-32 (two at a time)."""
    wanted: list[tuple[str, str, Path, dict[str, Any]]] = []
    for name, held in types.items():
        for key, described in held["files"].items():
            path = folder / Path(str(described["file"])).name
            if not path.is_file() or path.stat().st_size != described.get("bytes"):
                raise SnapshotRefused(f"its file {path.name} is missing or cut short")
            wanted.append((name, key, path, described))
    with ThreadPoolExecutor(max_workers=2) as pool:  # zlib lets go of the GIL: one core each
        crcs = list(pool.map(lambda w: _crc32(w[2]), wanted))
    for (_name, _key, path, described), crc in zip(wanted, crcs, strict=True):
        if crc != described.get("crc32"):
            raise SnapshotRefused(f"its file {path.name} is damaged (its checksum differs)")
    return [(name, key, path) for name, key, path, _ in wanted]


def _fill(index: LiveIndex, files: list[tuple[str, str, Path]]) -> None:
    by_type: dict[str, dict[str, Any]] = {}
    for name, key, path in files:
        by_type.setdefault(name, {})[key] = np.load(path, mmap_mode="r", allow_pickle=False)
    for name, arrays in by_type.items():
        signal = SIGNAL_TYPES[name]
        if issubclass(signal, FramedHashType):
            index.video_index(signal).load_arrays(arrays)
        else:
            index.value_index(signal).load_arrays(arrays)


def load_snapshot(index: LiveIndex, conn: Connection, settings: Settings) -> bool:
    """Fill an empty index from the current snapshot; False (logged) when there is none to use."""
    root = snapshot_folder(settings)
    try:
        manifest = _read_manifest(root)
        if manifest is None:
            return False
        seq = _check_against_database(manifest, conn, index)
        conn.rollback()
        files = _checked_files(root / Path(str(manifest.get("folder"))).name, manifest["types"])
        _fill(index, files)
    except (SnapshotRefused, OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning(
            "the watchlist index snapshot in %s was not used (%s); reading the index from the database",
            root,
            exc,
        )
        with index.lock:
            index.values.clear()
            index.videos.clear()
        return False
    index.seq = seq
    return True
