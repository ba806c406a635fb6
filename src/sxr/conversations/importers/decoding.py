"""Text members of an export as lines: UTF-8 or UTF-16, else Windows-1252 (and the run says so)."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sxr.conversations.importers.base import ImportRun

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
