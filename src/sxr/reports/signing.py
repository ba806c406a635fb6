"""The deployment's Ed25519 report-signing key: from SXR_SIGNING_KEY, or a 0600 key file in the data dir."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = Path("keys") / "report-signing.key"


class SigningKeyError(Exception):
    """The signing key is malformed or cannot be read."""


def _parse_private(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("the signing key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise SigningKeyError("the signing key is neither PEM nor base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise SigningKeyError("the signing key must be 32 bytes (base64-encoded)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def load_signing_key(
    data_dir: Path, configured: str | None = None, *, create: bool = True
) -> Ed25519PrivateKey | None:
    """The signing key: `configured` (settings.signing_key, from SXR_SIGNING_KEY), else the key file
    (created with mode 0600 when `create`)."""
    if configured:
        return _parse_private(configured)
    path = key_path(data_dir)
    if path.exists():
        return _parse_private(path.read_text("ascii"))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return _parse_private(path.read_text("ascii"))
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.b64encode(raw).decode() + "\n")
    return key


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key, base64-encoded (what `sxr report public-key` prints)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()


def fingerprint(public_b64: str) -> str:
    """A short name for a public key: `SHA256:` and the first 16 bytes of its hash, hex."""
    raw = base64.b64decode(public_b64)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()[:32]


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key given as base64 of its 32 raw bytes, or PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError("the public key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise SigningKeyError("the public key is neither PEM nor base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise SigningKeyError("the public key must be 32 bytes (base64-encoded)")
    return Ed25519PublicKey.from_public_bytes(raw)
