"""Files of hashes as HMA and python-threatexchange exchange them, read and written with the registry.

Read: a CSV with a header that names a type column (`signal_type`, `type`, ...) and a value column
(`signal_value`, `signal_str` as `threatexchange dataset --csv` writes it, `signal`, `hash`, ...), with an
optional id column; a CSV without a header whose rows are `type,value`; or python-threatexchange's plain
signal file, `<type> <value>` a line. Types are found by name or alias (`video_md5` is MD5). Written: our
shape, `signal_type,signal_value` a row, which HMA and these readers take back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from sxr.media.signal import MediaHashType, SignalRegistry

TYPE_COLUMNS = ("signal_type", "type", "hash_type", "kind")
VALUE_COLUMNS = ("signal_value", "signal_str", "signal", "hash", "value", "hash_value")
ID_COLUMNS = ("id", "entry_id", "bank_content_id", "content_id")
HEADER = ("signal_type", "signal_value")


class SignalFileError(ValueError):
    """A file of hashes that cannot be used, with a sentence saying why; `line` says where (from 1)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def where(self, line_word: str = "line", of: str = "") -> str:
        """The message led by its line ("Line 3: ...", "line 3 of the watchlist: ...")."""
        if self.line is None:
            return str(self)
        return f"{line_word} {self.line}{of}: {self}"


@dataclass(frozen=True)
class SignalRow:
    """One hash of a file: its line, its type (None: a type sxr does not know), value as written, id."""

    line: int
    type_name: str
    signal: type[MediaHashType[Any]] | None
    value: str
    id: str


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


def _plain_rows(lines: list[str], registry: SignalRegistry) -> Iterator[SignalRow]:
    for n, line in enumerate(lines, start=1):
        if line.strip():
            kind, _, value = line.strip().partition(" ")
            yield SignalRow(n, kind.lower(), registry.find(kind), value.strip(), "")


def _csv_rows(text: str, registry: SignalRegistry) -> Iterator[SignalRow]:
    rows = list(csv.reader(io.StringIO(text)))
    first = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), len(rows))
    header = [c.strip().lower() for c in rows[first]] if first < len(rows) else []
    type_at, value_at = _column(header, TYPE_COLUMNS), _column(header, VALUE_COLUMNS)
    id_at = _column(header, ID_COLUMNS)
    if type_at is None or value_at is None:
        if header and registry.find(header[0]) is None:
            raise SignalFileError(
                "the file needs a header with a hash type column (signal_type or type) and a value "
                "column (signal_value or hash), or rows of a hash type and a value"
            )
        type_at, value_at, id_at, first = 0, 1, None, first - 1  # no header: every row is a hash
    for n, row in enumerate(rows[first + 1 :], start=first + 2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) <= max(type_at, value_at):
            raise SignalFileError("expected a hash type and a hash", n)
        hash_id = cells[id_at] if id_at is not None and id_at < len(cells) else ""
        kind = cells[type_at]
        yield SignalRow(n, kind.lower(), registry.find(kind), cells[value_at], hash_id)


def read_signal_rows(text: str, registry: SignalRegistry) -> list[SignalRow]:
    """Every hash row of a file's text, in order; SignalFileError when its shape cannot be read."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    try:
        if "," not in first:
            return list(_plain_rows(lines, registry))
        return list(_csv_rows(text, registry))
    except csv.Error as exc:
        raise SignalFileError(f"the file is not a readable CSV ({exc})") from exc


def clean_row(row: SignalRow, registry: SignalRegistry) -> tuple[type[MediaHashType[Any]], str]:
    """A row's type and hash in normal form; SignalFileError on its line when it is not a single-value
    hash of a type sxr knows."""
    single = registry.single()
    if row.signal is None or row.signal not in single:
        raise SignalFileError(
            f"the hash type {row.type_name!r} is not one sxr reads from a file ({registry.words(single)})",
            row.line,
        )
    try:
        return row.signal, row.signal.validate(row.value)
    except ValueError as exc:
        raise SignalFileError(str(exc), row.line) from exc


def write_signal_rows(out: TextIO, rows: Iterable[tuple[str, str]]) -> int:
    """Write (type, hash) rows under the `signal_type,signal_value` header; returns how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
