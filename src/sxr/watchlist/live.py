"""The in-process index of one database's watchlist: one index a registered hash type, kept in step.

It is loaded on first use; this process's adds and withdrawals are applied when their transaction commits,
other processes' adds are picked up by id on the next look-up, and every hit is checked against the
database before it is reported, so a hash withdrawn anywhere stops matching at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from sxr.media.signal import FramedHashType, FramesIndex, MediaHashType, SignalIndex
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.models import WatchlistEntry, WatchlistFrame
from sxr.watchlist.settings import get_watchlist_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexRow:
    """One entry as the index holds it: its id, type, value, and (hash, quality) frames for videos."""

    id: int
    type: str
    value: str | None
    frames: list[tuple[str, int]] = field(default_factory=list)


class LiveIndex:
    """The indexes of one database (one a hash type), with the highest entry id already loaded."""

    def __init__(self, radius: int) -> None:
        self.radius = radius
        self.values: dict[str, SignalIndex] = {}
        self.videos: dict[str, FramesIndex] = {}
        self.high_water = 0
        self.lock = threading.Lock()

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
        """Add rows; ids already loaded are skipped, and so are rows of types no longer registered."""
        with self.lock:
            fresh = [r for r in rows if r.id > self.high_water]
            if not fresh:
                return
            self.high_water = max(r.id for r in fresh)
        self._put(fresh)

    def restore_entry(self, row: IndexRow) -> None:
        """Put back an entry whose withdrawal was rolled back."""
        self._put([row])

    def _put(self, rows: Sequence[IndexRow]) -> None:
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

    def remove_entry(self, row: IndexRow) -> None:
        signal = SIGNAL_TYPES.get(row.type)
        if signal is None:
            return
        if issubclass(signal, FramedHashType):
            self.video_index(signal).remove(row.id)
        elif row.value:
            self.value_index(signal).remove([row.value], [row.id])


_live: dict[str, LiveIndex] = {}
_live_lock = threading.Lock()


def _db_key(session: Session) -> str:
    bind = session.get_bind()
    return bind.engine.url.render_as_string(hide_password=True)


def _frames_of(session: Session, entry_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    frames: dict[int, list[tuple[str, int]]] = {}
    for lo in range(0, len(entry_ids), 500):
        for entry_id, frame_hash, quality in session.execute(
            select(WatchlistFrame.entry_id, WatchlistFrame.hash, WatchlistFrame.quality).where(
                WatchlistFrame.entry_id.in_(entry_ids[lo : lo + 500])
            )
        ):
            frames.setdefault(entry_id, []).append((frame_hash, quality))
    return frames


def live_index(session: Session) -> LiveIndex:
    """This database's index, loaded on first use and brought up to date with entries added elsewhere."""
    key = _db_key(session)
    with _live_lock:
        index = _live.get(key)
        if index is None:
            index = _live[key] = LiveIndex(get_watchlist_settings().match_radius)
    rows = session.execute(
        select(WatchlistEntry.id, WatchlistEntry.type, WatchlistEntry.value)
        .where(WatchlistEntry.id > index.high_water)
        .order_by(WatchlistEntry.id)
    ).all()
    if rows:
        framed = {s.name for s in SIGNAL_TYPES.framed()}
        frames = _frames_of(session, [r.id for r in rows if r.type in framed])
        index.add_entries([IndexRow(r.id, r.type, r.value, frames.get(r.id, [])) for r in rows])
    return index


def reset_live_indexes() -> None:
    """Forget every loaded index (tests, after restoring a database, after registering a hash type)."""
    with _live_lock:
        _live.clear()


# Index changes and webhooks wait for the commit: a rolled-back add must never match. A withdrawal leaves
# the index at once (it must stop matching now) and is undone if its transaction rolls back.
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
        except Exception:  # the database is the truth; the index catches up on the next load
            logger.exception("watchlist index update failed")


@event.listens_for(Session, "after_commit")
def _apply_pending(session: Session) -> None:
    session.info.pop(_UNDO, None)
    _run(session.info.pop(_PENDING, []))


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
    _run(session.info.pop(_UNDO, []))
