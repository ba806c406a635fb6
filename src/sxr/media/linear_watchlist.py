"""A simple linear check of scanned files against a CSV of hashes (the full index is sxr.watchlist's job).

The CSV is the shape HMA and ThreatExchange exchange: a header, then one row per hash with its type and
value (column names such as `signal_type,signal` or `type,hash`; an optional id column). PDQ rows match
within Hamming distance 31 (a frame of a video counts too); MD5 and SHA-256 rows match only exactly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sxr.media.hashing import HASH_TYPES
from sxr.media.pdq import MATCH_THRESHOLD, QUALITY_THRESHOLD

TYPE_COLUMNS = ("signal_type", "type", "hash_type", "kind")
VALUE_COLUMNS = ("signal", "signal_value", "hash", "value", "hash_value")
ID_COLUMNS = ("id", "entry_id", "bank_content_id", "content_id")
TYPE_ALIASES = {"pdq": "pdq", "md5": "md5", "video_md5": "md5", "photo_md5": "md5", "sha256": "sha256"}


class WatchlistFileError(ValueError):
    """A watchlist CSV that cannot be read, with a sentence saying why."""


@dataclass(frozen=True)
class WatchlistRow:
    """One hash of the watchlist CSV."""

    entry_id: str
    type: str
    value: str


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {name.strip().lower(): name for name in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


class LinearWatchlistCheck:
    """Compares every file with every row: fine for a few thousand hashes, not for a national bank."""

    def __init__(self, rows: list[WatchlistRow]) -> None:
        self.rows = rows
        self._exact = {(row.type, row.value): row for row in rows if row.type in ("md5", "sha256")}
        self._pdq = [(row, int(row.value, 16)) for row in rows if row.type == "pdq"]

    @classmethod
    def from_csv(cls, path: Path) -> LinearWatchlistCheck:
        """Read the CSV; rows of other hash types (e.g. vPDQ, TMK) are ignored."""
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                header = list(reader.fieldnames or [])
                type_column = _column(header, TYPE_COLUMNS)
                value_column = _column(header, VALUE_COLUMNS)
                id_column = _column(header, ID_COLUMNS)
                if type_column is None or value_column is None:
                    raise WatchlistFileError(
                        "the watchlist CSV needs a header with a hash type column (signal_type or type) "
                        "and a value column (signal or hash)"
                    )
                rows = []
                for number, record in enumerate(reader, start=2):
                    kind = TYPE_ALIASES.get((record.get(type_column) or "").strip().lower())
                    if kind is None:
                        continue
                    try:
                        value = HASH_TYPES[kind].validate(record.get(value_column) or "")
                    except ValueError as exc:
                        raise WatchlistFileError(f"line {number} of the watchlist: {exc}") from exc
                    entry_id = (record.get(id_column) or "").strip() if id_column else ""
                    rows.append(WatchlistRow(entry_id or f"line-{number}", kind, value))
        except OSError as exc:
            raise WatchlistFileError(f"the watchlist could not be read ({exc.strerror or exc})") from exc
        except (csv.Error, UnicodeDecodeError) as exc:
            raise WatchlistFileError(f"the watchlist is not a readable CSV ({exc})") from exc
        return cls(rows)

    def matches(self, entry: dict[str, Any]) -> list[dict[str, Any]]:
        """Matches of one `hash_file` entry: [{"entry_id", "type", "distance"}], closest first."""
        found: dict[str, dict[str, Any]] = {}
        for kind in ("md5", "sha256"):
            value = entry.get(kind)
            row = self._exact.get((kind, value)) if value else None
            if row is not None:
                found[row.entry_id] = {"entry_id": row.entry_id, "type": kind, "distance": 0}
        hashes = []
        if entry.get("pdq"):
            hashes.append(entry["pdq"])
            if entry["pdq"].get("upright"):
                hashes.append(entry["pdq"]["upright"])
        if entry.get("vpdq"):
            hashes.extend(entry["vpdq"]["frames"])
        for candidate in hashes:
            if candidate["quality"] < QUALITY_THRESHOLD:
                continue
            value = int(candidate["hash"], 16)
            for row, banked in self._pdq:
                distance = (value ^ banked).bit_count()
                if distance <= MATCH_THRESHOLD:
                    previous = found.get(row.entry_id)
                    if previous is None or previous["distance"] > distance:
                        found[row.entry_id] = {"entry_id": row.entry_id, "type": "pdq", "distance": distance}
        return sorted(found.values(), key=lambda match: (match["distance"], match["entry_id"]))
