"""The facts a report pack states, as one typed structure, and how they are gathered from a case."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.orm import Session

from sxr.analysis.account import VictimAccount, read_account
from sxr.analysis.document import AnalysedChat, DateReadingDoc
from sxr.analysis.services import case_analyses, current_decisions
from sxr.analysis.vocabulary import is_payment_method, stage
from sxr.cases.models import Case
from sxr.cases.sealing import unseal
from sxr.config import Settings
from sxr.evidence import services as evidence_services
from sxr.evidence.models import DerivedItem, EvidenceItem
from sxr.watchlist import services as watchlist_services

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.0"

# A payment whose method the chat does not say (only a sum was written).
UNKNOWN_METHOD = "unknown"
EXCERPT_CHARS = 280


@dataclass(slots=True)
class VictimFacts:
    """What the victim told us on the report form: their words, platforms and age band, and what their
    words say about when it happened, whether and how they paid, and self-harm."""

    what_happened: str | None = None
    when: str | None = None  # the day (ISO 8601) their words name, e.g. for "last night"
    platforms: list[str] = field(default_factory=list)
    age_band: str | None = None
    paid: bool | None = None  # None: their words do not say
    how: list[str] = field(default_factory=list)  # how and how much, as they wrote it ("gift card", "£100")
    when_written: str | None = None  # the words that gave `when`
    self_harm: bool = False  # their words speak of suicide or self-harm
    reported_at: str | None = None  # when they wrote it (the case was opened), in the service's zone


@dataclass(slots=True)
class Identifier:
    """One offender identifier and where it was first seen."""

    kind: str
    value: str
    first_i: int | None = None
    first_seen_at: str | None = None
    raw: str | None = None
    evidence_item: str | None = None
    evidence_sha256: str | None = None
    # "confirmed" by the victim or staff, or "not reviewed"; rejected details are left out of the pack.
    review: str = "not reviewed"


@dataclass(slots=True)
class Payment:
    """A way money was demanded or paid: method, amount, reference and whether it was collected."""

    method: str
    reference: str | None = None
    amount: str | None = None
    collected: bool | None = None
    first_i: int | None = None
    evidence_item: str | None = None


@dataclass(slots=True)
class TimelineEntry:
    """A message that carries a stage of the extortion."""

    stages: list[str]
    i: int
    at: str | None
    sender: str
    excerpt: str
    evidence_item: str | None = None


@dataclass(slots=True)
class EvidenceEntry:
    """One evidence item in the pack: its name, type, SHA-256, size and when and by whom it was received."""

    id: str
    name: str
    type: str
    sha256: str
    size: int
    received_at: str | None = None
    received_by: str | None = None
    path: str = ""


@dataclass(slots=True)
class DateReadingFact:
    """How an export's written dates (03/12/2026) were read: day or month first, and on what ground."""

    evidence_item: str
    order: str  # DMY, MDY or YMD
    how: str  # given (by the victim), inferred (the export settles it), assumed (the region's custom)
    why: str | None = None
    example_raw: str | None = None  # the first date as written
    example: str | None = None  # that date as read (ISO 8601)


@dataclass(slots=True)
class EvidenceNotRead:
    """An evidence item whose content could not be read (in full): kept and hashed, but not analysed."""

    evidence_item: str
    sha256: str
    state: str  # not_read, partly_read, no_chat
    what: str  # plain words for the reader of the report
    error: str | None = None  # the error as raised, for an analyst


@dataclass(slots=True)
class TextReadingFact:
    """Whether a conversation read from screenshots is as the machine read it, or confirmed by a person."""

    evidence_item: str
    sha256: str
    read_by: str  # machine (OCR, not checked), victim or staff (checked against the image and confirmed)
    messages: int
    confirmed_at: str | None = None


# EvidenceReading.problem/state, for the reader of a report.
NOT_READ_WHAT = {
    "not_a_chat": "Not recognised as a chat export; its messages are not in this report.",
    "unreadable": (
        "Could not be read (damaged, cut short or an unknown layout); its messages are not in this report."
    ),
    "failed": "Reading it failed in the software; its messages are not in this report.",
    "picture": "No text could be read from this picture.",
    "some_chats": "Some chats in it could not be read; those chats are not in this report.",
    "no_messages": "No chat messages were found in this picture.",
    "no_chat": "It holds no chat export (for example only pictures).",
}


@dataclass(slots=True)
class WatchlistHash:
    """A media hash placed on the watchlist for this case (the hash only, never an image)."""

    type: str
    hash: str
    quality: int | None = None
    frames: int | None = None  # vPDQ: how many frame hashes were banked; `hash` is the first frame's


@dataclass(slots=True)
class SupportService:
    """A crisis-support service the report lists when self-harm was mentioned."""

    name: str
    phone: str | None = None
    url: str | None = None
    why: str | None = None
    source: str | None = None
    checked: str | None = None


@dataclass(slots=True)
class Production:
    """How and when the pack was produced, and how to check it."""

    sxr_version: str
    produced_at: str
    how_to_verify: str
    public_key: str | None = None
    public_key_fingerprint: str | None = None
    # The evidence ledger's head when the facts were gathered: ties the pack to the locker's hash chain.
    ledger_seq: int | None = None
    ledger_head: str | None = None


@dataclass(slots=True)
class ReportFacts:
    """Everything a report pack states about one case."""

    case_reference: str
    production: Production
    victim: VictimFacts = field(default_factory=VictimFacts)
    identifiers: list[Identifier] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    evidence: list[EvidenceEntry] = field(default_factory=list)
    watchlist: list[WatchlistHash] = field(default_factory=list)
    export_warnings: list[str] = field(default_factory=list)
    self_harm_mentioned: bool = False
    crisis_support: list[SupportService] = field(default_factory=list)
    risk: dict[str, Any] | None = None
    gaps: list[str] = field(default_factory=list)
    date_readings: list[DateReadingFact] = field(default_factory=list)
    evidence_not_read: list[EvidenceNotRead] = field(default_factory=list)
    text_readings: list[TextReadingFact] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `report.json` document (schema report-1.0)."""
        body = asdict(self)
        return {"schema_version": SCHEMA_VERSION, **body}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ReportFacts:
        """Read a `report.json` document back."""
        return cls(
            case_reference=doc["case_reference"],
            production=Production(**doc["production"]),
            victim=VictimFacts(**doc.get("victim", {})),
            identifiers=[Identifier(**x) for x in doc.get("identifiers", [])],
            payments=[Payment(**x) for x in doc.get("payments", [])],
            timeline=[TimelineEntry(**x) for x in doc.get("timeline", [])],
            evidence=[EvidenceEntry(**x) for x in doc.get("evidence", [])],
            watchlist=[WatchlistHash(**x) for x in doc.get("watchlist", [])],
            export_warnings=list(doc.get("export_warnings", [])),
            self_harm_mentioned=bool(doc.get("self_harm_mentioned", False)),
            crisis_support=[SupportService(**x) for x in doc.get("crisis_support", [])],
            risk=doc.get("risk"),
            gaps=list(doc.get("gaps", [])),
            date_readings=[DateReadingFact(**x) for x in doc.get("date_readings", [])],
            evidence_not_read=[EvidenceNotRead(**x) for x in doc.get("evidence_not_read", [])],
            text_readings=[TextReadingFact(**x) for x in doc.get("text_readings", [])],
        )


def sxr_version() -> str:
    """The installed sxr version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sxr")
    except PackageNotFoundError:
        return "0+unknown"


HOW_TO_VERIFY = (
    "Run `sxr report verify <pack.zip>` (add `--public-key KEY` with the key the service publishes "
    "through `sxr report public-key`). It recomputes the SHA-256 of every file, the Merkle root of "
    "manifest.json and checks its Ed25519 signature; it exits 0 only when all hold and names any file "
    "that was changed, added or removed."
)


def crisis_services() -> list[SupportService]:
    """The crisis-support services listed when self-harm was mentioned (content/crisis_support.yaml)."""
    text = resources.files("sxr.reports").joinpath("content/crisis_support.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)

    def optional(entry: dict[str, Any], key: str) -> str | None:
        value = entry.get(key)
        return None if value is None else str(value)

    return [
        SupportService(
            name=str(e["name"]),
            phone=optional(e, "phone"),
            url=optional(e, "url"),
            why=optional(e, "why"),
            source=optional(e, "source"),
            checked=optional(e, "checked"),
        )
        for e in doc
    ]


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class ChatFacts:
    """What one analysed conversation adds to a report."""

    identifiers: list[Identifier]
    payments: list[Payment]
    timeline: list[TimelineEntry]
    warnings: list[str]
    self_harm: bool


def facts_from_analysis(
    chat: AnalysedChat,
    *,
    evidence_item: str | None = None,
    evidence_sha256: str | None = None,
) -> ChatFacts:
    """Identifiers, payments, timeline, warnings and self-harm from one analysed conversation."""
    identifiers = _identifiers(chat, evidence_item, evidence_sha256)
    timeline = [
        TimelineEntry(
            stages=list(m.stages),
            i=m.i,
            at=m.sent_at,
            sender=m.sender,
            excerpt=_excerpt(m.text),
            evidence_item=evidence_item,
        )
        for m in chat.messages
        if m.stages
    ]
    payment_is = [t.i for t in timeline if "payment" in t.stages]
    return ChatFacts(
        identifiers=identifiers,
        payments=_payments(identifiers, payment_is, evidence_item),
        timeline=timeline,
        warnings=list(chat.warnings),
        self_harm=any(_is_safety(t.stages) for t in timeline),
    )


def _is_safety(stages: list[str]) -> bool:
    return any((found := stage(s)) is not None and found.safety for s in stages)


def _identifiers(
    chat: AnalysedChat, evidence_item: str | None, evidence_sha256: str | None
) -> list[Identifier]:
    by_i = chat.messages_by_i()
    out: list[Identifier] = []
    for ind in chat.indicators:
        msg = by_i.get(ind.first_i)
        out.append(
            Identifier(
                kind=ind.kind,
                value=ind.value,
                first_i=ind.first_i if ind.first_i >= 0 else None,
                first_seen_at=None if msg is None else msg.sent_at,
                raw=ind.raw or (None if msg is None else _excerpt(msg.text)),
                evidence_item=evidence_item,
                evidence_sha256=evidence_sha256,
            )
        )
    return out


def _payments(
    identifiers: list[Identifier], payment_is: list[int], evidence_item: str | None
) -> list[Payment]:
    """Each payment method with the sum asked for nearest before it; the sums alone when no method."""
    amounts = [(x.first_i, x.value) for x in identifiers if x.kind == "amount"]
    payments: list[Payment] = []
    for ident in identifiers:
        if not is_payment_method(ident.kind):
            continue
        at = ident.first_i if ident.first_i is not None else -1
        # The amount written nearest before (or at) the method's first mention is the one asked for.
        before = [(i, a) for i, a in amounts if i is not None and i <= at]
        amount = before[-1][1] if before else (amounts[0][1] if amounts else None)
        payments.append(
            Payment(
                method=ident.kind,
                reference=ident.value,
                amount=amount,
                collected=_collected(payment_is, at),
                first_i=ident.first_i,
                evidence_item=evidence_item,
            )
        )
    if payments:
        return payments
    return [
        Payment(
            method=UNKNOWN_METHOD,
            amount=amount,
            collected=_collected(payment_is, i or 0),
            first_i=i,
            evidence_item=evidence_item,
        )
        for i, amount in amounts
    ]


def _collected(payment_is: list[int], at: int) -> bool | None:
    """True when a message at or after `at` says a payment was made or received; else not known."""
    return True if any(p >= at for p in payment_is) else None


def victim_facts(case: Case, settings: Settings) -> VictimFacts:
    """The report form's answers; paid, how, when and self-harm as the victim's own words tell them."""
    words = unseal(settings, case.what_happened)
    created = case.created_at if case.created_at.tzinfo else case.created_at.replace(tzinfo=UTC)
    reported = created.astimezone(ZoneInfo(settings.timezone))
    account = (
        read_account(words, reported_on=reported.date(), phone_region=settings.phone_region)
        if words
        else VictimAccount()
    )
    return VictimFacts(
        what_happened=words,
        when=None if account.when is None else account.when.isoformat(),
        platforms=case.platform_list,
        age_band=case.age_band,
        paid=account.paid,
        how=[*account.how, *account.amounts],
        when_written=account.when_written,
        self_harm=account.self_harm,
        reported_at=reported.replace(microsecond=0).isoformat(),
    )


def collect_facts(session: Session, settings: Settings, case: Case) -> ReportFacts:
    """Gather a case's facts from the report form, the evidence locker, its analyses and the watchlist."""
    facts = ReportFacts(
        case_reference=case.reference,
        production=Production(
            sxr_version=sxr_version(),
            produced_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            how_to_verify=HOW_TO_VERIFY,
            ledger_seq=case.ledger_seq,
            ledger_head=case.ledger_head,
        ),
        victim=victim_facts(case, settings),
    )
    _collect_evidence(session, settings, case, facts)
    _apply_review(session, case, facts)
    _collect_watchlist(session, case, facts)
    if facts.self_harm_mentioned or facts.victim.self_harm:
        facts.self_harm_mentioned = True
        facts.crisis_support = crisis_services()
    return facts


def _apply_review(session: Session, case: Case, facts: ReportFacts) -> None:
    """Leave out the details the victim or staff rejected; mark the confirmed ones."""
    decisions = current_decisions(session, case.id)
    kept: list[Identifier] = []
    rejected = 0
    for ident in facts.identifiers:
        decision = decisions.get((ident.kind, ident.value))
        if decision is not None and decision.decision == "rejected":
            rejected += 1
            continue
        if decision is not None and decision.decision == "confirmed":
            ident.review = "confirmed"
        kept.append(ident)
    facts.identifiers = kept
    if rejected:
        facts.gaps.append(
            f"{rejected} detail(s) found by the software were rejected by the victim or staff and are "
            "left out; "
            "they are kept apart in the case, not deleted."
        )


def _collect_evidence(session: Session, settings: Settings, case: Case, facts: ReportFacts) -> None:
    items = evidence_services.list_evidence(session, case)
    entries: dict[int, EvidenceEntry] = {}
    used: set[str] = set()
    for n, item in enumerate(items, start=1):
        entries[item.id] = evidence_entry(item, n, used)
        facts.evidence.append(entries[item.id])
    analyses, problems = case_analyses(session, settings, case)
    facts.gaps.extend(problems)
    _collect_not_read(session, case, items, entries, facts)
    # Only chats about the offender: a friend's chat in a whole-account download stays out of the pack.
    relevant: dict[int, list[AnalysedChat]] = {}
    for analysis in analyses:
        if analysis.relevant:
            chat = AnalysedChat.from_json(analysis.document)
            relevant.setdefault(analysis.item.id, []).append(chat)
            if chat.date_reading is not None:
                facts.date_readings.append(_date_reading_fact(analysis.item, chat.date_reading))
    seen: set[tuple[str, str]] = set()
    for item in items:
        entry = entries[item.id]
        chats = relevant.get(item.id)
        if chats is None:
            # No analysis: a bare conversation still tells what the export could not contain.
            chats = _conversations(session, settings, item, entry, facts)
        for chat in chats:
            _add_chat(facts, chat, entry, seen)


def _date_reading_fact(item: EvidenceItem, reading: DateReadingDoc) -> DateReadingFact:
    return DateReadingFact(
        evidence_item=item.original_name,
        order=reading.order,
        how=reading.how,
        why=reading.why,
        example_raw=reading.example_raw,
        example=reading.example,
    )


def _conversations(
    session: Session, settings: Settings, item: EvidenceItem, entry: EvidenceEntry, facts: ReportFacts
) -> list[AnalysedChat]:
    """The bare conversations derived from an item that has no analysis (a gap where one is unreadable)."""
    chats: list[AnalysedChat] = []
    for derived in evidence_services.list_derived(session, item):
        if derived.kind != "conversation":
            continue
        doc = _derived_json(settings, derived)
        if not doc:
            facts.gaps.append(f"{entry.name}: its conversation could not be read.")
            continue
        chats.append(AnalysedChat.from_json(doc))
    return chats


def _add_chat(
    facts: ReportFacts, chat: AnalysedChat, entry: EvidenceEntry, seen: set[tuple[str, str]]
) -> None:
    """Add one conversation's identifiers (each once), payments, timeline, warnings and risk."""
    if chat.format == "screenshot":
        facts.text_readings.append(text_reading(chat, entry))
    found = facts_from_analysis(chat, evidence_item=entry.name, evidence_sha256=entry.sha256)
    for ident in found.identifiers:
        if (ident.kind, ident.value) not in seen:
            seen.add((ident.kind, ident.value))
            facts.identifiers.append(ident)
    facts.payments.extend(found.payments)
    facts.timeline.extend(found.timeline)
    facts.export_warnings.extend(f"{entry.name}: {w}" for w in found.warnings)
    facts.self_harm_mentioned = facts.self_harm_mentioned or found.self_harm
    risk = chat.risk
    if risk is not None and (facts.risk is None or risk.get("score", 0) > facts.risk.get("score", 0)):
        facts.risk = risk


def text_reading(chat: AnalysedChat, entry: EvidenceEntry) -> TextReadingFact:
    """Who read a screenshot's conversation: the machine, or a person who confirmed it against the image."""
    by = chat.confirmed_by
    return TextReadingFact(
        evidence_item=entry.name,
        sha256=entry.sha256,
        read_by=by if by in ("victim", "staff") else "machine",
        messages=len(chat.messages),
        confirmed_at=chat.confirmed_at if by is not None else None,
    )


def _collect_not_read(
    session: Session,
    case: Case,
    items: list[EvidenceItem],
    entries: dict[int, EvidenceEntry],
    facts: ReportFacts,
) -> None:
    readings = evidence_services.readings_of(session, case.id)
    for item in items:
        reading = readings.get(item.id)
        if reading is None or reading.state == "read":
            continue
        entry = entries[item.id]
        what = NOT_READ_WHAT.get(reading.problem or reading.state, NOT_READ_WHAT["unreadable"])
        facts.evidence_not_read.append(
            EvidenceNotRead(entry.name, entry.sha256, reading.state, what, reading.detail)
        )


def _derived_json(settings: Settings, derived: DerivedItem) -> dict[str, Any] | None:
    try:
        loaded = json.loads(evidence_services.read_derived(settings, derived))
    except (ValueError, OSError) as exc:
        log.warning("derived item %s could not be read: %s", derived.id, exc)
        return None
    return loaded if isinstance(loaded, dict) else None


def safe_member_name(name: str) -> str:
    """A file name that is safe inside the pack: no folders, no control characters, not empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isprintable() and c not in '<>:"|?*' else "_" for c in base).strip(" .")
    return cleaned[:120] or "item"


def evidence_entry(item: EvidenceItem, n: int, used: set[str]) -> EvidenceEntry:
    """An evidence index entry for an evidence item, with its unique path inside the pack."""
    name = item.original_name or f"item-{n}"
    path = f"evidence/{n:04d}-{safe_member_name(name)}"
    while path in used:
        path = path + "_"
    used.add(path)
    return EvidenceEntry(
        id=str(item.id),
        name=name,
        type=item.kind,
        sha256=item.sha256,
        size=item.size,
        received_at=_iso(item.received_at),
        received_by=item.received_by,
        path=path,
    )


def _iso(value: datetime) -> str:
    # SQLite hands back naive times that were stored as UTC.
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()


def _collect_watchlist(session: Session, case: Case, facts: ReportFacts) -> None:
    for entry in watchlist_services.entries_for_case(session, case.id):
        frames = list(entry.frames)
        value = entry.value or (frames[0].hash if frames else "")
        facts.watchlist.append(
            WatchlistHash(type=entry.type, hash=value, quality=entry.quality, frames=len(frames) or None)
        )
