"""A check of scanned files against a file of hashes, with no database (sxr.watchlist is the full one).

The file is one that HMA and ThreatExchange exchange (see `signal_files`): a hash type and a value a row,
with an optional id column. Each registered hash type matches as it says (PDQ within Hamming distance 31,
and a video's frames count as pictures; MD5 and SHA-256 only exactly); rows of types sxr does not know
(TMK, for example) and of types that are not one value (vPDQ) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sxr.media.signal import MediaHashType, SignalIndex, SignalRegistry
from sxr.media.signal_files import SignalFileError, clean_row, read_signal_rows
from sxr.media.signal_types import SIGNAL_TYPES


class WatchlistFileError(ValueError):
    """A watchlist file that cannot be read, with a sentence saying why."""


@dataclass(frozen=True)
class WatchlistRow:
    """One hash of the watchlist file."""

    entry_id: str
    type: str
    value: str


class LinearWatchlistCheck:
    """Every file's hashes against the file's hashes, through each type's own index."""

    def __init__(self, rows: list[WatchlistRow], registry: SignalRegistry = SIGNAL_TYPES) -> None:
        self.rows = rows
        self.registry = registry
        self._indexes: dict[str, tuple[SignalIndex, list[WatchlistRow]]] = {}
        for signal in registry.single():
            banked = [row for row in rows if row.type == signal.name]
            if banked:
                index = signal.new_index(signal.match_threshold)
                index.add([row.value for row in banked], list(range(len(banked))))
                self._indexes[signal.name] = (index, banked)

    @classmethod
    def from_csv(cls, path: Path, registry: SignalRegistry = SIGNAL_TYPES) -> LinearWatchlistCheck:
        """Read the file; rows of other hash types (e.g. vPDQ, TMK) are ignored."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise WatchlistFileError(f"the watchlist could not be read ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise WatchlistFileError(f"the watchlist is not a readable CSV ({exc})") from exc
        single = registry.single()
        rows = []
        try:
            for row in read_signal_rows(text, registry):
                if row.signal in single:
                    signal, value = clean_row(row, registry)
                    rows.append(WatchlistRow(row.id or f"line-{row.line}", signal.name, value))
        except SignalFileError as exc:
            raise WatchlistFileError(exc.where(of=" of the watchlist")) from exc
        return cls(rows, registry)

    def _queries(self, signal: type[MediaHashType[Any]], entry: dict[str, Any]) -> list[str]:
        """The usable hashes of one type in a `hash_file` entry, a video's frames counting as pictures."""
        found = signal.from_file_entry(entry.get(signal.name))
        for framed in self.registry.framed():
            if framed.frame_type is signal:
                for item in framed.from_file_entry(entry.get(framed.name)):
                    found.extend({"value": f["hash"], "quality": f["quality"]} for f in item["frames"])
        return [item["value"] for item in found if signal.usable(item.get("quality"))]

    def matches(self, entry: dict[str, Any]) -> list[dict[str, Any]]:
        """Matches of one `hash_file` entry: [{"entry_id", "type", "distance"}], closest first."""
        found: dict[str, dict[str, Any]] = {}
        for name, (index, banked) in self._indexes.items():
            queries = self._queries(self.registry[name], entry)
            for pairs in index.search([[value] for value in queries]):
                for label, distance in pairs:
                    row = banked[label]
                    previous = found.get(row.entry_id)
                    if previous is None or previous["distance"] > distance:
                        found[row.entry_id] = {"entry_id": row.entry_id, "type": name, "distance": distance}
        return sorted(found.values(), key=lambda match: (match["distance"], match["entry_id"]))
