"""Review of found details: record and list the confirm/reject decisions on a case's indicators."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.analysis.document import AnalysedChat
from sxr.analysis.indicators import Indicator
from sxr.analysis.models import IndicatorDecision
from sxr.analysis.vocabulary import indicator_kind

if TYPE_CHECKING:  # evidence imports the derivers, which import the analysis: types only here
    from sxr.cases.models import Case
    from sxr.config import Settings
    from sxr.evidence.models import EvidenceItem

DECISIONS = ("confirmed", "rejected")


class ReviewError(ValueError):
    """A decision that cannot be recorded; the message says why."""


def record_decision(
    session: Session,
    case_id: int,
    kind: str,
    value: str,
    decision: str,
    decided_by: str,
    *,
    raw: str | None = None,
) -> IndicatorDecision:
    """Record that `decided_by` confirmed or rejected one indicator of a case (earlier decisions are kept)."""
    if decision not in DECISIONS:
        raise ReviewError(f"A decision is 'confirmed' or 'rejected', not {decision!r}.")
    if indicator_kind(kind) is None:
        raise ReviewError(f"{kind!r} is not a kind of indicator.")
    if not value or len(value) > 400:
        raise ReviewError("An indicator's value must be 1 to 400 characters long.")
    if not decided_by:
        raise ReviewError("Say who decided (the victim, or a staff member's name).")
    row = IndicatorDecision(
        case_id=case_id, kind=kind, value=value, decision=decision, decided_by=decided_by, raw=raw
    )
    session.add(row)
    session.flush()
    return row


def decision_history(session: Session, case_id: int) -> list[IndicatorDecision]:
    """Every decision on a case, oldest first."""
    rows = session.scalars(
        select(IndicatorDecision)
        .where(IndicatorDecision.case_id == case_id)
        .order_by(IndicatorDecision.decided_at, IndicatorDecision.id)
    )
    return list(rows)


def current_decisions(session: Session, case_id: int) -> dict[tuple[str, str], IndicatorDecision]:
    """The latest decision on each (kind, value) of a case."""
    latest: dict[tuple[str, str], IndicatorDecision] = {}
    for row in decision_history(session, case_id):
        latest[(row.kind, row.value)] = row
    return latest


@dataclass(slots=True)
class Review:
    """A case's found details sorted by decision: confirmed go into a report, rejected are kept apart."""

    confirmed: list[Indicator]
    rejected: list[Indicator]
    undecided: list[Indicator]


def review(session: Session, case_id: int, indicators: Iterable[Indicator]) -> Review:
    """Sort the indicators found in a case's conversations by the victim's or staff's latest decision."""
    latest = current_decisions(session, case_id)
    out = Review([], [], [])
    for indicator in indicators:
        row = latest.get((indicator.kind, indicator.value))
        if row is None:
            out.undecided.append(indicator)
        elif row.decision == "confirmed":
            out.confirmed.append(indicator)
        else:
            out.rejected.append(indicator)
    return out


@dataclass(slots=True)
class CaseAnalysis:
    """One analysed conversation of a case: its evidence item, the analysis document, and whether it
    bears on the offender."""

    item: EvidenceItem
    document: dict[str, Any]
    relevant: bool


def flagged(document: dict[str, Any]) -> bool:
    """True when the analysis calls the conversation sextortion or would warn on it."""
    risk = document.get("risk")
    warned = isinstance(risk, dict) and risk.get("first_warning_i") is not None
    return bool(document.get("is_sextortion")) or warned


def case_analyses(session: Session, settings: Settings, case: Case) -> tuple[list[CaseAnalysis], list[str]]:
    """Every readable analysis of a case's evidence, oldest first, and the problems met reading them.

    An evidence item holding one chat is about the offender: it is always relevant. When one item holds
    many chats (a whole-account download), only the chats the analysis flags are relevant, so that
    friends' and family's handles and numbers never reach the offender's details or a report pack.
    """
    from sxr.evidence import services as evidence_services

    out: list[CaseAnalysis] = []
    problems: list[str] = []
    for item in evidence_services.list_evidence(session, case):
        documents: list[dict[str, Any]] = []
        for derived in evidence_services.list_derived(session, item):
            if derived.kind != "analysis":
                continue
            try:
                document = json.loads(evidence_services.read_derived(settings, derived))
            except (ValueError, OSError):
                problems.append(f"The analysis of {item.original_name} could not be read.")
                continue
            if isinstance(document, dict):
                documents.append(document)
        for document in documents:
            out.append(CaseAnalysis(item, document, relevant=len(documents) == 1 or flagged(document)))
        left_out = sum(1 for d in documents if len(documents) > 1 and not flagged(d))
        if left_out:
            problems.append(
                f"{item.original_name} holds {len(documents)} chats; {left_out} of them show no sign of "
                "extortion and are left out of the offender's details."
            )
    return out, problems


def found_details(session: Session, settings: Settings, case: Case) -> list[Indicator]:
    """The indicators of every relevant analysed conversation of a case, each once, in order found."""
    found: dict[tuple[str, str], Indicator] = {}
    analyses, _problems = case_analyses(session, settings, case)
    for analysis in analyses:
        if not analysis.relevant:
            continue
        for indicator in AnalysedChat.from_json(analysis.document).indicators:
            found.setdefault((indicator.kind, indicator.value), indicator)
    return list(found.values())
