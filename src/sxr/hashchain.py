"""The pieces of a hash chain: the hash before the first entry, and the canonical JSON an entry hashes.

A case's ledger (sxr.evidence.ledger) is such a chain; its head is kept on the case row, which is why
these live below both.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """`value` as JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(body: dict[str, Any]) -> str:
    """SHA-256 (hex) of an entry's canonical JSON, which carries the previous entry's hash."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
