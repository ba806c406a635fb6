"""Exact hashes of a file's bytes: MD5 (what StopNCII and NCMEC exchange) and SHA-256 (evidence integrity)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar

from sxr.media.signal import HEX_DIGITS, MediaHashType

CHUNK_BYTES = 1024 * 1024


def file_digests(path: Path) -> tuple[str, str, bytes | None]:
    """MD5 and SHA-256 of a file, read once; also its bytes when small enough to keep for decoding."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256()
    size = path.stat().st_size
    if size <= 64 * CHUNK_BYTES:
        data = path.read_bytes()
        md5.update(data)
        sha256.update(data)
        return md5.hexdigest(), sha256.hexdigest(), data
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            md5.update(chunk)
            sha256.update(chunk)
    return md5.hexdigest(), sha256.hexdigest(), None


class ExactSignal(MediaHashType[str]):
    """A digest of the file's bytes in hex: matches only an identical copy (distance 0 or 1)."""

    # The digest of zero bytes: every empty file has it, so it stands for no file in particular.
    empty_file: ClassVar[str]

    @classmethod
    def validate(cls, value: str) -> str:
        normal = value.strip().lower()
        if len(normal) != cls.hex_digits or not set(normal) <= HEX_DIGITS:
            raise ValueError(cls.format_message)
        return normal

    @classmethod
    def refuse_degenerate(cls, value: str) -> None:
        if value == cls.empty_file:
            raise ValueError(
                f"This is the {cls.name.upper()} of an empty file (a file with nothing in it). It would "
                "match every empty file, not one of yours, so it was not added."
            )

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return 0 if a == b else 1


class Md5Signal(ExactSignal):
    """MD5 of the file's bytes: matches only an identical copy."""

    name: ClassVar[str] = "md5"
    aliases: ClassVar[tuple[str, ...]] = ("video_md5", "photo_md5")
    description: ClassVar[str] = "an MD5 of a file's bytes"
    hex_digits: ClassVar[int] = 32
    format_message: ClassVar[str] = "An MD5 hash is 32 hexadecimal digits (0-9 and a-f)."
    empty_file: ClassVar[str] = hashlib.md5(b"", usedforsecurity=False).hexdigest()

    @classmethod
    def hash_file(cls, path: Path) -> str:
        return file_digests(path)[0]


class Sha256Signal(ExactSignal):
    """SHA-256 of the file's bytes: matches only an identical copy."""

    name: ClassVar[str] = "sha256"
    aliases: ClassVar[tuple[str, ...]] = ("video_sha256", "photo_sha256")
    description: ClassVar[str] = "a SHA-256 of a file's bytes"
    hex_digits: ClassVar[int] = 64
    format_message: ClassVar[str] = "A SHA-256 hash is 64 hexadecimal digits (0-9 and a-f)."
    empty_file: ClassVar[str] = hashlib.sha256(b"").hexdigest()

    @classmethod
    def hash_file(cls, path: Path) -> str:
        return file_digests(path)[1]
