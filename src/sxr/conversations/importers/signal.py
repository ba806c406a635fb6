"""Signal, as exported by signal-export (`sigexport`): a folder per chat with `data.json` and `chat.md`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers import register
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import (
    ChatChoice,
    Importer,
    ImportRun,
    Item,
    as_text,
    choose_chat,
    from_iso,
    head_text,
    strip_bidi,
    text_lines,
)
from sxr.conversations.model import ExportError, Message, Notice

# chat.md: "[2025-01-31 18:02:11] Name: text", continuation lines until the next stamp.
_MD_LINE = re.compile(
    r"^\[(?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)\] (?P<sender>[^:\n]{1,100}): ?(?P<text>.*)$"
)
_MD_ATTACHMENT = re.compile(r"!?\[(?P<name>[^\]]*)\]\((?P<path>[^)]*)\)")
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
                yield self._json_item(run, name, line_no, entry)

    def _json_item(self, run: ImportRun, name: str, line_no: int, entry: dict[str, Any]) -> Item:
        source = run.files.source(name, lines=(line_no, line_no))
        stamp = as_text(entry.get("date"))
        sent_at = from_iso(stamp, run)
        sender = strip_bidi(as_text(entry.get("sender"))).strip()
        body = as_text(entry.get("body"))
        if entry.get("call") or not sender:
            missed = " (missed)" if entry.get("missed") else ""
            return Notice(text=f"{sender} call{missed} {body}".strip(), source=source, sent_at=sent_at)
        run.sender(sender)
        quote = as_text(entry.get("quote"))
        message = Message(
            i=0, sender=sender, text=f"{quote}{body}", source=source, sent_at=sent_at, sent_at_raw=stamp
        )
        for attachment in entry.get("attachments") or []:
            if isinstance(attachment, dict):
                message.attach(as_text(attachment.get("path") or attachment.get("name")))
        sticker = entry.get("sticker")
        if isinstance(sticker, dict):
            message.attach(f"sticker {as_text(sticker.get('emoji'))}".strip())
        message.deleted = bool(entry.get("deleted"))
        return message

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
                    yield self._md_item(run, name, pending)
                pending = _Pending(
                    match["stamp"], strip_bidi(match["sender"]).strip(), line_no, line_no, [match["text"]]
                )
        if pending is not None:
            yield self._md_item(run, name, pending)

    def _md_item(self, run: ImportRun, name: str, pending: _Pending) -> Item:
        while len(pending.lines) > 1 and not pending.lines[-1].strip():
            pending.lines.pop()
            pending.last -= 1
        body = "\n".join(pending.lines)
        try:
            sent_at = run.local(datetime.fromisoformat(pending.stamp))
        except ValueError as exc:
            raise ExportError(f"{name} line {pending.first}: {pending.stamp!r} is not a real date.") from exc
        run.sender(pending.sender)
        message = Message(
            i=0,
            sender=pending.sender,
            text=body,
            source=run.files.source(name, lines=(pending.first, pending.last)),
            sent_at=sent_at,
            sent_at_raw=pending.stamp,
        )
        if body.strip() == _DELETED:
            message.deleted = True
            message.text = ""
        for attachment in _MD_ATTACHMENT.finditer(body):
            message.attach(attachment["path"].removeprefix("./"))
        if message.attachments:
            message.text = _MD_ATTACHMENT.sub("", body).strip()
        return message


def _choose(run: ImportRun, names: list[str]) -> str:
    choices = [ChatChoice(PurePosixPath(n).parent.name, n, n) for n in names]
    return str(choose_chat(run, choices, run.files.display, "Signal chats").value)


register(Signal())
