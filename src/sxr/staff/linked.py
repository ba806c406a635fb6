"""Links between cases on the staff pages: the queue's "Linked cases" column (a fixed number of queries per
page, never one per row), the case page's "Linked cases and the offender" section, and the offender pages
(his cases, a timeline across victims from the stored analyses, identifiers, payment routes, platforms).

Who sees what: sxr has no case ownership (no case is assigned to a person). Every staff role may see every
case (`view` in accounts/roles.py), so every role, support workers included, sees every linked case; only
the roles that may take copies out (`disclose`) download the graph or an offender's STIX bundle, and only
the roles that review details (`review`) confirm or reject a suggested link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from sxr.analysis.services import case_analyses
from sxr.analysis.vocabulary import indicator_kind, kind_label, money_text
from sxr.cases.models import Case
from sxr.clock import as_utc
from sxr.config import Settings
from sxr.linking import core, services
from sxr.linking.models import CaseObservable, LinkSuggestion

# The offender page reads the stored analyses of at most this many of his cases for the timeline.
TIMELINE_CASES = 200
OWNERSHIP_RULE = (
    "sxr does not assign cases to people, so every staff role may see every case: all of this offender's "
    "cases are listed for everyone signed in. Downloads are for officers, analysts and administrators."
)
SUGGESTED_KINDS = {
    "handle": "Handle written another way",
    "name": "Display name",
    "script": "Reused wording",
    "picture": "The offender's picture, nearly the same",
    "pdq": "The offender's picture",
}


@dataclass(frozen=True, slots=True)
class LinkCount:
    """How many cases one case is linked to, exactly and by suggestion (rejected ones left out)."""

    exact: int = 0
    suggested: int = 0


def shared_label(kind: str) -> str:
    """People's words for what two cases share: the vocabulary's label, or the suggestion's own kinds."""
    return SUGGESTED_KINDS.get(kind) or kind_label(kind)


def shared_text(kind: str, value: str) -> str:
    """A shared value as people read it (sums as money)."""
    return money_text(value) if kind == "amount" else value


def link_counts(session: Session, case_ids: list[int]) -> dict[int, LinkCount]:
    """For a page of the queue: each case's count of exactly linked and suggested cases, in three queries
    (the common values, the shared values of the whole page, the page's suggestions)."""
    if not case_ids:
        return {}
    common = services.common_keys(session)
    mine, other = aliased(CaseObservable), aliased(CaseObservable)
    rows = session.execute(
        select(mine.case_id, other.case_id, mine.kind, mine.value)
        .join(
            other, (other.kind == mine.kind) & (other.value == mine.value) & (other.case_id != mine.case_id)
        )
        .where(mine.case_id.in_(case_ids))
    )
    exact: dict[int, set[int]] = defaultdict(set)
    for case_id, other_id, kind, value in rows:
        if (kind, value) not in common:
            exact[case_id].add(other_id)
    suggested: dict[int, set[int]] = defaultdict(set)
    for a, b in session.execute(
        select(LinkSuggestion.case_a, LinkSuggestion.case_b).where(
            (LinkSuggestion.case_a.in_(case_ids) | LinkSuggestion.case_b.in_(case_ids))
            & (LinkSuggestion.status != "rejected")
        )
    ):
        for case_id, other_id in ((a, b), (b, a)):
            if other_id not in exact[case_id]:
                suggested[case_id].add(other_id)
    return {i: LinkCount(len(exact.get(i, ())), len(suggested.get(i, ()))) for i in case_ids}


@dataclass(slots=True)
class CaseLinks:
    """What the case page shows of links: the linked cases, the values too common to link, the offender."""

    links: list[services.CaseLink]
    common: list[core.CommonValue]
    offender: services.OffenderView | None

    @property
    def shown(self) -> bool:
        return bool(self.links or self.common or self.offender)


def case_links(session: Session, case: Case) -> CaseLinks:
    """The linked section of one case page."""
    offender = services.offender_of_case(session, case.id)
    if offender is not None and len(offender.case_ids) < 2:
        offender = None
    return CaseLinks(
        services.linked_cases(session, case.id), services.common_values(session, case.id), offender
    )


@dataclass(slots=True)
class CaseMoments:
    """One victim's case on the offender's timeline: first contact, first threat, first payment."""

    reference: str
    opened_at: datetime
    age_band: str | None
    status: str
    platforms: list[str]
    first_contact: str | None = None
    threat: str | None = None
    payment: str | None = None
    problems: list[str] = field(default_factory=list)
    via: str = ""  # another of his cases: the link to this one goes through `?linked_from=` (audited)


@dataclass(slots=True)
class OffenderPage:
    """Everything the offender page shows."""

    view: services.OffenderView
    cases: list[CaseMoments]
    identifiers: list[core.Observable]
    payment_routes: list[core.Observable]
    platforms: list[tuple[str, int]]
    left_out: int = 0  # cases beyond TIMELINE_CASES, listed without their moments


def _moments(doc: dict[str, Any]) -> dict[str, str]:
    """The first message's time and the first threat's and payment's, as the analysis stored them."""
    out: dict[str, str] = {}
    messages = doc.get("messages")
    for m in messages if isinstance(messages, list) else []:
        if not isinstance(m, dict):
            continue
        at = m.get("sent_at") if isinstance(m.get("sent_at"), str) else None
        if at is None:
            continue
        out.setdefault("first_contact", at)
        for stage in m.get("stages") or []:
            if stage in ("threat", "payment"):
                out.setdefault(str(stage), at)
    return out


def _earliest(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    try:
        return a if as_utc(datetime.fromisoformat(a)) <= as_utc(datetime.fromisoformat(b)) else b
    except ValueError:
        return a


def offender_page(session: Session, settings: Settings, offender_id: int) -> OffenderPage | None:
    """The offender's page, or None when there is no such offender."""
    view = services.offender(session, offender_id)
    if view is None:
        return None
    cases = list(session.scalars(select(Case).where(Case.id.in_(view.case_ids)).order_by(Case.created_at)))
    moments: list[CaseMoments] = []
    platforms: dict[str, int] = defaultdict(int)
    for n, case in enumerate(cases):
        row = CaseMoments(case.reference, case.created_at, case.age_band, case.status, case.platform_list)
        for p in row.platforms:
            platforms[p] += 1
        if n < TIMELINE_CASES:
            analyses, problems = case_analyses(session, settings, case)
            row.problems.extend(problems)
            for analysis in analyses:
                if not analysis.relevant:
                    continue
                found = _moments(analysis.document)
                row.first_contact = _earliest(row.first_contact, found.get("first_contact"))
                row.threat = _earliest(row.threat, found.get("threat"))
                row.payment = _earliest(row.payment, found.get("payment"))
        moments.append(row)
    moments.sort(key=lambda m: (m.first_contact or "9999", m.reference))
    for row in moments:
        row.via = next((m.reference for m in moments if m.reference != row.reference), row.reference)
    routes = [o for o in view.identifiers if (k := indicator_kind(o.kind)) is not None and k.is_money]
    others = [o for o in view.identifiers if o not in routes]
    ranked = sorted(platforms.items(), key=lambda p: (-p[1], p[0]))
    return OffenderPage(view, moments, others, routes, ranked, max(0, len(cases) - TIMELINE_CASES))
