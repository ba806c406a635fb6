"""The case queue: cases with something in them first, newest first, filtered by status, risk and content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.evidence.services import not_read_counts
from sxr.watchlist.models import WatchlistAlert

# Stored values of `Case.status` ("open" is what a new case starts with) and how staff see them.
STATUS_LABELS = {"open": "New", "triaged": "Triaged", "with_police": "With police", "closed": "Closed"}
QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueRow:
    """One case in the queue."""

    reference: str
    status: str
    created_at: datetime
    risk_level: str | None
    alert_count: int
    evidence_count: int = 0
    has_content: bool = False
    not_read: int = 0  # evidence items the derivers could not read (in full): a flag in the queue


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, with the counts that say what else there is."""

    rows: list[QueueRow]
    total: int  # cases that match the filters
    page: int
    pages: int
    empty: int  # of those, reports with nothing in them (listed after the others)
    by_status: dict[str, int]


RISK_LEVELS = ("high", "medium", "low")
CONTENT_FILTERS = ("with", "empty")


def _alert_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(WatchlistAlert.case_id, func.count())
        .where(WatchlistAlert.case_id.in_(case_ids))
        .group_by(WatchlistAlert.case_id)
    )
    return {int(case_id): int(count) for case_id, count in rows}


def _has_content() -> ColumnElement[bool]:
    # Anything a person put in: a file, or their own words (sealed, but whether there are any is plain).
    return or_(Case.evidence_count > 0, Case.what_happened.is_not(None))


def case_queue(
    session: Session,
    *,
    status: str | None = None,
    risk: str | None = None,
    content: str | None = None,
    page: int = 1,
    per_page: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """A page of cases: reports with something in them first, newest first; never a blob decrypted.

    A flood of empty reports cannot push a real one out of sight: they sort below it, and the counts
    say how many there are.
    """
    filters = []
    if status:
        filters.append(Case.status == status)
    if risk:
        filters.append(Case.risk_level == risk)
    if content == "with":
        filters.append(_has_content())
    elif content == "empty":
        filters.append(~_has_content())
    total = int(session.scalar(select(func.count()).select_from(Case).where(*filters)) or 0)
    empty = int(session.scalar(select(func.count()).select_from(Case).where(*filters, ~_has_content())) or 0)
    by_status = {
        str(value): int(n)
        for value, n in session.execute(select(Case.status, func.count()).group_by(Case.status))
    }
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        select(Case, _has_content())
        .where(*filters)
        .order_by(case((_has_content(), 0), else_=1), Case.created_at.desc(), Case.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    found = list(session.execute(query))
    ids = [c.id for c, _ in found]
    alerts = _alert_counts(session, ids) if found else {}
    not_read = not_read_counts(session, ids) if found else {}
    rows = [
        QueueRow(
            c.reference,
            c.status,
            c.created_at,
            c.risk_level,
            alerts.get(c.id, 0),
            c.evidence_count,
            bool(has_content),
            not_read.get(c.id, 0),
        )
        for c, has_content in found
    ]
    return QueuePage(rows, total, page, pages, empty, by_status)
