"""The watchlist's section of the one settings object: `WatchlistSection` (webhook, match radius, platform
rate limits, per-case quota) is defined in `sxr.config`, the foundation layer every package may import, and
`Settings` is composed from it; this module is where the watchlist gets it."""

from __future__ import annotations

from sxr.config import Settings, WatchlistSection, read_settings

__all__ = ["WatchlistSection", "get_watchlist_settings"]


def get_watchlist_settings() -> Settings:
    """The deployment's settings read afresh (cheap, and tests change the environment between calls)."""
    return read_settings()
