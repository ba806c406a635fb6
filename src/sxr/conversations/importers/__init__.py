"""Chat-export importers: one plug-in per format, registered in one table (the shape of Pillow's plugins).

`import_path(path)` finds the format of a file, folder, zip or tar and returns its Conversation;
`stream_path(path)` yields the messages one by one for exports too big to hold.
"""

from __future__ import annotations

import gc
import importlib
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import DEFAULT_TZ, Importer, ImportOptions, ImportRun, Item
from sxr.conversations.model import Conversation, ExportError, Message, NotAChatExport, Notice

__all__ = [
    "IMPORTERS",
    "ImportOptions",
    "Importer",
    "detect",
    "import_path",
    "register",
    "stream_path",
]

# A Meta download made in HTML format (messages/inbox/<thread>/message_1.html).
_META_HTML = re.compile(
    r"(?:^|/)messages/(?:inbox|message_requests|archived_threads)/[^/]+/message_\d+\.html$"
)

# The table of formats, tried in order: the most specific first, plain text last.
IMPORTERS: list[Importer] = []


def register(importer: Importer) -> Importer:
    """Add a format to the table (idempotent)."""
    if all(existing.format != importer.format for existing in IMPORTERS):
        IMPORTERS.append(importer)
    return importer


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
            "never seen). Supported: Messenger/Instagram message_1.json, Telegram result.json, Discord "
            "(DiscordChatExporter), Snapchat chat_history.json, Skype messages.json, "
            "Google Chat messages.json."
        )
    if files.kind in ("zip", "tar", "folder"):
        raise NotAChatExport(
            f"{files.display} holds no chat export sxr knows (WhatsApp _chat.txt, Meta message_1.json, "
            "Telegram result.json, Discord, Snapchat chat_history.json, Skype messages.json, Signal, "
            "Google Chat). Check that you chose the right file."
        )
    raise NotAChatExport(
        f"{files.display} is not a chat export sxr can read. Supported: WhatsApp, Messenger, Instagram, "
        "Telegram, Discord, Snapchat, Skype, Signal, Google Chat, e-mail and pasted text."
    )


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
        yield run, _numbered(items, run.files.display)


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


# What a hostile or damaged export can make any parser raise; each becomes one clear ExportError.
_DAMAGE = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
    RecursionError,
    OverflowError,
    EOFError,
    OSError,
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
)


@contextmanager
def clean_errors(display: str) -> Iterator[None]:
    try:
        yield
    except ExportError:
        raise
    except NotImplementedError as exc:  # zipfile: a compression method or feature it cannot read
        raise ExportError(
            f"{display} is packed in a way sxr cannot unpack ({str(exc)[:120]}). Unpack it with your "
            "computer's own tool and import the folder instead."
        ) from exc
    except _DAMAGE as exc:
        raise ExportError(
            f"{display} could not be read: its contents do not match the format it looks like "
            f"({type(exc).__name__}: {str(exc)[:200]}). It may be damaged or changed."
        ) from exc


def _numbered(items: Iterator[Item], display: str) -> Iterator[Item]:
    i = 0
    with clean_errors(display):
        for item in items:
            if isinstance(item, Message):
                item.i = i
                i += 1
            yield item


def collect(importer: Importer, files: ExportFiles, names: list[str], options: ImportOptions) -> Conversation:
    """Run one importer over an export and gather its items into a Conversation."""
    run = ImportRun(files, options, importer.format)
    return _gather(run, importer, names)


def _gather(run: ImportRun, importer: Importer, names: list[str]) -> Conversation:
    """Number the messages and hold them all (the collector is paused: none of these objects form cycles)."""
    batches = getattr(importer, "batches", None)
    if batches is not None:
        return _gather_batches(run, batches(run, names))
    return _gather_items(run, importer.read(run, names))


def _gather_batches(run: ImportRun, batches: Iterator[list[Item]]) -> Conversation:
    """Gather an importer's lists of items (oldest first, messages numbered by the importer)."""
    conversation = Conversation(format=run.format)
    messages = conversation.messages
    notices = conversation.notices
    with _collector_paused(), clean_errors(run.files.display):
        for batch in batches:
            if _numbered_messages_only(batch, len(messages)):
                messages.extend(batch)  # type: ignore[arg-type]
                continue
            found = [item for item in batch if isinstance(item, Message)]
            if len(found) != len(batch):
                notices.extend(item for item in batch if isinstance(item, Notice))
            if found and (found[0].i != len(messages) or found[-1].i != len(messages) + len(found) - 1):
                for i, message in enumerate(found, len(messages)):
                    message.i = i
            messages.extend(found)
    return _finish(run, conversation)


def _numbered_messages_only(batch: list[Item], start: int) -> bool:
    """Whether a batch is messages only, numbered from `start` on (an importer numbers them one by one)."""
    if not batch or set(map(type, batch)) != {Message}:
        return False
    first, last = batch[0], batch[-1]
    return first.i == start and last.i == start + len(batch) - 1  # type: ignore[union-attr]


def _gather_items(run: ImportRun, items: Iterator[Item]) -> Conversation:
    """Gather an importer's items one at a time, numbering the messages."""
    conversation = Conversation(format=run.format)
    messages = conversation.messages
    notices = conversation.notices
    with _collector_paused(), clean_errors(run.files.display):
        for item in items:
            if item.__class__ is Message:
                item.i = len(messages)
                messages.append(item)
            else:
                notices.append(item)  # type: ignore[arg-type]
    return _finish(run, conversation)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic collector while a conversation is gathered, then count what was built as old.

    A growing list of small objects makes the collector rescan it again and again; none of these
    objects form cycles, and all of them live as long as the conversation. When it is done, the
    collector's young generations are moved whole into its oldest (gc.freeze then gc.unfreeze: a list
    splice, no scan), so the first collection afterwards does not walk every message once more. Where
    something else has frozen objects (a server before it forks), they are left as they are.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def _finish(run: ImportRun, conversation: Conversation) -> Conversation:
    """The run's format, participants, title and warnings, on the gathered conversation."""
    conversation.format = run.format
    conversation.participants = list(run.participants.values())
    conversation.title = run.title
    conversation.date_reading = run.date_reading
    if not conversation.messages:
        run.warn("The export holds no messages from anyone.")
    conversation.warnings = list(run.warnings)
    return conversation


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
        return _gather(run, importer, names)


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


_loaded = False
# The built-in formats, in the order they are tried.
PLUGIN_MODULES = (
    "whatsapp",
    "meta",
    "telegram",
    "discord",
    "discord_text",
    "snapchat",
    "skype",
    "signal",
    "googlechat",
    "plaintext",
)


# Each built-in module and the format it registers, in the order they are tried (before any other plug-in).
_FIRST = (
    ("whatsapp", "whatsapp"),
    ("meta", "messenger"),
    ("telegram", "telegram"),
    ("discord", "discord"),
    ("snapchat", "snapchat"),
    ("skype", "skype"),
    ("signal", "signal"),
    ("googlechat", "googlechat"),
    ("discord_text", "discord_text"),
)


def _in_order() -> Iterator[Importer]:
    """The importers in the order `detect` tries them, each module imported only when its turn comes."""
    tried: list[Importer] = []
    if not _loaded:
        # Importing every format costs more than reading a small export: stop at the one that matches.
        for module, wanted in _FIRST:
            importlib.import_module(f"sxr.conversations.importers.{module}")
            for importer in IMPORTERS:
                if importer.format == wanted and importer not in tried:
                    tried.append(importer)
                    yield importer
                    break
    _load_plugins()
    for importer in IMPORTERS:
        if importer not in tried:
            yield importer


def _load_plugins() -> None:
    """Import the built-in format modules once (each registers itself)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in PLUGIN_MODULES:
        importlib.import_module(f"sxr.conversations.importers.{module}")

    order = [
        "whatsapp",
        "messenger",
        "telegram",
        "discord",
        "snapchat",
        "skype",
        "signal",
        "googlechat",
        "discord_text",
        "email",
        "plain",
    ]
    IMPORTERS.sort(key=lambda imp: order.index(imp.format) if imp.format in order else len(order) - 2)
