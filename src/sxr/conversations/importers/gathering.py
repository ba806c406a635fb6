"""One import's messages gathered (or numbered one by one), and a damaged export's errors made clear.

`gather` holds a whole conversation with the cyclic collector paused; `numbered` yields messages one at a
time for exports too big to hold; `clean_errors` turns whatever a parser raises on a damaged or hostile
export into one ExportError that names the file.
"""

from __future__ import annotations

import gc
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import Importer, ImportOptions, ImportRun, Item
from sxr.conversations.model import Conversation, ExportError, Message, Notice

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
    """Turn what a damaged or hostile export makes a parser raise into one ExportError naming it."""
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


def numbered(items: Iterator[Item], display: str) -> Iterator[Item]:
    """The items as they come, each message numbered (`i`) in order; damage is one clear ExportError."""
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
    return gather(run, importer, names)


def gather(run: ImportRun, importer: Importer, names: list[str]) -> Conversation:
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
