"""Skype "Export files and chat history": `messages.json`, bare or inside the `.tar` Skype gives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.json_members import head_text, json_head_items, json_items
from sxr.conversations.importers.text import as_text, html_to_text
from sxr.conversations.importers.times import from_iso
from sxr.conversations.model import ExportError, Message, Notice

# Message types a person sends; everything else (Event/Call, ThreadActivity/*, ...) is a notice.
_TEXT_TYPES = {"RichText", "Text"}
_MEDIA_PREFIX = "RichText/"
# Of the RichText/ kinds, these carry a file or card (the rest, RichText/HTML, /Link, /Sms ..., are text).
_MEDIA_KINDS = ("UriObject", "Media_", "Files", "Location", "Contacts", "ScheduledCallInvite")
_ORIGINAL_NAME = re.compile(r"<OriginalName v=\"([^\"]*)\"", re.IGNORECASE)
# Conversations that are Skype's own services, not people.
_SERVICE_IDS = ("48:", "28:", "8:echo123")


class Skype(Importer):
    format = "skype"
    title = "Skype"
    reads = "messages.json"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            if not name.lower().endswith(".json"):
                continue
            if files.kind != "file" and PurePosixPath(name.lower()).name != "messages.json":
                continue
            head = head_text(files, name, 8192)
            if '"conversations"' in head and ('"MessageList"' in head or '"userId"' in head):
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        if len(names) > 1:
            raise ExportError(f"{run.files.display} holds several Skype messages.json files; import one.")
        name = names[0]
        owner = next(iter(json_head_items(run.files, name, "userId")), None)
        choices: list[ChatChoice] = []
        for index, conversation in enumerate(json_items(run.files, name, "conversations.item")):
            if not isinstance(conversation, dict):
                raise ExportError(f"{name}: conversation {index} is not an object; unknown export version.")
            cid = as_text(conversation.get("id"))
            if cid.startswith(_SERVICE_IDS) or not conversation.get("MessageList"):
                continue
            choices.append(ChatChoice(as_text(conversation.get("displayName")) or cid, cid, index))
        index = choose_chat(run, choices, name, "conversations").value
        # A second pass keeps only the chosen conversation in memory.
        found = (c for i, c in enumerate(json_items(run.files, name, "conversations.item")) if i == index)
        conversation = next(found, None)
        if not isinstance(conversation, dict):
            raise ExportError(f"{name} changed while it was read; import it again.")
        run.title = as_text(conversation.get("displayName")) or as_text(conversation.get("id"))
        run.warn("Skype exports hold only what was still on Microsoft's servers; shared files expire there.")
        rows = []
        for i, raw in enumerate(conversation.get("MessageList") or []):
            where = f"/conversations/{index}/MessageList/{i}"
            if not isinstance(raw, dict) or not raw.get("originalarrivaltime"):
                raise ExportError(f"{name}: {where} has no originalarrivaltime; unknown export version.")
            when = from_iso(as_text(raw["originalarrivaltime"]), run)
            rows.append((when, -i, where, raw))
        rows.sort(key=lambda row: (row[0], row[1]))  # Skype lists newest first
        for when, _, where, raw in rows:
            yield self._item(run, name, where, when, raw, as_text(owner) if owner else None)

    def _item(
        self, run: ImportRun, name: str, where: str, when: Any, raw: dict[str, Any], owner: str | None
    ) -> Item:
        source = run.files.source(name, pointer=where)
        kind = as_text(raw.get("messagetype"))
        content = as_text(raw.get("content"))
        sender = as_text(raw.get("displayName")).strip()
        sender_id = as_text(raw.get("from")) or None
        if kind not in _TEXT_TYPES and not kind.startswith(_MEDIA_PREFIX):
            return Notice(text=_notice_text(kind, content, sender), source=source, sent_at=when)
        if not sender:
            sender = sender_id or ""
        if not sender:
            return Notice(text=html_to_text(content), source=source, sent_at=when)
        run.sender(sender, sender_id)
        message = Message(
            i=0,
            sender=sender,
            text="",
            source=source,
            sent_at=when,
            sent_at_raw=as_text(raw.get("originalarrivaltime")),
        )
        if kind.startswith(_MEDIA_PREFIX) and kind.removeprefix(_MEDIA_PREFIX).startswith(_MEDIA_KINDS):
            original = _ORIGINAL_NAME.search(content)
            message.attach(original.group(1) if original else kind.removeprefix(_MEDIA_PREFIX))
        else:
            # RichText, Text and the rich text kinds (RichText/HTML, RichText/Link ...): their words are
            # the message.
            message.text = html_to_text(content)
        properties = raw.get("properties")
        if isinstance(properties, dict):
            message.edited = bool(properties.get("edittime"))
            message.deleted = bool(properties.get("deletetime")) or (
                not content and bool(properties.get("edittime"))
            )
        return message


def _notice_text(kind: str, content: str, sender: str) -> str:
    """A one-line notice for a Skype event: 'call started by X', 'call ended (754 s)'."""
    if kind == "Event/Call":
        state = re.search(r'<partlist[^>]*type="(\w+)"', content)
        duration = re.search(r"<duration>(\d+)</duration>", content)
        words = f"call {state.group(1) if state else ''}".strip()
        if duration:
            words += f" ({duration.group(1)} s)"
        return f"{words} by {sender}" if sender else words
    return f"{kind}: {' '.join(html_to_text(content).split())}".strip()
