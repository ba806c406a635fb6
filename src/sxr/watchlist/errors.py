"""What the watchlist says when it cannot do what it was asked, in plain words."""

from __future__ import annotations


class WatchlistError(ValueError):
    """A request the watchlist cannot carry out; the message says why in plain words."""


class NotFound(WatchlistError):
    """No such entry or match (or not one the caller may see)."""


class QuotaReached(WatchlistError):
    """The case already has as many unreviewed hashes as it may; the message says so to the victim."""
