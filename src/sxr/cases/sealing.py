"""The victim's own words sealed at rest: AES-256-GCM under a key derived from the master key.

Only the few free-text answers are sealed (what happened); the fields the queue sorts and filters on
(age band, status, counts) stay plain. A value stored before sealing existed reads back as it was.
Values are written as `sealed:v2:<master key id>:<base64>`, so a master key rotation can tell which
are done; `sealed:v1:` values (no key id) are opened with the current key.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sxr.config import Settings
from sxr.master_key import key_id, load_master_key

PREFIX = "sealed:v1:"
PREFIX2 = "sealed:v2:"
_CONTEXT = b"sxr sealed case field"
UNOPENED = "[this answer could not be opened: check the master key]"


class SealError(Exception):
    """A sealed value does not open with the key given."""


def _aead(master_key: bytes) -> AESGCM:
    return AESGCM(hashlib.sha256(b"sxr sealed fields\0" + master_key).digest())


def _master(settings: Settings) -> bytes:
    return load_master_key(settings)


def seal_with(master_key: bytes, text: str) -> str:
    """`text` sealed under `master_key`, tagged with that key's id."""
    nonce = secrets.token_bytes(12)
    sealed = _aead(master_key).encrypt(nonce, text.encode("utf-8"), _CONTEXT)
    return f"{PREFIX2}{key_id(master_key).hex()}:" + base64.b64encode(nonce + sealed).decode("ascii")


def sealed_key_id(stored: str | None) -> str | None:
    """The master key id a stored value names (None for plain or `sealed:v1:` values)."""
    if stored is None or not stored.startswith(PREFIX2):
        return None
    return stored[len(PREFIX2) :].split(":", 1)[0]


def open_with(master_key: bytes, stored: str | None) -> str | None:
    """The text of a stored value under `master_key`; raises SealError when it does not open."""
    if stored is None:
        return None
    if stored.startswith(PREFIX2):
        wanted, _, body = stored[len(PREFIX2) :].partition(":")
        if wanted != key_id(master_key).hex():
            raise SealError(f"sealed with master key {wanted}, not {key_id(master_key).hex()}")
    elif stored.startswith(PREFIX):
        body = stored[len(PREFIX) :]
    else:
        return stored
    try:
        raw = base64.b64decode(body, validate=True)
        return _aead(master_key).decrypt(raw[:12], raw[12:], _CONTEXT).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise SealError("does not open (changed, or sealed with another key)") from exc


def seal(settings: Settings, text: str | None) -> str | None:
    """`text` encrypted for storage (None stays None)."""
    if text is None:
        return None
    return seal_with(_master(settings), text)


def unseal(settings: Settings, stored: str | None) -> str | None:
    """The text of a stored value; a value that cannot be opened says so instead of failing the page."""
    if stored is None or not stored.startswith(("sealed:v1:", "sealed:v2:")):
        return stored
    try:
        return open_with(_master(settings), stored)
    except SealError:
        return UNOPENED
