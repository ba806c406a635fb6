"""Banking a case's hashes on the watchlist, and taking them off again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sxr.media.signal import FramedHashType
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.errors import NotFound, WatchlistError
from sxr.watchlist.hashes import validate_hash
from sxr.watchlist.live import IndexRow, after_commit, live_index, on_rollback
from sxr.watchlist.models import WatchlistEntry, WatchlistFrame
from sxr.watchlist.quota import refuse_over_quota
from sxr.watchlist.trust import case_entries, check_trust, mark_reviewed


def _framed(type_name: str) -> bool:
    """Whether hashes of this type are lists of frames (videos), banked anew each time."""
    signal = SIGNAL_TYPES.get(type_name)
    return signal is not None and issubclass(signal, FramedHashType)


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return (item["type"], item.get("value") or "")


def _clean_all(hashes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not hashes:
        raise WatchlistError("There were no hashes to add.")
    clean = []
    for n, item in enumerate(hashes, start=1):
        try:
            clean.append(validate_hash(item))
        except WatchlistError as exc:
            raise WatchlistError(f"Hash {n}: {exc}") from exc
    return clean


def _banked_already(
    session: Session, case_id: int | None, clean: list[dict[str, Any]]
) -> dict[tuple[str, str], WatchlistEntry]:
    """The case's entries (or the case-less ones) that hold one of these hashes already."""
    same_case = WatchlistEntry.case_id == case_id if case_id is not None else WatchlistEntry.case_id.is_(None)
    wanted = sorted({item["value"] for item in clean if not _framed(item["type"])})
    known: dict[tuple[str, str], WatchlistEntry] = {}
    for lo in range(0, len(wanted), 500):
        for row in session.scalars(
            select(WatchlistEntry).where(same_case, WatchlistEntry.value.in_(wanted[lo : lo + 500]))
        ):
            known.setdefault((row.type, row.value or ""), row)
    return known


def _fresh(clean: list[dict[str, Any]], known: dict[tuple[str, str], WatchlistEntry]) -> list[dict[str, Any]]:
    """The hashes that would be new entries (each once)."""
    fresh, seen = [], set(known)
    for item in clean:
        if _framed(item["type"]) or _key(item) not in seen:
            fresh.append(item)
            seen.add(_key(item))
    return fresh


def _new_entry(case_id: int | None, item: dict[str, Any], added_by: str, trust: str) -> WatchlistEntry:
    reviewed = trust == "reviewed"
    entry = WatchlistEntry(
        case_id=case_id,
        type=item["type"],
        value=item.get("value"),
        quality=item.get("quality"),
        added_by=added_by[:120],
        trust=trust,
        reviewed_by=added_by[:120] if reviewed else None,
        reviewed_at=datetime.now(UTC) if reviewed else None,
    )
    if item.get("frames"):
        entry.frames = [WatchlistFrame(**frame) for frame in item["frames"]]
    return entry


def index_row(entry: WatchlistEntry) -> IndexRow:
    """An entry as the live index holds it."""
    frames = [(f.hash, f.quality) for f in entry.frames] if _framed(entry.type) else []
    return IndexRow(entry.id, entry.type, entry.value, frames)


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
    check_trust(trust)
    clean = _clean_all(hashes)
    known = _banked_already(session, case_id, clean)
    fresh = _fresh(clean, known)
    if fresh and trust == "victim" and case_id is not None:
        refuse_over_quota(session, case_id, fresh)
    index = live_index(session)
    now = datetime.now(UTC)
    entries: list[WatchlistEntry] = []
    for item in clean:
        existing = None if _framed(item["type"]) else known.get(_key(item))
        if existing is not None:
            if trust == "reviewed":
                mark_reviewed(existing, added_by, now)
            entries.append(existing)
            continue
        entry = _new_entry(case_id, item, added_by, trust)
        if not _framed(item["type"]):
            known[_key(item)] = entry
        session.add(entry)
        entries.append(entry)
    session.flush()
    # The database numbers the new entries in its change sequence; every process (this one at its next
    # look-up) applies them once they commit, and never if the transaction rolls back.
    after_commit(session, index.mark_stale)
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
    row = index_row(entry)
    # Out of the index now, in this process, whatever the transaction does: look-ups also check the
    # database, so other processes stop reporting it as soon as the delete commits, and take it out of
    # their indexes from the change sequence within a second.
    index.remove_entry(row)
    on_rollback(session, lambda: index.restore_entry(row))
    session.delete(entry)
    session.flush()


def remove_entries(session: Session, case_id: int, public_ids: Sequence[str] | None = None) -> int:
    """Take a case's entries off the watchlist (all of them without `public_ids`); how many went."""
    entries = case_entries(session, case_id, public_ids)
    for entry in entries:
        withdraw_entry(session, entry.public_id, case_id=case_id)
    return len(entries)


def frame_counts(session: Session, entry_ids: Sequence[int]) -> dict[int, int]:
    """How many frames each video entry has."""
    counts: dict[int, int] = {}
    for lo in range(0, len(entry_ids), 500):
        for entry_id, count in session.execute(
            select(WatchlistFrame.entry_id, func.count())
            .where(WatchlistFrame.entry_id.in_(list(entry_ids[lo : lo + 500])))
            .group_by(WatchlistFrame.entry_id)
        ):
            counts[int(entry_id)] = int(count)
    return counts
