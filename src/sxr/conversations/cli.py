"""`sxr import`: read a chat export (or a set of screenshots) into one conversation."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer

from sxr.cli_support import fail
from sxr.conversations.model import Conversation, DateReading, ExportError


def region_fallback() -> str:
    """The usual date order where this deployment runs (SXR_REGION), for exports that cannot say."""
    from sxr.cli_support import load_settings
    from sxr.conversations.importers.date_order import region_date_order

    return region_date_order(load_settings().region)


def _reading_screenshots(files: list[Path]) -> bool:
    """Whether FILE... are screenshots (else they must be one export); ExportError when they cannot be."""
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise ExportError(f"{', '.join(missing)} does not exist.")
    from sxr.conversations.screenshots import is_screenshot

    # An image is known by its bytes, not its name, as everywhere else.
    if files and all(path.is_file() and is_screenshot(path) for path in files):
        return True
    if len(files) != 1:
        raise ExportError(
            "Give one chat export (a file, folder or zip), or only screenshots; "
            f"{len(files)} files were given and not all are images."
        )
    return False


def load_conversation(
    files: list[Path],
    *,
    date_order: str | None,
    tz: str | None,
    chat: str | None = None,
    fallback_date_order: str | None = None,
) -> Conversation:
    """The conversation in FILE (an export) or FILE... (screenshots); ExportError when it cannot be read."""
    if _reading_screenshots(files):
        from sxr.conversations.screenshots import read_screenshots

        return read_screenshots(files, tz=tz)
    from sxr.conversations.importers import import_path

    return import_path(
        files[0], date_order=date_order, tz=tz, chat=chat, fallback_date_order=fallback_date_order
    )


@contextmanager
def _failing_plainly() -> Iterator[None]:
    """An export that cannot be read ends the command with one line saying why (and a non-zero exit)."""
    try:
        yield
    except ExportError as exc:
        fail(str(exc), "refused")
    except (OSError, MemoryError) as exc:
        fail(read_failure(exc), "environment" if isinstance(exc, MemoryError) else "refused")


def conversation_or_fail(
    files: list[Path], *, date_order: str | None, tz: str | None, chat: str | None
) -> Conversation:
    """The conversation `sxr import` and `sxr analyze` read, or one line saying why it cannot be read."""
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        fail(f"{', '.join(missing)} does not exist.", "not_found")
    with _failing_plainly():
        return load_conversation(
            files, date_order=date_order, tz=tz, chat=chat, fallback_date_order=region_fallback()
        )


def write_json_or_fail(
    files: list[Path], out: TextIO, *, date_order: str | None, tz: str | None, chat: str | None
) -> None:
    """`sxr import --json`: each message written as the export is read, so memory stays flat.

    Screenshots are read whole first (a few dozen messages). Should the export turn out damaged part way
    through, the messages read so far have been written: the command then says why on stderr and ends
    with a non-zero exit, and what stdout holds is not a whole JSON document.
    """
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        fail(f"{', '.join(missing)} does not exist.", "not_found")
    from sxr.conversations.json_document import write_conversation, write_items

    with _failing_plainly():
        if _reading_screenshots(files):
            write_conversation(out, load_conversation(files, date_order=date_order, tz=tz))
            return
        from sxr.conversations.importers import stream_path

        fallback = region_fallback()
        with stream_path(files[0], date_order=date_order, tz=tz, chat=chat, fallback_date_order=fallback) as (
            run,
            items,
        ):
            write_items(out, items, run)


def write_json(conversation: Conversation, out: TextIO) -> None:
    """A conversation held whole, as `sxr import --json` writes it."""
    from sxr.conversations.json_document import write_conversation

    write_conversation(out, conversation)


def read_failure(exc: BaseException) -> str:
    """One line for an export the system could not read (MemoryError says nothing of itself)."""
    if isinstance(exc, MemoryError):
        return (
            "the export could not be read: it needs more memory than this computer has free. "
            "Close other programs and try again, or import one chat at a time."
        )
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return f"the export could not be read ({detail})."


# The options `sxr import` and `sxr analyze` share.
FilesArgument = Annotated[
    list[Path], typer.Argument(help="a chat export (file, folder, zip, tar) or screenshots")
]
DateOrderOption = Annotated[
    str | None,
    typer.Option(
        "--date-order",
        help="DMY, MDY or YMD: the order of written dates (WhatsApp, pasted text, Discord text). Without "
        "it the order is read from the export (a day above 12, the messages' own order, a US phone's "
        "clock, dates with full stops); where nothing settles it, the usual order of SXR_REGION is used "
        "and the output says so",
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option("--tz", help="time zone of exports that write local times (default SXR_TIMEZONE)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout")]
ImportJsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help="print one JSON document on stdout, each message as it is read (the participants, notices "
        "and warnings follow the messages)",
    ),
]
ChatOption = Annotated[
    str | None, typer.Option("--chat", help="which conversation, when the export holds several")
]


def date_reading_line(reading: DateReading) -> str:
    """How the dates were read, in one line ("day first (DMY), inferred: a day above 12: 25/03/2026")."""
    from sxr.conversations.importers.date_order import written_in_words

    first = {"DMY": "day first", "MDY": "month first", "YMD": "year first"}.get(reading.order, reading.order)
    line = f"{first} ({reading.order}), {reading.how}: {reading.why}"
    example = written_in_words(reading)
    return line + (f"; {example}" if example else "")


def _summary(conversation: Conversation) -> str:
    lines = [
        f"format: {conversation.format}" + (f"  chat: {conversation.title}" if conversation.title else ""),
        "participants: "
        + ", ".join(
            f"{p.name}" + (f" [{p.platform_id}]" if p.platform_id and p.platform_id != p.name else "")
            for p in conversation.participants
        ),
        f"messages: {len(conversation.messages)}  notices: {len(conversation.notices)}",
    ]
    if conversation.messages:
        first, last = conversation.messages[0], conversation.messages[-1]
        span = f"{first.sent_at.isoformat() if first.sent_at else '?'} .. "
        span += last.sent_at.isoformat() if last.sent_at else "?"
        lines.append(f"from {span}")
    if conversation.date_reading is not None:
        lines.append(f"dates: {date_reading_line(conversation.date_reading)}")
    lines.extend(f"warning: {warning}" for warning in conversation.warnings)
    return "\n".join(lines)


def _import_help() -> str:
    """`sxr import --help`: the platforms come from the importers' table."""
    from sxr.conversations.importers import importers

    platforms = list(dict.fromkeys(importer.title for importer in importers()))
    return f"Read a chat export ({', '.join(platforms)}) or chat screenshots into one conversation."


def register(app: typer.Typer) -> None:
    """Add `sxr import` to the root command."""

    @app.command("import", help=_import_help())
    def import_command(
        files: FilesArgument,
        date_order: DateOrderOption = None,
        tz: TzOption = None,
        chat: ChatOption = None,
        as_json: ImportJsonOption = False,
    ) -> None:
        if as_json:
            write_json_or_fail(files, sys.stdout, date_order=date_order, tz=tz, chat=chat)
            return
        conversation = conversation_or_fail(files, date_order=date_order, tz=tz, chat=chat)
        typer.echo(_summary(conversation))
