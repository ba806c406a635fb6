"""Discord: DiscordChatExporter JSON, and Discord's own data package (messages/c<id>/messages.json|csv)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.decoding import text_stream
from sxr.conversations.importers.json_members import head_text, json_document, json_head_items, json_items
from sxr.conversations.importers.text import as_text
from sxr.conversations.importers.times import from_iso
from sxr.conversations.model import ExportError, Message, Notice

MESSAGE_TYPES = {"Default", "Reply"}
_PACKAGE_FILE = re.compile(r"(?:^|/)messages/c?(\d+)/messages\.(json|csv)$", re.IGNORECASE)
_PACKAGE_WARNING = (
    "Discord's own data package holds only the messages this account sent, never the other person's: "
    "export the whole conversation with DiscordChatExporter or take screenshots."
)


class Discord(Importer):
    format = "discord"
    title = "Discord"
    reads = "DiscordChatExporter JSON or a data package"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            lower = name.lower()
            if _PACKAGE_FILE.search(lower):
                found.append(name)
                continue
            if not lower.endswith(".json"):
                continue
            head = head_text(files, name, 8192)
            if '"guild"' in head and '"channel"' in head and '"messages"' in head:
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        exporter = [n for n in names if not _PACKAGE_FILE.search(n.lower())]
        package = [n for n in names if _PACKAGE_FILE.search(n.lower())]
        chosen = _choose(run, exporter or package)
        if chosen in package:
            yield from self._read_package(run, chosen)
            return
        channels = json_head_items(run.files, chosen, "channel")
        if channels and isinstance(channels[0], dict):
            run.title = as_text(channels[0].get("name")) or None
        run.warn("View-once media and deleted messages are never in a Discord export.")
        for i, raw in enumerate(json_items(run.files, chosen, "messages.item")):
            yield self._item(run, chosen, i, raw)

    def _item(self, run: ImportRun, name: str, i: int, raw: Any) -> Item:
        if not isinstance(raw, dict) or "timestamp" not in raw:
            raise ExportError(f"{name}: message {i} has no timestamp; unknown export version.")
        source = run.files.source(name, pointer=f"/messages/{i}")
        stamp = as_text(raw["timestamp"])
        # DiscordChatExporter writes the exporting computer's offset; one zone (UTC) for every message.
        sent_at = from_iso(stamp, run).astimezone(UTC)
        text = as_text(raw.get("content"))
        author: dict[str, Any] = raw["author"] if isinstance(raw.get("author"), dict) else {}
        sender = as_text(author.get("name")).strip()
        if raw.get("type", "Default") not in MESSAGE_TYPES or not sender:
            who = f"{sender}: " if sender else ""
            return Notice(text=f"{who}{raw.get('type')}: {text}".strip(), source=source, sent_at=sent_at)
        run.sender(sender, as_text(author.get("id")) or None)
        message = Message(i=0, sender=sender, text=text, source=source, sent_at=sent_at, sent_at_raw=stamp)
        _add_content(message, raw)
        # A forwarded message keeps what was forwarded in a snapshot of its own, not in "content".
        forwarded = raw.get("forwardedMessage")
        if isinstance(forwarded, dict):
            shown = Message(i=0, sender=sender, text=as_text(forwarded.get("content")), source=source)
            _add_content(shown, forwarded)
            message.text = "\n".join(
                part for part in (message.text, f"(forwarded) {shown.text}".rstrip()) if part
            )
            message.attach(*shown.attachments)
        message.edited = bool(raw.get("timestampEdited"))
        return message

    def _read_package(self, run: ImportRun, name: str) -> Iterator[Item]:
        run.warn(_PACKAGE_WARNING)
        owner = _package_owner(run.files)
        sender = run.sender(owner[1] or "me (the account holder)", owner[0])
        channel = _PACKAGE_FILE.search(name.lower())
        run.title = _package_channel_names(run.files).get(channel.group(1)) if channel else None
        if channel and not run.title:
            run.title = f"channel {channel.group(1)}"
        if name.lower().endswith(".csv"):
            rows = self._csv_rows(run, name)
        else:
            rows = ((f"/{i}", row) for i, row in enumerate(json_items(run.files, name, "item")))
        entries = []
        for where, row in rows:
            if not isinstance(row, dict):
                raise ExportError(f"{name}: {where} is not a message; unknown package version.")
            stamp = as_text(row.get("Timestamp"))
            if not stamp:
                raise ExportError(f"{name}: {where} has no Timestamp; unknown package version.")
            entries.append((stamp, where, row))
        # The package lists newest first; sort on the time (ISO strings in one zone sort as times).
        entries.sort(key=lambda entry: from_iso(entry[0].replace(" ", "T"), run))
        for stamp, where, row in entries:
            kwargs: dict[str, Any] = (
                {"lines": (int(where), int(where))} if where.isdigit() else {"pointer": where}
            )
            message = Message(
                i=0,
                sender=sender,
                text=as_text(row.get("Contents")),
                source=run.files.source(name, **kwargs),
                sent_at=from_iso(stamp.replace(" ", "T"), run),
                sent_at_raw=stamp,
            )
            attachments = as_text(row.get("Attachments")).split()
            message.attach(*attachments)
            yield message

    def _csv_rows(self, run: ImportRun, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        with run.files.open(name) as raw:
            reader = csv.DictReader(text_stream(raw, run, name))
            try:
                for row in reader:
                    yield str(reader.line_num), row
            except csv.Error as exc:
                raise ExportError(f"{name} is not a readable CSV file ({exc}).") from exc


def _add_content(message: Message, raw: dict[str, Any]) -> None:
    """Attachments, stickers and the words of embeds (a link's title, a bot's text) of a message."""
    for attachment in raw.get("attachments") or []:
        if isinstance(attachment, dict):
            message.attach(as_text(attachment.get("fileName") or attachment.get("url")))
    for sticker in raw.get("stickers") or []:
        if isinstance(sticker, dict):
            message.attach(f"sticker: {as_text(sticker.get('name'))}")
    for embed in raw.get("embeds") or []:
        if isinstance(embed, dict):
            words = _embed_text(embed, message.text)
            if words:
                message.text = f"{message.text}\n{words}" if message.text else words


def _embed_text(embed: dict[str, Any], text: str) -> str:
    """An embed's title, link, description and fields, one to a line, marked as an embed."""
    lines = [as_text(embed.get("title")).strip()]
    url = as_text(embed.get("url")).strip()
    if url and url not in text:
        lines.append(url)
    lines.append(as_text(embed.get("description")).strip())
    for embed_field in embed.get("fields") or []:
        if isinstance(embed_field, dict):
            field_name = as_text(embed_field.get("name")).strip()
            value = as_text(embed_field.get("value")).strip()
            lines.append(f"{field_name}: {value}" if field_name and value else field_name or value)
    kept = [line for line in lines if line]
    return "(embed) " + "\n".join(kept) if kept else ""


def _package_owner(files: ExportFiles) -> tuple[str | None, str | None]:
    """The account's id and username from account/user.json in a Discord package, when present."""
    for name in files.names():
        if PurePosixPath(name.lower()).as_posix().endswith("account/user.json"):
            values = json_head_items(files, name, "")
            if values and isinstance(values[0], dict):
                return as_text(values[0].get("id")) or None, as_text(values[0].get("username")) or None
    return None, None


def _package_channel_names(files: ExportFiles) -> dict[str, str]:
    """Channel id -> name ("Direct Message with jordan#0") from messages/index.json in a Discord package."""
    for name in files.names():
        if PurePosixPath(name.lower()).as_posix().endswith("messages/index.json"):
            document = json_document(files, name)
            if isinstance(document, dict):
                return {
                    str(key).removeprefix("c"): value
                    for key, value in document.items()
                    if isinstance(value, str)
                }
    return {}


def _choose(run: ImportRun, names: list[str]) -> str:
    """One chat file: an exporter's file by its name, a package's channel by its name in index.json."""
    channels = (
        _package_channel_names(run.files) if any(_PACKAGE_FILE.search(n.lower()) for n in names) else {}
    )
    choices = []
    for n in names:
        channel = _PACKAGE_FILE.search(n.lower())
        label = (
            (channels.get(channel.group(1)) or f"channel {channel.group(1)}")
            if channel
            else PurePosixPath(n).name
        )
        choices.append(ChatChoice(label, channel.group(1) if channel else n, n))
    return str(choose_chat(run, choices, run.files.display, "Discord conversations").value)
