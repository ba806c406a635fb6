"""JSON members of an export: parsed whole when small, streamed when large, never deeper than any export."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import Any

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.model import ExportError

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
