"""The facts a report pack states, as one typed structure, and how they are gathered from a case."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import yaml

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.0"

# Indicator kinds that say how money was to reach the offender (a payment method with its reference).
PAYMENT_KINDS = frozenset(
    {
        "cashapp_cashtag",
        "paypal_me",
        "btc_address",
        "eth_address",
        "tron_address",
        "iban",
        "uk_bank_account",
        "wu_mtcn",
        "moneygram_reference",
        "gift_card",
    }
)
# Indicator kinds that are wallets or accounts (STIX exports them as payment accounts, not payments).
WALLET_KINDS = frozenset({"btc_address", "eth_address", "tron_address"})
STAGE_ORDER = (
    "contact",
    "flattery",
    "platform_move",
    "image_request",
    "threat",
    "demand",
    "payment",
    "escalation",
    "self_harm",
)
EXCERPT_CHARS = 280


@dataclass(slots=True)
class VictimFacts:
    """What the victim confirmed: what happened, when, on which platforms, their age band."""

    what_happened: str | None = None
    when: str | None = None
    platforms: list[str] = field(default_factory=list)
    age_band: str | None = None
    paid: bool | None = None


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


def facts_from_analysis(
    analysis: dict[str, Any],
    *,
    evidence_item: str | None = None,
    evidence_sha256: str | None = None,
) -> tuple[list[Identifier], list[Payment], list[TimelineEntry], list[str], bool]:
    """Identifiers, payments, timeline, warnings and self-harm from one `sxr analyze --json` document."""
    messages = analysis.get("messages") or []
    by_i = {m.get("i"): m for m in messages if isinstance(m, dict)}
    identifiers: list[Identifier] = []
    amounts: list[tuple[int | None, str]] = []
    for ind in analysis.get("indicators") or []:
        first_i = ind.get("first_i")
        msg = by_i.get(first_i, {})
        raw = ind.get("raw")
        if raw is None and msg:
            raw = _excerpt(str(msg.get("text", "")))
        if ind.get("kind") == "amount":
            amounts.append((first_i, str(ind.get("value"))))
        identifiers.append(
            Identifier(
                kind=str(ind.get("kind")),
                value=str(ind.get("value")),
                first_i=first_i,
                first_seen_at=msg.get("sent_at"),
                raw=raw,
                evidence_item=evidence_item,
                evidence_sha256=evidence_sha256,
            )
        )
    timeline: list[TimelineEntry] = []
    payment_is: list[int] = []
    self_harm = False
    for m in messages:
        stages = [s for s in STAGE_ORDER if s in (m.get("stages") or [])]
        if not stages:
            continue
        if "payment" in stages:
            payment_is.append(int(m["i"]))
        if "self_harm" in stages:
            self_harm = True
        timeline.append(
            TimelineEntry(
                stages=stages,
                i=int(m["i"]),
                at=m.get("sent_at"),
                sender=str(m.get("sender", "")),
                excerpt=_excerpt(str(m.get("text", ""))),
                evidence_item=evidence_item,
            )
        )
    payments: list[Payment] = []
    for ident in identifiers:
        if ident.kind not in PAYMENT_KINDS:
            continue
        at = ident.first_i if ident.first_i is not None else -1
        # The amount written nearest before (or at) the method's first mention is the one asked for.
        before = [(i, a) for i, a in amounts if i is not None and i <= at]
        amount = before[-1][1] if before else (amounts[0][1] if amounts else None)
        # Collected: a message later in the chat says a payment was made or received.
        collected = True if any(p >= at for p in payment_is) else None
        payments.append(
            Payment(
                method=ident.kind,
                reference=ident.value,
                amount=amount,
                collected=collected,
                first_i=ident.first_i,
                evidence_item=evidence_item,
            )
        )
    if not payments and amounts:
        for i, amount in amounts:
            collected = True if any(p >= (i or 0) for p in payment_is) else None
            payments.append(
                Payment(
                    method="unknown",
                    amount=amount,
                    collected=collected,
                    first_i=i,
                    evidence_item=evidence_item,
                )
            )
    warnings = [str(w) for w in analysis.get("warnings") or []]
    return identifiers, payments, timeline, warnings, self_harm


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _victim_words(case: Any, settings: Any) -> str | None:
    from sxr.cases.sealing import unseal

    words = _attr(case, "what_happened", "summary", "description")
    return unseal(settings, words) if settings is not None and isinstance(words, str) else words


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return str(value)


def _victim_facts(case: Any, settings: Any = None) -> VictimFacts:
    platforms = _attr(case, "platform_list", "platforms") or []
    if isinstance(platforms, str):
        platforms = [p.strip() for p in platforms.replace(",", "\n").split("\n") if p.strip()]
    paid = _attr(case, "paid")
    return VictimFacts(
        what_happened=_victim_words(case, settings),
        when=_iso(_attr(case, "happened_at", "when", "incident_at")),
        platforms=[str(p) for p in platforms],
        age_band=_attr(case, "age_band"),
        paid=paid if isinstance(paid, bool) else None,
    )


def collect_facts(session: Any, settings: Any, case: Any) -> ReportFacts:
    """Gather a case's facts from the evidence locker, its derived analyses and the watchlist."""
    reference = str(_attr(case, "reference"))
    facts = ReportFacts(
        case_reference=reference,
        production=Production(
            sxr_version=sxr_version(),
            produced_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            how_to_verify=HOW_TO_VERIFY,
            ledger_seq=_attr(case, "ledger_seq"),
            ledger_head=_attr(case, "ledger_head"),
        ),
        victim=_victim_facts(case, settings),
    )
    _collect_evidence(session, settings, case, facts)
    _apply_review(session, case, facts)
    _collect_watchlist(session, case, facts)
    if facts.self_harm_mentioned or _attr(case, "self_harm") is True:
        facts.self_harm_mentioned = True
        facts.crisis_support = crisis_services()
    return facts


def _apply_review(session: Any, case: Any, facts: ReportFacts) -> None:
    """Leave out the details the victim or staff rejected; mark the confirmed ones."""
    from sxr.analysis.services import current_decisions

    decisions = current_decisions(session, int(_attr(case, "id")))
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


def _collect_evidence(session: Any, settings: Any, case: Any, facts: ReportFacts) -> None:
    try:
        from sxr.evidence import services as evidence_services
    except ImportError:  # the evidence locker is not installed in this build: say so in the report
        facts.gaps.append("The evidence locker was not available when this report was produced.")
        return
    items = list(evidence_services.list_evidence(session, case))
    names: dict[str, EvidenceEntry] = {}
    used: set[str] = set()
    for n, item in enumerate(items, start=1):
        entry = evidence_entry(item, n, used)
        facts.evidence.append(entry)
        names[entry.id] = entry
    from sxr.analysis.services import case_analyses

    analyses, problems = case_analyses(session, settings, case)
    facts.gaps.extend(problems)
    _collect_not_read(session, items, names, facts)
    relevant: dict[str, list[dict[str, Any]]] = {}
    for analysis in analyses:
        reading = analysis.document.get("date_reading")
        # Only chats about the offender: a friend's chat in a whole-account download stays out of the pack.
        if analysis.relevant and isinstance(reading, dict) and reading.get("order") and reading.get("how"):
            facts.date_readings.append(
                DateReadingFact(
                    evidence_item=str(_attr(analysis.item, "original_name")),
                    order=str(reading["order"]),
                    how=str(reading["how"]),
                    why=None if reading.get("why") is None else str(reading["why"]),
                    example_raw=None if reading.get("example_raw") is None else str(reading["example_raw"]),
                    example=None if reading.get("example") is None else str(reading["example"]),
                )
            )
        if analysis.relevant:
            relevant.setdefault(str(_attr(analysis.item, "id")), []).append(analysis.document)
    seen: set[tuple[str, str]] = set()
    for item in items:
        entry = names[str(_attr(item, "id"))]
        docs = relevant.get(entry.id)
        if docs is None:
            # No analysis: a bare conversation still tells what the export could not contain.
            docs = []
            for one in evidence_services.list_derived(session, item):
                if str(_attr(one, "kind") or "") != "conversation":
                    continue
                doc = _derived_json(evidence_services, settings, one)
                if not doc:
                    facts.gaps.append(f"{entry.name}: its conversation could not be read.")
                    continue
                docs.append(doc)
        for doc in docs:
            if doc.get("format") == "screenshot":
                facts.text_readings.append(text_reading(doc, entry))
            idents, payments, timeline, warnings, self_harm = facts_from_analysis(
                doc, evidence_item=entry.name, evidence_sha256=entry.sha256
            )
            for ident in idents:
                if (ident.kind, ident.value) not in seen:
                    seen.add((ident.kind, ident.value))
                    facts.identifiers.append(ident)
            facts.payments.extend(payments)
            facts.timeline.extend(timeline)
            facts.export_warnings.extend(f"{entry.name}: {w}" for w in warnings)
            facts.self_harm_mentioned = facts.self_harm_mentioned or self_harm
            risk = doc.get("risk")
            higher = facts.risk is None or (
                isinstance(risk, dict) and risk.get("score", 0) > facts.risk.get("score", 0)
            )
            if isinstance(risk, dict) and higher:
                facts.risk = risk


def text_reading(document: dict[str, Any], entry: EvidenceEntry) -> TextReadingFact:
    """Who read a screenshot's conversation: the machine, or a person who confirmed it against the image."""
    confirmed = document.get("confirmed")
    by = str(confirmed.get("by")) if isinstance(confirmed, dict) else "machine"
    return TextReadingFact(
        evidence_item=entry.name,
        sha256=entry.sha256,
        read_by=by if by in ("victim", "staff") else "machine",
        messages=len(document.get("messages") or []),
        confirmed_at=str(confirmed.get("at"))
        if isinstance(confirmed, dict) and confirmed.get("at")
        else None,
    )


def _collect_not_read(
    session: Any, items: list[Any], names: dict[str, EvidenceEntry], facts: ReportFacts
) -> None:
    from sxr.evidence.services import readings_of

    if not items:
        return
    readings = readings_of(session, int(_attr(items[0], "case_id")))
    for item in items:
        reading = readings.get(int(_attr(item, "id")))
        if reading is None or reading.state == "read":
            continue
        entry = names[str(_attr(item, "id"))]
        what = NOT_READ_WHAT.get(reading.problem or reading.state, NOT_READ_WHAT["unreadable"])
        facts.evidence_not_read.append(
            EvidenceNotRead(entry.name, entry.sha256, reading.state, what, reading.detail)
        )


def _derived_json(evidence_services: Any, settings: Any, derived: Any) -> dict[str, Any] | None:
    import json

    try:
        loaded = json.loads(evidence_services.read_derived(settings, derived))
    except (ValueError, OSError) as exc:
        log.warning("derived item %s could not be read: %s", _attr(derived, "id"), exc)
        return None
    return loaded if isinstance(loaded, dict) else None


def safe_member_name(name: str) -> str:
    """A file name that is safe inside the pack: no folders, no control characters, not empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isprintable() and c not in '<>:"|?*' else "_" for c in base).strip(" .")
    return cleaned[:120] or "item"


def evidence_entry(item: Any, n: int, used: set[str]) -> EvidenceEntry:
    """An evidence index entry for an evidence item, with its unique path inside the pack."""
    name = str(_attr(item, "original_name", "name", "filename") or f"item-{n}")
    path = f"evidence/{n:04d}-{safe_member_name(name)}"
    while path in used:
        path = path + "_"
    used.add(path)
    return EvidenceEntry(
        id=str(_attr(item, "id")),
        name=name,
        type=str(_attr(item, "kind", "media_type", "content_type") or "unknown"),
        sha256=str(_attr(item, "sha256")),
        size=int(_attr(item, "size", "size_bytes", "byte_size") or 0),
        received_at=_iso(_attr(item, "received_at", "created_at", "added_at")),
        received_by=_attr(item, "received_by", "added_by", "uploaded_by"),
        path=path,
    )


def _collect_watchlist(session: Any, case: Any, facts: ReportFacts) -> None:
    try:
        from sxr.watchlist import services as watchlist_services
    except ImportError:  # the watchlist is not installed in this build: say so in the report
        facts.gaps.append("The watchlist was not available when this report was produced.")
        return
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with session.begin_nested():  # a savepoint, so a failed read leaves the session usable
            entries = watchlist_services.entries_for_case(session, _attr(case, "id"))
    except SQLAlchemyError as exc:  # e.g. the watchlist's tables are not migrated in this deployment
        log.warning("watchlist not readable: %s", exc)
        facts.gaps.append("The watchlist could not be read when this report was produced.")
        return
    for entry in entries:
        quality = _attr(entry, "quality")
        frames = list(_attr(entry, "frames") or [])
        value = _attr(entry, "value") or (str(_attr(frames[0], "hash")) if frames else "")
        facts.watchlist.append(
            WatchlistHash(
                type=str(_attr(entry, "type")),
                hash=str(value),
                quality=int(quality) if quality is not None else None,
                frames=len(frames) or None,
            )
        )
