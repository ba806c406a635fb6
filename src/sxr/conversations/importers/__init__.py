"""Chat-export importers: one plug-in per format, in one table (the shape of Pillow's plugins).

`import_path(path)` finds the format of a file, folder, zip or tar and returns its Conversation;
`stream_path(path)` yields the messages one by one for exports too big to hold.

A new format is an `Importer` subclass (its `format` name, `title`, `reads`, `find` and `read`; `sniff`
and `parse` come with the base class): a built-in one gets a line in `BUILT_IN`, any other is passed to
`register`. The order `detect` tries them, the "Supported:" text and `sxr import --help` all come from there.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import DEFAULT_TZ, Importer, ImportOptions, ImportRun, Item
from sxr.conversations.importers.gathering import clean_errors, collect, gather, numbered
from sxr.conversations.model import Conversation, ExportError, NotAChatExport

__all__ = [
    "BUILT_IN",
    "BuiltIn",
    "ImportOptions",
    "Importer",
    "clean_errors",
    "collect",
    "detect",
    "import_path",
    "importers",
    "register",
    "stream_path",
    "supported",
    "unregister",
]

# A Meta download made in HTML format (messages/inbox/<thread>/message_1.html).
_META_HTML = re.compile(
    r"(?:^|/)messages/(?:inbox|message_requests|archived_threads)/[^/]+/message_\d+\.html$"
)


@dataclass(frozen=True, slots=True)
class BuiltIn:
    """A built-in format: the module that holds its importer and the importer's class."""

    module: str
    cls: str
    # A catch-all (any e-mail, any text): tried after every other format, registered plug-ins included.
    last: bool = False


# The table of built-in formats, in the order they are tried: the most specific first, plain text last.
# Each module is imported only when its turn comes: importing every format costs more than reading a
# small export, so `detect` stops at the one that matches.
BUILT_IN = (
    BuiltIn("whatsapp", "WhatsApp"),
    BuiltIn("meta", "Meta"),
    BuiltIn("telegram", "Telegram"),
    BuiltIn("discord", "Discord"),
    BuiltIn("snapchat", "Snapchat"),
    BuiltIn("skype", "Skype"),
    BuiltIn("signal", "Signal"),
    BuiltIn("googlechat", "GoogleChat"),
    BuiltIn("discord_text", "DiscordText"),
    BuiltIn("plaintext", "Email", last=True),
    BuiltIn("plaintext", "PlainChat", last=True),
)

_built: dict[BuiltIn, Importer] = {}  # the built-in importers made so far
_registered: list[Importer] = []  # formats added by `register`, tried after the built-ins but the last


def _built_in(entry: BuiltIn) -> Importer:
    importer = _built.get(entry)
    if importer is None:
        module = importlib.import_module(f"{__name__}.{entry.module}")
        importer = _built[entry] = getattr(module, entry.cls)()
    return importer


def register(importer: Importer) -> Importer:
    """Add a format beyond the built-in ones (once: a second importer of the same format is refused)."""
    if importer in _registered:
        return importer
    if not importer.format or any(existing.format == importer.format for existing in importers()):
        raise ValueError(f"an importer of format {importer.format!r} is already registered")
    _registered.append(importer)
    return importer


def unregister(importer: Importer) -> None:
    """Take a format `register` added out of the table again."""
    if importer in _registered:
        _registered.remove(importer)


def _in_order() -> Iterator[Importer]:
    """The importers in the order `detect` tries them, each built-in imported only when its turn comes."""
    for entry in BUILT_IN:
        if not entry.last:
            yield _built_in(entry)
    yield from list(_registered)
    for entry in BUILT_IN:
        if entry.last:
            yield _built_in(entry)


def importers() -> list[Importer]:
    """Every importer, in the order they are tried."""
    return list(_in_order())


def supported() -> str:
    """The formats sxr reads, for people: "WhatsApp (_chat.txt), ... and pasted chat (a .txt file)"."""
    named = [
        f"{importer.title} ({importer.reads})" if importer.reads else importer.title
        for importer in importers()
    ]
    return ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else "".join(named)


def _default_tz() -> str:
    try:
        from sxr.config import get_settings

        return get_settings().timezone or DEFAULT_TZ
    except Exception:  # settings are optional for the pure library
        return DEFAULT_TZ


def detect(files: ExportFiles) -> tuple[Importer, list[str]]:
    """The importer for an export and the chat files it will read, or a clear ExportError."""
    for importer in _in_order():
        names = importer.find(files)
        if names:
            return importer, names
    if any(_META_HTML.search(name) for name in files.names()):
        raise ExportError(
            f"{files.display} is a Facebook or Instagram download in HTML format. sxr reads the JSON "
            "format: ask for a new download and choose JSON as its format (the HTML one cannot be read "
            "reliably)."
        )
    nested = files.nested_archives()
    if nested:
        raise NotAChatExport(
            f"{files.display} holds another archive ({nested[0]}) and no chat sxr can read. "
            "Nested archives are not opened: unpack it and import the inner file."
        )
    if files.kind == "file" and files.display.lower().endswith(".json"):
        raise NotAChatExport(
            f"{files.display} is a JSON file, but not a chat export sxr knows (or a version of one it has "
            f"never seen). Supported: {supported()}."
        )
    if files.kind in ("zip", "tar", "folder"):
        raise NotAChatExport(
            f"{files.display} holds no chat export sxr knows. Supported: {supported()}. "
            "Check that you chose the right file."
        )
    raise NotAChatExport(f"{files.display} is not a chat export sxr can read. Supported: {supported()}.")


@contextmanager
def stream_path(
    path: Path,
    *,
    date_order: str | None = None,
    tz: str | None = None,
    chat: str | None = None,
    fallback_date_order: str | None = None,
) -> Iterator[tuple[ImportRun, Iterator[Item]]]:
    """Open an export and yield (run, items): messages (with `i`) and notices, oldest first, one at a time."""
    with _open(
        Path(path), date_order=date_order, tz=tz, chat=chat, fallback_date_order=fallback_date_order
    ) as (run, items):
        yield run, numbered(items, run.files.display)


@contextmanager
def _open(
    path: Path,
    *,
    date_order: str | None,
    tz: str | None,
    chat: str | None,
    fallback_date_order: str | None = None,
) -> Iterator[tuple[ImportRun, Iterator[Item]]]:
    """Open an export and yield (run, items) with messages not yet numbered."""
    with _open_run(
        path, date_order=date_order, tz=tz, chat=chat, fallback_date_order=fallback_date_order
    ) as (run, importer, names):
        yield run, importer.read(run, names)


@contextmanager
def _open_run(
    path: Path,
    *,
    date_order: str | None,
    tz: str | None,
    chat: str | None,
    fallback_date_order: str | None = None,
) -> Iterator[tuple[ImportRun, Importer, list[str]]]:
    """Open an export and yield (run, importer, chat files), nothing read yet."""
    options = ImportOptions(
        date_order=date_order, tz=tz or _default_tz(), chat=chat, fallback_date_order=fallback_date_order
    )
    with clean_errors(path.name):
        files = ExportFiles(path)
    try:
        with clean_errors(files.display):
            importer, names = detect(files)
            run = ImportRun(files, options, importer.format)
            for nested in files.nested_archives()[:3]:
                run.warn(f"{files.display} holds another archive ({nested}); nested archives are not opened.")
        yield run, importer, names
    finally:
        files.close()


def import_path(
    path: Path,
    *,
    date_order: str | None = None,
    tz: str | None = None,
    chat: str | None = None,
    fallback_date_order: str | None = None,
) -> Conversation:
    """Import any supported chat export (file, folder, zip or tar) as one Conversation.

    `fallback_date_order` (the deployment region's custom) is used only where the export's own dates
    cannot settle their order; the conversation's `date_reading` then says it was assumed.
    """
    with _open_run(
        Path(path), date_order=date_order, tz=tz, chat=chat, fallback_date_order=fallback_date_order
    ) as (run, importer, names):
        return gather(run, importer, names)


def sniff_format(path: Path) -> str | None:
    """The format name of an export, or None."""
    try:
        files = ExportFiles(Path(path))
    except ExportError:
        return None
    try:
        return detect(files)[0].format
    except ExportError:
        return None
    finally:
        files.close()
