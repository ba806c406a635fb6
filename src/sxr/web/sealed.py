"""Short-lived sealed tokens: a little JSON carried in a URL that only this server can read.

The victim's plan answers and the one-time "your reference and PIN" page travel from page to page this way:
a browser's history then holds an opaque string that says nothing (never `safe=harm`), and it stops
opening after `max_age`. AES-256-GCM under a key derived from the master key, one key per purpose, so a
token made for one page never opens on another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sxr.config import Settings

MAX_TOKEN_CHARS = 4096  # a hostile URL may be long: refuse before any work


def _aead(settings: Settings, purpose: str) -> AESGCM:
    from sxr.master_key import load_master_key

    label = f"sxr sealed token\0{purpose}\0".encode()
    return AESGCM(hashlib.sha256(label + load_master_key(settings)).digest())


def seal_token(settings: Settings, purpose: str, data: dict[str, Any], *, now: float | None = None) -> str:
    """`data` sealed into a URL-safe token, stamped with the time it was made."""
    body = json.dumps({"t": int(now if now is not None else time.time()), "d": data}, separators=(",", ":"))
    nonce = secrets.token_bytes(12)
    sealed = _aead(settings, purpose).encrypt(nonce, body.encode("utf-8"), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")


def open_token(
    settings: Settings, purpose: str, token: str | None, *, max_age: int, now: float | None = None
) -> dict[str, Any] | None:
    """The data in `token`, or None when it is missing, forged, made for another purpose or too old."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(_aead(settings, purpose).decrypt(raw[:12], raw[12:], purpose.encode()))
    except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("t"), int):
        return None
    if not isinstance(body.get("d"), dict):
        return None
    age = (now if now is not None else time.time()) - body["t"]
    if age < -60 or age > max_age:
        return None
    data: dict[str, Any] = body["d"]
    return data
