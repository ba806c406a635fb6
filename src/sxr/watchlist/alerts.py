"""Alerts on a case when a platform matches one of its hashes or says what the match was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sxr.config import Settings
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.live import after_commit
from sxr.watchlist.models import WatchlistAlert, WatchlistMatch
from sxr.watchlist.settings import get_watchlist_settings
from sxr.watchlist.webhook import send_in_background

ALERT_KINDS = ("match", "match_confirmed", "match_not_a_match")


def raise_alert(
    session: Session,
    case_id: int,
    match: WatchlistMatch,
    kind: str,
    *,
    flush: bool = True,
    settings: Settings | None = None,
) -> WatchlistAlert:
    """An alert on the case; the force's webhook is told once the transaction commits. A caller raising
    many passes the settings it read once."""
    alert = WatchlistAlert(case_id=case_id, match_id=match.id, kind=kind, match=match)
    session.add(alert)
    settings = settings or get_watchlist_settings()
    if flush or settings.webhook_url:
        session.flush()
    if settings.webhook_url:
        payload = alert_payload(session, alert)
        url, secret = settings.webhook_url, settings.webhook_secret
        after_commit(session, lambda: send_in_background(url, secret, payload))
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


def _media_word(type_name: str) -> str:
    signal = SIGNAL_TYPES.get(type_name)
    return signal.media_word if signal is not None else "picture"


def alerts_for_case(session: Session, case_id: int) -> list[AlertView]:
    """The case's alerts, newest first."""
    rows = session.scalars(
        select(WatchlistAlert)
        .where(WatchlistAlert.case_id == case_id)
        .options(selectinload(WatchlistAlert.match).selectinload(WatchlistMatch.entry))
        .order_by(WatchlistAlert.created_at.desc(), WatchlistAlert.id.desc())
    )
    return [
        AlertView(
            id=alert.id,
            kind=alert.kind,
            platform=alert.match.platform if alert.match else "a website",
            media=_media_word(alert.match.entry.type) if alert.match else "picture",
            created_at=alert.created_at,
            seen=alert.seen_at is not None,
        )
        for alert in rows
    ]


def mark_alerts_seen(session: Session, case_id: int) -> None:
    now = datetime.now(UTC)
    for alert in session.scalars(
        select(WatchlistAlert).where(WatchlistAlert.case_id == case_id, WatchlistAlert.seen_at.is_(None))
    ):
        alert.seen_at = now
    session.flush()
