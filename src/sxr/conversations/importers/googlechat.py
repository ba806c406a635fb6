"""Google Chat from Google Takeout: `Google Chat/Groups/<DM or Space>/messages.json`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.json_members import head_text, json_document, json_items
from sxr.conversations.importers.text import as_text
from sxr.conversations.model import ExportError, Message, Notice

_WEEKDAY = re.compile(r"^\s*[^\W\d]+,\s*")


def parse_takeout_date(raw: str, run: ImportRun) -> datetime:
    """Takeout's 'Monday, January 1, 2024 at 12:00:00 PM UTC' (English month names; zone when given)."""
    from dateutil import parser

    text = _WEEKDAY.sub("", raw.replace("\u202f", " ").replace("\u00a0", " ")).replace(" at ", " ")
    try:
        parsed = parser.parse(text)
    except (ValueError, OverflowError) as exc:
        raise ExportError(f"{raw!r} is not a time sxr can read.") from exc
    if parsed.tzinfo is None:
        return run.local(parsed)
    return parsed


class GoogleChat(Importer):
    format = "googlechat"
    title = "Google Chat"
    reads = "Takeout messages.json"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            if PurePosixPath(name.lower()).name != "messages.json":
                continue
            head = head_text(files, name, 8192)
            if '"creator"' in head and '"created_date"' in head:
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name, info = _choose(run, names)
        parent = PurePosixPath(name).parent
        if info.name:
            run.title = info.name
        elif str(parent) != ".":
            run.title = parent.name
        else:  # the chat's own folder (or file) was given: its folder is named after the chat
            run.title = run.files.path.name if run.files.kind == "folder" else run.files.path.parent.name
        run.warn("Google Takeout leaves out messages a Workspace administrator's retention rules deleted.")
        for i, raw in enumerate(json_items(run.files, name, "messages.item")):
            yield self._item(run, name, i, raw)
        for member, email in info.members:  # members who never wrote are in the chat too
            run.sender(member, email)

    def _item(self, run: ImportRun, name: str, i: int, raw: Any) -> Item:
        if not isinstance(raw, dict) or "created_date" not in raw:
            raise ExportError(f"{name}: message {i} has no created_date; unknown Takeout version.")
        source = run.files.source(name, pointer=f"/messages/{i}")
        stamp = as_text(raw["created_date"])
        sent_at = parse_takeout_date(stamp, run)
        creator: dict[str, Any] = raw["creator"] if isinstance(raw.get("creator"), dict) else {}
        sender = as_text(creator.get("name")).strip() or as_text(creator.get("email")).strip()
        text = as_text(raw.get("text"))
        if not sender:
            return Notice(text=text or "(system message)", source=source, sent_at=sent_at)
        change = _membership_change(raw)
        if change is not None and not text:
            # Google Chat's own note that someone joined or left, "sent" by "Google Chat".
            return Notice(text=f"Membership change: {change}", source=source, sent_at=sent_at)
        run.sender(sender, as_text(creator.get("email")) or None)
        message = Message(i=0, sender=sender, text=text, source=source, sent_at=sent_at, sent_at_raw=stamp)
        for attached in raw.get("attached_files") or []:
            if isinstance(attached, dict):
                message.attach(as_text(attached.get("export_name") or attached.get("original_name")))
        message.edited = bool(raw.get("updated_date"))
        message.deleted = as_text(raw.get("message_state")).upper() == "DELETED"
        return message


def _membership_change(raw: dict[str, Any]) -> str | None:
    """ "added", "removed" ... where a message is Google Chat's note of a membership change."""
    for annotation in raw.get("annotations") or []:
        if isinstance(annotation, dict) and isinstance(annotation.get("membership_changed_metadata"), dict):
            kind = as_text(annotation["membership_changed_metadata"].get("type")).strip().lower()
            return kind or "changed"
    return None


@dataclass(slots=True)
class _Info:
    """What a chat's group_info.json says: the space's name (or the DM's members' names) and its members."""

    name: str = ""
    members: list[tuple[str, str | None]] = field(default_factory=list)


def _info(run: ImportRun, name: str, present: set[str]) -> _Info:
    parent = PurePosixPath(name).parent
    info_name = "group_info.json" if str(parent) == "." else f"{parent}/group_info.json"
    if info_name not in present:
        return _Info()
    try:
        document = json_document(run.files, info_name)
    except ExportError:
        run.warn(f"{info_name} could not be read, so a chat is named by its folder.")
        return _Info()
    if not isinstance(document, dict):
        return _Info()
    members = []
    for member in document.get("members") or []:
        if isinstance(member, dict):
            email = as_text(member.get("email")).strip() or None
            shown = as_text(member.get("name")).strip() or email
            if shown:
                members.append((shown, email))
    title = as_text(document.get("name")).strip()
    if not title and members:
        title = " and ".join(shown for shown, _ in members) if len(members) <= 4 else ""
    return _Info(title, members)


def _choose(run: ImportRun, names: list[str]) -> tuple[str, _Info]:
    """One conversation, by the name group_info.json gives (a space's name, a DM's members) or its folder."""
    present = set(run.files.names())
    choices = []
    for n in names:
        info = _info(run, n, present)
        folder = PurePosixPath(n).parent.name
        choices.append(ChatChoice(info.name or folder, folder or n, (n, info)))
    chosen, info = choose_chat(run, choices, run.files.display, "Google Chat conversations").value
    return str(chosen), info
