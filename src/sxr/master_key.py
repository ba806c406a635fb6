"""The deployment's master key: from SXR_MASTER_KEY, else a key file in the data dir made on first use.

It wraps each evidence blob's data key (sxr.evidence.store) and seals the victim's own words on a case
(sxr.cases.sealing), so it lives below both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path

from sxr.config import Settings

KEY_FILE_NAME = "master.key"


class MasterKeyError(Exception):
    """The master key is missing, malformed or unreadable."""


def key_id(master_key: bytes) -> bytes:
    """A short public fingerprint of the master key, kept in each header to name a wrong key clearly."""
    return hashlib.sha256(b"sxr master key id\0" + master_key).digest()[:8]


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MasterKeyError(f"The master key in {where} is not valid base64.") from exc
    if len(key) != 32:
        raise MasterKeyError(
            f"The master key in {where} must be 32 bytes in base64 (try `openssl rand -base64 32`); "
            f"it is {len(key)} bytes."
        )
    return key


def load_master_key(settings: Settings) -> bytes:
    """The master key: from SXR_MASTER_KEY, else the key file in the data dir (created once, mode 0600)."""
    if settings.master_key:
        return _decode_key(settings.master_key, "SXR_MASTER_KEY")
    data_dir = settings.ensure_data_dir()
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        _create_key_file(path)
    try:
        return _decode_key(path.read_text(encoding="ascii"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterKeyError(f"The master key file {path} cannot be read: {exc}") from exc


def _create_key_file(path: Path) -> None:
    # Written to a private temp file and hard-linked into place: a concurrent first run sees either
    # no key file or a complete one, and exactly one key wins.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, base64.b64encode(secrets.token_bytes(32)) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
