"""The in-process index of one database's watchlist: one index a registered hash type, kept in step.

Every entry banked or withdrawn is numbered in `watchlist_changes` by the database itself (triggers, in
the same transaction; migration 0015). A process's index holds the number it has applied (`seq`) and
applies the changes past it:

- a follower thread asks for them every 0.2 s on SQLite; on PostgreSQL it LISTENs and is woken by the
  triggers' NOTIFY at commit, and asks every 0.5 s as well in case a notification was lost;
- a look-up asks itself only when the follower has not caught up for 0.9 s (it died, or the process
  was forked), or when this process has just committed a change of its own (so its own bank is matched
  by its very next look-up);
- on first use the index is mapped from a snapshot on disk (`sxr.watchlist.snapshot`) when a valid one
  is there, or read from the database, and then catches up from the number it holds.

So a look-up for hashes that match nothing costs no database round trip, and an entry banked or
withdrawn in any process is matched (or not) everywhere within a second. Every hit is still checked
against the database before it is reported (`matching.py`), so a withdrawn entry is never reported even
in that second, and a rolled-back bank is never numbered at all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.orm import Session

from sxr.media.signal import FramedHashType, FramesIndex, MediaHashType, SignalIndex
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.models import WatchlistChange, WatchlistEntry, WatchlistFrame
from sxr.watchlist.settings import get_watchlist_settings

logger = logging.getLogger(__name__)

# The channel migration 0015's PostgreSQL trigger announces changes on.
CHANGES_CHANNEL = "sxr_watchlist_changes"
POLL_SECONDS = 0.2  # SQLite: how often the follower asks for changes
SAFETY_POLL_SECONDS = 0.5  # PostgreSQL: how often it asks between notifications
STALE_SECONDS = 0.9  # a look-up catches up itself when nothing has for this long (the follower is stuck)
CHANGES_PER_READ = 10_000
ROWS_PER_LOAD_BATCH = 100_000
# A process that had to read at least this many entries from the database writes a snapshot for the next.
SNAPSHOT_AFTER_LOADING = 100_000


@dataclass(frozen=True)
class IndexRow:
    """One entry as the index holds it: its id, type, value, and (hash, quality) frames for videos."""

    id: int
    type: str
    value: str | None
    frames: list[tuple[str, int]] = field(default_factory=list)


class LiveIndex:
    """The indexes of one database (one a hash type), with the change number they hold."""

    def __init__(self, radius: int) -> None:
        self.radius = radius
        self.values: dict[str, SignalIndex] = {}
        self.videos: dict[str, FramesIndex] = {}
        self.seq = 0  # the last change (watchlist_changes.seq) applied
        self.ready = False
        self.source = ""  # where it was loaded from: "snapshot" or "database"
        self.load_seconds = 0.0
        self.fresh_at = 0.0  # time.monotonic() when it last caught up
        # Changes this process committed (`commits`) and how many of them a finished catch-up had seen
        # (`caught`): while caught < commits, a look-up catches up first, so its own bank matches at once.
        self.commits = 0
        self.caught = 0
        self.pid = os.getpid()
        self.lock = threading.Lock()  # guards the dicts of indexes
        self.catching_up = threading.Lock()  # one catch-up (or load) at a time
        self.follower: Follower | None = None

    def threshold(self, signal: type[MediaHashType[Any]]) -> int:
        """The largest distance at which a hash of this type matches here."""
        return signal.threshold(self.radius)

    def value_index(self, signal: type[MediaHashType[Any]]) -> SignalIndex:
        with self.lock:
            index = self.values.get(signal.name)
            if index is None:
                index = self.values[signal.name] = signal.new_index(self.threshold(signal))
        return index

    def video_index(self, signal: type[FramedHashType[Any]]) -> FramesIndex:
        with self.lock:
            index = self.videos.get(signal.name)
            if index is None:
                index = self.videos[signal.name] = signal.new_frames_index(self.threshold(signal))
        return index

    def loaded(self) -> dict[str, int]:
        """How many hashes (videos, for framed types) this process holds, for every registered type."""
        counts = dict.fromkeys(SIGNAL_TYPES, 0)
        with self.lock:
            indexes: list[tuple[str, SignalIndex | FramesIndex]] = [
                *self.values.items(),
                *self.videos.items(),
            ]
        for name, index in indexes:
            counts[name] = len(index)
        return counts

    def add_entries(self, rows: Sequence[IndexRow]) -> None:
        """Index rows; rows of types no longer registered are skipped (and logged)."""
        by_type: dict[str, list[IndexRow]] = {}
        for row in rows:
            by_type.setdefault(row.type, []).append(row)
        for name, group in by_type.items():
            signal = SIGNAL_TYPES.get(name)
            if signal is None:
                logger.warning("watchlist entries of an unregistered hash type %r are not matched", name)
            elif issubclass(signal, FramedHashType):
                videos = self.video_index(signal)
                for row in group:
                    if row.frames:
                        videos.add(row.id, row.frames)
            else:
                banked = [row for row in group if row.value]
                self.value_index(signal).add([r.value or "" for r in banked], [r.id for r in banked])

    def restore_entry(self, row: IndexRow) -> None:
        """Put back an entry whose withdrawal was rolled back."""
        self.add_entries([row])

    def remove_entry(self, row: IndexRow) -> None:
        self.remove_labels(row.type, [row.id])

    def remove_labels(self, type_name: str, labels: Sequence[int]) -> None:
        """Stop matching these entries of one type (labels this index does not hold are ignored)."""
        signal = SIGNAL_TYPES.get(type_name)
        if signal is None or not labels:
            return
        if issubclass(signal, FramedHashType):
            videos = self.video_index(signal)
            for label in labels:
                videos.remove(label)
        else:
            self.value_index(signal).remove([], list(labels))

    def mark_stale(self) -> None:
        """This process committed a change: its next look-up catches up first."""
        with self.lock:
            self.commits += 1
        if self.follower is not None:
            self.follower.wake.set()

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.stop.set()
            self.follower.wake.set()


# --- loading and catching up ----------------------------------------------------------------------


def _frames_of(conn: Connection | Session, entry_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    frames: dict[int, list[tuple[str, int]]] = {}
    for lo in range(0, len(entry_ids), 500):
        for entry_id, frame_hash, quality in conn.execute(
            select(WatchlistFrame.entry_id, WatchlistFrame.hash, WatchlistFrame.quality).where(
                WatchlistFrame.entry_id.in_(entry_ids[lo : lo + 500])
            )
        ):
            frames.setdefault(entry_id, []).append((frame_hash, quality))
    return frames


def _add_batch(index: LiveIndex, conn: Connection, rows: Iterable[Any]) -> None:
    framed = {s.name for s in SIGNAL_TYPES.framed()}
    batch = list(rows)
    frames = _frames_of(conn, [r[0] for r in batch if r[1] in framed])
    index.add_entries([IndexRow(r[0], r[1], r[2], frames.get(r[0], [])) for r in batch])


def load_from_database(index: LiveIndex, conn: Connection) -> None:
    """Fill an empty index with every entry, at the change number read in the same statement."""
    newest = select(func.coalesce(func.max(WatchlistChange.seq), 0)).scalar_subquery()
    # One statement sees one moment: the entries and the number they are complete up to.
    result = conn.execution_options(yield_per=ROWS_PER_LOAD_BATCH).execute(
        select(WatchlistEntry.id, WatchlistEntry.type, WatchlistEntry.value, newest).order_by(
            WatchlistEntry.id
        )
    )
    seq = None
    for part in result.partitions():
        seq = part[0][3] if seq is None else seq
        _add_batch(index, conn, part)
    if seq is None:  # no entries: the number is read on its own
        seq = conn.scalar(select(func.coalesce(func.max(WatchlistChange.seq), 0)))
    index.seq = int(seq or 0)


def _apply_changes(index: LiveIndex, conn: Connection, changes: Sequence[Any]) -> None:
    """Apply (seq, op, entry_id, type, entry id still there, value) rows, in one go."""
    withdrawn: dict[str, list[int]] = {}
    gone: set[int] = set()
    for change in changes:
        if change[1] == "withdraw":
            withdrawn.setdefault(change[3], []).append(change[2])
            gone.add(change[2])
    for type_name, labels in withdrawn.items():
        index.remove_labels(type_name, labels)
    # An add whose entry has gone since (withdrawn, its case erased) has nothing left to index.
    added = [(c[2], c[3], c[5]) for c in changes if c[1] == "add" and c[4] is not None and c[2] not in gone]
    if added:
        _add_batch(index, conn, added)


def catch_up(index: LiveIndex, conn: Connection) -> int:
    """Apply every change past the index's number; how many there were. Call with `catching_up` held."""
    applied = 0
    started = time.monotonic()
    while True:
        changes = conn.execute(
            select(
                WatchlistChange.seq,
                WatchlistChange.op,
                WatchlistChange.entry_id,
                WatchlistChange.type,
                WatchlistEntry.id,
                WatchlistEntry.value,
            )
            .outerjoin(WatchlistEntry, WatchlistEntry.id == WatchlistChange.entry_id)
            .where(WatchlistChange.seq > index.seq)
            .order_by(WatchlistChange.seq)
            .limit(CHANGES_PER_READ)
        ).all()
        conn.rollback()  # end the read: an open one would hold back SQLite's checkpoints
        if changes:
            _apply_changes(index, conn, changes)
            conn.rollback()
            index.seq = int(changes[-1][0])
            applied += len(changes)
        if len(changes) < CHANGES_PER_READ:
            break
    index.fresh_at = started
    return applied


def _load(index: LiveIndex, engine: Engine) -> None:
    """Fill the index from the snapshot, or else the database, and catch up (`catching_up` held)."""
    from sxr.watchlist.snapshot import load_snapshot, write_in_background

    settings = get_watchlist_settings()
    started = time.perf_counter()
    seen = index.commits
    with engine.connect() as conn:
        if load_snapshot(index, conn, settings):
            index.source = "snapshot"
        else:
            load_from_database(index, conn)
            conn.rollback()
            index.source = "database"
        catch_up(index, conn)
    index.load_seconds = time.perf_counter() - started
    index.caught = max(index.caught, seen)
    index.ready = True
    if index.source == "database" and sum(index.loaded().values()) >= SNAPSHOT_AFTER_LOADING:
        # Captured now, before any look-up or withdrawal here can touch it; written in a thread.
        write_in_background(index, engine, settings)
    logger.info(
        "watchlist index ready from the %s in %.1f s: %s (change %d)",
        index.source,
        index.load_seconds,
        index.loaded(),
        index.seq,
    )


def refresh(index: LiveIndex, engine: Engine, *, wait: bool) -> None:
    """Catch up now; without `wait`, leave it to whoever is catching up already."""
    if not index.catching_up.acquire(blocking=wait, timeout=30 if wait else -1):
        return
    try:
        seen = index.commits  # read before the changes: every commit counted here is among them
        with engine.connect() as conn:
            catch_up(index, conn)
        index.caught = max(index.caught, seen)
    finally:
        index.catching_up.release()


# --- the follower ---------------------------------------------------------------------------------


class Follower(threading.Thread):
    """Keeps one index in step: polls (SQLite) or listens (PostgreSQL), and applies the changes."""

    def __init__(self, index: LiveIndex, engine: Engine) -> None:
        super().__init__(name="sxr-watchlist-follower", daemon=True)
        self.index = index
        self.engine_ref = weakref.ref(engine)
        self.postgres = engine.dialect.name == "postgresql"
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.listener: Any = None

    def run(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                self._wait()
                engine = self.engine_ref()
                if engine is None or self.stop.is_set():
                    break  # the database was let go of (tests, a restore)
                refresh(self.index, engine, wait=False)
                del engine
                failures = 0
            except Exception as exc:  # reported, retried; look-ups catch up themselves meanwhile
                if self.stop.is_set():
                    break  # let go of while it was asking: nothing to report
                failures += 1
                if failures == 1:
                    logger.warning(
                        "the watchlist index could not catch up (%s); retrying", type(exc).__name__
                    )
                self._close_listener()
                self.stop.wait(min(0.2 * 2**failures, 5.0))
        self._close_listener()

    def _wait(self) -> None:
        if not self.postgres:
            self.wake.wait(POLL_SECONDS)
            self.wake.clear()
            return
        if self.listener is None:
            self.listener = self._listen()
        for _ in self.listener.notifies(timeout=SAFETY_POLL_SECONDS, stop_after=1):
            pass

    def _listen(self) -> Any:
        import psycopg

        engine = self.engine_ref()
        if engine is None:
            raise RuntimeError("the database was let go of")
        url = engine.url.set(drivername="postgresql")
        del engine
        conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, connect_timeout=10)
        conn.execute(f"LISTEN {CHANGES_CHANNEL}")
        return conn

    def _close_listener(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(Exception):  # closing a broken connection: nothing to tell
                self.listener.close()
            self.listener = None


# --- the one index per database -------------------------------------------------------------------

_live: dict[str, LiveIndex] = {}
_live_lock = threading.Lock()


def _db_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _index_for(engine: Engine) -> LiveIndex:
    key = _db_key(engine)
    with _live_lock:
        index = _live.get(key)
        if index is not None and index.pid != os.getpid():
            index = None  # forked: the follower did not come along, and a lock may have been held
        if index is None:
            index = _live[key] = LiveIndex(get_watchlist_settings().match_radius)
    return index


def live_index(session: Session) -> LiveIndex:
    """This database's index: loaded on first use, kept in step by its follower (and caught up here
    when the follower has not for a while, or this process has just committed a change)."""
    engine = session.get_bind().engine
    index = _index_for(engine)
    if not index.ready:
        with index.catching_up:
            if not index.ready:
                _load(index, engine)
    elif index.caught < index.commits:
        refresh(index, engine, wait=True)
    elif time.monotonic() - index.fresh_at > STALE_SECONDS:
        refresh(index, engine, wait=False)
    follower = index.follower
    if follower is None or not follower.is_alive():
        with _live_lock:
            if index.follower is None or not index.follower.is_alive():
                index.follower = Follower(index, engine)
                index.follower.start()
    return index


def reset_live_indexes() -> None:
    """Forget every loaded index (tests, after restoring a database, after registering a hash type)."""
    with _live_lock:
        for index in _live.values():
            index.stop()
        _live.clear()


# Index changes wait for the commit: a rolled-back add must never match. A withdrawal leaves the index
# at once (it must stop matching now) and is undone if its transaction rolls back.
_PENDING = "sxr.watchlist.pending"
_UNDO = "sxr.watchlist.undo"


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run `action` when the session's transaction commits (never if it rolls back)."""
    pending: list[Callable[[], object]] = session.info.setdefault(_PENDING, [])
    pending.append(action)


def on_rollback(session: Session, action: Callable[[], object]) -> None:
    """Run `action` if the session's transaction rolls back (to undo what was done at once)."""
    undo: list[Callable[[], object]] = session.info.setdefault(_UNDO, [])
    undo.append(action)


def _run(actions: list[Callable[[], object]]) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # the database is the truth; the index catches up from the change sequence
            logger.exception("watchlist index update failed")


@event.listens_for(Session, "after_commit")
def _apply_pending(session: Session) -> None:
    session.info.pop(_UNDO, None)
    _run(session.info.pop(_PENDING, []))


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
    _run(session.info.pop(_UNDO, []))
