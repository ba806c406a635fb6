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
from sxr.cases.services import note_analysis
from sxr.clock import utcnow
from sxr.config import Settings
from sxr.evidence.models import NO_CHAT, NOT_READ_STATES
from sxr.evidence.services import list_evidence, readings_of
from sxr.staff.words import STATUS_LABELS
from sxr.watchlist import services as watchlist
from sxr.watchlist.models import WatchlistEntry, WatchlistMatch

TIMELINE_LIMIT = 500
CHAT_MESSAGE_LIMIT = 2000  # messages shown per conversation; the rest are in the report pack
CHAT_TEXT_LIMIT = 4000  # characters of one message shown
HIGHLIGHTS_PER_MESSAGE = 50


@dataclass(frozen=True)
class Segment:
    """A piece of a message's text: plain, or one of the offender's details (its kind in words)."""

    text: str
    kind: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class ChatMessage:
    """One message as the chat view shows it."""

    anchor: str  # the id of its place on the page: "m-<evidence item>-<i>"
    i: int
    sender: str
    offender: bool  # the offender's side (as the analysis says); the other side is the victim's
    sent_at: str | None
    written: bool  # the time is as the export wrote it (the phone's clock), not a platform's UTC stamp
    stages: list[str]
    segments: list[Segment]
    source: str  # where it came from in the evidence: "chat.txt, line 3" / "page 2, box ..."
    cut: bool = False  # the text was longer than shown

    @property
    def stage_labels(self) -> list[str]:
        """The stages in words, from the analysis vocabulary."""
        return [stage_label(s) for s in self.stages]


@dataclass
class Chat:
    """One analysed conversation as a chat: whose side is whose, and its messages."""

    evidence_item: str
    evidence_item_id: int
    evidence_kind: str
    offender: str | None
    messages: list[ChatMessage] = field(default_factory=list)
    cut: int = 0  # messages not shown


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
    evidence_item_id: int = 0

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
    chats: list[Chat] = field(default_factory=list)

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
            overview.chats.append(chat_of(analysis.item, analysis.document))
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
                evidence_item_id=item.id,
            )
        )
    risk = doc.get("risk")
    if isinstance(risk, dict) and (
        overview.risk is None or float(risk.get("score") or 0) > float(overview.risk.get("score") or 0)
    ):
        overview.risk = risk


def _source_words(source: Any) -> str:
    if not isinstance(source, dict):
        return ""
    where = str(source.get("member") or source.get("file") or "")[:200]
    lines = source.get("lines")
    if isinstance(lines, list) and len(lines) == 2:
        first, last = lines
        where += f", line {first}" if first == last else f", lines {first} to {last}"
    elif source.get("pointer"):
        where += f", at {str(source.get('pointer'))[:100]}"
    if isinstance(source.get("box"), list):
        where += ", read from the picture"
    return where


def highlight(text: str, needles: list[tuple[str, str]]) -> list[Segment]:
    """`text` cut into plain pieces and the offender's details found in it (each `(raw, kind)` as the
    analysis found it, matched without regard to case), the longest first where they overlap."""
    lowered = text.lower()
    spans: list[tuple[int, int, str]] = []
    for raw, kind in sorted(needles, key=lambda n: -len(n[0])):
        needle = raw.lower()
        if not needle:
            continue
        start = lowered.find(needle)
        while start >= 0 and len(spans) < HIGHLIGHTS_PER_MESSAGE:
            end = start + len(needle)
            if all(end <= a or start >= b for a, b, _ in spans):
                spans.append((start, end, kind))
            start = lowered.find(needle, end)
    out: list[Segment] = []
    at = 0
    for start, end, kind in sorted(spans):
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], kind, kind_label(kind)))
        at = end
    if at < len(text) or not out:
        out.append(Segment(text[at:]))
    return out


def chat_of(item: Any, doc: dict[str, Any]) -> Chat:
    """An analysis document as a chat: sides, times, stages, and the offender's details highlighted."""
    offender = doc.get("offender")
    chat = Chat(item.original_name, item.id, item.kind, None if offender is None else str(offender))
    by_message: dict[int, list[tuple[str, str]]] = {}
    for ind in doc.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        raw, kind = str(ind.get("raw") or ind.get("value") or ""), str(ind.get("kind", ""))
        for i in (ind.get("messages") or [ind.get("first_i")])[:CHAT_MESSAGE_LIMIT]:
            if isinstance(i, int):
                by_message.setdefault(i, []).append((raw, kind))
                if ind.get("value") and ind.get("value") != raw:
                    by_message[i].append((str(ind.get("value")), kind))
    messages = [m for m in doc.get("messages") or [] if isinstance(m, dict)]
    chat.cut = max(0, len(messages) - CHAT_MESSAGE_LIMIT)
    for m in messages[:CHAT_MESSAGE_LIMIT]:
        found_i = m.get("i")
        i = found_i if isinstance(found_i, int) else 0
        text = str(m.get("text", ""))
        sender = str(m.get("sender", ""))
        chat.messages.append(
            ChatMessage(
                anchor=f"m-{item.id}-{i}",
                i=i,
                sender=sender,
                offender=chat.offender is not None and sender == chat.offender,
                sent_at=m.get("sent_at") if isinstance(m.get("sent_at"), str) else None,
                written=m.get("sent_at_raw") is not None,
                stages=[str(x) for x in m.get("stages") or []],
                segments=highlight(text[:CHAT_TEXT_LIMIT], by_message.get(i, [])),
                source=_source_words(m.get("source")),
                cut=len(text) > CHAT_TEXT_LIMIT,
            )
        )
    return chat


def next_steps(overview: CaseOverview) -> list[str]:
    """What an officer should do next with this case, most urgent first, in plain words."""
    case = overview.case
    steps: list[str] = []
    if overview.self_harm:
        steps.append("The victim mentioned self-harm: put crisis support first when you contact them.")
    if case.status == "open":
        steps.append("Triage the case: read the overview and the chat, then set its status.")
    unreviewed = sum(1 for d in overview.details if d.decision is None)
    if unreviewed:
        steps.append(
            f"Review {unreviewed} of the offender's detail{'s' if unreviewed != 1 else ''}: "
            "confirm or reject each before it goes in a report."
        )
    if overview.not_read_count:
        steps.append("Some files could not be read: ask the victim for another export or screenshots.")
    if any(not alert.seen for alert in overview.alerts):
        steps.append("A watchlist alert has not been seen by the victim yet: consider telling them.")
    if overview.risk and str(overview.risk.get("level")) == "high" and case.status != "with_police":
        steps.append("The risk is high: build a report pack for the police and record the crime number.")
    if not overview.evidence:
        steps.append("There is no evidence yet: ask the victim for a chat export or screenshots.")
    return steps


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


def refresh_queue_columns(session: Session, settings: Settings, case: Case) -> list[str]:
    """Read a case's stored analyses again into what the queue and trends show (self-harm, paid, time to
    threat, the offender's identifiers): for cases analysed before those were kept. Returns the problems
    met reading the analyses (each said, none hidden)."""
    analyses, problems = case_analyses(session, settings, case)
    for analysis in analyses:
        if analysis.relevant:
            note_analysis(session, case.id, analysis.document)
    return problems
