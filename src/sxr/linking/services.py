"""Links between cases, as services: what the CLI, the pipeline and the staff pages call.

- `refresh_case(session, settings, case)`: read a case's stored analyses again into its observables
  (the offender's side only, rejected details left out) and its script fingerprint.
- `rebuild(session, settings, engine="duckdb") -> Rebuild`: every case refreshed, then `relink`.
- `relink(session, engine="duckdb") -> Rebuild`: exact groups and Splink suggestions from the stored
  observables, analysts' decisions applied, offenders (clusters) and their harm stored again.
- `relink_case(session, settings, case) -> Rebuild | None`: after new evidence or a review; bounded (see
  RELINK_CASES): past the bound the case's observables are refreshed and its links wait for a rebuild.
- `mark_offender_picture(session, settings, actor, item, why)`: staff say an evidence picture is the
  offender's own (his profile picture, a photo he sent): its PDQ hash is stored, audited, and links cases;
  `unmark_offender_picture` takes it back.
- `linked_cases(session, case_id) -> list[CaseLink]`: the cases linked to one case, exact first.
- `common_values(session, case_id) -> list[CommonValue]`: the case's values too common to link, with why.
- `decide(session, actor, suggestion_id, decision, why) -> LinkDecision`: an analyst confirms or rejects
  a suggested link; kept, audited on both cases, and applied to the clusters at once.
- `offenders(session) -> list[OffenderView]`, most harm first; `offender(session, offender_id)`;
  `offender_of_case(session, case_id)`.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Delete, delete, func, select, text
from sqlalchemy.orm import Session, aliased

from sxr.analysis.services import case_analyses, current_decisions
from sxr.analysis.vocabulary import Family, indicator_kinds
from sxr.audit.services import record as audit_record
from sxr.cases.models import Case
from sxr.clock import as_utc, utcnow
from sxr.config import Settings
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import read_original
from sxr.linking import core
from sxr.linking.engines import (
    ENGINES,
    Decided,
    LinkRecord,
    Weights,
    exact_groups,
    pair_levels,
    picture_pairs,
    reestimate,
    suggest,
)
from sxr.linking.models import (
    CaseObservable,
    CaseScript,
    LinkDecision,
    LinkSuggestion,
    Offender,
    OffenderCase,
    OffenderPicture,
)
from sxr.media.index import DEFAULT_RADIUS
from sxr.media.pdq import ImageError, degenerate_reason, hash_image

log = logging.getLogger(__name__)

# After new evidence or a review, the case's links are worked out at once (its suggestions scored against
# the others, exact links and offenders in full) while there are no more cases with observables than this
# (about a second on DuckDB); beyond it the next `sxr links rebuild` (a nightly job) does it.
RELINK_CASES = 20_000
DECISIONS = ("confirmed", "rejected")
# The observable kind of a picture staff marked as the offender's: its PDQ hash (64 hex digits).
PICTURE_KIND = "pdq"
# Below this PDQ quality (0-100) a picture is too flat to tell apart from others (Meta's own cut-off).
PICTURE_QUALITY = 50


class LinkError(ValueError):
    """A request about links that cannot be done; the message says why."""


# --- reading cases -------------------------------------------------------------------------------------


def case_profile(session: Session, settings: Settings, case: Case) -> core.CaseProfile:
    """What linking knows of one case, read from its stored analyses (relevant chats only)."""
    profile = core.CaseProfile(case.id, case.reference, opened_at=as_utc(case.created_at))
    profile.under_18 = case.age_band in core.UNDER_18_BANDS
    analyses, problems = case_analyses(session, settings, case)
    profile.problems.extend(problems)
    rejected = {key for key, row in current_decisions(session, case.id).items() if row.decision == "rejected"}
    for analysis in analyses:
        if not analysis.relevant:
            continue
        doc = analysis.document
        found, names, script = core.offender_observables(doc)
        profile.observables |= {o for o in found if (o.kind, o.value) not in rejected}
        profile.names |= names
        profile.script.extend(script)
        stages = _stage_times(doc)
        profile.self_harm = profile.self_harm or "self_harm" in stages
        profile.paid = profile.paid or "payment" in stages
        first, threat = stages.get("first"), stages.get("threat")
        if first is not None and threat is not None:
            hours = (threat - first).total_seconds() / 3600
            if profile.hours_to_threat is None or hours < profile.hours_to_threat:
                profile.hours_to_threat = max(hours, 0.0)
    if len(profile.observables) > core.MAX_OBSERVABLES_PER_CASE:
        profile.problems.append(
            f"Only the first {core.MAX_OBSERVABLES_PER_CASE} of the offender's details link this case."
        )
        profile.observables = set(sorted(profile.observables, key=lambda o: (o.kind, o.value))[:200])
    return profile


def _stage_times(doc: dict[str, Any]) -> dict[str, datetime | None]:
    """The first message's time and each stage's first time (None where a message has no time)."""
    out: dict[str, datetime | None] = {}
    messages = doc.get("messages")
    for m in messages if isinstance(messages, list) else []:
        if not isinstance(m, dict):
            continue
        at = _when(m.get("sent_at"))
        if "first" not in out:
            out["first"] = at
        for stage in m.get("stages") or []:
            if isinstance(stage, str) and stage not in out:
                out[stage] = at
    return out


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def refresh_case(session: Session, settings: Settings, case: Case) -> core.CaseProfile:
    """Store a case's observables and script fingerprint again from its analyses (caller commits)."""
    profile = case_profile(session, settings, case)
    for pdq in session.scalars(select(OffenderPicture.pdq).where(OffenderPicture.case_id == case.id)):
        profile.observables.add(core.Observable(PICTURE_KIND, pdq))
    session.execute(delete(CaseObservable).where(CaseObservable.case_id == case.id))
    session.add_all(CaseObservable(case_id=case.id, kind=o.kind, value=o.value) for o in profile.observables)
    script = session.get(CaseScript, case.id) or CaseScript(case_id=case.id)
    script.names = "\n".join(sorted(profile.names))
    signature = core.minhash(core.shingles(profile.script))
    script.minhash = " ".join(map(str, signature))
    script.under_18, script.self_harm, script.paid = profile.under_18, profile.self_harm, profile.paid
    script.hours_to_threat = profile.hours_to_threat
    script.updated_at = utcnow()
    session.add(script)
    session.flush()
    return profile


# --- rebuilding ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Rebuild:
    """What a rebuild did, for the CLI and the ledger."""

    engine: str
    cases: int = 0
    exact_groups: int = 0
    suggestions: int = 0
    offenders: int = 0
    common: list[core.CommonValue] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    model: str = "fixed"  # the suggestion model's weights: fixed, or re-estimated from decisions


def rebuild(session: Session, settings: Settings, engine: str = "duckdb") -> Rebuild:
    """Read every case's analyses again, then work out every link and offender (caller commits)."""
    if engine not in ENGINES:
        raise LinkError(f"There is no linking engine called {engine!r}: use duckdb or spark.")
    started = time.monotonic()
    problems: list[str] = []
    for case in session.scalars(select(Case).order_by(Case.id)):
        profile = refresh_case(session, settings, case)
        problems.extend(f"{case.reference}: {p}" for p in profile.problems)
    result = relink(session, engine, radius=settings.match_radius)
    result.problems[:0] = problems
    result.seconds = round(time.monotonic() - started, 2)
    return result


def relink_case(session: Session, settings: Settings, case: Case, engine: str = "duckdb") -> Rebuild | None:
    """Refresh one case and work links out again, while that stays quick (RELINK_CASES); caller commits.

    None when there are too many cases to do it at once: the case's observables are stored and its links
    wait for the next `sxr links rebuild`.
    """
    refresh_case(session, settings, case)
    linked = session.scalar(select(func.count()).select_from(CaseScript)) or 0
    if linked > RELINK_CASES:
        return None
    return relink(session, engine, focus=case.id, radius=settings.match_radius)


def relink(
    session: Session, engine: str = "duckdb", focus: int | None = None, radius: int = DEFAULT_RADIUS
) -> Rebuild:
    """Exact groups and suggestions from the stored observables; decisions applied; offenders stored.

    With `focus`, only that case's suggestions are scored again (the others stay as they were). `radius`:
    the PDQ distance at which two of the offender's pictures are one (the watchlist's match radius).
    """
    started = time.monotonic()
    result = Rebuild(engine=engine)
    rows = list(session.execute(select(CaseObservable.case_id, CaseObservable.kind, CaseObservable.value)))
    result.cases = session.scalar(select(func.count()).select_from(CaseScript)) or 0
    groups = exact_groups(((r[0], r[1], r[2]) for r in rows), engine)
    result.exact_groups = len(groups.groups)
    result.common = [core.CommonValue(o, n, others) for o, n, others in groups.common]
    exact = core.exact_clusters(groups.groups)
    records = _records(session, rows)
    weights = decided_weights(session, records, radius)
    result.model = weights.source
    found = suggest(records, engine, focus, weights, radius)
    # A pair already in one exact cluster needs no suggestion.
    found = [s for s in found if exact.find(s.case_a) != exact.find(s.case_b)]
    _store_suggestions(session, found, engine, focus)
    result.suggestions = len(found)
    result.offenders = _store_offenders(session, groups.groups)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _records(session: Session, rows: list[Any]) -> list[LinkRecord]:
    handles: dict[int, list[str]] = defaultdict(list)
    pictures: dict[int, list[str]] = defaultdict(list)
    handle_kinds = _handle_kinds()
    for case_id, kind, value in rows:
        if kind in handle_kinds:
            handles[case_id].append(value)
        elif kind == PICTURE_KIND:
            pictures[case_id].append(value)
    out = []
    for script in session.scalars(select(CaseScript).order_by(CaseScript.case_id)):
        signature = tuple(int(x) for x in script.minhash.split()) if script.minhash else ()
        names = [n for n in script.names.split("\n") if n]
        found = sorted(handles.get(script.case_id, []))
        out.append(
            LinkRecord(script.case_id, found, names, signature, sorted(pictures.get(script.case_id, [])))
        )
    return out


def decided_weights(session: Session, records: list[LinkRecord], radius: int = DEFAULT_RADIUS) -> Weights:
    """The suggestion model re-estimated from the analysts' decisions on suggested links (see
    engines.reestimate): confirmed links are labelled matches, rejected ones tell which evidence misleads.
    Used on every rebuild and relink."""
    decided_rows = list(
        session.scalars(
            select(LinkSuggestion).where(LinkSuggestion.status.in_(DECISIONS)).order_by(LinkSuggestion.id)
        )
    )
    by_id = {r.case_id: r for r in records}
    pairs = [(s, by_id.get(s.case_a), by_id.get(s.case_b)) for s in decided_rows]
    known = [(s, a, b) for s, a, b in pairs if a is not None and b is not None]
    if not known:
        return Weights()
    involved = [
        r
        for r in records
        if r.case_id in {s.case_a for s, _a, _b in known} | {s.case_b for s, _a, _b in known}
    ]
    near = picture_pairs(involved, radius)
    decided = [
        Decided(pair_levels(a, b, near.get((s.case_a, s.case_b))), s.score, s.status == "confirmed")
        for s, a, b in known
    ]
    return reestimate(decided)


def _handle_kinds() -> frozenset[str]:
    return frozenset(k.name for k in indicator_kinds() if k.family is Family.HANDLE)


def _store_suggestions(session: Session, found: list[Any], engine: str, focus: int | None = None) -> None:
    query = select(LinkSuggestion)
    if focus is not None:
        query = query.where((LinkSuggestion.case_a == focus) | (LinkSuggestion.case_b == focus))
    existing = {(s.case_a, s.case_b): s for s in session.scalars(query)}
    keep = set()
    for s in found:
        key = (s.case_a, s.case_b)
        keep.add(key)
        row = existing.get(key)
        if row is None:
            row = LinkSuggestion(case_a=s.case_a, case_b=s.case_b, status="open")
            session.add(row)
        row.score, row.evidence, row.engine = s.score, json.dumps(list(s.evidence)), engine
    for key, row in existing.items():
        # A decided suggestion is kept (the analyst's word stands); an open one no longer found goes.
        if key not in keep and row.status == "open":
            session.delete(row)
    session.flush()


def _store_offenders(session: Session, groups: list[list[int]]) -> int:
    confirmed = [
        (s.case_a, s.case_b)
        for s in session.scalars(select(LinkSuggestion).where(LinkSuggestion.status == "confirmed"))
    ]
    clusters = core.exact_clusters(groups, confirmed).groups()
    scripts = {s.case_id: s for s in session.scalars(select(CaseScript))}
    opened = dict(session.execute(select(Case.id, Case.created_at)).all())
    now = utcnow()
    session.execute(delete(OffenderCase))
    existing = {o.key: o for o in session.scalars(select(Offender))}
    seen = set()
    for ids in clusters:
        profiles = [_harm_profile(i, scripts.get(i), opened.get(i)) for i in ids]
        h = core.harm(profiles, now)
        row = existing.get(ids[0]) or Offender(key=ids[0])
        row.harm, row.victims, row.under_18, row.self_harm, row.paid = (
            h.score,
            h.victims,
            h.under_18,
            h.self_harm,
            h.paid,
        )
        row.latest_at, row.updated_at = h.latest, now
        session.add(row)
        session.flush()
        seen.add(ids[0])
        session.add_all(OffenderCase(case_id=i, offender_id=row.id) for i in ids)
    for key, row in existing.items():
        if key not in seen:
            session.delete(row)
    session.flush()
    return len(clusters)


def _harm_profile(case_id: int, script: CaseScript | None, opened: datetime | None) -> core.CaseProfile:
    profile = core.CaseProfile(case_id, "", opened_at=None if opened is None else as_utc(opened))
    if script is not None:
        profile.under_18, profile.self_harm, profile.paid = script.under_18, script.self_harm, script.paid
        profile.hours_to_threat = script.hours_to_threat
    return profile


# --- the offender's pictures ---------------------------------------------------------------------------


def offender_pictures(session: Session, case_id: int) -> dict[int, OffenderPicture]:
    """The case's evidence items marked as the offender's pictures, by evidence item id."""
    rows = session.scalars(select(OffenderPicture).where(OffenderPicture.case_id == case_id))
    return {row.evidence_item_id: row for row in rows}


def mark_offender_picture(
    session: Session, settings: Settings, actor: str, item: EvidenceItem, why: str | None = None
) -> OffenderPicture:
    """Staff say an evidence picture is the offender's own: its PDQ hash is stored and audited (caller
    commits, then relinks). LinkError, in words, when it is no picture or too plain to link."""
    if not actor:
        raise LinkError("Say who marked the picture.")
    existing = session.scalar(select(OffenderPicture).where(OffenderPicture.evidence_item_id == item.id))
    if existing is not None:
        return existing
    try:
        hashes = hash_image(io.BytesIO(read_original(settings, item)))
    except (ImageError, OSError, ValueError) as exc:
        raise LinkError(
            f"{item.original_name} could not be read as a picture, so it cannot link cases ({exc})."[:500]
        ) from exc
    pdq = hashes.upright or hashes.stored  # as a person sees it (EXIF turned), as the watchlist does
    if pdq.quality < PICTURE_QUALITY or degenerate_reason(pdq.hash) is not None:
        raise LinkError(
            f"{item.original_name} is too plain (mostly one colour) to tell apart from other pictures, "
            "so it would link cases that have nothing to do with each other. It was not marked."
        )
    row = OffenderPicture(
        case_id=item.case_id, evidence_item_id=item.id, pdq=pdq.hash, quality=pdq.quality, marked_by=actor
    )
    session.add(row)
    audit_record(
        session,
        actor=actor,
        action="evidence.offender_picture",
        case_id=item.case_id,
        subject=f"{item.original_name} marked as the offender's picture (PDQ {pdq.hash[:16]}...)",
        why=why,
    )
    session.flush()
    return row


def unmark_offender_picture(session: Session, actor: str, item: EvidenceItem, why: str | None = None) -> bool:
    """Take back a mark (it was not his picture); audited. False when the item was not marked."""
    row = session.scalar(select(OffenderPicture).where(OffenderPicture.evidence_item_id == item.id))
    if row is None:
        return False
    session.delete(row)
    audit_record(
        session,
        actor=actor,
        action="evidence.offender_picture_removed",
        case_id=item.case_id,
        subject=f"{item.original_name} is no longer marked as the offender's picture",
        why=why,
    )
    session.flush()
    return True


# --- reading links -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shared:
    """What two linked cases share: a kind (the vocabulary's, or handle/name/script) and a value."""

    kind: str
    value: str
    why: str | None = None


@dataclass(frozen=True, slots=True)
class CaseLink:
    """A case linked to another: exactly (shared values, score 1) or suggested (Splink's score)."""

    case_id: int
    reference: str
    kind: str  # exact | suggested
    shared: tuple[Shared, ...]
    score: float
    status: str = "exact"  # exact, or a suggestion's open | confirmed
    suggestion_id: int | None = None


def common_table(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """The common values (core.is_common): (kind, value) -> (cases, other values in them)."""
    sql = text(core.SPREAD_SQL.format(table=CaseObservable.__tablename__, limit=int(core.COMMON_CASES)))
    return {
        (str(k), str(v)): (int(n), int(o))
        for k, v, n, o in session.execute(sql)
        if core.is_common(int(n), int(o))
    }


def common_keys(session: Session) -> set[tuple[str, str]]:
    """The (kind, value) pairs too common to link (shown, never linking)."""
    return set(common_table(session))


def linked_cases(session: Session, case_id: int, limit: int = 1000) -> list[CaseLink]:
    """The cases linked to `case_id`: exact links first (most shared first), then suggestions by score;
    at most `limit` of each."""
    mine, other = aliased(CaseObservable), aliased(CaseObservable)
    common = common_keys(session)
    rows = session.execute(
        select(other.case_id, Case.reference, other.kind, other.value)
        .select_from(mine)
        .join(
            other, (other.kind == mine.kind) & (other.value == mine.value) & (other.case_id != mine.case_id)
        )
        .join(Case, Case.id == other.case_id)
        .where(mine.case_id == case_id)
        .order_by(other.case_id, other.kind, other.value)
    )
    shared: dict[tuple[int, str], list[Shared]] = defaultdict(list)
    for other_id, reference, kind, value in rows:
        if (kind, value) not in common:
            shared[(other_id, reference)].append(Shared(kind, value))
    exact = [CaseLink(i, ref, "exact", tuple(s), 1.0) for (i, ref), s in shared.items()]
    exact.sort(key=lambda link: (-len(link.shared), link.reference))
    suggested = []
    for s in session.scalars(
        select(LinkSuggestion).where(
            ((LinkSuggestion.case_a == case_id) | (LinkSuggestion.case_b == case_id))
            & (LinkSuggestion.status != "rejected")
        )
    ):
        other_id = s.case_b if s.case_a == case_id else s.case_a
        if any(link.case_id == other_id for link in exact):
            continue
        reference = session.scalar(select(Case.reference).where(Case.id == other_id)) or "?"
        evidence = tuple(
            Shared(str(e.get("kind")), str(e.get("value")), e.get("why")) for e in _evidence(s.evidence)
        )
        suggested.append(CaseLink(other_id, reference, "suggested", evidence, s.score, s.status, s.id))
    suggested.sort(key=lambda link: (-link.score, link.reference))
    return exact[:limit] + suggested[:limit]


def _evidence(text: str) -> list[dict[str, Any]]:
    try:
        loaded = json.loads(text)
    except ValueError:
        return []
    return [e for e in loaded if isinstance(e, dict)] if isinstance(loaded, list) else []


def common_values(session: Session, case_id: int) -> list[core.CommonValue]:
    """The case's values seen in too many unrelated cases to link, each with the reason."""
    mine = select(CaseObservable.kind, CaseObservable.value).where(CaseObservable.case_id == case_id)
    keys = {(r[0], r[1]) for r in session.execute(mine)}
    table = common_table(session)
    return [
        core.CommonValue(core.Observable(k, v), *table[(k, v)]) for k, v in sorted(keys) if (k, v) in table
    ]


def suggestions(session: Session, status: str | None = "open") -> list[LinkSuggestion]:
    """Suggested links (open ones by default), highest score first."""
    query = select(LinkSuggestion).order_by(LinkSuggestion.score.desc(), LinkSuggestion.id)
    if status is not None:
        query = query.where(LinkSuggestion.status == status)
    return list(session.scalars(query))


def decide(
    session: Session, actor: str, suggestion_id: int, decision: str, why: str | None = None
) -> LinkDecision:
    """An analyst confirms or rejects a suggested link: kept, audited on both cases, clusters updated."""
    if decision not in DECISIONS:
        raise LinkError(f"A decision is 'confirmed' or 'rejected', not {decision!r}.")
    if not actor:
        raise LinkError("Say who decided.")
    suggestion = session.get(LinkSuggestion, suggestion_id)
    if suggestion is None:
        raise LinkError(f"There is no suggested link {suggestion_id}.")
    row = LinkDecision(
        case_a=suggestion.case_a, case_b=suggestion.case_b, decision=decision, decided_by=actor, why=why
    )
    session.add(row)
    suggestion.status = decision
    refs = dict(
        session.execute(
            select(Case.id, Case.reference).where(Case.id.in_([suggestion.case_a, suggestion.case_b]))
        ).all()
    )
    subject = f"{refs.get(suggestion.case_a)} ~ {refs.get(suggestion.case_b)} (score {suggestion.score:.2f})"
    for case_id in (suggestion.case_a, suggestion.case_b):
        audit_record(
            session, actor=actor, action=f"link.{decision}", case_id=case_id, subject=subject, why=why
        )
    groups = _exact_groups_from_db(session)
    _store_offenders(session, groups)
    return row


def forget_case(case_id: int) -> list[Delete]:
    """The statements that remove a case from linking (erasure): its observables, script fingerprint,
    suggestions and decisions, and its place in an offender. Run `restore_offenders` after them."""
    pair = (LinkSuggestion.case_a == case_id) | (LinkSuggestion.case_b == case_id)
    decided = (LinkDecision.case_a == case_id) | (LinkDecision.case_b == case_id)
    return [
        delete(CaseObservable).where(CaseObservable.case_id == case_id),
        delete(CaseScript).where(CaseScript.case_id == case_id),
        delete(OffenderPicture).where(OffenderPicture.case_id == case_id),
        delete(LinkSuggestion).where(pair),
        delete(LinkDecision).where(decided),
        delete(OffenderCase).where(OffenderCase.case_id == case_id),
    ]


def restore_offenders(session: Session) -> int:
    """Work offenders out again from the stored observables and confirmed links (no engine, no Splink)."""
    return _store_offenders(session, _exact_groups_from_db(session))


def _exact_groups_from_db(session: Session) -> list[list[int]]:
    rows = session.execute(select(CaseObservable.case_id, CaseObservable.kind, CaseObservable.value))
    return exact_groups((r[0], r[1], r[2]) for r in rows).groups


# --- offenders -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OffenderView:
    """An offender: his cases, harm and identifiers (values in his cases that are not too common)."""

    id: int
    case_ids: tuple[int, ...]
    references: tuple[str, ...]
    victims: int
    under_18: int
    self_harm: int
    paid: int
    latest_at: datetime | None
    harm: float
    identifiers: tuple[core.Observable, ...]


def offenders(session: Session, limit: int = 1000) -> list[OffenderView]:
    """Offenders, most harm first (then most victims, then the newest)."""
    rows = list(
        session.scalars(
            select(Offender).order_by(Offender.harm.desc(), Offender.victims.desc(), Offender.id).limit(limit)
        )
    )
    return [_view(session, row) for row in rows]


def offender(session: Session, offender_id: int) -> OffenderView | None:
    """One offender, or None."""
    row = session.get(Offender, offender_id)
    return None if row is None else _view(session, row)


def offender_of_case(session: Session, case_id: int) -> OffenderView | None:
    """The offender whose cluster holds `case_id`, or None when the case is linked to none."""
    offender_id = session.scalar(select(OffenderCase.offender_id).where(OffenderCase.case_id == case_id))
    return None if offender_id is None else offender(session, offender_id)


def _view(session: Session, row: Offender) -> OffenderView:
    cases = list(
        session.execute(
            select(Case.id, Case.reference)
            .join(OffenderCase, OffenderCase.case_id == Case.id)
            .where(OffenderCase.offender_id == row.id)
            .order_by(Case.id)
        )
    )
    ids = [c[0] for c in cases]
    common = common_keys(session)
    values = sorted(
        {
            core.Observable(k, v)
            for k, v in session.execute(
                select(CaseObservable.kind, CaseObservable.value).where(CaseObservable.case_id.in_(ids))
            )
            if (k, v) not in common
        },
        key=lambda o: (o.kind, o.value),
    )
    return OffenderView(
        id=row.id,
        case_ids=tuple(ids),
        references=tuple(c[1] for c in cases),
        victims=row.victims,
        under_18=row.under_18,
        self_harm=row.self_harm,
        paid=row.paid,
        latest_at=None if row.latest_at is None else as_utc(row.latest_at),
        harm=row.harm,
        identifiers=tuple(values),
    )
