"""Snapchat "My Data" `chat_history.json`: keyed by conversation, or the older sent/received lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.json_members import head_text, json_items, json_kvitems
from sxr.conversations.importers.text import as_text, pointer_escape
from sxr.conversations.importers.times import from_epoch
from sxr.conversations.model import ExportError, Message, Notice

_OLD_KEYS = (
    "Received Saved Chat History",
    "Sent Saved Chat History",
    "Received Chat History",
    "Sent Chat History",
    "Received Unsaved Chat History",
    "Sent Unsaved Chat History",
)


def _created(entry: dict[str, Any], where: str, run: ImportRun) -> tuple[datetime, float]:
    """The time of one chat entry (Snapchat writes UTC) and a sort key with sub-second precision."""
    raw = as_text(entry.get("Created")).strip()
    number = entry.get("Created(microseconds)")
    if isinstance(number, int | float) and number > 0:
        # Despite its name the field holds milliseconds in every export seen; tell them apart by size.
        seconds = number / 1_000_000 if number > 10**14 else number / 1000
        return from_epoch(seconds), seconds
    if not raw:
        raise ExportError(f"{where} has no Created time; unknown chat_history version.")
    text = raw.removesuffix(" UTC").strip()
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError as exc:
        raise ExportError(f"{where}: {raw!r} is not a time sxr can read.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=from_epoch(0).tzinfo)
    return parsed, parsed.timestamp()


def _group_title(entries: Any) -> str:
    """A group chat's "Conversation Title" (one-to-one chats have none)."""
    if not isinstance(entries, list):
        return ""
    for entry in entries:
        if isinstance(entry, dict):
            title = as_text(entry.get("Conversation Title")).strip()
            if title:
                return title
    return ""


class Snapchat(Importer):
    format = "snapchat"
    title = "Snapchat"
    reads = "chat_history.json"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            if PurePosixPath(name.lower()).name != "chat_history.json" and not (
                files.kind == "file" and name.lower().endswith(".json")
            ):
                continue
            head = head_text(files, name, 8192)
            if ('"Media Type"' in head and '"Created"' in head) or any(f'"{k}"' in head for k in _OLD_KEYS):
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        if len(names) > 1:
            raise ExportError(f"{run.files.display} holds several chat_history.json files; import one.")
        name = names[0]
        run.warn("Snapchat's download holds only chats that were saved or not yet deleted by Snapchat.")
        run.warn("Snaps (photos and videos) are never in the download, only that they were sent.")
        head = head_text(run.files, name, 8192)
        if any(f'"{k}"' in head for k in _OLD_KEYS):
            yield from self._read_old(run, name)
        else:
            yield from self._read_keyed(run, name)

    def _read_keyed(self, run: ImportRun, name: str) -> Iterator[Item]:
        choices: list[ChatChoice] = []
        titles: dict[str, str] = {}
        for key, listed in json_kvitems(run.files, name, ""):
            # A group is keyed by an id; people know it by its "Conversation Title".
            title = _group_title(listed)
            if title:
                titles[key] = title
            choices.append(ChatChoice(title or key, key, key))
        key = choose_chat(run, choices, name, "conversations").value
        # A second pass keeps only the chosen conversation in memory.
        entries: Any = None
        for found, value in json_kvitems(run.files, name, ""):
            if found == key:
                entries = value
                break
        if not isinstance(entries, list):
            raise ExportError(f"{name}: {key!r} is not a list of chats; unknown chat_history version.")
        run.title = titles.get(key, key)
        rows = []
        for i, entry in enumerate(entries):
            where = f"/{pointer_escape(key)}/{i}"
            if not isinstance(entry, dict):
                raise ExportError(f"{name}: {where} is not a chat entry; unknown chat_history version.")
            when, order = _created(entry, f"{name} {where}", run)
            rows.append((order, -i, when, where, entry))
        rows.sort(key=lambda row: (row[0], row[1]))  # newest first in the file: oldest first here
        for _, _, when, where, entry in rows:
            yield self._item(run, name, where, when, entry, as_text(entry.get("From")))

    def _read_old(self, run: ImportRun, name: str) -> Iterator[Item]:
        rows = []
        partners: set[str] = set()
        for key in _OLD_KEYS:
            for i, entry in enumerate(json_items(run.files, name, f"{key}.item")):
                where = f"/{pointer_escape(key)}/{i}"
                if not isinstance(entry, dict):
                    raise ExportError(f"{name}: {where} is not a chat entry.")
                received = key.startswith("Received")
                partner = as_text(entry.get("From" if received else "To"))
                partners.add(partner)
                when, order = _created(entry, f"{name} {where}", run)
                sender = partner if received else "me (the account holder)"
                rows.append((order, when, where, entry, sender, partner))
        ordered = sorted(partners)
        partner = choose_chat(run, [ChatChoice(p, p, p) for p in ordered], name, "conversations").value
        rows = [row for row in rows if row[5] == partner]
        run.title = rows[0][5] if rows else None
        rows.sort(key=lambda row: row[0])
        for _, when, where, entry, sender, _partner in rows:
            yield self._item(run, name, where, when, entry, sender)

    def _item(
        self, run: ImportRun, name: str, where: str, when: datetime, entry: dict[str, Any], sender: str
    ) -> Item:
        source = run.files.source(name, pointer=where)
        media = as_text(entry.get("Media Type")).upper()
        text = as_text(entry.get("Content", entry.get("Text")))
        if media.startswith("STATUS") or not sender.strip():
            return Notice(text=f"{media} {text}".strip(), source=source, sent_at=when)
        run.sender(sender.strip(), sender.strip() if sender != "me (the account holder)" else None)
        message = Message(
            i=0,
            sender=sender.strip(),
            text=text,
            source=source,
            sent_at=when,
            sent_at_raw=as_text(entry.get("Created")) or None,
        )
        if media and media != "TEXT":
            ids = as_text(entry.get("Media IDs"))
            message.attach(f"{media.lower()}{': ' + ids if ids else ''}")
        return message
