"""What the watchlist takes: a hash to bank or to look up, each checked by its own type in the registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sxr.media.signal import MediaHashType
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.errors import WatchlistError


def signal_type(name: Any) -> type[MediaHashType[Any]] | None:
    """The registered hash type of this name, or None."""
    return SIGNAL_TYPES.get(name) if isinstance(name, str) else None


def validate_hash(item: Any) -> dict[str, Any]:
    """One hash dict in the normal form `bank_hashes` stores, or WatchlistError saying what is wrong."""
    if not isinstance(item, dict):
        raise WatchlistError("Each hash must be an object with a type.")
    signal = signal_type(item.get("type"))
    if signal is None:
        raise WatchlistError(f"A hash's type must be {SIGNAL_TYPES.words()}.")
    try:
        return signal.clean_banked(item)
    except ValueError as exc:
        raise WatchlistError(str(exc)) from exc


Query = tuple[type[MediaHashType[Any]], list[str]]


class QueryFields(Protocol):
    """A hash to look up as the API's request model holds it (already known to be strings)."""

    type: str
    value: str
    dihedral: list[str] | None


def parse_query_batch(hashes: Sequence[QueryFields]) -> list[Query] | None:
    """(type, [value, variants...]) in normal form for a batch of look-ups, checked type by type in one
    pass; None when any is not valid (the caller then checks them one by one to say which, in words)."""
    types = {signal.name: signal for signal in SIGNAL_TYPES.single()}
    parsed: list[Query] = []
    try:
        for item in hashes:
            signal = types[item.type]
            variants = item.dihedral
            if variants:
                if len(variants) > signal.max_variants:
                    return None
                parsed.append((signal, [signal.validate(v) for v in (item.value, *variants)]))
            else:
                parsed.append((signal, [signal.validate(item.value)]))
    except (KeyError, ValueError):
        return None
    return parsed


def parse_queries(hashes: Sequence[Any]) -> list[Query]:
    """(type, [value, variants...]) in normal form for each hash a platform looks up."""
    single = SIGNAL_TYPES.single()
    parsed = []
    for n, item in enumerate(hashes, start=1):
        signal = signal_type(item.get("type")) if isinstance(item, dict) else None
        if signal is None or signal not in single:
            raise WatchlistError(f"Hash {n}: type must be {SIGNAL_TYPES.words(single)}.")
        variants = item.get("dihedral") or []
        try:
            if variants and not signal.max_variants:
                raise ValueError(f"{signal.name} hashes have no dihedral variants.")
            if not isinstance(variants, list) or len(variants) > signal.max_variants:
                raise ValueError(
                    f"dihedral is a list of at most {signal.max_variants} more {signal.name} hashes."
                )
            values = [signal.clean_text(v) for v in [item.get("value"), *variants]]
        except ValueError as exc:
            raise WatchlistError(f"Hash {n}: {exc}") from exc
        parsed.append((signal, values))
    return parsed
