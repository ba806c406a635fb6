"""Platform API keys: created once and shown once, stored hashed, found by prefix, revocable.

A key is `sxr_<prefix>_<secret>` with 8 random bytes of prefix and 32 random bytes of secret. Only the
prefix (to find the row without scanning) and the SHA-256 of the whole key are stored. A fast hash is
right here where it would be wrong for a PIN: the key has 256 bits of entropy, so nobody can guess it
from its hash, and a match request must not spend Argon2id's ~50 ms of CPU per call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.accounts.models import ApiKey

KEY_PATTERN = re.compile(r"^sxr_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$")


class ApiKeyError(Exception):
    """An API key could not be created or revoked (the message says why)."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, name: str) -> str:
    """Create (or re-issue after revocation) the key for platform `name`; returns the key, once."""
    if not NAME_PATTERN.match(name):
        raise ApiKeyError("A key name is 1-80 letters, digits, spaces, dots, dashes or underscores.")
    prefix = secrets.token_hex(8)
    key = f"sxr_{prefix}_{secrets.token_urlsafe(32)}"
    existing = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if existing is not None and existing.revoked_at is None:
        raise ApiKeyError(f"A key named {name!r} exists already; revoke it first to issue a new one.")
    if existing is None:
        existing = ApiKey(name=name, prefix=prefix, key_hash=_digest(key))
        session.add(existing)
    else:
        existing.prefix, existing.key_hash = prefix, _digest(key)
        existing.created_at, existing.revoked_at = datetime.now(UTC), None
    session.flush()
    return key


def revoke_api_key(session: Session, name: str) -> None:
    """Stop the key of platform `name` from working at once."""
    existing = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if existing is None or existing.revoked_at is not None:
        raise ApiKeyError(f"There is no live key named {name!r}.")
    existing.revoked_at = datetime.now(UTC)
    session.flush()


def authenticate_api_key(session: Session, key: str) -> ApiKey | None:
    """The live key row for `key`, or None."""
    found = KEY_PATTERN.match(key.strip())
    if found is None:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == found.group(1).lower()))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, _digest(key.strip())):
        return None
    return row
