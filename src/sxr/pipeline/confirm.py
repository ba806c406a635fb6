"""A person confirms what was read from a screenshot: sides, words, times, bubbles merged or split.

The screenshot stays the evidence. The confirmed reading is a new "conversation" derived item (and its
analysis); the machine's reading is marked superseded, never deleted, and a "confirmed" ledger entry
says who confirmed it and which derived items it replaced.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from sxr.cases.services import note_analysis
from sxr.clock import utcnow
from sxr.config import Settings
from sxr.conversations.model import Conversation, Message, Notice, Participant, SourceRef
from sxr.evidence import ledger
from sxr.evidence import services as evidence_services
from sxr.evidence.models import DerivedItem, EvidenceItem
from sxr.evidence.store import BlobError

JSON_TYPE = "application/json"
SIDES = ("left", "right")
CONFIRMERS = ("victim", "staff")
# Bounds on what a form may send: a screenshot holds a few dozen bubbles at most.
MAX_MESSAGES = 200  # a form of 4 fields a row stays under the 1000 fields Starlette parses
MAX_TEXT = 5000
MAX_TIME = 100
# Pictures a browser shows as they are; any other picture (HEIC) is shown as a PNG copy.
SHOWN_AS_IS = frozenset({"image/png", "image/jpeg", "image/webp"})
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_MACHINE_WORDS = "These messages were read by machine from screenshots"


class ReadingRefused(ValueError):
    """A correction that cannot be applied; the message says why, in plain words."""


@dataclass(frozen=True)
class CorrectedRow:
    """One row of the confirm form: a message as read, as the person says it really is."""

    side: str
    text: str
    time: str
    merge_up: bool = False


@dataclass(frozen=True)
class ScreenshotReading:
    """The current reading of a screenshot: its conversation derived item and that item's JSON."""

    derived: DerivedItem
    document: dict[str, Any]

    @property
    def confirmed_by(self) -> str | None:
        confirmed = self.document.get("confirmed")
        return str(confirmed.get("by")) if isinstance(confirmed, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [m for m in self.document.get("messages") or [] if isinstance(m, dict)]


def picture_for_browser(data: bytes, media_type: str) -> tuple[bytes, str]:
    """A screenshot's bytes and type as a browser can show them (HEIC as a PNG copy made in memory)."""
    if media_type in SHOWN_AS_IS:
        return data, media_type
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGB").save(out, format="PNG")
    return out.getvalue(), "image/png"


def form_rows(reading: ScreenshotReading | None) -> list[dict[str, Any]]:
    """The messages of a reading as the confirm form shows them: side, words, time, pictures."""
    return [
        {
            "side": str(m.get("sender")) if m.get("sender") in SIDES else "left",
            "text": str(m.get("text") or ""),
            "time": str(m.get("sent_at_raw") or ""),
            "pictures": len(m.get("attachments") or []),
        }
        for m in (reading.messages if reading is not None else [])
    ]


def rows_from_form(
    sides: list[str] | None, texts: list[str] | None, times: list[str] | None, merge: list[int] | None
) -> list[CorrectedRow]:
    """The confirm form's fields (one side, text and time per message; merge lists row numbers) as rows."""
    sides, texts, times, merged = sides or [], texts or [], times or [], set(merge or [])
    if not (len(sides) == len(texts) == len(times)):
        raise ReadingRefused("Something in the form was missing. Please try again.")
    return [
        CorrectedRow(side, text, time, merge_up=k in merged)
        for k, (side, text, time) in enumerate(zip(sides, texts, times, strict=True))
    ]


def current_reading(session: Session, settings: Settings, item: EvidenceItem) -> ScreenshotReading | None:
    """The screenshot's current (not superseded) reading, or None when it is not a read screenshot."""
    for derived in evidence_services.list_derived(session, item):
        if derived.kind != "conversation":
            continue
        try:
            document = json.loads(evidence_services.read_derived(settings, derived))
        except (ValueError, OSError, BlobError) as exc:
            raise ReadingRefused(
                "Something went wrong on our side and we cannot show these messages just now. "
                "This is not your fault. Your picture is safe. Please try again later."
            ) from exc
        if isinstance(document, dict) and document.get("format") == "screenshot":
            return ScreenshotReading(derived, document)
    return None


def _source(doc: dict[str, Any]) -> SourceRef:
    box = doc.get("box")
    confidence = doc.get("confidence")
    return SourceRef(
        file=str(doc.get("file", "")),
        sha256=str(doc.get("sha256", "")),
        box=(int(box[0]), int(box[1]), int(box[2]), int(box[3]))
        if isinstance(box, list) and len(box) == 4
        else None,
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
    )


def _united(a: SourceRef, b: SourceRef) -> SourceRef:
    """One source for two bubbles merged: both boxes in one, the lower OCR confidence."""
    box = a.box
    if a.box is not None and b.box is not None:
        box = (
            min(a.box[0], b.box[0]),
            min(a.box[1], b.box[1]),
            max(a.box[2], b.box[2]),
            max(a.box[3], b.box[3]),
        )
    elif box is None:
        box = b.box
    confidences = [c for c in (a.confidence, b.confidence) if c is not None]
    return SourceRef(a.file, a.sha256, box=box, confidence=min(confidences) if confidences else None)


def _sent_at(raw: str, original: dict[str, Any], zone: ZoneInfo | None) -> datetime | None:
    from sxr.conversations.screenshots import parse_time

    if raw == (original.get("sent_at_raw") or "") and isinstance(original.get("sent_at"), str):
        return datetime.fromisoformat(original["sent_at"])
    return parse_time(raw or None, zone)


def corrected_conversation(
    reading: ScreenshotReading, rows: list[CorrectedRow], *, tz: str | None
) -> Conversation:
    """The conversation as the person says it is: one form row per message read, in the same order."""
    originals = reading.messages
    if len(rows) != len(originals):
        raise ReadingRefused(
            "The page was out of date. Please open it again and check the messages once more."
        )
    zone = ZoneInfo(tz) if tz else None
    messages: list[Message] = []
    for row, original in zip(rows, originals, strict=True):
        if row.side not in SIDES or len(row.text) > MAX_TEXT or len(row.time) > MAX_TIME:
            raise ReadingRefused("Something in the form was too long or not right. Please try again.")
        text = row.text.replace("\r\n", "\n").strip()
        time = " ".join(row.time.split())
        source = _source(original.get("source") or {})
        attachments = [str(a) for a in original.get("attachments") or []]
        if row.merge_up and messages:
            above = messages[-1]
            above.text = "\n".join(t for t in (above.text, text) if t)
            above.attach(*attachments)
            above.source = _united(above.source, source)
            if time and not above.sent_at_raw:
                above.sent_at_raw, above.sent_at = time, _sent_at(time, original, zone)
            continue
        parts = [p.strip() for p in _BLANK_LINE.split(text) if p.strip()] if text else []
        if not parts and not attachments:
            continue  # emptied: not a message (a name, a button, a banner read by mistake)
        for n, part in enumerate(parts or [""]):
            messages.append(
                Message(
                    i=len(messages),
                    sender=row.side,
                    text=part,
                    source=source,
                    sent_at=_sent_at(time, original, zone) if time else None,
                    sent_at_raw=time or None,
                    attachments=attachments if n == 0 else (),
                )
            )
    document = reading.document
    notices = []
    for notice in document.get("notices") or []:
        if isinstance(notice, dict):
            at = notice.get("sent_at")
            notices.append(
                Notice(
                    str(notice.get("text", "")),
                    _source(notice.get("source") or {}),
                    datetime.fromisoformat(at) if isinstance(at, str) else None,
                )
            )
    return Conversation(
        format="screenshot",
        participants=[
            Participant(str(p.get("id")), str(p.get("name")), p.get("platform_id"))
            for p in document.get("participants") or []
            if isinstance(p, dict)
        ],
        messages=messages,
        notices=notices,
        # The machine's doubts name messages by number, which merging and splitting change; the person
        # has now checked each message against its image, which is what those doubts asked for.
        warnings=[
            str(w)
            for w in document.get("warnings") or []
            if not str(w).startswith((_MACHINE_WORDS, "Message "))
        ],
        title=document.get("title"),
    )


def _marked(document: dict[str, Any], actor: str, at: str, replaced: list[int]) -> dict[str, Any]:
    """A conversation's (or analysis's) JSON with each message marked as confirmed by `actor`."""
    for message in document.get("messages") or []:
        message["machine_read"] = False
        message["confirmed_by"] = actor
    document["confirmed"] = {"by": actor, "at": at, "replaces": replaced}
    document["warnings"] = [
        f"These messages were read by machine from screenshots, then checked against the image and "
        f"confirmed by the {actor} ({at[:10]}).",
        *document.get("warnings", []),
    ]
    return document


def _dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _same_reading(old: list[dict[str, Any]], new: Conversation) -> bool:
    def key(m: dict[str, Any]) -> tuple[Any, ...]:
        return (m.get("sender"), m.get("text"), m.get("sent_at_raw"), m.get("attachments") or [])

    return [key(m) for m in old] == [key(m.to_json()) for m in new.messages]


def confirm_reading(
    session: Session,
    settings: Settings,
    item: EvidenceItem,
    rows: list[CorrectedRow],
    *,
    actor: str,
    ledger_actor: str | None = None,
) -> bool:
    """Store the person's reading of a screenshot as new derived items; the old ones are superseded.

    `actor` is who confirmed, as the reading says it ("victim" or "staff"); `ledger_actor` names them on
    the ledger where it knows more (a staff member's "staff:email"). Commits. Returns False (and changes
    nothing) when the reading is already confirmed just so by the same kind of person, so a double submit
    never piles up derived items.
    """
    from sxr.analysis import analyze

    if actor not in CONFIRMERS:
        raise ValueError(f"unknown confirmer {actor!r}")
    if len(rows) > MAX_MESSAGES:
        raise ReadingRefused(f"That is too many messages for one picture (at most {MAX_MESSAGES}).")
    reading = current_reading(session, settings, item)
    if reading is None:
        raise ReadingRefused("We did not read any messages in this picture, so there is nothing to check.")
    conversation = corrected_conversation(reading, rows, tz=settings.timezone)
    if reading.confirmed_by == actor and _same_reading(reading.messages, conversation):
        return False
    replaced = [
        d for d in evidence_services.list_derived(session, item) if d.kind in ("conversation", "analysis")
    ]
    replaced_ids = [d.id for d in replaced]
    now = utcnow()
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    for derived in replaced:
        derived.superseded_at = now
    analysis = analyze(conversation, phone_region=settings.phone_region).to_json()
    added = [
        evidence_services.add_derived(
            session,
            settings,
            item,
            kind=kind,
            media_type=JSON_TYPE,
            data=_dumps(_marked(document, actor, at, replaced_ids)),
            created_by=ledger_actor or actor,
        )
        for kind, document in (("conversation", conversation.to_json()), ("analysis", analysis))
    ]
    ledger.append(
        session,
        item.case_id,
        "confirmed",
        actor=ledger_actor or actor,
        evidence_item_id=item.id,
        sha256=item.sha256,
        details={
            "replaced_derived_item_ids": replaced_ids,
            "derived_item_ids": [d.id for d in added],
            "messages": len(conversation.messages),
            "confirmed_by": actor,
        },
    )
    note_analysis(session, item.case_id, analysis)
    session.commit()
    return True
