"""The watchlist's rules, by job: banking (`banking`), matching (`matching`), alerts (`alerts`), CSV
exchange with HMA and ThreatExchange (`exchange`), trust and review (`trust`), quotas (`quota`), and the
in-process index (`live`). Every hash type comes from the one registry, `sxr.media.signal_types`.

This module gathers their public names, for callers that use the watchlist as one service.
"""

from __future__ import annotations

from sxr.watchlist.alerts import ALERT_KINDS, AlertView, alert_payload, alerts_for_case, mark_alerts_seen
from sxr.watchlist.banking import (
    bank_hashes,
    entries_for_case,
    frame_counts,
    get_entry,
    remove_entries,
    withdraw_entry,
)
from sxr.watchlist.errors import NotFound, QuotaReached, WatchlistError
from sxr.watchlist.exchange import export_csv, import_csv
from sxr.watchlist.hashes import validate_hash
from sxr.watchlist.live import LiveIndex, live_index, reset_live_indexes
from sxr.watchlist.matching import VERDICTS, Hit, lookup, lookup_frames, match_hashes, record_feedback
from sxr.watchlist.quota import Quota, QuotaUse, case_quota, quota_use
from sxr.watchlist.trust import TRUST_LEVELS, review_entries

__all__ = [
    "ALERT_KINDS",
    "TRUST_LEVELS",
    "VERDICTS",
    "AlertView",
    "Hit",
    "LiveIndex",
    "NotFound",
    "Quota",
    "QuotaReached",
    "QuotaUse",
    "WatchlistError",
    "alert_payload",
    "alerts_for_case",
    "bank_hashes",
    "case_quota",
    "entries_for_case",
    "export_csv",
    "frame_counts",
    "get_entry",
    "import_csv",
    "live_index",
    "lookup",
    "lookup_frames",
    "mark_alerts_seen",
    "match_hashes",
    "quota_use",
    "record_feedback",
    "remove_entries",
    "reset_live_indexes",
    "review_entries",
    "validate_hash",
    "withdraw_entry",
]
