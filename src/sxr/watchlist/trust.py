"""Trust in an entry: the victim's word alone, or reviewed by staff (or banked by an operator)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.watchlist.errors import NotFound, WatchlistError
from sxr.watchlist.models import WatchlistEntry

TRUST_LEVELS = ("victim", "reviewed")


def check_trust(trust: str) -> None:
    if trust not in TRUST_LEVELS:
        raise WatchlistError(f"trust must be one of {', '.join(TRUST_LEVELS)}.")


def mark_reviewed(entry: WatchlistEntry, reviewer: str, now: datetime) -> bool:
    """Mark one entry reviewed; whether it changed."""
    if entry.trust == "reviewed":
        return False
    entry.trust, entry.reviewed_by, entry.reviewed_at = "reviewed", reviewer[:120], now
    return True


def case_entries(session: Session, case_id: int, public_ids: Sequence[str] | None) -> list[WatchlistEntry]:
    """A case's entries (those with `public_ids` only, all of them there, when given)."""
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
    now = datetime.now(UTC)
    changed = sum(mark_reviewed(entry, reviewer, now) for entry in case_entries(session, case_id, public_ids))
    session.flush()
    return changed
