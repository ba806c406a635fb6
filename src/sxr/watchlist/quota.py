"""How many unreviewed hashes one case may bank, and the note staff get when a case reaches it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sxr.config import get_settings
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.errors import QuotaReached
from sxr.watchlist.models import WatchlistEntry, WatchlistFrame

QUOTA_NOTE_EVERY = timedelta(hours=1)


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


def _quota_of(type_name: str) -> str:
    """Which quota a hash type counts against ("pictures" or "videos"); unknown types count as pictures."""
    signal = SIGNAL_TYPES.get(type_name)
    return signal.quota if signal is not None else "pictures"


def quota_use(session: Session, case_id: int) -> QuotaUse:
    """The case's victim-banked entries that staff have not reviewed yet."""
    waiting = (WatchlistEntry.case_id == case_id, WatchlistEntry.trust == "victim")
    counts = {"pictures": 0, "videos": 0}
    for type_name, count in session.execute(
        select(WatchlistEntry.type, func.count()).where(*waiting).group_by(WatchlistEntry.type)
    ).all():
        counts[_quota_of(type_name)] += int(count)
    frames = session.scalar(
        select(func.count(WatchlistFrame.id))
        .join(WatchlistEntry, WatchlistFrame.entry_id == WatchlistEntry.id)
        .where(*waiting)
    )
    return QuotaUse(pictures=counts["pictures"], videos=counts["videos"], frames=int(frames or 0))


def _lock_case(session: Session, case_id: int) -> None:
    """One banking at a time per case, so parallel requests cannot both pass the check."""
    from sxr.cases.models import Case

    # A no-op write to the case row takes its row lock on PostgreSQL and the write lock on SQLite (whose
    # reads outside a transaction would otherwise all see the count before any of them inserts), until
    # the commit. Not the key column: that lock would also hold up inserts that refer to the case
    # (evidence, alerts).
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(status=Case.status)
        .execution_options(synchronize_session=False)
    )


def refuse_over_quota(session: Session, case_id: int, fresh: list[dict[str, Any]]) -> None:
    """QuotaReached (and a note to staff in the case's audit trail) when `fresh` would pass the quota."""
    _lock_case(session, case_id)
    quota, use = case_quota(), quota_use(session, case_id)
    pictures = sum(1 for item in fresh if _quota_of(item["type"]) == "pictures")
    videos = [item for item in fresh if _quota_of(item["type"]) == "videos"]
    frames = sum(len(item.get("frames") or ()) for item in videos)
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
