"""The victim's own words sealed at rest: AES-256-GCM under a key derived from the master key.

Only the few free-text answers are sealed (what happened); the fields the queue sorts and filters on
(age band, status, counts) stay plain. A value stored before sealing existed reads back as it was.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sxr.config import Settings
from sxr.master_key import load_master_key

PREFIX = "sealed:v1:"
_CONTEXT = b"sxr sealed case field"


def _aead(settings: Settings) -> AESGCM:
    return AESGCM(hashlib.sha256(b"sxr sealed fields\0" + load_master_key(settings)).digest())


def seal(settings: Settings, text: str | None) -> str | None:
    """`text` encrypted for storage (None stays None)."""
    if text is None:
        return None
    nonce = secrets.token_bytes(12)
    sealed = _aead(settings).encrypt(nonce, text.encode("utf-8"), _CONTEXT)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(settings: Settings, stored: str | None) -> str | None:
    """The text of a stored value; a value that cannot be opened says so instead of failing the page."""
    if stored is None or not stored.startswith(PREFIX):
        return stored
    try:
        raw = base64.b64decode(stored[len(PREFIX) :], validate=True)
        return _aead(settings).decrypt(raw[:12], raw[12:], _CONTEXT).decode("utf-8")
    except (InvalidTag, ValueError):
        return "[this answer could not be opened: check the master key]"
