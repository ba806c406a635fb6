"""The watchlist's rules: bank hashes for a case, withdraw them, match platforms' hashes, feedback, alerts.

An in-process index per database is loaded on first use and kept in step: this process's adds and
withdrawals are applied when their transaction commits, other processes' adds are picked up by id on the
next look-up, and every hit is checked against the database before it is reported, so a hash withdrawn
anywhere stops matching at once.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import numpy as np
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, selectinload

from sxr.config import get_settings
from sxr.media.hashing import HASH_TYPES as SIGNALS
from sxr.media.pdq import QUALITY_THRESHOLD
from sxr.watchlist.index import (
    VPDQ_QUALITY_THRESHOLD,
    MD5Index,
    PDQIndex,
    VPDQIndex,
    hamming,
    hex_to_codes,
)
from sxr.watchlist.models import WatchlistAlert, WatchlistEntry, WatchlistFrame, WatchlistMatch
from sxr.watchlist.settings import get_watchlist_settings
from sxr.watchlist.webhook import send_in_background

logger = logging.getLogger(__name__)

HASH_TYPES = ("pdq", "md5", "vpdq")
MIN_PDQ_QUALITY = QUALITY_THRESHOLD
MAX_VPDQ_FRAMES = 100_000
# Frame numbers are stored as 32-bit integers; timestamps are seconds into a video of at most 30 days.
MAX_FRAME_NUMBER = 2**31 - 1
MAX_TIMESTAMP = 30 * 24 * 3600.0
VERDICTS = ("confirmed", "not_a_match")
TRUST_LEVELS = ("victim", "reviewed")
# The CSV shape of python-threatexchange's signal files and HMA's banks: one signal a row.
CSV_FIELDS = ("signal_type", "signal_value")
_CSV_TYPE_NAMES = {"pdq": "pdq", "md5": "md5", "video_md5": "md5", "photo_md5": "md5"}


class WatchlistError(ValueError):
    """A request the watchlist cannot carry out; the message says why in plain words."""


class NotFound(WatchlistError):
    """No such entry or match (or not one the caller may see)."""


class QuotaReached(WatchlistError):
    """The case already has as many unreviewed hashes as it may; the message says so to the victim."""


# --- validation ---------------------------------------------------------------------------------


def _signal_value(kind: str, value: Any, *, bankable: bool) -> str:
    """The normal form of a hash of type `kind` (a media hash plug-in checks it); banked ones must be
    distinctive too."""
    signal = SIGNALS[kind]
    try:
        if not isinstance(value, str):
            raise ValueError(signal.format_message)
        normal = signal.validate(value)
        if bankable:
            signal.refuse_degenerate(normal)
    except ValueError as exc:
        raise WatchlistError(str(exc)) from exc
    return normal


def _whole(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WatchlistError(f"{what} must be a whole number from {low:,} to {high:,}.")
    return value


def _quality(value: Any) -> int:
    return _whole(value, 0, 100, "quality")


def validate_hash(item: Any) -> dict[str, Any]:
    """One hash dict in the normal form `bank_hashes` stores, or WatchlistError saying what is wrong."""
    if not isinstance(item, dict):
        raise WatchlistError("Each hash must be an object with a type.")
    kind = item.get("type")
    if kind == "pdq":
        quality = _quality(item.get("quality"))
        if quality < MIN_PDQ_QUALITY:
            raise WatchlistError(
                f"This picture's PDQ quality is {quality}, below {MIN_PDQ_QUALITY}: it has too little "
                "detail (for example it is nearly one colour) to be matched safely, so it was not added."
            )
        value = _signal_value("pdq", item.get("value"), bankable=True)
        return {"type": "pdq", "value": value, "quality": quality}
    if kind == "md5":
        return {
            "type": "md5",
            "value": _signal_value("md5", item.get("value"), bankable=True),
            "quality": None,
        }
    if kind == "vpdq":
        frames = item.get("frames")
        if not isinstance(frames, list) or not frames:
            raise WatchlistError("A vPDQ hash needs a list of frames.")
        if len(frames) > MAX_VPDQ_FRAMES:
            raise WatchlistError(f"A vPDQ hash may have at most {MAX_VPDQ_FRAMES:,} frames.")
        clean: list[dict[str, Any]] = []
        for i, frame in enumerate(frames):
            try:
                clean.append(_vpdq_frame(frame, i))
            except WatchlistError as exc:
                raise WatchlistError(f"Frame {i + 1}: {exc}") from exc
        if not any(f["quality"] >= VPDQ_QUALITY_THRESHOLD for f in clean):
            raise WatchlistError(
                f"Every frame of this video has PDQ quality below {VPDQ_QUALITY_THRESHOLD}, so it cannot "
                "be matched safely and was not added."
            )
        return {"type": "vpdq", "frames": clean}
    raise WatchlistError("A hash's type must be pdq, md5 or vpdq.")


def _vpdq_frame(frame: Any, i: int) -> dict[str, Any]:
    if not isinstance(frame, dict):
        raise WatchlistError("Each vPDQ frame must be an object.")
    timestamp = frame.get("timestamp", 0.0)
    if (
        isinstance(timestamp, bool)
        or not isinstance(timestamp, int | float)
        or not math.isfinite(timestamp)
        or not 0 <= timestamp <= MAX_TIMESTAMP
    ):
        raise WatchlistError(
            f"A vPDQ frame's timestamp must be a number of seconds from 0 to {MAX_TIMESTAMP:,.0f}."
        )
    number = _whole(frame.get("frame", i), 0, MAX_FRAME_NUMBER, "A vPDQ frame's number")
    quality = _quality(frame.get("quality"))
    # Frames below the quality floor (a black frame between scenes) are never matched, so they may be plain.
    frame_hash = _signal_value("vpdq", frame.get("hash"), bankable=quality >= VPDQ_QUALITY_THRESHOLD)
    return {"frame": number, "timestamp": float(timestamp), "hash": frame_hash, "quality": quality}


# --- the in-process index -----------------------------------------------------------------------


class LiveIndex:
    """The indexes of one database, with the highest entry id already loaded."""

    def __init__(self, radius: int) -> None:
        self.radius = radius
        self.pdq = PDQIndex(radius=radius)
        self.md5 = MD5Index()
        self.vpdq = VPDQIndex(distance=radius)
        self.high_water = 0
        self.lock = threading.Lock()

    def add_entries(self, rows: Sequence[tuple[int, str, str | None, list[tuple[str, int]]]]) -> None:
        """Add (id, type, value, frames) rows; ids already loaded are skipped."""
        with self.lock:
            fresh = [r for r in rows if r[0] > self.high_water]
            if not fresh:
                return
            self.high_water = max(r[0] for r in fresh)
        pdq = [(i, v) for i, t, v, _ in fresh if t == "pdq" and v]
        if pdq:
            self.pdq.add(hex_to_codes([v for _, v in pdq]), [i for i, _ in pdq])
        for entry_id, kind, value, frames in fresh:
            if kind == "md5" and value:
                self.md5.add(value, entry_id)
            elif kind == "vpdq" and frames:
                self.vpdq.add(entry_id, hex_to_codes([h for h, _ in frames]), [q for _, q in frames])

    def restore_entry(
        self, entry_id: int, kind: str, value: str | None, frames: list[tuple[str, int]]
    ) -> None:
        """Put back an entry whose withdrawal was rolled back."""
        if kind == "pdq" and value:
            self.pdq.add(hex_to_codes([value]), [entry_id])
        elif kind == "md5" and value:
            self.md5.add(value, entry_id)
        elif kind == "vpdq" and frames:
            self.vpdq.add(entry_id, hex_to_codes([h for h, _ in frames]), [q for _, q in frames])

    def remove_entry(self, entry_id: int, kind: str, value: str | None) -> None:
        if kind == "pdq":
            self.pdq.remove([entry_id])
        elif kind == "md5" and value:
            self.md5.remove(value, entry_id)
        elif kind == "vpdq":
            self.vpdq.remove(entry_id)


_live: dict[str, LiveIndex] = {}
_live_lock = threading.Lock()


def _db_key(session: Session) -> str:
    bind = session.get_bind()
    return bind.engine.url.render_as_string(hide_password=True)


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
        video_ids = [r.id for r in rows if r.type == "vpdq"]
        frames: dict[int, list[tuple[str, int]]] = {}
        for lo in range(0, len(video_ids), 500):
            for entry_id, frame_hash, quality in session.execute(
                select(WatchlistFrame.entry_id, WatchlistFrame.hash, WatchlistFrame.quality).where(
                    WatchlistFrame.entry_id.in_(video_ids[lo : lo + 500])
                )
            ):
                frames.setdefault(entry_id, []).append((frame_hash, quality))
        index.add_entries([(r.id, r.type, r.value, frames.get(r.id, [])) for r in rows])
    return index


def reset_live_indexes() -> None:
    """Forget every loaded index (tests, and after restoring a database)."""
    with _live_lock:
        _live.clear()


# Index changes and webhooks wait for the commit: a rolled-back add must never match. A withdrawal leaves
# the index at once (it must stop matching now) and is undone if its transaction rolls back.
_PENDING = "sxr.watchlist.pending"
_UNDO = "sxr.watchlist.undo"


def _pending(session: Session) -> list[Callable[[], object]]:
    pending: list[Callable[[], object]] = session.info.setdefault(_PENDING, [])
    return pending


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


# --- banking and withdrawing --------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaUse:
    """How much of its quota a case uses: unreviewed hashes the victim banked."""

    pictures: int
    videos: int
    frames: int


@dataclass(frozen=True)
class Quota:
    """The most unreviewed hashes one case may have (settings `watchlist_case_*`)."""

    pictures: int
    videos: int
    frames: int


def case_quota() -> Quota:
    settings = get_settings()
    return Quota(
        settings.watchlist_case_pictures, settings.watchlist_case_videos, settings.watchlist_case_frames
    )


def quota_use(session: Session, case_id: int) -> QuotaUse:
    """The case's victim-banked entries that staff have not reviewed yet."""
    waiting = (WatchlistEntry.case_id == case_id, WatchlistEntry.trust == "victim")
    counts = dict(
        session.execute(
            select(WatchlistEntry.type, func.count()).where(*waiting).group_by(WatchlistEntry.type)
        ).all()
    )
    frames = session.scalar(
        select(func.count(WatchlistFrame.id))
        .join(WatchlistEntry, WatchlistFrame.entry_id == WatchlistEntry.id)
        .where(*waiting)
    )
    return QuotaUse(
        pictures=int(counts.get("pdq", 0)) + int(counts.get("md5", 0)),
        videos=int(counts.get("vpdq", 0)),
        frames=int(frames or 0),
    )


QUOTA_NOTE_EVERY = timedelta(hours=1)


def _refuse_over_quota(session: Session, case_id: int, fresh: list[dict[str, Any]]) -> None:
    """QuotaReached (and a note to staff in the case's audit trail) when `fresh` would pass the quota."""
    from sxr.cases.models import Case

    # One banking at a time per case, so parallel requests cannot both pass the check: a no-op write to
    # the case row takes its row lock on PostgreSQL and the write lock on SQLite (whose reads outside a
    # transaction would otherwise all see the count before any of them inserts), until the commit. Not
    # the key column: that lock would also hold up inserts that refer to the case (evidence, alerts).
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(status=Case.status)
        .execution_options(synchronize_session=False)
    )
    quota, use = case_quota(), quota_use(session, case_id)
    pictures = sum(1 for item in fresh if item["type"] != "vpdq")
    videos = [item for item in fresh if item["type"] == "vpdq"]
    frames = sum(len(item["frames"]) for item in videos)
    if use.pictures + pictures > quota.pictures:
        held, limit, what = use.pictures, quota.pictures, "codes from your pictures"
    elif use.videos + len(videos) > quota.videos:
        held, limit, what = use.videos, quota.videos, "videos"
    elif use.frames + frames > quota.frames:
        held, limit, what = use.frames, quota.frames, "moments from your videos"
    else:
        return
    _note_quota_reached(session, case_id, len(fresh), use)
    raise QuotaReached(
        f"We can keep {limit:,} {what} for one report until our team has checked them, and your report "
        f"has {held:,} waiting. So these {len(fresh):,} were not added. Our team has been told. Once they "
        "have checked the ones you sent, you can add more. Nothing you sent before is lost."
    )


def _note_quota_reached(session: Session, case_id: int, refused: int, use: QuotaUse) -> None:
    """An audit event staff see on the case page; at most one an hour, so a flood cannot bury the trail."""
    from sxr.audit.models import AuditEvent
    from sxr.audit.services import record

    since = datetime.now(UTC) - QUOTA_NOTE_EVERY
    recent = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.case_id == case_id,
            AuditEvent.action == "watchlist.quota_reached",
            AuditEvent.at >= since,
        )
        .limit(1)
    )
    if recent is None:
        record(
            session,
            actor="victim",
            action="watchlist.quota_reached",
            case_id=case_id,
            subject=(
                f"{refused} hashes refused; waiting for review: {use.pictures} picture hashes, "
                f"{use.videos} videos ({use.frames} frames)"
            )[:255],
        )


def bank_hashes(
    session: Session,
    case_id: int | None,
    hashes: list[dict[str, Any]],
    added_by: str,
    *,
    trust: str = "victim",
) -> list[WatchlistEntry]:
    """Validate and store hashes for a case; a hash the case has already is returned, not duplicated.

    Nothing is stored unless every hash is valid (WatchlistError names the first bad one) and, for the
    victim's own hashes, the case stays within its quota (QuotaReached, after noting it for staff).
    Banking a hash as reviewed marks the case's victim-banked copy reviewed.
    """
    if trust not in TRUST_LEVELS:
        raise WatchlistError(f"trust must be one of {', '.join(TRUST_LEVELS)}.")
    if not hashes:
        raise WatchlistError("There were no hashes to add.")
    clean = []
    for n, item in enumerate(hashes, start=1):
        try:
            clean.append(validate_hash(item))
        except WatchlistError as exc:
            raise WatchlistError(f"Hash {n}: {exc}") from exc
    same_case = WatchlistEntry.case_id == case_id if case_id is not None else WatchlistEntry.case_id.is_(None)
    wanted = sorted({item["value"] for item in clean if item["type"] != "vpdq"})
    known: dict[tuple[str, str], WatchlistEntry] = {}
    for lo in range(0, len(wanted), 500):
        for row in session.scalars(
            select(WatchlistEntry).where(same_case, WatchlistEntry.value.in_(wanted[lo : lo + 500]))
        ):
            known.setdefault((row.type, row.value or ""), row)
    fresh, seen = [], set(known)
    for item in clean:
        key = (item["type"], item.get("value") or "")
        if item["type"] == "vpdq" or key not in seen:
            fresh.append(item)
            seen.add(key)
    if fresh and trust == "victim" and case_id is not None:
        _refuse_over_quota(session, case_id, fresh)
    index = live_index(session)
    now = datetime.now(UTC)
    entries: list[WatchlistEntry] = []
    for item in clean:
        key = (item["type"], item.get("value") or "")
        if item["type"] != "vpdq" and key in known:
            existing = known[key]
            if trust == "reviewed" and existing.trust != "reviewed":
                existing.trust, existing.reviewed_by, existing.reviewed_at = "reviewed", added_by[:120], now
            entries.append(existing)
            continue
        entry = WatchlistEntry(
            case_id=case_id,
            type=item["type"],
            value=item.get("value"),
            quality=item.get("quality"),
            added_by=added_by[:120],
            trust=trust,
            reviewed_by=added_by[:120] if trust == "reviewed" else None,
            reviewed_at=now if trust == "reviewed" else None,
        )
        if item["type"] == "vpdq":
            entry.frames = [WatchlistFrame(**frame) for frame in item["frames"]]
        else:
            known[key] = entry
        session.add(entry)
        entries.append(entry)
    session.flush()
    unique = {e.id: e for e in entries if e.id > index.high_water}
    new_rows = [
        (e.id, e.type, e.value, [(f.hash, f.quality) for f in e.frames] if e.type == "vpdq" else [])
        for e in unique.values()
    ]
    _pending(session).append(lambda: index.add_entries(new_rows))
    return entries


def get_entry(session: Session, public_id: str) -> WatchlistEntry | None:
    return session.scalar(select(WatchlistEntry).where(WatchlistEntry.public_id == public_id))


def entries_for_case(session: Session, case_id: int) -> list[WatchlistEntry]:
    return list(
        session.scalars(
            select(WatchlistEntry).where(WatchlistEntry.case_id == case_id).order_by(WatchlistEntry.id)
        )
    )


def withdraw_entry(session: Session, public_id: str, *, case_id: int | None = None) -> None:
    """Delete an entry (and its matches and alerts); with `case_id`, only an entry of that case."""
    entry = get_entry(session, public_id)
    if entry is None or (case_id is not None and entry.case_id != case_id):
        raise NotFound("There is no such watchlist entry.")
    index = live_index(session)
    entry_id, kind, value = entry.id, entry.type, entry.value
    # Out of the index now, in this process, whatever the transaction does: look-ups also check the
    # database, so other processes stop reporting it as soon as the delete commits.
    frames = [(f.hash, f.quality) for f in entry.frames] if kind == "vpdq" else []
    index.remove_entry(entry_id, kind, value)
    undo: list[Callable[[], object]] = session.info.setdefault(_UNDO, [])
    undo.append(lambda: index.restore_entry(entry_id, kind, value, frames))
    session.delete(entry)
    session.flush()


def _case_entries(session: Session, case_id: int, public_ids: Sequence[str] | None) -> list[WatchlistEntry]:
    query = select(WatchlistEntry).where(WatchlistEntry.case_id == case_id)
    if public_ids is not None:
        query = query.where(WatchlistEntry.public_id.in_(list(public_ids)))
    found = list(session.scalars(query.order_by(WatchlistEntry.id)))
    if public_ids is not None and len(found) != len(set(public_ids)):
        raise NotFound("This case has no such watchlist entry.")
    return found


def review_entries(
    session: Session, case_id: int, reviewer: str, public_ids: Sequence[str] | None = None
) -> int:
    """Mark a case's entries reviewed by staff (all of them without `public_ids`); how many changed."""
    now, changed = datetime.now(UTC), 0
    for entry in _case_entries(session, case_id, public_ids):
        if entry.trust != "reviewed":
            entry.trust, entry.reviewed_by, entry.reviewed_at = "reviewed", reviewer[:120], now
            changed += 1
    session.flush()
    return changed


def remove_entries(session: Session, case_id: int, public_ids: Sequence[str] | None = None) -> int:
    """Take a case's entries off the watchlist (all of them without `public_ids`); how many went."""
    entries = _case_entries(session, case_id, public_ids)
    for entry in entries:
        withdraw_entry(session, entry.public_id, case_id=case_id)
    return len(entries)


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One entry that a queried hash matched."""

    entry: WatchlistEntry
    distance: int


MAX_DIHEDRAL = 7


def _parse_queries(hashes: Sequence[Any]) -> list[tuple[str, list[str]]]:
    """(type, [value, dihedral variants...]) for each query hash."""
    parsed = []
    for n, item in enumerate(hashes, start=1):
        if not isinstance(item, dict) or item.get("type") not in ("pdq", "md5"):
            raise WatchlistError(f"Hash {n}: type must be pdq or md5.")
        variants = item.get("dihedral") or []
        try:
            if (
                not isinstance(variants, list)
                or len(variants) > MAX_DIHEDRAL
                or (variants and item["type"] != "pdq")
            ):
                raise WatchlistError(f"dihedral is a list of at most {MAX_DIHEDRAL} more PDQ hashes.")
            values = [_signal_value(item["type"], v, bankable=False) for v in [item.get("value"), *variants]]
        except WatchlistError as exc:
            raise WatchlistError(f"Hash {n}: {exc}") from exc
        parsed.append((item["type"], values))
    return parsed


def lookup(
    session: Session, hashes: Sequence[dict[str, Any]], *, min_trust: str = "victim"
) -> list[list[Hit]]:
    """For each {"type": "pdq"|"md5", "value"} hash, the live entries it matches, nearest first.

    A PDQ hash may bring its other dihedral hashes (rotations and mirrors, as Meta's hasher gives them)
    as "dihedral": an entry matches if any of them is near, at the nearest one's distance.
    With min_trust "reviewed", only entries staff reviewed (or an operator banked) match.
    """
    queries = _parse_queries(hashes)
    index = live_index(session)
    radius = index.radius
    candidates: list[list[tuple[int, int]]] = [[] for _ in queries]
    pdq_at = [i for i, (t, _) in enumerate(queries) if t == "pdq"]
    if pdq_at:
        variants = [hex_to_codes(queries[i][1]) for i in pdq_at]
        result = index.pdq.search_dihedral(variants, radius)
        for k, pairs in enumerate(result.per_query(len(pdq_at))):
            candidates[pdq_at[k]] = pairs
    for i, (kind, values) in enumerate(queries):
        if kind == "md5":
            candidates[i] = [(label, 0) for label in index.md5.lookup(values[0])]
    wanted = sorted({label for pairs in candidates for label, _ in pairs})
    entries: dict[int, WatchlistEntry] = {}
    for lo in range(0, len(wanted), 500):
        for entry in session.scalars(
            select(WatchlistEntry).where(WatchlistEntry.id.in_(wanted[lo : lo + 500]))
        ):
            entries[entry.id] = entry
    results: list[list[Hit]] = []
    for (kind, values), pairs in zip(queries, candidates, strict=True):
        hits = []
        for label, distance in pairs:
            found = entries.get(label)
            # The database has the last word: withdrawn entries and stale index rows never match.
            if found is None or found.type != kind or found.value is None:
                continue
            if min_trust == "reviewed" and found.trust != "reviewed":
                continue
            entry, banked = found, found.value
            if kind == "pdq":
                distance = int(hamming(hex_to_codes([banked]), hex_to_codes(values)).min())
                if distance > radius:
                    continue
            elif banked != values[0]:
                continue
            hits.append(Hit(entry, distance))
        results.append(hits)
    return results


def lookup_video(
    session: Session, frames: Sequence[dict[str, Any]]
) -> list[tuple[WatchlistEntry, float, float]]:
    """Banked videos that a video's vPDQ frames match: (entry, % of query frames, % of entry frames)."""
    item = validate_hash({"type": "vpdq", "frames": list(frames)})
    index = live_index(session)
    codes = hex_to_codes([f["hash"] for f in item["frames"]])
    found = index.vpdq.match(codes, [f["quality"] for f in item["frames"]])
    out = []
    for match in found:
        entry = session.get(WatchlistEntry, match.label)
        if entry is not None:
            out.append((entry, match.query_match_percent, match.compared_match_percent))
    return out


def match_hashes(
    session: Session, hashes: Sequence[dict[str, Any]], platform: str, *, min_trust: str = "victim"
) -> list[dict[str, Any]]:
    """A platform's look-up: matches are recorded (once per entry, platform and hash) and alert the case.

    The answer holds only opaque ids, distances and each entry's trust level, never anything about the
    victim or the case. With min_trust "reviewed", entries only the victim vouches for are left out.
    """
    if min_trust not in TRUST_LEVELS:
        raise WatchlistError(f"min_trust must be one of {', '.join(TRUST_LEVELS)}.")
    found = lookup(session, hashes, min_trust=min_trust)
    values = [str(item["value"]).strip().lower() for item in hashes]
    wanted = sorted({v for v, hits in zip(values, found, strict=True) if hits})
    known: dict[tuple[int, str], WatchlistMatch] = {}
    for lo in range(0, len(wanted), 500):
        for match in session.scalars(
            select(WatchlistMatch).where(
                WatchlistMatch.platform == platform, WatchlistMatch.query_hash.in_(wanted[lo : lo + 500])
            )
        ):
            known[(match.entry_id, match.query_hash)] = match
    fresh: list[tuple[WatchlistMatch, int | None]] = []
    for value, hits in zip(values, found, strict=True):
        for hit in hits:
            if (hit.entry.id, value) not in known:
                match = WatchlistMatch(
                    entry_id=hit.entry.id, platform=platform, distance=hit.distance, query_hash=value
                )
                known[(hit.entry.id, value)] = match
                fresh.append((match, hit.entry.case_id))
    if fresh:
        session.add_all([m for m, _ in fresh])
        session.flush()
        for match, case_id in fresh:
            if case_id is not None:
                _raise_alert(session, case_id, match, "match", flush=False)
        session.flush()
    results = []
    for value, hits in zip(values, found, strict=True):
        matches = [
            {
                "entry_id": hit.entry.public_id,
                "distance": hit.distance,
                "match_id": known[(hit.entry.id, value)].public_id,
                "trust": hit.entry.trust,
            }
            for hit in hits
        ]
        results.append({"value": value, "matches": matches})
    return results


def record_feedback(session: Session, match_public_id: str, verdict: str, platform: str) -> WatchlistMatch:
    """A platform's verdict on one of its own matches; it becomes an alert on the case."""
    if verdict not in VERDICTS:
        raise WatchlistError("verdict must be confirmed or not_a_match.")
    match = session.scalar(select(WatchlistMatch).where(WatchlistMatch.public_id == match_public_id))
    if match is None or match.platform != platform:
        raise NotFound("There is no such match.")
    if match.feedback == verdict:
        return match
    match.feedback = verdict
    match.feedback_at = datetime.now(UTC)
    session.flush()
    if match.entry.case_id is not None:
        _raise_alert(session, match.entry.case_id, match, f"match_{verdict}")
    return match


# --- alerts -------------------------------------------------------------------------------------

ALERT_KINDS = ("match", "match_confirmed", "match_not_a_match")


def _raise_alert(
    session: Session, case_id: int, match: WatchlistMatch, kind: str, *, flush: bool = True
) -> WatchlistAlert:
    alert = WatchlistAlert(case_id=case_id, match_id=match.id, kind=kind, match=match)
    session.add(alert)
    settings = get_watchlist_settings()
    if flush or settings.webhook_url:
        session.flush()
    if settings.webhook_url:
        payload = alert_payload(session, alert)
        url, secret = settings.webhook_url, settings.webhook_secret
        _pending(session).append(lambda: send_in_background(url, secret, payload))
    return alert


def alert_payload(session: Session, alert: WatchlistAlert) -> dict[str, Any]:
    """The webhook's JSON body for an alert (for the force's own system: it names the case)."""
    from sxr.cases.models import Case

    case = session.get(Case, alert.case_id)
    match = alert.match
    return {
        "event": "watchlist.alert",
        "kind": alert.kind,
        "case_reference": case.reference if case is not None else None,
        "alert_id": alert.id,
        "match_id": match.public_id if match else None,
        "entry_id": match.entry.public_id if match else None,
        "platform": match.platform if match else None,
        "distance": match.distance if match else None,
        "created_at": alert.created_at.astimezone(UTC).isoformat(),
    }


@dataclass(frozen=True)
class AlertView:
    """An alert as the victim's status page and staff see it."""

    id: int
    kind: str
    platform: str
    media: str
    created_at: datetime
    seen: bool


_MEDIA_WORD = {"pdq": "picture", "vpdq": "video", "md5": "picture or video"}


def alerts_for_case(session: Session, case_id: int) -> list[AlertView]:
    """The case's alerts, newest first."""
    rows = session.scalars(
        select(WatchlistAlert)
        .where(WatchlistAlert.case_id == case_id)
        .options(selectinload(WatchlistAlert.match).selectinload(WatchlistMatch.entry))
        .order_by(WatchlistAlert.created_at.desc(), WatchlistAlert.id.desc())
    )
    views = []
    for alert in rows:
        match = alert.match
        views.append(
            AlertView(
                id=alert.id,
                kind=alert.kind,
                platform=match.platform if match else "a website",
                media=_MEDIA_WORD.get(match.entry.type, "picture") if match else "picture",
                created_at=alert.created_at,
                seen=alert.seen_at is not None,
            )
        )
    return views


def mark_alerts_seen(session: Session, case_id: int) -> None:
    now = datetime.now(UTC)
    for alert in session.scalars(
        select(WatchlistAlert).where(WatchlistAlert.case_id == case_id, WatchlistAlert.seen_at.is_(None))
    ):
        alert.seen_at = now
    session.flush()


# --- exchange with HMA / ThreatExchange -----------------------------------------------------------


def export_csv(session: Session, out: TextIO) -> int:
    """Write every PDQ and MD5 entry as `signal_type,signal_value` rows; returns how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for kind, value in session.execute(
        select(WatchlistEntry.type, WatchlistEntry.value)
        .where(WatchlistEntry.type.in_(("pdq", "md5")))
        .order_by(WatchlistEntry.id)
    ):
        writer.writerow((kind, value))
        count += 1
    return count


_TYPE_COLUMNS = ("signal_type", "type", "hash_type", "kind")
_VALUE_COLUMNS = ("signal_value", "signal", "hash", "value", "hash_value")


def _csv_rows(text: str) -> Iterable[tuple[int, str, str]]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if "," not in first:
        # python-threatexchange's plain signal file: "<signal_type> <signal>" a line.
        for n, line in enumerate(lines, start=1):
            if line.strip():
                kind, _, value = line.strip().partition(" ")
                yield n, kind.lower(), value.strip()
        return
    rows = list(csv.reader(io.StringIO(text)))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    type_at = next((header.index(c) for c in _TYPE_COLUMNS if c in header), None)
    value_at = next((header.index(c) for c in _VALUE_COLUMNS if c in header), None)
    body = rows[1:] if type_at is not None and value_at is not None else rows
    type_at, value_at = type_at if type_at is not None else 0, value_at if value_at is not None else 1
    offset = len(rows) - len(body)
    for n, row in enumerate(body, start=1 + offset):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) <= max(type_at, value_at):
            raise WatchlistError(f"Line {n}: expected a signal type and a signal value.")
        yield n, cells[type_at].lower(), cells[value_at]


def import_csv(session: Session, text: str, added_by: str) -> list[WatchlistEntry]:
    """Bank every PDQ/MD5 signal of an HMA / ThreatExchange file (no case: there is no victim to alert)."""
    hashes = []
    for n, kind, value in _csv_rows(text):
        if kind not in _CSV_TYPE_NAMES:
            raise WatchlistError(f"Line {n}: signal type {kind!r} is not pdq or md5.")
        kind = _CSV_TYPE_NAMES[kind]
        # HMA's files carry no quality; an exported signal was good enough for its bank.
        item = {"type": kind, "value": value, "quality": 100 if kind == "pdq" else None}
        try:
            validate_hash(item)  # named by its line here; bank_hashes would count signals instead
        except WatchlistError as exc:
            raise WatchlistError(f"Line {n}: {exc}") from exc
        hashes.append(item)
    if not hashes:
        raise WatchlistError("The file has no signals.")
    # An operator chose to import another bank's signals: they are not one anonymous person's word.
    return bank_hashes(session, None, hashes, added_by, trust="reviewed")


def hamming_hex(a: str, b: str) -> int:
    """Distance between two PDQ hex strings."""
    return int(np.asarray(hamming(hex_to_codes([a]), hex_to_codes([b])))[0])


def frame_counts(session: Session, entry_ids: Sequence[int]) -> dict[int, int]:
    """How many frames each vPDQ entry has."""
    counts: dict[int, int] = {}
    for lo in range(0, len(entry_ids), 500):
        for entry_id, count in session.execute(
            select(WatchlistFrame.entry_id, func.count())
            .where(WatchlistFrame.entry_id.in_(list(entry_ids[lo : lo + 500])))
            .group_by(WatchlistFrame.entry_id)
        ):
            counts[int(entry_id)] = int(count)
    return counts
