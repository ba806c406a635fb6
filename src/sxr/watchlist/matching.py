"""Matching: platforms' look-ups (recorded, alerting the case), files checked here, and feedback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.media.signal import FramedHashType
from sxr.watchlist.alerts import raise_alert
from sxr.watchlist.errors import NotFound, WatchlistError
from sxr.watchlist.hashes import Query, parse_queries, signal_type, validate_hash
from sxr.watchlist.live import LiveIndex, live_index
from sxr.watchlist.models import WatchlistEntry, WatchlistMatch, new_public_id
from sxr.watchlist.settings import get_watchlist_settings
from sxr.watchlist.trust import TRUST_LEVELS

VERDICTS = ("confirmed", "not_a_match")


@dataclass(frozen=True)
class MatchedEntry:
    """What a look-up needs of a watchlist entry (read as plain columns: no ORM object for each)."""

    id: int
    public_id: str
    type: str
    value: str | None
    trust: str
    case_id: int | None


@dataclass(frozen=True)
class Hit:
    """One entry that a queried hash matched."""

    entry: MatchedEntry
    distance: int


def _candidates(index: LiveIndex, queries: list[Query]) -> list[list[tuple[int, int]]]:
    """(entry id, distance) pairs from each type's index, one batch a type."""
    candidates: list[list[tuple[int, int]]] = [[] for _ in queries]
    by_type: dict[str, list[int]] = {}
    for i, (signal, _values) in enumerate(queries):
        by_type.setdefault(signal.name, []).append(i)
    for at in by_type.values():
        signal = queries[at[0]][0]
        found = index.value_index(signal).search([queries[i][1] for i in at])
        for i, pairs in zip(at, found, strict=True):
            candidates[i] = pairs
    return candidates


_ENTRY_COLUMNS = (
    WatchlistEntry.id,
    WatchlistEntry.public_id,
    WatchlistEntry.type,
    WatchlistEntry.value,
    WatchlistEntry.trust,
    WatchlistEntry.case_id,
)


def _entries(session: Session, ids: Sequence[int]) -> dict[int, MatchedEntry]:
    """The candidates the database holds (none asked for when the index found none)."""
    wanted = sorted(set(ids))
    entries: dict[int, MatchedEntry] = {}
    for lo in range(0, len(wanted), 500):
        rows = session.execute(select(*_ENTRY_COLUMNS).where(WatchlistEntry.id.in_(wanted[lo : lo + 500])))
        for row in rows:
            entries[row.id] = MatchedEntry(*row)
    return entries


def _verified(
    query: Query,
    pairs: list[tuple[int, int]],
    entries: dict[int, MatchedEntry],
    threshold: int,
    min_trust: str,
) -> list[Hit]:
    """The candidates the database still holds, at their distance from the nearest of the query's values."""
    signal, values = query
    hits = []
    for label, _distance in pairs:
        found = entries.get(label)
        # The database has the last word: withdrawn entries and stale index rows never match.
        if found is None or found.type != signal.name or found.value is None:
            continue
        if min_trust == "reviewed" and found.trust != "reviewed":
            continue
        distance = min(signal.distance(found.value, value) for value in values)
        if distance <= threshold:
            hits.append(Hit(found, distance))
    return hits


def lookup(
    session: Session, hashes: Sequence[dict[str, Any]], *, min_trust: str = "victim"
) -> list[list[Hit]]:
    """For each {"type", "value"} hash (a single-value type), the live entries it matches, nearest first.

    A hash may bring other forms of itself as "dihedral" (a PDQ hash's rotations and mirrors, as Meta's
    hasher gives them): an entry matches if any of them is near, at the nearest one's distance.
    With min_trust "reviewed", only entries staff reviewed (or an operator banked) match.
    """
    return _lookup(session, parse_queries(hashes), min_trust)


def _lookup(session: Session, queries: list[Query], min_trust: str) -> list[list[Hit]]:
    index = live_index(session)
    candidates = _candidates(index, queries)
    entries = _entries(session, [label for pairs in candidates for label, _ in pairs])
    return [
        _verified(query, pairs, entries, index.threshold(query[0]), min_trust)
        for query, pairs in zip(queries, candidates, strict=True)
    ]


def lookup_frames(session: Session, item: dict[str, Any]) -> list[tuple[WatchlistEntry, float, float]]:
    """Banked videos that a video's frames ({"type", "frames"}) match: (entry, % of query frames,
    % of entry frames)."""
    signal = signal_type(item.get("type"))
    if signal is None or not issubclass(signal, FramedHashType):
        raise WatchlistError("Only a video's hash (a list of frames) can be matched as a video.")
    clean = validate_hash(item)
    index = live_index(session)
    found = index.video_index(signal).match([(f["hash"], f["quality"]) for f in clean["frames"]])
    out = []
    for match in found:
        entry = session.get(WatchlistEntry, match.label)
        if entry is not None:
            out.append((entry, match.query_match_percent, match.compared_match_percent))
    return out


def _record(
    session: Session, platform: str, values: list[str], found: list[list[Hit]]
) -> dict[tuple[int, str], str]:
    """The public ids of the platform's matches of these hashes: those recorded before (read as columns),
    and the new ones (written, alerting their cases). Nothing is read or written when nothing matched."""
    wanted = sorted({v for v, hits in zip(values, found, strict=True) if hits})
    known: dict[tuple[int, str], str] = {}
    for lo in range(0, len(wanted), 500):
        rows = session.execute(
            select(WatchlistMatch.entry_id, WatchlistMatch.query_hash, WatchlistMatch.public_id).where(
                WatchlistMatch.platform == platform, WatchlistMatch.query_hash.in_(wanted[lo : lo + 500])
            )
        )
        for entry_id, query_hash, public_id in rows:
            known[(entry_id, query_hash)] = public_id
    fresh: list[tuple[WatchlistMatch, int | None]] = []
    for value, hits in zip(values, found, strict=True):
        for hit in hits:
            if (hit.entry.id, value) not in known:
                match = WatchlistMatch(
                    entry_id=hit.entry.id,
                    platform=platform,
                    distance=hit.distance,
                    query_hash=value,
                    public_id=new_public_id("m"),
                )
                known[(hit.entry.id, value)] = match.public_id
                fresh.append((match, hit.entry.case_id))
    if fresh:
        session.add_all([m for m, _ in fresh])
        session.flush()
        settings = get_watchlist_settings()  # once for the batch, not once an alert
        for match, case_id in fresh:
            if case_id is not None:
                raise_alert(session, case_id, match, "match", flush=False, settings=settings)
        session.flush()
    return known


def match_hashes(
    session: Session, hashes: Sequence[dict[str, Any]], platform: str, *, min_trust: str = "victim"
) -> list[dict[str, Any]]:
    """A platform's look-up: matches are recorded (once per entry, platform and hash) and alert the case.

    The answer holds only opaque ids, distances and each entry's trust level, never anything about the
    victim or the case. With min_trust "reviewed", entries only the victim vouches for are left out.
    """
    return match_queries(session, parse_queries(hashes), platform, min_trust=min_trust)


def match_queries(
    session: Session, queries: list[Query], platform: str, *, min_trust: str = "victim"
) -> list[dict[str, Any]]:
    """`match_hashes` for hashes already in normal form ((type, [value, variants...]) each)."""
    if min_trust not in TRUST_LEVELS:
        raise WatchlistError(f"min_trust must be one of {', '.join(TRUST_LEVELS)}.")
    found = _lookup(session, queries, min_trust)
    values = [values[0] for _signal, values in queries]
    known = _record(session, platform, values, found)
    return [
        {
            "value": value,
            "matches": [
                {
                    "entry_id": hit.entry.public_id,
                    "distance": hit.distance,
                    "match_id": known[(hit.entry.id, value)],
                    "trust": hit.entry.trust,
                }
                for hit in hits
            ],
        }
        for value, hits in zip(values, found, strict=True)
    ]


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
        raise_alert(session, match.entry.case_id, match, f"match_{verdict}")
    return match
