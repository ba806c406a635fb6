"""`sxr import`: read a chat export (or a set of screenshots) into one conversation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from sxr.conversations.model import Conversation, DateReading, ExportError


def _fail(text: str) -> None:
    typer.echo(f"sxr import: {text}", err=True)
    raise typer.Exit(code=1)


def region_fallback() -> str:
    """The usual date order where this deployment runs (SXR_REGION), for exports that cannot say."""
    from sxr.config import get_settings
    from sxr.conversations.importers.date_order import region_date_order

    return region_date_order(get_settings().region)


def load_conversation(
    files: list[Path],
    *,
    date_order: str | None,
    tz: str | None,
    chat: str | None = None,
    fallback_date_order: str | None = None,
) -> Conversation:
    """The conversation in FILE (an export) or FILE... (screenshots); ExportError when it cannot be read."""
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise ExportError(f"{', '.join(missing)} does not exist.")
    from sxr.conversations.screenshots import is_screenshot

    # An image is known by its bytes, not its name, as everywhere else.
    if files and all(path.is_file() and is_screenshot(path) for path in files):
        from sxr.conversations.screenshots import read_screenshots

        return read_screenshots(files, tz=tz)
    if len(files) != 1:
        raise ExportError(
            "Give one chat export (a file, folder or zip), or only screenshots; "
            f"{len(files)} files were given and not all are images."
        )
    from sxr.conversations.importers import import_path

    return import_path(
        files[0], date_order=date_order, tz=tz, chat=chat, fallback_date_order=fallback_date_order
    )


def write_json(conversation: Conversation, out: TextIO) -> None:
    """The conversation's JSON (exactly json.dumps(conversation.to_json())), a message at a time.

    json.dump would stream through json's pure-Python encoder (ten times slower) and json.dumps of the
    whole would hold it all twice: each message is encoded on its own by the C encoder instead.
    """

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    doc = conversation.to_json_head()
    out.write(
        f'{{"format": {dumps(doc["format"])}, "title": {dumps(doc["title"])}, '
        f'"date_reading": {dumps(doc["date_reading"])}, '
        f'"participants": {dumps(doc["participants"])}, "messages": ['
    )
    for k, message in enumerate(conversation.messages):
        out.write(", " + dumps(message.to_json()) if k else dumps(message.to_json()))
    out.write(f'], "notices": {dumps(doc["notices"])}, "warnings": {dumps(doc["warnings"])}}}\n')


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
        as_json: JsonOption = False,
    ) -> None:
        try:
            conversation = load_conversation(
                files, date_order=date_order, tz=tz, chat=chat, fallback_date_order=region_fallback()
            )
        except ExportError as exc:
            _fail(str(exc))
            return
        except (OSError, MemoryError) as exc:
            _fail(read_failure(exc))
            return
        if as_json:
            write_json(conversation, sys.stdout)
        else:
            typer.echo(_summary(conversation))
