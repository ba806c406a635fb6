"""Victim page: check the details found in the chats (names, numbers, accounts) before they go into a report.

Each detail can be marked "Yes, this is theirs" or "No, this is not theirs". Nothing is deleted: a
detail marked "not theirs" is kept apart and left out of reports, and the choice can be changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sxr.analysis.indicators import Indicator
from sxr.analysis.services import INDICATOR_KINDS, case_analyses, found_details, record_decision, review
from sxr.cases.deps import VictimCaseDep
from sxr.cases.models import Case
from sxr.cases.readings import file_notes, long_date
from sxr.cases.views import require_same_origin
from sxr.config import Settings
from sxr.deps import SessionDep, SettingsDep
from sxr.evidence.services import list_evidence
from sxr.web.templating import templates

router = APIRouter()

KIND_LABELS = {
    "phone": "Phone number",
    "email": "Email address",
    "facebook_profile": "Facebook profile",
    "instagram_username": "Instagram name",
    "snapchat_username": "Snapchat name",
    "tiktok_username": "TikTok name",
    "x_username": "X (Twitter) name",
    "telegram_username": "Telegram name",
    "kik_username": "Kik name",
    "discord_username": "Discord name",
    "skype_id": "Skype name",
    "cashapp_cashtag": "Cash App name",
    "paypal_me": "PayPal link",
    "btc_address": "Bitcoin address",
    "eth_address": "Ethereum address",
    "tron_address": "TRON (USDT) address",
    "iban": "Bank account (IBAN)",
    "uk_bank_account": "UK bank account (sort code and account number)",
    "wu_mtcn": "Western Union number (MTCN)",
    "moneygram_reference": "MoneyGram reference",
    "gift_card": "Gift card code",
    "amount": "Money asked for or paid",
}


def _first_seen(session: Any, settings: Settings, case: Case) -> dict[tuple[str, str], str]:
    """When each detail was first written, as the victim's clock shows it ("3 December 2026, 21:04")."""
    zone = ZoneInfo(settings.timezone)
    seen: dict[tuple[str, str], str] = {}
    analyses, _problems = case_analyses(session, settings, case)
    for analysis in analyses:
        if not analysis.relevant:
            continue
        sent = {
            m.get("i"): m.get("sent_at")
            for m in analysis.document.get("messages") or []
            if isinstance(m, dict)
        }
        for ind in analysis.document.get("indicators") or []:
            key = (str(ind.get("kind")), str(ind.get("value")))
            at = sent.get(ind.get("first_i"))
            if key in seen or not isinstance(at, str):
                continue
            try:
                moment = datetime.fromisoformat(at).astimezone(zone)
            except ValueError:
                continue
            seen[key] = f"{long_date(moment.date())}, {moment:%H:%M}"
    return seen


def _rows(indicators: list[Indicator], first_seen: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    return [
        {
            "kind": ind.kind,
            "label": KIND_LABELS.get(ind.kind, ind.kind),
            "value": ind.value,
            "raw": ind.raw,
            "first_seen": first_seen.get((ind.kind, ind.value), ""),
        }
        for ind in indicators
    ]


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
    token: str,
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()],
    value: Annotated[str, Form()],
    decision: Annotated[str, Form()],
) -> Response:
    """Record the victim's choice for one detail, then show the list again."""
    require_same_origin(request)
    known = {(i.kind, i.value): i for i in found_details(session, settings, case)}
    indicator = known.get((kind, value))
    if kind not in INDICATOR_KINDS or indicator is None or decision not in ("confirmed", "rejected"):
        raise HTTPException(status_code=400, detail="That detail is not in your report.")
    record_decision(session, case.id, kind, value, decision, "victim", raw=indicator.raw)
    session.commit()
    return RedirectResponse(f"/case/{token}/details", status_code=303)
