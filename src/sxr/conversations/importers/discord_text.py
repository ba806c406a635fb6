"""Discord as text: DiscordChatExporter's TXT and CSV formats, and a conversation copied from the client."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import Importer, ImportRun, Item
from sxr.conversations.importers.date_order import DateEvidence, assumed_warning, decide
from sxr.conversations.importers.decoding import text_lines, text_stream
from sxr.conversations.importers.json_members import head_text
from sxr.conversations.importers.text import strip_bidi
from sxr.conversations.importers.times import from_iso
from sxr.conversations.model import ExportError, Message, Notice

# DiscordChatExporter TXT: a ruled header (Guild:, Channel:, Topic:), then "[stamp] Author" and the text.
_RULE = re.compile(r"^={20,}$")
_DCE_HEAD = re.compile(r"^\[(?P<stamp>[^\]\n]{6,40})\] (?P<sender>\S.{0,99})$")
_DCE_BLOCK = re.compile(r"^\{(?P<kind>Attachments|Stickers|Embed|Reactions|Components)\}$")
_DCE_FOOTER = re.compile(r"^Exported \d[\d,.]* message\(s\)$")
# Copied from the client: "name — 08/11/2023 12:15 PM" (or "— Today at 2:38 PM"), then the text; a later
# message of the same author in the same group starts with its time alone, "[1:00 PM]".
_CLIENT_HEAD = re.compile(
    r"^(?P<sender>[^\n—]{1,80}?) — "
    r"(?P<stamp>(?:(?:Today|Yesterday) at )?(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4},? )?"
    r"\d{1,2}:\d{2}(?: ?[AaPp][Mm])?)$"
)
_CLIENT_TIME = re.compile(r"^\[(?P<time>\d{1,2}:\d{2}(?: ?[AaPp][Mm])?)\]$")
# A written stamp's parts: "1/15/2024 10:30 AM", "15-Jan-24 10:30 AM", "2024-01-15 10:30".
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STAMP = re.compile(
    r"^(?:(?P<relative>Today|Yesterday) at |"
    r"(?P<d1>\d{1,4})[./-](?P<d2>\d{1,2}|[A-Za-z]{3})[./-](?P<d3>\d{2,4}),? )?"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))? ?(?P<ampm>[AaPp][Mm])?$"
)
_CSV_COLUMNS = ("AuthorID", "Author", "Date", "Content")


@dataclass(slots=True)
class _Pending:
    sender: str
    stamp: str
    first: int
    last: int
    lines: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)


def _kind(files: ExportFiles, name: str) -> str | None:
    """'txt' (DiscordChatExporter), 'csv' (DiscordChatExporter) or 'client' (a copy), by the file's start."""
    lower = name.lower()
    if lower.endswith(".csv"):
        first = head_text(files, name, 1024).split("\n", 1)[0].replace('"', "").strip()
        return "csv" if tuple(first.split(",")[:4]) == _CSV_COLUMNS else None
    if not lower.endswith((".txt", ".text", "")) or files.kind != "file":
        return None
    lines = [line.strip() for line in head_text(files, name, 4096).splitlines()]
    filled = [line for line in lines if line]
    if len(filled) >= 3 and _RULE.match(filled[0]) and filled[1].startswith("Guild: "):
        return "txt"
    heads = sum(1 for line in filled[:40] if _CLIENT_HEAD.match(line))
    if filled and _CLIENT_HEAD.match(strip_bidi(filled[0])) and heads >= 2:
        return "client"
    return None


def _exporter_line(pending: _Pending, block: str, line: str, line_no: int) -> str:
    """Add one line of a message to it (its words, an attachment, a reaction); return the block it is in
    ("Attachments", "Embed", ...: DiscordChatExporter heads each with "{Kind}")."""
    marker = _DCE_BLOCK.match(line)
    if marker is not None:
        return str(marker["kind"])
    if block in ("Attachments", "Stickers"):
        if line.strip():
            pending.attachments.append(line.strip())
            pending.last = line_no
        return block
    if block == "Reactions":
        if line.strip():
            pending.reactions.append(line.strip())
        return block
    pending.lines.append(("(embed) " if block == "Embed" and line.strip() else "") + line)
    if block == "Embed" and line.strip():
        block = "Embed-more"  # mark only the embed's first line
    pending.last = line_no
    return block


class DiscordText(Importer):
    format = "discord_text"  # its own entry in the table; a conversation read by it is "discord"
    title = "Discord"
    reads = "DiscordChatExporter text or CSV"

    def find(self, files: ExportFiles) -> list[str]:
        if files.kind != "file":
            return []
        name = files.names()[0]
        return [name] if _kind(files, name) else []

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = names[0]
        run.format = "discord"
        kind = _kind(run.files, name)
        if kind == "csv":
            run.warn("View-once media and deleted messages are never in a Discord export.")
            yield from self._csv(run, name)
            return
        heads = _DCE_HEAD if kind == "txt" else _CLIENT_HEAD
        evidence = DateEvidence()
        with run.files.open(name) as raw:
            for line in text_lines(raw):
                match = heads.match(line)
                stamp = _STAMP.match(match["stamp"]) if match else None
                if stamp is not None and stamp["d1"] and stamp["d2"].isdigit():
                    if len(stamp["d1"]) == 4:
                        evidence.year_first(stamp["d1"], int(stamp["d1"]), int(stamp["d2"]), int(stamp["d3"]))
                    else:
                        written = match["stamp"].split(" ")[0].rstrip(",") if match else ""
                        evidence.add(int(stamp["d1"]), int(stamp["d2"]), int(stamp["d3"]), written)
        order, run.date_reading = decide(
            evidence, run.options.date_order, run.options.fallback_date_order, run.files.display
        )
        if run.date_reading is not None and run.date_reading.how == "assumed":
            run.warn(assumed_warning(run.date_reading))
        self._order = order
        self._relative = 0
        if kind == "txt":
            yield from self._exporter_text(run, name)
        else:
            run.warn(
                "This is text copied from the Discord app, not an export: who wrote each message and when "
                "cannot be checked against Discord. Links' previews and images are not in a copy."
            )
            yield from self._client_copy(run, name)
        run.warn(
            "Discord's text gives local times without a zone: times are read in the "
            f"{run.options.tz} zone (use --tz to change it)."
        )
        if self._relative:
            run.warn(
                f"{self._relative} message{'s say' if self._relative > 1 else ' says'} only 'Today' or "
                "'Yesterday', and the day it was copied is not known, so "
                f"{'they have' if self._relative > 1 else 'it has'} no date (the written time is kept)."
            )

    # --- DiscordChatExporter TXT -------------------------------------------------------------------

    def _exporter_text(self, run: ImportRun, name: str) -> Iterator[Item]:
        pending: _Pending | None = None
        block = ""
        in_header = True
        with run.files.open(name) as raw:
            for line_no, line in enumerate(text_lines(raw, run, name), start=1):
                if in_header:
                    if line.startswith("Channel: ") and run.title is None:
                        run.title = line.removeprefix("Channel: ").strip() or None
                    if _DCE_HEAD.match(line) is None:
                        continue
                    in_header = False
                match = _DCE_HEAD.match(line)
                if match is not None and _STAMP.match(match["stamp"]):
                    if pending is not None:
                        yield from self._items(run, name, pending)
                    pending = _Pending(match["sender"].strip(), match["stamp"], line_no, line_no)
                    block = ""
                    continue
                if pending is not None and not _RULE.match(line) and not _DCE_FOOTER.match(line):
                    block = _exporter_line(pending, block, line, line_no)
        if pending is not None:
            yield from self._items(run, name, pending)

    # --- copied from the client --------------------------------------------------------------------

    def _client_copy(self, run: ImportRun, name: str) -> Iterator[Item]:
        pending: _Pending | None = None
        day = ""  # the date part of the group's head, for "[1:00 PM]" lines
        with run.files.open(name) as raw:
            for line_no, line in enumerate(text_lines(raw, run, name), start=1):
                clean = strip_bidi(line).strip()
                head = _CLIENT_HEAD.match(clean)
                if head is not None:
                    if pending is not None:
                        yield from self._items(run, name, pending)
                    stamp = head["stamp"]
                    time_at = re.search(r"\d{1,2}:\d{2}", stamp)
                    day = stamp[: time_at.start()] if time_at else ""
                    pending = _Pending(head["sender"].strip(), stamp, line_no, line_no)
                    continue
                later = _CLIENT_TIME.match(clean)
                if later is not None and pending is not None:
                    yield from self._items(run, name, pending)
                    pending = _Pending(pending.sender, day + later["time"], line_no, line_no)
                    continue
                if pending is None:
                    if clean:
                        yield Notice(text=clean, source=run.files.source(name, lines=(line_no, line_no)))
                    continue
                pending.lines.append(line)
                pending.last = line_no
        if pending is not None:
            yield from self._items(run, name, pending)

    # --- shared ------------------------------------------------------------------------------------

    def _items(self, run: ImportRun, name: str, pending: _Pending) -> Iterator[Item]:
        lines = pending.lines
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        text = "\n".join(lines)
        source = run.files.source(name, lines=(pending.first, max(pending.first, pending.last)))
        sent_at = self._sent_at(run, name, pending)
        if not text and not pending.attachments:
            # A time line with nothing after it: no words to keep, the time is said as a notice.
            yield Notice(
                text=f"{pending.sender} ({pending.stamp}): nothing copied", source=source, sent_at=sent_at
            )
            return
        run.sender(pending.sender)
        message = Message(
            i=0, sender=pending.sender, text=text, source=source, sent_at=sent_at, sent_at_raw=pending.stamp
        )
        message.attach(*pending.attachments)
        yield message
        if pending.reactions:
            yield Notice(
                text=f"reactions to {pending.sender}'s message: {', '.join(pending.reactions)}",
                source=source,
                sent_at=sent_at,
            )

    def _sent_at(self, run: ImportRun, name: str, pending: _Pending) -> datetime | None:
        stamp = _STAMP.match(pending.stamp)
        if stamp is None:
            return None
        if stamp["relative"] or not stamp["d1"]:
            self._relative += 1
            return None
        d1, d2, d3 = stamp["d1"], stamp["d2"], stamp["d3"]
        try:
            if not d2.isdigit():
                day, month, year = int(d1), _MONTHS.index(d2.lower()) + 1, int(d3)
            elif len(d1) == 4:
                year, month, day = int(d1), int(d2), int(d3)
            elif self._order == "MDY":
                month, day, year = int(d1), int(d2), int(d3)
            else:
                day, month, year = int(d1), int(d2), int(d3)
            hour = int(stamp["h"])
            if stamp["ampm"]:
                if not 1 <= hour <= 12:
                    raise ValueError(f"{hour} is not an hour on a 12-hour clock")
                hour = hour % 12 + (12 if stamp["ampm"].lower() == "pm" else 0)
            naive = datetime(year + 2000 if year < 100 else year, month, day, hour, int(stamp["mi"]))
            return run.local(naive.replace(second=int(stamp["s"] or 0)))
        except ValueError:
            run.warn(
                f"{name} line {pending.first}: the date and time {pending.stamp!r} could not be read, so "
                "that message is kept without a time."
            )
            return None

    def _csv(self, run: ImportRun, name: str) -> Iterator[Item]:
        run.title = PurePosixPath(name).stem
        with run.files.open(name) as raw:
            reader = csv.DictReader(text_stream(raw, run, name))
            try:
                start = 2
                for row in reader:
                    yield self._csv_item(run, name, (start, reader.line_num), row)
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise ExportError(f"{name} is not a readable CSV file ({exc}).") from exc

    def _csv_item(self, run: ImportRun, name: str, lines: tuple[int, int], row: dict[str, str]) -> Item:
        source = run.files.source(name, lines=lines)
        stamp = (row.get("Date") or "").strip()
        sender = (row.get("Author") or "").strip()
        sent_at: datetime | None = None
        try:
            sent_at = from_iso(stamp, run).astimezone(UTC) if stamp else None
        except ExportError:
            run.warn(
                f"{name} line {lines[0]}: the time {stamp!r} could not be read, so that message is kept "
                "without a time."
            )
        text = row.get("Content") or ""
        if not sender:
            return Notice(text=text, source=source, sent_at=sent_at)
        run.sender(sender, (row.get("AuthorID") or "").strip() or None)
        message = Message(i=0, sender=sender, text=text, source=source, sent_at=sent_at, sent_at_raw=stamp)
        message.attach(*[part.strip() for part in (row.get("Attachments") or "").split(",") if part.strip()])
        return message
