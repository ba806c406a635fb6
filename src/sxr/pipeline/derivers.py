"""Evidence derivers: a chat export or screenshot added to a case becomes a conversation and its analysis.

Both are stored as derived items that point to their evidence item; the original is never touched.
`DERIVERS` lists every deriver, in the order they run: the app factory and the CLI pass it to the
evidence locker. A new deriver goes in this package and in that list.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session

from sxr.cases.services import note_analysis, note_identifiers
from sxr.config import Settings
from sxr.conversations.importers.date_order import region_date_order
from sxr.conversations.model import (
    Conversation,
    DateOrderAmbiguous,
    DateReading,
    ExportError,
    NotAChatExport,
    SeveralChats,
)
from sxr.evidence import services as evidence_services
from sxr.evidence.models import NO_CHAT, NOT_READ, PARTLY_READ, READ, EvidenceItem
from sxr.evidence.services import DerivedContent, Deriver
from sxr.pipeline.links import link_case
from sxr.web.uploads import private_folder

# Evidence kinds (from the file's bytes) that may hold a chat.
EXPORT_KINDS = frozenset({"chat_export", "archive", "email"})
SCREENSHOT_KINDS = frozenset({"image"})
JSON_TYPE = "application/json"


def _write_original(settings: Settings, item: EvidenceItem, folder: Path) -> Path:
    # Importers read paths (zips, tars).
    path = folder / (Path(item.original_name).name or "evidence")
    with path.open("wb") as out:
        for chunk in evidence_services.open_original(settings, item):
            out.write(chunk)
    path.chmod(0o600)
    return path


# A whole-account download can hold thousands of chats; a case needs the ones with the offender.
MAX_CHATS = 200

ORDER_WORDS = {"DMY": "day first", "MDY": "month first", "YMD": "year first"}
_WRITTEN_DATE = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?!\d)")


def _takes_fallback(import_path: Callable[..., Conversation]) -> bool:
    # The importers learn `fallback_date_order` in their own branch; until then the deriver falls back itself.
    try:
        return "fallback_date_order" in inspect.signature(import_path).parameters
    except (TypeError, ValueError):
        return False


def _first_written_date(path: Path, conversation: Conversation) -> tuple[str | None, str | None]:
    """The first message's date as the export wrote it ("03/12/2026") and as read ("2026-12-03")."""
    first = next((m for m in conversation.messages if m.sent_at is not None), None)
    if first is None:
        return None, None
    example = first.sent_at.date().isoformat() if first.sent_at else None
    raw = first.sent_at_raw
    source = first.source
    if raw is None and source.lines and source.member is None and path.is_file():
        with path.open(encoding="utf-8-sig", errors="replace") as text:
            for number, line in enumerate(text, start=1):
                if number == source.lines[0]:
                    raw = line[:80]
                    break
    match = _WRITTEN_DATE.search(raw or "")
    return (match.group(0) if match else None), example


def _say_reading(path: Path, conversation: Conversation, order: str, how: str, why: str) -> None:
    """Fill in how the dates were read, where the importer has not (or has, but from what we told it)."""
    reading = conversation.date_reading
    if reading is None or how in ("given", "assumed"):
        raw, example = _first_written_date(path, conversation)
        if reading is not None:
            raw, example = reading.example_raw or raw, reading.example or example
        elif raw is None:
            return  # no written date to read either way (JSON timestamps, ISO dates)
        # The date alone ("03/12/2026"), should an importer give the whole stamp ("03/12/2026, 21:04").
        written = _WRITTEN_DATE.search(raw or "")
        conversation.date_reading = DateReading(
            order, how, why, written.group(0) if written else raw, example
        )


def read_chat(
    import_path: Callable[..., Conversation],
    path: Path,
    *,
    settings: Settings,
    chat: str | None = None,
    date_choice: str | None = None,
) -> Conversation:
    """Import one chat: in the order the victim chose, else as the export settles it, else the region's."""
    if date_choice is not None:
        conversation = import_path(path, tz=settings.timezone, chat=chat, date_order=date_choice)
        _say_reading(path, conversation, date_choice, "given", "the victim said how the dates are written")
        return conversation
    fallback = region_date_order(settings.region)
    why = f"the custom in {settings.region} ({ORDER_WORDS[fallback]}); the export's own dates cannot tell"
    if _takes_fallback(import_path):
        conversation = import_path(path, tz=settings.timezone, chat=chat, fallback_date_order=fallback)
        reading = conversation.date_reading
        if reading is not None and reading.how == "assumed":
            _say_reading(path, conversation, reading.order, "assumed", why)
        return conversation
    try:
        return import_path(path, tz=settings.timezone, chat=chat)
    except DateOrderAmbiguous:
        conversation = import_path(path, tz=settings.timezone, chat=chat, date_order=fallback)
    _say_reading(path, conversation, fallback, "assumed", why)
    return conversation


def conversation_of(settings: Settings, item: EvidenceItem) -> Conversation | None:
    """The (first) conversation held by an evidence item, or None when it holds no chat."""
    conversations = conversations_of(settings, item)
    try:
        return next(conversations, None)
    finally:
        conversations.close()


def conversations_of(
    settings: Settings,
    item: EvidenceItem,
    problems: list[str] | None = None,
    *,
    date_choice: str | None = None,
) -> Generator[Conversation]:
    """Every conversation an evidence item holds, one at a time; chats that fail go to `problems`."""
    if item.kind not in EXPORT_KINDS | SCREENSHOT_KINDS:
        return
    # The plaintext copy lives in a 0700 folder under the data dir, removed after (and swept at start-up
    # if a crash left it).
    with private_folder(settings.data_dir, "derive") as folder:
        path = _write_original(settings, item, folder)
        # OCR (numpy, Pillow), the importers and the analysis load on first use: `sxr --help` stays quick.
        if item.kind in SCREENSHOT_KINDS:
            from sxr.conversations.screenshots import read_screenshots

            conversation = read_screenshots([path], tz=settings.timezone)
            if conversation.messages:
                yield conversation
            return
        from sxr.conversations.importers import import_path
        from sxr.conversations.importers.archive import forget_sha256, remember_sha256

        remember_sha256(path, item.sha256)  # the locker checked it; each chat's import need not rehash
        try:
            yield from _each_chat(settings, item, path, problems, import_path, date_choice)
        finally:
            forget_sha256(path)


def _each_chat(
    settings: Settings,
    item: EvidenceItem,
    path: Path,
    problems: list[str] | None,
    import_path: Callable[..., Conversation],
    date_choice: str | None,
) -> Generator[Conversation]:
    try:
        yield read_chat(import_path, path, settings=settings, date_choice=date_choice)
        return
    except SeveralChats as several:
        chats = several.chats
    skipped = len(chats) - MAX_CHATS
    for chat in chats[:MAX_CHATS]:
        try:
            conversation = read_chat(import_path, path, settings=settings, chat=chat, date_choice=date_choice)
        except ExportError as exc:
            if problems is None:
                raise
            problems.append(f"The chat {chat!r} could not be read: {exc}")
            continue
        if conversation.title is None:
            conversation.title = chat
        if skipped > 0:
            conversation.warnings.append(
                f"{item.original_name} holds {len(chats)} chats: only the first {MAX_CHATS} were read "
                f"and {skipped} were skipped. Import the others one by one with sxr import --chat NAME."
            )
        yield conversation


def derive_conversation(session: Session, settings: Settings, item: EvidenceItem) -> Iterator[DerivedContent]:
    """Deriver: a conversation and its analysis (JSON) per chat in a chat export or screenshot.

    What it could not read is said on the item's reading (which the victim and staff see) and on the
    ledger; it never raises for a file it cannot read.
    """
    from sxr.analysis import analyze
    from sxr.analysis.services import flagged

    if item.kind not in EXPORT_KINDS | SCREENSHOT_KINDS:
        return
    earlier = evidence_services.reading_of(session, item)
    date_choice = earlier.date_choice if earlier is not None else None
    problems: list[str] = []
    read = 0
    first: DateReading | None = None
    # Each chat's indicators and whether the analysis flags it: kept for the search index once it is known
    # whether the item holds one chat (always about the offender) or many (only flagged ones are).
    found: list[tuple[bool, object]] = []
    conversations = conversations_of(settings, item, problems, date_choice=date_choice)
    try:
        for conversation in conversations:
            read += 1
            first = first or conversation.date_reading
            yield DerivedContent("conversation", JSON_TYPE, _dumps(conversation.to_json()))
            analysis = analyze(conversation, phone_region=settings.phone_region)
            document = analysis.to_json()
            yield DerivedContent("analysis", JSON_TYPE, _dumps(document))
            note_analysis(session, item.case_id, document, identifiers=False)
            found.append((flagged(document), document.get("indicators")))
    except ExportError as exc:
        if item.kind == "archive" and isinstance(exc, NotAChatExport):
            # A zip of photos is evidence, not a chat export: said, but not a failure.
            evidence_services.record_reading(session, item, NO_CHAT, detail=str(exc))
            return
        if item.kind in SCREENSHOT_KINDS:
            problem = "picture"
        elif isinstance(exc, NotAChatExport):
            problem = "not_a_chat"
        else:
            problem = "unreadable"
        _not_read(session, item, problem, str(exc))
        return
    finally:
        conversations.close()
    if not read:
        if problems:
            _not_read(session, item, "unreadable", " ".join(problems[:3]))
        else:
            # A picture in which no chat message was found: a photo, or a screenshot too blurred to read.
            evidence_services.record_reading(session, item, NO_CHAT, problem="no_messages")
        return
    for is_flagged, indicators in found:
        if read == 1 or is_flagged:  # as analysis.services.case_analyses decides what is relevant
            note_identifiers(session, item.case_id, indicators)
    for problem in problems[:50]:
        # The other chats were read: keep them, and put each chat that failed on the ledger.
        _warn(session, item, problem)
    evidence_services.record_reading(
        session,
        item,
        PARTLY_READ if problems else READ,
        problem="some_chats" if problems else None,
        detail=" ".join(problems[:3]) or None,
        date_order=first.order if first else None,
        date_how=first.how if first else None,
    )


def _warn(session: Session, item: EvidenceItem, error: str) -> None:
    evidence_services.warn_derivation(session, item, "derive_conversation", error)


def _not_read(session: Session, item: EvidenceItem, problem: str, error: str) -> None:
    _warn(session, item, error)
    evidence_services.record_reading(session, item, NOT_READ, problem=problem, detail=error[:1000])


def _dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


# Every deriver, in the order they run on each new evidence item: links come after the analysis.
DERIVERS: Final[tuple[Deriver, ...]] = (derive_conversation, link_case)
