"""Times in exports: seconds since 1970 and ISO 8601, with a clear error for what cannot be a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sxr.conversations.model import ExportError

if TYPE_CHECKING:
    from sxr.conversations.importers.base import ImportRun

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch(seconds: float) -> datetime:
    """A UTC time from seconds since 1970 (clear error for absurd values)."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise ExportError(f"A time in the export is out of range ({seconds!r}).") from exc


def from_iso(text: str, run: ImportRun) -> datetime:
    """An ISO 8601 time; one without an offset is local time in the `--tz` zone."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ExportError(f"{text!r} is not a time sxr can read.") from exc
    if parsed.tzinfo is None:
        return run.local(parsed)
    return parsed
