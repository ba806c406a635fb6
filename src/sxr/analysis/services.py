"""Review of found details: record and list the confirm/reject decisions on a case's indicators."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.analysis.indicators import Indicator
from sxr.analysis.models import IndicatorDecision

DECISIONS = ("confirmed", "rejected")
INDICATOR_KINDS = frozenset({
    "phone", "email", "facebook_profile", "instagram_username", "snapchat_username", "tiktok_username",
    "x_username", "telegram_username", "kik_username", "discord_username", "skype_id", "cashapp_cashtag",
    "paypal_me", "btc_address", "eth_address", "tron_address", "iban", "uk_bank_account", "wu_mtcn",
    "moneygram_reference", "gift_card", "amount",
})  # fmt: skip


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
    if kind not in INDICATOR_KINDS:
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


def found_details(session: Session, settings: Any, case: Any) -> list[Indicator]:
    """The indicators of every analysed conversation among a case's evidence, each once, in order found."""
    from sxr.evidence import services as evidence_services

    found: dict[tuple[str, str], Indicator] = {}
    for item in evidence_services.list_evidence(session, case):
        for derived in evidence_services.list_derived(session, item):
            if derived.kind != "analysis":
                continue
            try:
                document = json.loads(evidence_services.read_derived(settings, derived))
            except (ValueError, OSError):
                continue
            for raw in document.get("indicators", []) if isinstance(document, dict) else []:
                try:
                    indicator = Indicator(
                        kind=str(raw["kind"]),
                        value=str(raw["value"]),
                        first_i=int(raw.get("first_i", 0)),
                        raw=str(raw.get("raw", "")),
                        messages=[int(i) for i in raw.get("messages", [])],
                    )
                except (KeyError, TypeError, ValueError):
                    continue
                found.setdefault((indicator.kind, indicator.value), indicator)
    return list(found.values())
