"""Telegram Desktop "Export chat history" / "Export Telegram data" (`result.json`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.json_members import (
    head_text,
    json_document,
    json_events,
    json_items,
    json_top_keys,
)
from sxr.conversations.importers.text import as_text
from sxr.conversations.importers.times import from_epoch, from_iso
from sxr.conversations.model import ExportError, Message, Notice

_NOT_INCLUDED = "(File not included"
# An ISO time that says its zone: "...Z" or "...+01:00" after the clock time.
_OFFSET = re.compile(r"T.*(?:[Zz]|[+-]\d{2}:?\d{2})$")


def text_of(value: Any) -> str:
    """Telegram's `text`: a string, or a list of strings and entities; links keep their address."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return as_text(value)
    parts = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            shown = as_text(part.get("text"))
            href = as_text(part.get("href"))
            parts.append(f"{shown} ({href})" if href and href != shown else shown)
    return "".join(parts)


class Telegram(Importer):
    format = "telegram"
    title = "Telegram"
    reads = "result.json"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            if not name.lower().endswith(".json"):
                continue
            head = head_text(files, name, 16384)
            if '"sender_name"' in head or '"MessageList"' in head:
                continue
            single = '"messages"' in head and ('"date_unixtime"' in head or '"from_id"' in head)
            single = single or ('"type": "personal_chat"' in head or '"type": "private_group"' in head)
            if single or _is_full_export(files, name, head):
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        if len(names) > 1:
            preferred = [n for n in names if PurePosixPath(n).name == "result.json"]
            names = preferred or names
            if len(names) > 1:
                raise ExportError(
                    f"{run.files.display} holds several Telegram exports ({', '.join(names[:5])}); "
                    "import one result.json at a time."
                )
        name = names[0]
        run.warn("Secret chats are never included in a Telegram export.")
        run.warn("View-once photos and videos are never included in a Telegram export.")
        keys = json_top_keys(run.files, name)
        if "messages" not in keys and ("chats" in keys or keys[:2] == list(_FULL_EXPORT_START)):
            yield from self._read_full(run, name)
            return
        for title in json_items_head(run.files, name, "name"):
            run.title = as_text(title) or None
        for i, raw in enumerate(json_items(run.files, name, "messages.item")):
            yield self._item(run, name, f"/messages/{i}", raw)

    def _read_full(self, run: ImportRun, name: str) -> Iterator[Item]:
        """One chat of an "Export Telegram data" result.json (its chats and the groups the account left)."""
        # Read once per chat when every chat is imported: parse it whole when it fits.
        document = json_document(run.files, name)
        if isinstance(document, dict):
            lists = {section: _chat_list(document, section) for section in _SECTIONS}
            del document
            section, index, chat_name = _pick(run, name, _chats_in(lists))
            run.title = chat_name
            chat = lists[section][index]
            del lists
            messages = chat.get("messages")
            if not isinstance(messages, list):
                raise ExportError(f"The chat {chat_name!r} in {name} has no message list.")
            for i, raw in enumerate(messages):
                yield self._item(run, name, f"/{section}/list/{index}/messages/{i}", raw)
            return
        if document is not None:
            raise ExportError(f"{name} is not a Telegram export; unknown export version.")
        section, index, chat_name = _choose_chat(run, name)
        run.title = chat_name
        for chat_index, chat in enumerate(json_items(run.files, name, f"{section}.list.item")):
            if chat_index == index:
                messages = chat.get("messages") if isinstance(chat, dict) else None
                if not isinstance(messages, list):
                    raise ExportError(f"The chat {chat_name!r} in {name} has no message list.")
                for i, raw in enumerate(messages):
                    yield self._item(run, name, f"/{section}/list/{index}/messages/{i}", raw)
                return
        raise ExportError(f"{name} ended before the chat {chat_name!r}.")

    def _item(self, run: ImportRun, name: str, pointer: str, raw: Any) -> Item:
        if not isinstance(raw, dict):
            raise ExportError(f"{name}: {pointer} is not a message object; unknown export version.")
        source = run.files.source(name, pointer=pointer)
        raw_date = as_text(raw.get("date"))
        sent_at = _sent_at(run, name, pointer, raw, raw_date)
        text = text_of(raw.get("text"))
        kind = raw.get("type", "message")
        if kind != "message":
            actor = as_text(raw.get("actor"))
            action = as_text(raw.get("action")).replace("_", " ")
            detail = f" ({raw['duration_seconds']} s)" if raw.get("duration_seconds") else ""
            reason = f", {raw['discard_reason']}" if raw.get("discard_reason") else ""
            words = " ".join(w for w in (actor, action + detail + reason, text) if w)
            return Notice(text=words or kind, source=source, sent_at=sent_at)
        sender_id = as_text(raw.get("from_id")) or None
        sender = as_text(raw.get("from")).strip() or (f"Deleted account {sender_id}" if sender_id else "")
        if not sender:
            return Notice(text=text or "(message without a sender)", source=source, sent_at=sent_at)
        run.sender(sender, sender_id)
        shared = _shared(raw)
        if shared:
            text = f"{text}\n{shared}" if text else shared
        forwarded = as_text(raw.get("forwarded_from")).strip()
        if forwarded:
            text = f"(forwarded from {forwarded}) {text}".rstrip()
        message = Message(
            i=0, sender=sender, text=text, source=source, sent_at=sent_at, sent_at_raw=raw_date or None
        )
        _attach(message, raw)
        if raw.get("edited") or raw.get("edited_unixtime"):
            message.edited = True
        return message


def _sent_at(run: ImportRun, name: str, pointer: str, raw: dict[str, Any], raw_date: str) -> datetime:
    """When a message was sent: its date_unixtime, else its date (local time in older exports)."""
    if raw.get("date_unixtime") not in (None, ""):
        try:
            return from_epoch(int(as_text(raw["date_unixtime"])))
        except ValueError as exc:
            raise ExportError(f"{name}: {pointer} has a bad date_unixtime.") from exc
    if not raw_date:
        raise ExportError(f"{name}: {pointer} has no date; unknown export version.")
    sent_at = from_iso(raw_date, run)
    if _OFFSET.search(raw_date.strip()) is None:
        run.warn(
            "This older Telegram export gives local times without a zone: times are read in the "
            f"{run.options.tz} zone (use --tz to change it)."
        )
    return sent_at


def _attach(message: Message, raw: dict[str, Any]) -> None:
    """A message's photo or file: its name in the export, or what it was where the export left it out."""
    for key in ("photo", "file"):
        value = raw.get(key)
        if isinstance(value, str) and value:
            kind_name = as_text(raw.get("media_type")) or key
            if value.startswith(_NOT_INCLUDED):
                message.attach(f"{kind_name} (not included in the export)")
            else:
                message.attach(value)


def _shared(raw: dict[str, Any]) -> str:
    """A shared contact, poll or location as words (Telegram keeps them outside the message's text)."""
    lines = []
    contact = raw.get("contact_information")
    if isinstance(contact, dict):
        parts = [as_text(contact.get(key)).strip() for key in ("first_name", "last_name", "phone_number")]
        lines.append("Contact: " + (" ".join(p for p in parts if p) or "(no name or number)"))
    poll = raw.get("poll")
    if isinstance(poll, dict):
        answers = [as_text(a.get("text")) for a in poll.get("answers") or [] if isinstance(a, dict)]
        lines.append(" / ".join([f"Poll: {as_text(poll.get('question'))}", *answers]))
    location = raw.get("location_information")
    if isinstance(location, dict):
        where = f"{as_text(location.get('latitude'))}, {as_text(location.get('longitude'))}"
        place = ", ".join(p for p in (as_text(raw.get("place_name")), as_text(raw.get("address"))) if p)
        if place:
            where = f"{place} ({where})"
        live = raw.get("live_location_period_seconds")
        if live:
            lines.append(f"Live location: {where} (shared for {as_text(live)} s)")
        else:
            lines.append(f"Location: {where}")
    return "\n".join(lines)


def json_items_head(files: ExportFiles, name: str, key: str) -> list[Any]:
    """A top-level scalar written before the messages (the chat's name)."""
    from sxr.conversations.importers.base import json_head_items

    return [v for v in json_head_items(files, name, key) if isinstance(v, str)][:1]


# Telegram Desktop's "Export Telegram data" writes these keys first, then contacts, sessions... and chats.
_FULL_EXPORT_START = ("about", "personal_information")
# Where a full export lists chats: the chats the account is in, then the groups and channels it left.
_SECTIONS = ("chats", "left_chats")

Chat = tuple[str, int, str, str, str]  # section, index in it, name, type, id


def _is_full_export(files: ExportFiles, name: str, head: str) -> bool:
    """Whether a JSON member is a full Telegram export, known by its first top-level keys."""
    if not all(f'"{key}"' in head for key in _FULL_EXPORT_START):
        return False
    keys = json_top_keys(files, name, 16384)
    return keys[:2] == list(_FULL_EXPORT_START) or ("chats" in keys and "messages" not in keys)


def _chat_list(document: dict[str, Any], section: str) -> list[Any]:
    """The chat list of one section of a parsed full export (empty when the export has none)."""
    listed = document.get(section)
    listed = listed.get("list") if isinstance(listed, dict) else None
    if listed is None:
        return []
    if not isinstance(listed, list):
        raise ExportError(f"The {section} list of the export is not a list; unknown export version.")
    return listed


def _choose_chat(run: ImportRun, name: str) -> tuple[str, int, str]:
    """Which chat of a full export too big to hold to import, listed in one streamed pass."""
    chats: list[Chat] = []
    starts = {f"{section}.list.item": section for section in _SECTIONS}
    fields = {f"{item}.{key}": key for item in starts for key in ("name", "type", "id")}
    counts = dict.fromkeys(_SECTIONS, -1)
    current: dict[str, str] = {}
    with run.files.open(name) as stream:
        for prefix, event, value in json_events(run.files, name, stream):
            if prefix in starts and event == "start_map":
                counts[starts[prefix]] += 1
                current = {}
            elif prefix in starts and event == "end_map":
                section = starts[prefix]
                chats.append(
                    (
                        section,
                        counts[section],
                        current.get("name", ""),
                        current.get("type", ""),
                        current.get("id", ""),
                    )
                )
            elif prefix in fields:
                current[fields[prefix]] = as_text(value)
    return _pick(run, name, chats)


def _chats_in(lists: dict[str, list[Any]]) -> list[Chat]:
    """(section, index, name, type, id) of each chat in a parsed full export's chat lists."""
    chats = []
    for section, listed in lists.items():
        for index, chat in enumerate(listed):
            if not isinstance(chat, dict):
                raise ExportError(f"Chat {index} of the export is not an object; unknown export version.")
            fields = [as_text(chat.get(key)) for key in ("name", "type", "id")]
            chats.append((section, index, fields[0], fields[1], fields[2]))
    return chats


def _pick(run: ImportRun, name: str, chats: list[Chat]) -> tuple[str, int, str]:
    """Which chat of a full export to import: the only real one, or the one named by --chat."""
    real = [ChatChoice(c[2], c[4], c) for c in chats if c[3] != "saved_messages"]
    if run.options.chat:  # the account's own saved messages can be asked for by name
        real += [ChatChoice(c[2], c[4], c) for c in chats if c[3] == "saved_messages"]
    chosen = choose_chat(run, real, name).value
    return chosen[0], chosen[1], chosen[2]
