"""Signal, as exported by signal-export (`sigexport`): a folder per chat with `data.json` and `chat.md`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.decoding import text_lines
from sxr.conversations.importers.json_members import head_text
from sxr.conversations.importers.text import as_text, strip_bidi
from sxr.conversations.importers.times import from_iso
from sxr.conversations.model import ExportError, Message, Notice, SourceRef

# chat.md: "[2025-01-31 18:02:11] Name: text" (older signal-export: "[2019-05-29, 15:04] Me: text"),
# continuation lines until the next stamp.
_MD_LINE = re.compile(
    r"^\[(?P<stamp>\d{4}-\d{2}-\d{2},? \d{2}:\d{2}(?::\d{2})?)\] (?P<sender>[^:\n]{1,100}): ?(?P<text>.*)$"
)
# sigexport writes an attachment as a markdown link to its file, the path URL-encoded; a web link someone
# typed ([text](https://...)) is text, not an attachment.
_MD_ATTACHMENT = re.compile(r"!?\[(?P<name>[^\]]*)\]\((?P<path>(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^)]*)\)")
# chat.md writes a message's reactions on a line of their own, "(- Name: 😂, Other: 👍 -)", and a sticker
# without its image as "(( 😂 ))": neither is text the sender wrote.
_MD_REACTIONS = re.compile(r"^\(- (?P<list>.+) -\)$")
_MD_REACTION = re.compile(r"(?P<name>[^,]+?): (?P<emoji>[^,]+)(?:, |$)")
_MD_STICKER = re.compile(r"^\(\( (?P<label>.*) \)\)$")
_DELETED = "(This message was deleted)"


@dataclass(slots=True)
class _Pending:
    stamp: str
    sender: str
    first: int
    last: int
    lines: list[str] = field(default_factory=list)


class Signal(Importer):
    format = "signal"
    title = "Signal"
    reads = "signal-export chat.md or data.json"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            base = PurePosixPath(name).name.lower()
            if base == "data.json" or (files.kind == "file" and base.endswith((".json", ".jsonl"))):
                first = head_text(files, name, 4096).lstrip().split("\n", 1)[0]
                if first.startswith("{") and '"sender"' in first and '"date"' in first and '"body"' in first:
                    found.append(name)
            elif base == "chat.md" or (files.kind == "file" and base.endswith(".md")):
                first = head_text(files, name, 4096).lstrip().split("\n", 1)[0]
                if _MD_LINE.match(first):
                    found.append(name)
        # Where a chat has both, data.json says more (attachments, deletions) than chat.md.
        folders_with_json = {str(PurePosixPath(n).parent) for n in found if n.lower().endswith("data.json")}
        return [
            n
            for n in found
            if n.lower().endswith(".json") or str(PurePosixPath(n).parent) not in folders_with_json
        ]

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = _choose(run, names)
        parent = PurePosixPath(name).parent
        if str(parent) != ".":
            run.title = parent.name
        else:  # the chat's own folder (or file) was given: its folder is named after the chat
            run.title = run.files.path.name if run.files.kind == "folder" else run.files.path.parent.name
        run.warn(
            "signal-export writes local times without a zone: times are read in the "
            f"{run.options.tz} zone (use --tz to change it)."
        )
        run.warn("View-once photos and videos are never kept by Signal, so they are not in the export.")
        if name.lower().endswith(".md"):
            yield from self._read_markdown(run, name)
        else:
            yield from self._read_json_lines(run, name)

    def _read_json_lines(self, run: ImportRun, name: str) -> Iterator[Item]:
        with run.files.open(name) as raw:
            for line_no, line in enumerate(text_lines(raw, run, name), start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ExportError(f"{name} line {line_no} is not valid JSON ({exc.msg}).") from exc
                if not isinstance(entry, dict) or "date" not in entry:
                    raise ExportError(f"{name} line {line_no} has no date; unknown signal-export version.")
                yield from self._json_items(run, name, line_no, entry)

    def _json_items(self, run: ImportRun, name: str, line_no: int, entry: dict[str, Any]) -> Iterator[Item]:
        source = run.files.source(name, lines=(line_no, line_no))
        stamp = as_text(entry.get("date"))
        sent_at = from_iso(stamp, run)
        sender = strip_bidi(as_text(entry.get("sender"))).strip()
        body = _unpad(as_text(entry.get("body")))
        if entry.get("call") or not sender:
            missed = " (missed)" if entry.get("missed") else ""
            yield Notice(text=f"{sender} call{missed} {body}".strip(), source=source, sent_at=sent_at)
            return
        run.sender(sender)
        # sigexport writes the quoted message ("\n\n> words\n\n") before the body: the quoted words are
        # someone else's (often the victim's), so they stay out of this sender's text.
        quote = _quoted(as_text(entry.get("quote")).split("\n"))
        if quote:
            yield _quote_notice(sender, quote, source, sent_at)
        message = Message(i=0, sender=sender, text=body, source=source, sent_at=sent_at, sent_at_raw=stamp)
        for attachment in entry.get("attachments") or []:
            if isinstance(attachment, dict):
                message.attach(as_text(attachment.get("path") or attachment.get("name")))
        sticker = entry.get("sticker")
        if isinstance(sticker, dict):
            message.attach(f"sticker {as_text(sticker.get('emoji'))}".strip())
        elif isinstance(sticker, str) and sticker.strip():  # older sigexport: the sticker's emoji alone
            message.attach(f"sticker {sticker.strip()}")
        message.deleted = bool(entry.get("deleted"))
        yield message
        for reaction in entry.get("reactions") or []:
            if isinstance(reaction, (list, tuple)) and len(reaction) == 2:
                who, emoji = (strip_bidi(as_text(part)).strip() for part in reaction)
                yield _reaction_notice(who, emoji, sender, source, sent_at)

    def _read_markdown(self, run: ImportRun, name: str) -> Iterator[Item]:
        pending: _Pending | None = None
        with run.files.open(name) as raw:
            for line_no, line in enumerate(text_lines(raw, run, name), start=1):
                match = _MD_LINE.match(line)
                if match is None:
                    if pending is None:
                        if line.strip():
                            raise ExportError(f"{name} line {line_no} is not a signal-export chat line.")
                        continue
                    pending.lines.append(line)
                    pending.last = line_no
                    continue
                if pending is not None:
                    yield from self._md_items(run, name, pending)
                pending = _Pending(
                    match["stamp"], strip_bidi(match["sender"]).strip(), line_no, line_no, [match["text"]]
                )
        if pending is not None:
            yield from self._md_items(run, name, pending)

    def _md_items(self, run: ImportRun, name: str, pending: _Pending) -> Iterator[Item]:
        while len(pending.lines) > 1 and not pending.lines[-1].strip():
            pending.lines.pop()
            pending.last -= 1
        sent_at: datetime | None
        try:
            sent_at = run.local(datetime.fromisoformat(pending.stamp.replace(",", "")))
        except ValueError:
            # One bad stamp loses nothing: the message is kept without a time, and said.
            sent_at = None
            run.warn(
                f"{name} line {pending.first}: the date and time {pending.stamp!r} is not a real date, so "
                "that message is kept without a time."
            )
        source = run.files.source(name, lines=(pending.first, pending.last))
        run.sender(pending.sender)
        quote, lines = _md_quote(pending.lines)
        kept: list[str] = []
        reactions: list[tuple[str, str]] = []
        stickers: list[str] = []
        # The stamp's own line is the start of the body; reactions and stickers come on lines of their own.
        own_line = not quote
        for line in lines:
            line = line.rstrip(" ")
            reacted = None if own_line else _MD_REACTIONS.match(line)
            sticker = None if own_line or reacted else _MD_STICKER.match(line)
            own_line = False
            if reacted is not None:
                reactions += [
                    (r["name"].strip(), r["emoji"].strip()) for r in _MD_REACTION.finditer(reacted["list"])
                ]
            elif sticker is not None:
                stickers.append(sticker["label"].strip())
            else:
                kept.append(line)
        body = "\n".join(kept).strip("\n")
        if quote:
            yield _quote_notice(pending.sender, quote, source, sent_at)
        message = Message(
            i=0,
            sender=pending.sender,
            text=body,
            source=source,
            sent_at=sent_at,
            sent_at_raw=pending.stamp,
        )
        if body.strip() == _DELETED:
            message.deleted = True
            message.text = ""
        for attachment in _MD_ATTACHMENT.finditer(body):
            message.attach(unquote(attachment["path"].removeprefix("./")))
        if message.attachments:
            message.text = _MD_ATTACHMENT.sub("", body).strip()
        message.attach(*(f"sticker {label}".strip() for label in stickers))
        yield message
        for who, emoji in reactions:
            yield _reaction_notice(who, emoji, pending.sender, source, sent_at)


def _unpad(text: str) -> str:
    """Text without sigexport's markdown line breaks (two spaces at the end of each line)."""
    return "\n".join(line.rstrip(" ") for line in text.split("\n"))


def _md_quote(lines: list[str]) -> tuple[str, list[str]]:
    """A message's quote (or "") and the lines after it.

    A quote: the first line empty, a blank line, the quoted lines ("> ..."), a blank line, the body.
    """
    if len(lines) > 2 and not lines[0].strip() and not lines[1].strip() and lines[2].startswith(">"):
        end = 2
        while end < len(lines) and lines[end].startswith(">"):
            end += 1
        return _quoted(lines[2:end]), lines[end + 1 :] if end < len(lines) and not lines[
            end
        ].strip() else lines[end:]
    return "", lines


def _quoted(lines: list[str]) -> str:
    """The words of a quoted message from its "> " lines."""
    words = [line.removeprefix(">").removeprefix(" ").rstrip(" ") for line in lines if line.startswith(">")]
    return "\n".join(words).strip()


def _quote_notice(sender: str, quote: str, source: SourceRef, sent_at: datetime | None) -> Notice:
    return Notice(text=f'{sender} replied to this earlier message: "{quote}"', source=source, sent_at=sent_at)


def _reaction_notice(
    who: str, emoji: str, sender: str, source: SourceRef, sent_at: datetime | None
) -> Notice:
    # The export does not say when the reaction was made: the notice carries the message's time.
    return Notice(text=f"{who} reacted {emoji} to a message from {sender}", source=source, sent_at=sent_at)


def _choose(run: ImportRun, names: list[str]) -> str:
    choices = [ChatChoice(PurePosixPath(n).parent.name, n, n) for n in names]
    return str(choose_chat(run, choices, run.files.display, "Signal chats").value)
