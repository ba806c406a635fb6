"""Victim page: check the details found in the chats (names, numbers, accounts) before they go into a report.

Each detail can be marked "Yes, this is theirs" or "No, this is not theirs". Nothing is deleted: a
detail marked "not theirs" is kept apart and left out of reports, and the choice can be changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from sxr.analysis.document import AnalysedChat
from sxr.analysis.indicators import Indicator
from sxr.analysis.services import case_analyses, found_details, record_decision, review
from sxr.analysis.vocabulary import Family, indicator_kind, kind_label
from sxr.cases.deps import VictimCaseDep
from sxr.cases.models import Case
from sxr.config import Settings
from sxr.deps import SameOriginDep, SessionDep, SettingsDep
from sxr.evidence.services import list_evidence
from sxr.pipeline.links import relink_after_change
from sxr.portal.readings import file_notes, long_date
from sxr.web.templating import templates

router = APIRouter()


def _first_seen(session: Session, settings: Settings, case: Case) -> dict[tuple[str, str], str]:
    """When each detail was first written, as the victim's clock shows it ("3 December 2026, 21:04")."""
    zone = ZoneInfo(settings.timezone)
    seen: dict[tuple[str, str], str] = {}
    analyses, _problems = case_analyses(session, settings, case)
    for analysis in analyses:
        if not analysis.relevant:
            continue
        chat = AnalysedChat.from_json(analysis.document)
        sent = {m.i: m.sent_at for m in chat.messages}
        for ind in chat.indicators:
            key = (ind.kind, ind.value)
            at = sent.get(ind.first_i)
            if key in seen or at is None:
                continue
            try:
                moment = datetime.fromisoformat(at).astimezone(zone)
            except ValueError:
                continue
            seen[key] = f"{long_date(moment.date())}, {moment:%H:%M}"
    return seen


def _rows(indicators: list[Indicator], first_seen: dict[tuple[str, str], str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for ind in indicators:
        kind = indicator_kind(ind.kind)
        rows.append(
            {
                "kind": ind.kind,
                "label": kind_label(ind.kind),
                # People's words: "£500", not "GBP:500"; a sum of money is never asked "is this theirs?"
                "shown": kind.display(ind.value) if kind is not None else ind.value,
                "amount": kind is not None and kind.family is Family.AMOUNT,
                "value": ind.value,
                "raw": ind.raw,
                "first_seen": first_seen.get((ind.kind, ind.value), ""),
            }
        )
    return rows


@router.get("/case/{token}/details")
def details_page(
    request: Request, token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The details found in the case's chats, to confirm or reject one by one."""
    sorted_details = review(session, case.id, found_details(session, settings, case))
    first_seen = _first_seen(session, settings, case)
    return templates.TemplateResponse(
        request,
        "analysis/details.html",
        {
            "token": token,
            "undecided": _rows(sorted_details.undecided, first_seen),
            "confirmed": _rows(sorted_details.confirmed, first_seen),
            "rejected": _rows(sorted_details.rejected, first_seen),
            "notes": file_notes(session, settings, list_evidence(session, case)),
            "back": "details",
        },
    )


@router.post("/case/{token}/details")
def details_decide(
    request: Request,
    _same_origin: SameOriginDep,
    token: str,
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()],
    value: Annotated[str, Form()],
    decision: Annotated[str, Form()],
) -> Response:
    """Record the victim's choice for one detail, then show the list again."""
    known = {(i.kind, i.value): i for i in found_details(session, settings, case)}
    indicator = known.get((kind, value))
    if indicator_kind(kind) is None or indicator is None or decision not in ("confirmed", "rejected"):
        raise HTTPException(status_code=400, detail="That detail is not in your report.")
    record_decision(session, case.id, kind, value, decision, "victim", raw=indicator.raw)
    session.commit()
    relink_after_change(session, settings, case)  # a failure is for staff: on the case's audit trail
    return RedirectResponse(f"/case/{token}/details", status_code=303)
