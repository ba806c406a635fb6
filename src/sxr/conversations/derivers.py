"""Evidence derivers: a chat export or screenshot added to a case becomes a conversation and its analysis.

Both are stored as derived items that point to their evidence item; the original is never touched.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.conversations.model import Conversation, ExportError
from sxr.evidence import services as evidence_services
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import DerivedContent

# Evidence kinds (from the file's bytes) that may hold a chat.
EXPORT_KINDS = frozenset({"chat_export", "archive", "email"})
SCREENSHOT_KINDS = frozenset({"image"})
JSON_TYPE = "application/json"


def _write_original(settings: Settings, item: EvidenceItem, folder: Path) -> Path:
    # Importers read paths (zips, tars); the plaintext copy lives outside the data dir and is removed after.
    path = folder / (Path(item.original_name).name or "evidence")
    with path.open("wb") as out:
        for chunk in evidence_services.open_original(settings, item):
            out.write(chunk)
    path.chmod(0o600)
    return path


def conversation_of(settings: Settings, item: EvidenceItem) -> Conversation | None:
    """The conversation held by an evidence item, or None when it holds no chat."""
    if item.kind not in EXPORT_KINDS | SCREENSHOT_KINDS:
        return None
    with tempfile.TemporaryDirectory(prefix="sxr-derive-") as folder:
        path = _write_original(settings, item, Path(folder))
        if item.kind in SCREENSHOT_KINDS:
            from sxr.conversations.screenshots import read_screenshots

            conversation = read_screenshots([path], tz=settings.timezone)
            return conversation if conversation.messages else None
        from sxr.conversations.importers import import_path

        return import_path(path, tz=settings.timezone)


def derive_conversation(session: Session, settings: Settings, item: EvidenceItem) -> Iterator[DerivedContent]:
    """Deriver: the conversation and its analysis, as JSON, for chat exports and screenshots."""
    try:
        conversation = conversation_of(settings, item)
    except ExportError as exc:
        if item.kind == "archive" and "no chat" in str(exc).lower():
            return  # a zip of photos is evidence, not a chat export
        raise
    if conversation is None:
        return
    from sxr.analysis import analyze

    yield DerivedContent("conversation", JSON_TYPE, _dumps(conversation.to_json()))
    analysis = analyze(conversation, phone_region=settings.phone_region)
    yield DerivedContent("analysis", JSON_TYPE, _dumps(analysis.to_json()))


def _dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def install() -> None:
    """Register the derivers with the evidence locker (once per process)."""
    if derive_conversation not in evidence_services.DERIVERS:
        evidence_services.DERIVERS.append(derive_conversation)
