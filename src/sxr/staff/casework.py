"""A case as staff see it and work on it: its evidence, the offender's details and their reviews, the
timeline, risk and watchlist; and what staff change there (the case's status, the review of each detail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.accounts.models import StaffUser
from sxr.accounts.staff_audit import audit
from sxr.accounts.staff_users import StaffError
from sxr.analysis.services import ReviewError, case_analyses, current_decisions, record_decision
from sxr.analysis.vocabulary import kind_label, stage_label
from sxr.cases.models import Case
from sxr.clock import utcnow
from sxr.config import Settings
from sxr.evidence.models import NO_CHAT, NOT_READ_STATES
from sxr.evidence.services import list_evidence, readings_of
from sxr.staff.queue import STATUS_LABELS
from sxr.watchlist import services as watchlist
from sxr.watchlist.models import WatchlistEntry, WatchlistMatch

TIMELINE_LIMIT = 500


@dataclass
class Detail:
    """One of the offender's details (an indicator) with where it was first seen and its review."""

    kind: str
    value: str
    raw: str | None
    first_i: int | None
    first_sender: str | None
    first_sent_at: str | None
    first_text: str | None
    evidence_item: str
    evidence_item_id: int
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @property
    def label(self) -> str:
        """The kind in words ("Snapchat name"), from the analysis vocabulary."""
        return kind_label(self.kind)


@dataclass(frozen=True)
class TimelineRow:
    """A message that carries a stage of the extortion."""

    evidence_item: str
    i: int
    sent_at: str | None
    sender: str
    stages: list[str]
    text: str

    @property
    def stage_labels(self) -> list[str]:
        """The stages in words ("move to another app"), from the analysis vocabulary."""
        return [stage_label(s) for s in self.stages]


@dataclass
class CaseOverview:
    """Everything the case page shows."""

    case: Case
    evidence: list[Any] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    rejected: list[Detail] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    timeline_cut: int = 0
    risk: dict[str, Any] | None = None
    self_harm: bool = False
    alerts: list[Any] = field(default_factory=list)
    matches: list[Any] = field(default_factory=list)
    watchlist_entries: int = 0
    warnings: list[str] = field(default_factory=list)
    # Evidence the derivers could not read (EvidenceReading rows, with the item's name) and how each
    # conversation's written dates were read (its date_reading, with the item's name).
    not_read: list[tuple[str, Any]] = field(default_factory=list)
    date_readings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def not_read_count(self) -> int:
        """How many files could not be read (in full); a file without a chat is not counted."""
        return sum(1 for _name, reading in self.not_read if reading.state != "no_chat")


def case_overview(session: Session, settings: Settings, case: Case) -> CaseOverview:
    """Gather a case's evidence, the offender's details with their reviews, timeline, risk and alerts."""
    overview = CaseOverview(case=case)
    overview.evidence = list_evidence(session, case)
    readings = readings_of(session, case.id)
    for item in overview.evidence:
        reading = readings.get(item.id)
        if reading is not None and (reading.state in NOT_READ_STATES or reading.state == NO_CHAT):
            overview.not_read.append((item.original_name, reading))
    seen: set[tuple[str, str]] = set()
    details: list[Detail] = []
    analyses, problems = case_analyses(session, settings, case)
    overview.warnings.extend(problems)
    for analysis in analyses:
        date_reading = analysis.document.get("date_reading")
        if analysis.relevant and isinstance(date_reading, dict):
            overview.date_readings.append((analysis.item.original_name, date_reading))
        if analysis.relevant:
            _add_analysis(overview, details, seen, analysis.item, analysis.document)
    decisions = current_decisions(session, case.id)
    for detail in details:
        row = decisions.get((detail.kind, detail.value))
        if row is not None:
            detail.decision, detail.decided_by, detail.decided_at = (
                row.decision,
                row.decided_by,
                row.decided_at,
            )
        (overview.rejected if detail.decision == "rejected" else overview.details).append(detail)
    if len(overview.timeline) > TIMELINE_LIMIT:
        overview.timeline_cut = len(overview.timeline) - TIMELINE_LIMIT
        overview.timeline = overview.timeline[:TIMELINE_LIMIT]
    _add_watchlist(session, overview)
    return overview


def _add_analysis(
    overview: CaseOverview, details: list[Detail], seen: set[tuple[str, str]], item: Any, doc: dict[str, Any]
) -> None:
    messages = [m for m in doc.get("messages") or [] if isinstance(m, dict)]
    by_i = {m.get("i"): m for m in messages}
    for ind in doc.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        key = (str(ind.get("kind")), str(ind.get("value")))
        if key in seen:
            continue
        seen.add(key)
        first_i = ind.get("first_i")
        first = by_i.get(first_i, {})
        details.append(
            Detail(
                kind=key[0],
                value=key[1],
                raw=None if ind.get("raw") is None else str(ind.get("raw")),
                first_i=first_i if isinstance(first_i, int) else None,
                first_sender=None if not first else str(first.get("sender", "")),
                first_sent_at=first.get("sent_at"),
                first_text=None if not first else str(first.get("text", "")),
                evidence_item=item.original_name,
                evidence_item_id=item.id,
            )
        )
    for m in messages:
        stages = [str(s) for s in m.get("stages") or []]
        if not stages:
            continue
        overview.self_harm = overview.self_harm or "self_harm" in stages
        overview.timeline.append(
            TimelineRow(
                evidence_item=item.original_name,
                i=int(m.get("i", 0)),
                sent_at=m.get("sent_at"),
                sender=str(m.get("sender", "")),
                stages=stages,
                text=str(m.get("text", "")),
            )
        )
    risk = doc.get("risk")
    if isinstance(risk, dict) and (
        overview.risk is None or float(risk.get("score") or 0) > float(overview.risk.get("score") or 0)
    ):
        overview.risk = risk


def _add_watchlist(session: Session, overview: CaseOverview) -> None:
    case_id = overview.case.id
    overview.alerts = watchlist.alerts_for_case(session, case_id)
    overview.watchlist_entries = len(watchlist.entries_for_case(session, case_id))
    overview.matches = list(
        session.scalars(
            select(WatchlistMatch)
            .join(WatchlistEntry, WatchlistMatch.entry_id == WatchlistEntry.id)
            .where(WatchlistEntry.case_id == case_id)
            .order_by(WatchlistMatch.created_at.desc(), WatchlistMatch.id.desc())
        )
    )


def set_status(session: Session, user: StaffUser, case: Case, status: str, why: str | None = None) -> None:
    """Change a case's status (an audit event says from what to what)."""
    if status not in STATUS_LABELS:
        raise StaffError(f"A status is one of {', '.join(STATUS_LABELS)}.")
    before = case.status
    case.status = status
    if status != before:
        case.closed_at = utcnow() if status == "closed" else None
    audit(session, user, "case.status", case=case, subject=f"{before} -> {status}", why=why)
    session.flush()


def review_detail(
    session: Session, user: StaffUser, case: Case, kind: str, value: str, decision: str
) -> None:
    """Confirm or reject one of the offender's details of a case (recorded by the analysis domain)."""
    try:
        record_decision(session, case.id, kind, value, decision, user.actor)
    except ReviewError as exc:
        raise StaffError(str(exc)) from exc
    audit(session, user, f"detail.{decision}", case=case, subject=f"{kind}: {value}"[:255])
