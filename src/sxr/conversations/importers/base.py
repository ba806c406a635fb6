"""What every importer shares: the plug-in base class, one import's state, times and text clean-up."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.model import Conversation, ExportError, Message, Notice, Participant, SeveralChats

DATE_ORDERS = ("DMY", "MDY", "YMD")
DEFAULT_TZ = "Europe/London"


@dataclass(slots=True)
class ImportOptions:
    """What the user told us about an export: date order, time zone of local times, which chat."""

    date_order: str | None = None
    tz: str = DEFAULT_TZ
    chat: str | None = None

    def __post_init__(self) -> None:
        if self.date_order is not None:
            order = self.date_order.strip().upper()
            if order not in DATE_ORDERS:
                raise ExportError(f"--date-order must be DMY or MDY, not {self.date_order!r}.")
            self.date_order = order


def zone_for(name: str) -> ZoneInfo:
    """The time zone called `name`, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ExportError(
            f"Unknown time zone {name!r}; use a name like Europe/London or America/Chicago."
        ) from exc


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
        """A wall-clock time the export wrote without a zone, read in the `--tz` zone."""
        return naive.replace(tzinfo=self.zone)


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


def html_to_text(text: str) -> str:
    """Text of a small HTML fragment (Skype): links keep their address, tags go, entities are decoded."""

    def link(match: re.Match[str]) -> str:
        href, label = html.unescape(match.group(1)), _TAG.sub("", match.group(2))
        label = html.unescape(label)
        return label if label.strip() == href.strip() or not href else f"{label} ({href})"

    text = _LINK.sub(link, text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
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


def text_lines(stream: IO[bytes]) -> Iterator[str]:
    """Lines of a text member (UTF-8, or UTF-16 with a byte-order mark), without their line ends."""
    reader = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(cast(Any, stream))
    encoding = "utf-16" if reader.peek(2)[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    text = io.TextIOWrapper(reader, encoding=encoding, errors="replace", newline=None)
    for line in text:
        yield line.rstrip("\n")
    text.detach()
