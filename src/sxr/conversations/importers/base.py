"""The importer plug-in: its base class, one import's state (options, participants, warnings, local
times) and the choice of one chat in a multi-chat export.

The helpers every importer uses live beside it, one job each: `times` (epoch and ISO times), `text`
(bidi marks, mojibake, HTML), `json_members` (JSON parsed whole or streamed, depth-bounded) and
`decoding` (text members as lines). They are named here too, so `from ...importers.base import X`
keeps working for each of them. Settings a test changes (`json_members.WHOLE_JSON_BYTES`,
`decoding._TEXT_CHUNK`) are not copied here: change them where they are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.decoding import text_lines, text_stream
from sxr.conversations.importers.json_members import (
    HEAD_BYTES,
    MAX_JSON_DEPTH,
    head_text,
    json_array,
    json_damaged,
    json_document,
    json_events,
    json_head_items,
    json_items,
    json_kvitems,
    json_top_keys,
    json_where,
    too_deep,
)
from sxr.conversations.importers.text import (
    BIDI_MARKS,
    as_text,
    html_to_text,
    pointer_escape,
    repair_mojibake,
    strip_bidi,
)
from sxr.conversations.importers.times import EPOCH, from_epoch, from_iso
from sxr.conversations.model import (
    Conversation,
    DateReading,
    ExportError,
    Message,
    Notice,
    Participant,
    SeveralChats,
)

__all__ = [
    "BIDI_MARKS",
    "DATE_ORDERS",
    "DEFAULT_TZ",
    "EPOCH",
    "HEAD_BYTES",
    "MAX_JSON_DEPTH",
    "ChatChoice",
    "ImportOptions",
    "ImportRun",
    "Importer",
    "Item",
    "as_text",
    "chat_labels",
    "choose_chat",
    "from_epoch",
    "from_iso",
    "head_text",
    "html_to_text",
    "json_array",
    "json_damaged",
    "json_document",
    "json_events",
    "json_head_items",
    "json_items",
    "json_kvitems",
    "json_top_keys",
    "json_where",
    "pointer_escape",
    "repair_mojibake",
    "strip_bidi",
    "text_lines",
    "text_stream",
    "too_deep",
    "zone_for",
]

DATE_ORDERS = ("DMY", "MDY", "YMD")
DEFAULT_TZ = "Europe/London"


@dataclass(slots=True)
class ImportOptions:
    """What the user told us about an export: date order, time zone of local times, which chat."""

    date_order: str | None = None
    tz: str = DEFAULT_TZ
    chat: str | None = None
    # The deployment region's custom (GB: DMY, US: MDY), used only where the export itself cannot settle the
    # order, and then said in Conversation.date_reading (how="assumed"). None: ambiguity is an error.
    fallback_date_order: str | None = None

    def __post_init__(self) -> None:
        self.date_order = _date_order(self.date_order, "--date-order")
        self.fallback_date_order = _date_order(self.fallback_date_order, "fallback_date_order")


def _date_order(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    order = value.strip().upper()
    if order not in DATE_ORDERS:
        raise ExportError(f"{what} must be DMY, MDY or YMD, not {value!r}.")
    return order


def zone_for(name: str) -> ZoneInfo:
    """The time zone called `name`, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ExportError(
            f"Unknown time zone {name!r}; use a name like Europe/London or America/Chicago."
        ) from exc


def _offset_at(zone: ZoneInfo, moment: datetime) -> timedelta | None:
    """The zone's offset at a local time that happens exactly once, else None (skipped or repeated)."""
    offset = zone.utcoffset(moment)
    return offset if offset == zone.utcoffset(moment.replace(fold=1)) else None


class ImportRun:
    """The state of one import: the export's files, the options, the participants and the warnings."""

    def __init__(self, files: ExportFiles, options: ImportOptions, format: str) -> None:
        self.files = files
        self.options = options
        self.format = format
        self.zone = zone_for(options.tz)
        self.participants: dict[str, Participant] = {}
        self.warnings: list[str] = []
        self.title: str | None = None
        # How the export's written dates were read (set by importers that read written dates).
        self.date_reading: DateReading | None = None
        # `local`: the day (local midnight to midnight) known to hold no clock change, the UTC time of the
        # last local time read on a day that holds one, and how many times a clock change made uncertain.
        self._steady_from = self._steady_until = datetime.min
        self._steady_day: tuple[int, int, int] | None = None  # the date of that day
        self._last_utc: datetime | None = None
        self._uncertain = 0
        self._uncertain_at = -1

    def sender(self, name: str, platform_id: str | None = None) -> str:
        """Record a participant (keyed by the platform's stable id where there is one); return the name."""
        key = f"id:{platform_id}" if platform_id else f"name:{name}"
        if key not in self.participants:
            self.participants[key] = Participant(
                id=f"p{len(self.participants) + 1}", name=name, platform_id=platform_id
            )
        return name

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def local(self, naive: datetime) -> datetime:
        """A wall-clock time the export wrote without a zone, read in the `--tz` zone.

        Call it for each time in the order the export wrote them: in the hour the clocks go back, a time
        earlier than the one before is the second time round.
        """
        if self._steady_from <= naive < self._steady_until:
            return naive.replace(tzinfo=self.zone)  # the usual case: a day without a clock change
        return self._local_on_change_day(naive)

    def local_at(self, ymd: tuple[int, int, int], clock: tuple[int, int, int]) -> datetime:
        """`local(datetime(*ymd, *clock))`, made without the naive time on a day without a clock change."""
        if ymd == self._steady_day:
            return datetime(*ymd, *clock, 0, self.zone)
        return self.local(datetime(*ymd, *clock))

    def _local_on_change_day(self, naive: datetime) -> datetime:
        zone = self.zone
        day = naive.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            end = day + timedelta(days=1)
        except OverflowError:
            end = day
        if end > day and _offset_at(zone, day) == _offset_at(zone, end) is not None:
            # No clock change between these midnights (zones change their clocks at most once a day).
            self._steady_from, self._steady_until = day, end
            self._steady_day = (day.year, day.month, day.day)
            return naive.replace(tzinfo=zone)
        before = zone.utcoffset(naive)
        after = zone.utcoffset(naive.replace(fold=1))
        if before is None or after is None or before == after:
            result = naive.replace(tzinfo=zone)
            self._last_utc = naive - before if before is not None else None
            return result
        self._count_uncertain()
        if before < after:
            # Skipped when the clocks went forward: the time the clock would have shown had it not changed.
            utc = naive - before
            self._last_utc = utc
            return utc.replace(tzinfo=UTC).astimezone(zone)
        # Shown twice when the clocks went back: the first time round, unless that would go back in time.
        utc = naive - before
        if self._last_utc is not None and utc < self._last_utc:
            utc = naive - after
            self._last_utc = utc
            return naive.replace(tzinfo=timezone(after))  # a fixed offset: compares by its real instant
        self._last_utc = utc
        return naive.replace(tzinfo=zone)

    def _count_uncertain(self) -> None:
        """One warning, kept up to date, on how many local times fall where the clocks changed."""
        self._uncertain += 1
        n = self._uncertain
        text = (
            f"{n} {'time falls' if n == 1 else 'times fall'} in an hour when the clocks changed in the "
            f"{self.options.tz} zone (an hour that was skipped or that happened twice), so "
            f"{'it' if n == 1 else 'each'} could be an hour out. Check against the platform if the exact "
            "hour matters."
        )
        if 0 <= self._uncertain_at < len(self.warnings):
            self.warnings[self._uncertain_at] = text
        else:
            self._uncertain_at = len(self.warnings)
            self.warnings.append(text)


Item = Message | Notice


@dataclass(slots=True)
class ChatChoice:
    """One chat of a multi-chat export: its name, its stable id and what the importer needs to read it."""

    name: str
    id: str
    value: Any


def chat_labels(choices: list[ChatChoice]) -> list[str]:
    """A label per chat that selects it alone: its name where no other chat shares it, else its id."""
    names: dict[str, int] = {}
    for choice in choices:
        key = choice.name.strip().casefold()
        names[key] = names.get(key, 0) + 1
    labels: list[str] = []
    seen: set[str] = set()
    for n, choice in enumerate(choices):
        label = choice.name.strip()
        if not label or names[label.casefold()] > 1:
            label = choice.id.strip() or f"#{n + 1}"
        if label.casefold() in seen:
            label = f"#{n + 1}"
        seen.add(label.casefold())
        labels.append(label)
    return labels


def choose_chat(run: ImportRun, choices: list[ChatChoice], where: str, noun: str = "chats") -> ChatChoice:
    """The chat `--chat` names (exactly: a listed label, name or id), the only one, or SeveralChats."""
    if not choices:
        raise ExportError(f"{where} holds no {noun}.")
    if len(choices) == 1 and not run.options.chat:
        return choices[0]
    labels = chat_labels(choices)
    wanted = (run.options.chat or "").strip().casefold()
    if wanted:
        by_label = [c for c, label in zip(choices, labels, strict=True) if label.casefold() == wanted]
        by_name = [c for c in choices if wanted in (c.name.strip().casefold(), c.id.strip().casefold())]
        by_part = [c for c in choices if wanted in c.name.casefold()]
        for hits in (by_label, by_name, by_part):
            if len(hits) == 1:
                return hits[0]
        if by_name or by_part:
            near = {id(c) for c in (by_name or by_part)}
            close = [label for c, label in zip(choices, labels, strict=True) if id(c) in near]
            raise ExportError(
                f"{where}: more than one chat matches {run.options.chat!r} ({', '.join(close[:15])}). "
                "Give one of these with --chat."
            )
        raise ExportError(f"{where} has no chat called {run.options.chat!r}.")
    listed = ", ".join(labels[:15]) + (", ..." if len(labels) > 15 else "")
    raise SeveralChats(
        f"{where} holds {len(choices)} {noun} ({listed}). Choose one with --chat NAME.", labels
    )


class Importer:
    """A chat-export format: `find` the chat files it reads in an export, then `read` them oldest first."""

    format: ClassVar[str] = ""  # its name in the table and in a conversation's `format`
    title: ClassVar[str] = ""  # the platform, for people ("Messenger or Instagram")
    reads: ClassVar[str] = ""  # what of an export it reads, for people ("message_1.json")

    def find(self, files: ExportFiles) -> list[str]:
        """The chat files of this format in the export (empty when the export is not this format)."""
        raise NotImplementedError

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        """Yield messages and notices oldest first (message `i` is set by the caller)."""
        raise NotImplementedError

    def sniff(self, path: Path) -> bool:
        """True when `path` (a file, folder, zip or tar) is an export of this format."""
        from sxr.conversations.importers import clean_errors

        try:
            with clean_errors(Path(path).name):
                files = ExportFiles(Path(path))
        except ExportError:
            return False
        try:
            with clean_errors(files.display):
                return bool(self.find(files))
        except ExportError:
            return False
        finally:
            files.close()

    def parse(self, path: Path, *, date_order: str | None = None, tz: str | None = None) -> Conversation:
        """Import `path` as this format."""
        from sxr.conversations.importers import clean_errors, collect

        options = ImportOptions(date_order=date_order, tz=tz or DEFAULT_TZ)
        with clean_errors(Path(path).name):
            files = ExportFiles(Path(path))
        try:
            with clean_errors(files.display):
                names = self.find(files)
            if not names:
                raise ExportError(f"{Path(path).name} is not a {self.title} export.")
            return collect(self, files, names, options)
        finally:
            files.close()
