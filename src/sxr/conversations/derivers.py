"""Evidence derivers: a chat export or screenshot added to a case becomes a conversation and its analysis.

Both are stored as derived items that point to their evidence item; the original is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from sxr.cases.services import note_risk
from sxr.config import Settings
from sxr.conversations.model import Conversation, ExportError, SeveralChats
from sxr.evidence import ledger
from sxr.evidence import services as evidence_services
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import DerivedContent
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


def conversation_of(settings: Settings, item: EvidenceItem) -> Conversation | None:
    """The (first) conversation held by an evidence item, or None when it holds no chat."""
    conversations = conversations_of(settings, item)
    try:
        return next(conversations, None)
    finally:
        conversations.close()


def conversations_of(
    settings: Settings, item: EvidenceItem, problems: list[str] | None = None
) -> Generator[Conversation]:
    """Every conversation an evidence item holds, one at a time; chats that fail go to `problems`."""
    if item.kind not in EXPORT_KINDS | SCREENSHOT_KINDS:
        return
    # The plaintext copy lives in a 0700 folder under the data dir, removed after (and swept at start-up
    # if a crash left it).
    with private_folder(settings.data_dir, "derive") as folder:
        path = _write_original(settings, item, folder)
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
            yield from _each_chat(settings, item, path, problems, import_path)
        finally:
            forget_sha256(path)


def _each_chat(
    settings: Settings,
    item: EvidenceItem,
    path: Path,
    problems: list[str] | None,
    import_path: Callable[..., Conversation],
) -> Generator[Conversation]:
    try:
        yield import_path(path, tz=settings.timezone)
        return
    except SeveralChats as several:
        chats = several.chats
    skipped = len(chats) - MAX_CHATS
    for chat in chats[:MAX_CHATS]:
        try:
            conversation = import_path(path, tz=settings.timezone, chat=chat)
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
    """Deriver: a conversation and its analysis (JSON) per chat in a chat export or screenshot."""
    from sxr.analysis import analyze

    problems: list[str] = []
    read = 0
    conversations = conversations_of(settings, item, problems)
    try:
        for conversation in conversations:
            read += 1
            yield DerivedContent("conversation", JSON_TYPE, _dumps(conversation.to_json()))
            analysis = analyze(conversation, phone_region=settings.phone_region)
            document = analysis.to_json()
            yield DerivedContent("analysis", JSON_TYPE, _dumps(document))
            note_risk(session, item.case_id, document.get("risk"))
        for problem in problems[:50] if read else ():
            # The other chats were read: keep them, and put each chat that failed on the ledger.
            ledger.append(
                session,
                item.case_id,
                "warning",
                actor="system",
                evidence_item_id=item.id,
                sha256=item.sha256,
                details={"deriver": "derive_conversation", "error": problem[:500]},
            )
    except ExportError as exc:
        if item.kind == "archive" and "no chat" in str(exc).lower():
            return  # a zip of photos is evidence, not a chat export
        raise
    finally:
        conversations.close()
    if problems and not read:
        raise ExportError(" ".join(problems[:3])[:1000])


def _dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def install() -> None:
    """Register the derivers with the evidence locker (once per process)."""
    if derive_conversation not in evidence_services.DERIVERS:
        evidence_services.DERIVERS.append(derive_conversation)
