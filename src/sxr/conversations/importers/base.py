"""What every importer shares: the plug-in base class, one import's state, times and text clean-up."""

from __future__ import annotations

import codecs
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any, ClassVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.model import (
    Conversation,
    DateReading,
    ExportError,
    Message,
    Notice,
    Participant,
    SeveralChats,
)

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

    format: ClassVar[str] = ""
    title: ClassVar[str] = ""

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


# --- times ---------------------------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch(seconds: float) -> datetime:
    """A UTC time from seconds since 1970 (clear error for absurd values)."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise ExportError(f"A time in the export is out of range ({seconds!r}).") from exc


def from_iso(text: str, run: ImportRun) -> datetime:
    """An ISO 8601 time; one without an offset is local time in the `--tz` zone."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ExportError(f"{text!r} is not a time sxr can read.") from exc
    if parsed.tzinfo is None:
        return run.local(parsed)
    return parsed


# --- text ----------------------------------------------------------------------------------------

# Bidi controls WhatsApp and others wrap around names and numbers; they are not part of what was said.
BIDI_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_STRIP_BIDI = str.maketrans("", "", BIDI_MARKS)


_HAS_BIDI = re.compile(f"[{BIDI_MARKS}]")


def strip_bidi(text: str) -> str:
    return text.translate(_STRIP_BIDI) if _HAS_BIDI.search(text) else text


_MOJIBAKE_RUN = re.compile("[\u0080-\u00ff]+")


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return run.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return run


def repair_mojibake(text: str) -> str:
    """Undo Meta's export bug (UTF-8 bytes written as \\u00XX); text that is already right is left alone."""
    if not text or text.isascii():
        return text
    try:
        # The usual case: the whole string is mojibake (one fast C round trip).
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    # Only runs of U+0080..U+00FF that decode as UTF-8 are repaired, so "café" (a lone é) stays "café".
    return _MOJIBAKE_RUN.sub(_repair_run, text)


_TAG = re.compile(r"<[^>]{0,2000}>")
_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
# Elements whose content is not text a person reads: style sheets, scripts, the page's head.
_HIDDEN_OPEN = re.compile(r"<(style|script|head)\b[^>]{0,2000}>", re.IGNORECASE)
_HIDDEN_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in ("style", "script", "head")}
# Tags that start or end a block (paragraph, line, list item, table row, heading): a line break.
_BLOCK = re.compile(
    r"</?(?:p|div|li|ul|ol|tr|table|h[1-6]|blockquote|pre|hr|section|article|header|footer)\b[^>]{0,2000}>",
    re.IGNORECASE,
)
_BREAK = "\x00"
_BREAKS = re.compile(r"\s*\x00[\s\x00]*")


def _drop_hidden(text: str) -> str:
    """The text without <style>, <script> and <head> elements and HTML comments (linear time)."""
    parts: list[str] = []
    at = 0
    while True:
        comment = text.find("<!--", at)
        hidden = _HIDDEN_OPEN.search(text, at)
        if comment < 0 and hidden is None:
            break
        if hidden is None or 0 <= comment < hidden.start():
            close = text.find("-->", comment + 4)
            if close < 0:
                break  # an unclosed comment: keep the rest as it is (tags still go below)
            parts.append(text[at:comment])
            at = close + 3
            continue
        closing = _HIDDEN_CLOSE[hidden.group(1).lower()].search(text, hidden.end())
        if closing is None:
            break  # an unclosed element: keep the rest as it is (tags still go below)
        parts.append(text[at : hidden.start()])
        at = closing.end()
    if not parts:
        return text
    parts.append(text[at:])
    return "".join(parts)


def html_to_text(text: str) -> str:
    """Text of HTML (a Skype message, an HTML-only e-mail): links keep their address, tags go, entities
    are decoded; style sheets and scripts are dropped and paragraphs, list items and rows are lines."""

    def link(match: re.Match[str]) -> str:
        href, label = html.unescape(match.group(1)), _TAG.sub("", match.group(2))
        label = html.unescape(label)
        return label if label.strip() == href.strip() or not href else f"{label} ({href})"

    if "<!--" in text or _HIDDEN_OPEN.search(text):
        text = _drop_hidden(text)
    text = _LINK.sub(link, text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    if _BLOCK.search(text):
        text = _TAG.sub("", _BLOCK.sub(_BREAK, text.replace(_BREAK, "")))
        return html.unescape(_BREAKS.sub("\n", text.strip().strip(_BREAK).strip()))
    return html.unescape(_TAG.sub("", text))


def as_text(value: Any) -> str:
    """A JSON value that should be text, as text ("" for null)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


def pointer_escape(key: str) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


# --- JSON, streamed --------------------------------------------------------------------------------

HEAD_BYTES = 65536


def head_text(files: ExportFiles, name: str, size: int = HEAD_BYTES) -> str:
    """The first bytes of a member as text (for sniffing)."""
    with files.open(name) as stream:
        head = stream.read(size)
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


# No real export nests its data more than about ten levels deep. Deeper files are refused before they
# cost anything: ijson keeps a prefix string per open level (memory grows with the square of the
# depth: 20,000 levels took 1.1 GB), and 1,024 is also where orjson, which reads every file up to
# WHOLE_JSON_BYTES, stops, so a file gets the same answer whether it is read whole or streamed.
MAX_JSON_DEPTH = 1024

_CARET = re.compile(r"\(right here\)\s*-*\^")


def json_where(files: ExportFiles, name: str) -> str:
    """How an error names a JSON member: the file's own name when the export is that file."""
    return name if files.kind == "file" else f"{name} in {files.display}"


def too_deep(files: ExportFiles, name: str) -> ExportError:
    """The error for a JSON member nested deeper than any real export."""
    return ExportError(
        f"{json_where(files, name)} is nested more than {MAX_JSON_DEPTH} levels deep, which no real chat "
        "export is, so sxr did not read it. Check that you chose the right file."
    )


def json_damaged(files: ExportFiles, name: str, exc: Exception) -> ExportError:
    """One line for a JSON member that does not parse (the parser's words, short and on one line)."""
    detail = " ".join(_CARET.sub(" ", str(exc)).split())
    if len(detail) > 120:
        detail = detail[:117] + "..."
    detail = f" (not valid JSON: {detail})" if detail else " (not valid JSON)"
    return ExportError(
        f"{json_where(files, name)} is damaged or cut short{detail}. Download the export again."
    )


_DEPTH_STEP = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


def _without_bom(source: Any) -> Any:
    """Bytes or a binary stream, past a UTF-8 byte-order mark where it starts with one."""
    if isinstance(source, bytes | bytearray | memoryview):
        return source[3:] if bytes(source[:3]) == codecs.BOM_UTF8 else source
    reader = source if hasattr(source, "peek") else io.BufferedReader(source)
    if reader.peek(3)[:3] == codecs.BOM_UTF8:
        reader.read(3)
    return reader


def _bounded(
    files: ExportFiles, name: str, source: Any, *stages: tuple[str, tuple[Any, ...]]
) -> Iterator[Any]:
    """What ijson's coroutine `stages` (last first) make of `source`, refused past MAX_JSON_DEPTH.

    The depth is counted on basic_parse's events, which cost memory in proportion to the input only:
    ijson.parse and ijson.items build a prefix string per open level for a whole buffer at a time.
    """
    import ijson
    from ijson import utils

    backend = ijson.get_backend(ijson.backend)
    out = utils.sendable_list()
    send = utils.chain(out, *((getattr(backend, stage), args, {}) for stage, args in stages)).send
    depth = 0
    step = _DEPTH_STEP
    source = _without_bom(source)  # as json_document reads a file whole (utf-8-sig)
    try:
        for event in ijson.basic_parse(source, use_float=True):
            kind = event[0]
            if kind in step:
                depth += step[kind]
                if depth > MAX_JSON_DEPTH:
                    raise too_deep(files, name)
            send(event)
            if out:
                yield from out
                out.clear()
    except ijson.JSONError as exc:
        raise json_damaged(files, name, exc) from exc
    except UnicodeDecodeError as exc:
        raise ExportError(f"{json_where(files, name)} is not UTF-8 text.") from exc


def json_events(files: ExportFiles, name: str, source: Any) -> Iterator[tuple[str, str, Any]]:
    """ijson.parse's (prefix, event, value) of `source` (a stream or bytes), refused past MAX_JSON_DEPTH."""
    return _bounded(files, name, source, ("parse_basecoro", ()))


def _values_at(value: Any, parts: list[str]) -> Iterator[Any]:
    """The values at an ijson prefix (split on dots) of a parsed document, as ijson.items finds them."""
    if not parts:
        yield value
        return
    head, rest = parts[0], parts[1:]
    if head == "item" and isinstance(value, list):
        for item in value:
            yield from _values_at(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from _values_at(value[head], rest)


def json_items(files: ExportFiles, name: str, prefix: str) -> Iterator[Any]:
    """The values at `prefix` (ijson syntax) of a JSON member, one at a time; damage is a clear error."""
    document = json_document(files, name)
    if document is not None:
        parts = prefix.split(".") if prefix else []
        if parts and parts[-1] == "item" and len(parts) > 1:
            # The usual case (a list of messages): let go of the rest of the document first.
            found = list(_values_at(document, parts[:-1]))
            del document
            for values in found:
                if isinstance(values, list):
                    yield from values
            return
        yield from _values_at(document, parts)
        return
    with files.open(name) as stream:
        yield from _bounded(files, name, stream, ("items_basecoro", (prefix,)), ("parse_basecoro", ()))


def json_kvitems(files: ExportFiles, name: str, prefix: str) -> Iterator[tuple[str, Any]]:
    """The (key, value) pairs of the object at `prefix` of a JSON member, streamed, refused past
    MAX_JSON_DEPTH (ijson.kvitems, with the same guard as json_items)."""
    with files.open(name) as stream:
        yield from _bounded(files, name, stream, ("kvitems_basecoro", (prefix,)), ("parse_basecoro", ()))


# Files up to this size are parsed whole (C speed); larger ones are streamed, so memory stays bounded.
WHOLE_JSON_BYTES = 64 * 1024 * 1024


def json_document(files: ExportFiles, name: str) -> Any:
    """A JSON member parsed whole (C speed), or None when it is too big to hold (stream it instead)."""
    if files.size(name) > WHOLE_JSON_BYTES:
        return None
    import json

    import orjson

    with files.open(name) as stream:
        data = stream.read()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc):
            raise too_deep(files, name) from exc
        # orjson is stricter (lone surrogates, NaN, huge numbers): the standard parser decides
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise too_deep(files, name) from exc
    except UnicodeDecodeError as exc:
        raise ExportError(f"{json_where(files, name)} is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise json_damaged(files, name, exc) from exc


def json_array(files: ExportFiles, name: str, key: str) -> Iterator[Any]:
    """The items of the array at top-level `key` of a JSON member, streamed when the member is large."""
    document = json_document(files, name)
    if document is None:
        yield from json_items(files, name, f"{key}.item")
        return
    values = document.get(key) if isinstance(document, dict) else None
    del document
    if values is None:
        return
    if not isinstance(values, list):
        raise ExportError(f"{name}: {key!r} is not a list; unknown export version.")
    yield from values


def _head(files: ExportFiles, name: str, size: int, *stages: tuple[str, tuple[Any, ...]]) -> Iterator[Any]:
    """What ijson's `stages` make of the first bytes of a JSON member, until the cut.

    Deeper than any export is still an error.
    """
    with files.open(name) as stream:
        head = stream.read(size)
    found = _bounded(files, name, head, *stages)
    while True:
        try:
            yield next(found)
        except StopIteration:
            return
        except ExportError as exc:
            if exc.__cause__ is not None:
                return  # the head is cut mid-document on purpose (or is not UTF-8: not for us)
            raise


def json_head_items(files: ExportFiles, name: str, prefix: str, size: int = HEAD_BYTES) -> list[Any]:
    """Values at `prefix` found in the first bytes of a JSON member (metadata written before messages)."""
    return list(_head(files, name, size, ("items_basecoro", (prefix,)), ("parse_basecoro", ())))


def json_top_keys(files: ExportFiles, name: str, size: int = HEAD_BYTES) -> list[str]:
    """Top-level keys of a JSON object found in its first bytes (in file order)."""
    events = _head(files, name, size, ("parse_basecoro", ()))
    return [str(value) for prefix, event, value in events if prefix == "" and event == "map_key"]


# What Windows-1252 ("ANSI", Windows Notepad's old default) makes of each byte; the five bytes it leaves
# undefined are kept as the Latin-1 control characters of the same number, so every byte reads as one
# character and nothing is replaced.
_CP1252 = tuple(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256))
_CP1252_ERRORS = "sxr-cp1252"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 read as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_CP1252[byte] for byte in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(_CP1252_ERRORS, _cp1252_fallback)

_TEXT_CHUNK = 256 * 1024


def _decoded(stream: IO[bytes], run: ImportRun | None, name: str | None) -> Iterator[str]:
    """The text of a member in chunks: UTF-8, or UTF-16 with a byte-order mark; never silently replaced.

    Bytes that are not UTF-8 are read as Windows-1252 (what Windows Notepad writes as "ANSI"), so
    "café £50" keeps its letters and its amount, and the run says so.
    """
    reader = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(cast(Any, stream))
    start = reader.peek(3)[:3]
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding, fallback = "utf-16", "replace"
        said = (
            f"{name or 'This file'} has bytes that are not UTF-16 text; they show as \ufffd. "
            "Check those lines against the original."
        )
    else:
        encoding, fallback = "utf-8", _CP1252_ERRORS
        said = (
            f"{name or 'This file'} is not all UTF-8 text: sxr read the bytes that are not UTF-8 as "
            'Windows-1252 (the "ANSI" of Windows Notepad), so letters like é and £ are kept. '
            "Check accented letters and symbols against the original."
        )
        if start == b"\xef\xbb\xbf":
            reader.read(3)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    while True:
        chunk = reader.read(_TEXT_CHUNK)
        final = not chunk
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError:
            # From here on the fallback reads what UTF-8 cannot; what was read stays as it was.
            state = decoder.getstate()
            decoder = codecs.getincrementaldecoder(encoding)(fallback)
            decoder.setstate(state)
            text = decoder.decode(chunk, final)
            if run is not None:
                run.warn(said)
        if text:
            yield text
        if final:
            return


def text_lines(stream: IO[bytes], run: ImportRun | None = None, name: str | None = None) -> Iterator[str]:
    """Lines of a text member (UTF-8, or UTF-16 with a byte-order mark), without their line ends.

    Lines end at \\n, \\r\\n or \\r. Bytes that are not UTF-8 are read as Windows-1252; pass `run` (and the
    member's `name`) so the import says so.
    """
    held: list[str] = []  # text whose line has not ended yet
    for text in _decoded(stream, run, name):
        # A chunk can end inside a line, or between the \\r and \\n of one line end: hold it.
        if text[-1] == "\r" or ("\n" not in text and "\r" not in text):
            held.append(text)
            continue
        if held:
            held.append(text)
            text = "".join(held)
            held.clear()
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        last = lines.pop()
        if last:
            held.append(last)
        yield from lines
    rest = "".join(held).replace("\r\n", "\n").replace("\r", "\n")
    if rest:
        lines = rest.split("\n")
        if not lines[-1]:
            lines.pop()
        yield from lines


def text_stream(stream: IO[bytes], run: ImportRun | None = None, name: str | None = None) -> Iterator[str]:
    """Lines of a text member with their line ends as written (for the csv module), decoded as text_lines."""
    held = ""
    for text in _decoded(stream, run, name):
        lines = (held + text).split("\n")
        held = lines.pop()
        for line in lines:
            yield line + "\n"
    if held:
        yield held
