"""The case queue: cases with something in them first, newest first (or as staff sort it), filtered by
status, risk, content, age band, self-harm and payment, and searched by reference or by one of the
offender's identifiers. A queue page never decrypts a blob: it reads columns kept on the case row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from sxr.analysis.indicators.extract import extract_indicators
from sxr.analysis.normalize import normalize
from sxr.cases.models import Case, CaseSearchIdentifier
from sxr.cases.services import AGE_BANDS, normalize_reference
from sxr.evidence.services import not_read_counts
from sxr.staff.words import STATUS_LABELS
from sxr.watchlist.models import WatchlistAlert

QUEUE_PAGE_SIZE = 50
RISK_LEVELS = ("high", "medium", "low")
CONTENT_FILTERS = ("with", "empty")
FLAG_FILTERS = ("yes", "no")
# How the queue can be sorted, in words for the sort menu (the first is the default).
SORTS = {
    "newest": "Newest first (reports with something in them first)",
    "oldest": "Oldest first",
    "risk": "Highest risk first",
    "activity": "Most recent activity first",
    "alerts": "Most alerts first",
}
SEARCH_MAX = 200  # characters of a search; the extraction below is bounded by it

__all__ = ["STATUS_LABELS", "QueuePage", "QueueRow", "case_queue", "search_terms"]


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
    age_band: str | None = None
    self_harm: bool = False
    paid: bool = False
    last_activity_at: datetime | None = None
    case_id: int = 0


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, with the counts that say what else there is."""

    rows: list[QueueRow]
    total: int  # cases that match the filters
    page: int
    pages: int
    empty: int  # of those, reports with nothing in them (listed after the others)
    by_status: dict[str, int]
    searched: list[tuple[str, str]] | None = None  # the identifiers a search looked for (kind, value)


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


def search_terms(text: str, phone_region: str = "GB") -> list[tuple[str, str]]:
    """The identifiers a staff search means, in the analysis's normal forms: what the analysis finds in
    the text as if an offender had written it (a phone in E.164, a sort code and account joined), and the
    text itself as a bare handle or address (lower case, without a leading @ or $) for every kind."""
    text = " ".join(text.split())[:SEARCH_MAX]
    if not text:
        return []
    found = [
        (i.kind, i.value) for i in extract_indicators([normalize(text)], ["them"], phone_region=phone_region)
    ]
    bare = text.lower().lstrip("@$").strip()
    terms = list(dict.fromkeys([*found, *(("*", v) for v in (text, bare) if v)]))
    return terms


def _search_filter(session: Session, terms: list[tuple[str, str]]) -> ColumnElement[bool]:
    exact = [(k, v) for k, v in terms if k != "*"]
    anykind = [v for k, v in terms if k == "*"]
    conditions = [
        *((CaseSearchIdentifier.kind == k) & (CaseSearchIdentifier.value == v) for k, v in exact),
        *([CaseSearchIdentifier.value.in_(anykind)] if anykind else []),
    ]
    matching = select(CaseSearchIdentifier.case_id).where(or_(*conditions))
    return Case.id.in_(matching)


def case_queue(
    session: Session,
    *,
    status: str | None = None,
    risk: str | None = None,
    content: str | None = None,
    age_band: str | None = None,
    self_harm: str | None = None,
    paid: str | None = None,
    search: str | None = None,
    sort: str | None = None,
    phone_region: str = "GB",
    page: int = 1,
    per_page: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """A page of cases, newest first by default with reports that have something in them first; never a
    blob decrypted.

    A flood of empty reports cannot push a real one out of sight: they sort below it, and the counts
    say how many there are. A search is a reference (found in any form it is typed in) or one of the
    offender's identifiers as the case's analyses hold them.
    """
    filters, searched = _queue_filters(
        session, (status, risk, content, age_band, self_harm, paid), search, phone_region
    )
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
        .order_by(*_order(sort))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    found = list(session.execute(query))
    rows = _queue_rows(session, found)
    return QueuePage(rows, total, page, pages, empty, by_status, searched)


def _queue_filters(
    session: Session, choices: tuple[str | None, ...], search: str | None, phone_region: str
) -> tuple[list[ColumnElement[bool]], list[tuple[str, str]] | None]:
    """The queue's filters (status, risk, content, age band, self-harm, paid) and search, as conditions;
    and the search terms as read, to show them back."""
    status, risk, content, age_band, self_harm, paid = choices
    filters: list[ColumnElement[bool]] = []
    if status:
        filters.append(Case.status == status)
    if risk:
        filters.append(Case.risk_level == risk)
    if content == "with":
        filters.append(_has_content())
    elif content == "empty":
        filters.append(~_has_content())
    if age_band in AGE_BANDS:
        filters.append(Case.age_band == age_band)
    for column, wanted in ((Case.self_harm, self_harm), (Case.paid, paid)):
        if wanted in FLAG_FILTERS:
            filters.append(column.is_(wanted == "yes"))
    searched: list[tuple[str, str]] | None = None
    if search and search.strip():
        reference = normalize_reference(search)
        terms = search_terms(search, phone_region)
        searched = [t for t in terms if t[0] != "*"] or terms[:1]
        by_identifier = _search_filter(session, terms)
        filters.append(or_(Case.reference == reference, by_identifier) if reference else by_identifier)
    return filters, searched


def _queue_rows(session: Session, found: list[Any]) -> list[QueueRow]:
    """One row per case found (with its has-content flag): its alerts and unread items in two queries."""
    ids = [c.id for c, _ in found]
    alerts = _alert_counts(session, ids) if found else {}
    not_read = not_read_counts(session, ids) if found else {}
    return [
        QueueRow(
            c.reference,
            c.status,
            c.created_at,
            c.risk_level,
            alerts.get(c.id, 0),
            c.evidence_count,
            bool(has_content),
            not_read.get(c.id, 0),
            c.age_band,
            bool(c.self_harm),
            bool(c.paid),
            c.last_activity_at,
            c.id,
        )
        for c, has_content in found
    ]


def _order(sort: str | None) -> list[Any]:
    content_first = case((_has_content(), 0), else_=1)
    newest = [Case.created_at.desc(), Case.id.desc()]
    if sort == "oldest":
        return [content_first, Case.created_at.asc(), Case.id.asc()]
    if sort == "risk":
        return [case((Case.risk_score.is_(None), 1), else_=0), Case.risk_score.desc(), *newest]
    if sort == "activity":
        last = func.coalesce(Case.last_activity_at, Case.created_at)
        return [last.desc(), Case.id.desc()]
    if sort == "alerts":
        alerts = (
            select(func.count()).where(WatchlistAlert.case_id == Case.id).correlate(Case).scalar_subquery()
        )
        return [alerts.desc(), *newest]
    return [content_first, *newest]
