"""Exchanging hashes with HMA and ThreatExchange: files of `signal_type,signal_value` rows (no case data)."""

from __future__ import annotations

from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.media.signal_files import SignalFileError, clean_row, read_signal_rows, write_signal_rows
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.banking import bank_hashes
from sxr.watchlist.errors import WatchlistError
from sxr.watchlist.hashes import validate_hash
from sxr.watchlist.models import WatchlistEntry


def export_csv(session: Session, out: TextIO) -> int:
    """Write every entry of a single-value type as a `signal_type,signal_value` row; returns how many."""
    names = [signal.name for signal in SIGNAL_TYPES.single()]
    rows = session.execute(
        select(WatchlistEntry.type, WatchlistEntry.value)
        .where(WatchlistEntry.type.in_(names), WatchlistEntry.value.is_not(None))
        .order_by(WatchlistEntry.id)
    )
    return write_signal_rows(out, ((kind, value or "") for kind, value in rows))


def _importable(text: str) -> list[dict[str, Any]]:
    """Every hash of an HMA / ThreatExchange file, checked as if banked; WatchlistError names the line."""
    hashes = []
    try:
        for row in read_signal_rows(text, SIGNAL_TYPES):
            signal, value = clean_row(row, SIGNAL_TYPES)
            # HMA's files carry no quality; an exported signal was good enough for its bank.
            quality = 100 if signal.quality_floor is not None else None
            item = {"type": signal.name, "value": value, "quality": quality}
            try:
                validate_hash(item)  # named by its line here; bank_hashes would count signals instead
            except WatchlistError as exc:
                raise SignalFileError(str(exc), row.line) from exc
            hashes.append(item)
    except SignalFileError as exc:
        raise WatchlistError(exc.where("Line")) from exc
    if not hashes:
        raise WatchlistError("The file has no signals.")
    return hashes


def import_csv(session: Session, text: str, added_by: str) -> list[WatchlistEntry]:
    """Bank every signal of an HMA / ThreatExchange file (no case: there is no victim to alert)."""
    # An operator chose to import another bank's signals: they are not one anonymous person's word.
    return bank_hashes(session, None, _importable(text), added_by, trust="reviewed")
