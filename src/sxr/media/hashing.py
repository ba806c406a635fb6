"""Every media hash of one file, as one entry of `sxr hash --json`'s "files" list."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from sxr.media.exact import file_digests
from sxr.media.pdq import ImageError, hash_image
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.media.vpdq import VideoError, hash_video

try:  # HEIC/HEIF photos from phones, when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a dependency, but hashing works without it
    pass

# Every hash type, by name (the registry itself, under the name callers knew it by).
HASH_TYPES = SIGNAL_TYPES
# The hashes `hash_file` makes itself, reading the file once; other registered types hash it on their own.
BUILT_IN = ("md5", "sha256", "pdq", "vpdq")

IMAGE_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".gif",
        ".webp",
        ".bmp",
        ".tif",
        ".tiff",
        ".heic",
        ".heif",
        ".avif",
        ".ico",
        ".psd",
        ".jp2",
        ".tga",
    }
)
VIDEO_SUFFIXES = frozenset(
    {
        ".mp4",
        ".m4v",
        ".mov",
        ".3gp",
        ".3g2",
        ".mkv",
        ".webm",
        ".avi",
        ".wmv",
        ".asf",
        ".flv",
        ".mpg",
        ".mpeg",
        ".ts",
        ".mts",
        ".m2ts",
        ".ogv",
        ".ogg",
        ".vob",
    }
)


def _looks_like_video(path: Path, head: bytes) -> bool:
    """Container signatures, so that text and other files are never handed to FFmpeg's many probes."""
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return True
    return (
        head[4:8] == b"ftyp"  # MP4, MOV, 3GP
        or head[:4] == b"\x1a\x45\xdf\xa3"  # Matroska, WebM
        or (head[:4] == b"RIFF" and head[8:12] == b"AVI ")
        or head[:4] == b"OggS"
        or head[:3] == b"FLV"
        or head[:4] == b"\x00\x00\x01\xba"  # MPEG program stream
        or head[:16] == b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c"  # ASF, WMV
        or (len(head) > 376 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47)  # MPEG-TS
    )


def hash_file(
    path: Path, *, video_frames_per_second: float | None = None, display_path: str | None = None
) -> dict[str, Any]:
    """MD5, SHA-256, and PDQ (images) or vPDQ (videos, every frame unless a rate is given) of one file,
    and the hash of every other registered type under its name."""
    entry: dict[str, Any] = {
        "path": display_path if display_path is not None else str(path),
        **dict.fromkeys(BUILT_IN),
        "error": None,
    }
    entry["error"] = _hash_built_in(path, entry, video_frames_per_second)
    if entry["error"] is None:
        entry["error"] = _hash_registered(path, entry)
    return entry


def _hash_built_in(path: Path, entry: dict[str, Any], video_frames_per_second: float | None) -> str | None:
    """Fill the entry's MD5, SHA-256 and PDQ or vPDQ from one read of the file; what went wrong, in words."""
    try:
        md5, sha256, data = file_digests(path)
    except OSError as exc:
        return f"the file could not be read ({exc.strerror or exc})"
    entry["md5"], entry["sha256"] = md5, sha256
    if data is not None and len(data) == 0:
        return "the file is empty"
    head = data[:512] if data is not None else _read_head(path)
    source = io.BytesIO(data) if data is not None else path
    try:
        image = hash_image(source)
    except Image.UnidentifiedImageError:
        image = None
    except ImageError as exc:
        return str(exc)
    except (OSError, SyntaxError, ValueError) as exc:
        return f"the image could not be read ({exc})"
    if image is not None:
        pdq: dict[str, Any] = image.stored.to_json()
        if image.upright is not None:
            pdq["upright"] = image.upright.to_json()
        entry["pdq"] = pdq
        return None
    if _looks_like_video(path, head):
        try:
            frames = hash_video(io.BytesIO(data) if data is not None else path, video_frames_per_second)
        except VideoError as exc:
            return str(exc)
        entry["vpdq"] = {"frames": [frame.to_json() for frame in frames]}
        return None
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return "the image is damaged or in a format that cannot be read"
    return None


def _hash_registered(path: Path, entry: dict[str, Any]) -> str | None:
    """The hashes of registered types that `_hash_built_in` does not make; what went wrong, in words."""
    for name, signal in SIGNAL_TYPES.items():
        if name in BUILT_IN:
            continue
        try:
            value = signal.hash_file(path)
        except (OSError, ValueError) as exc:
            return f"the {name} hash could not be made ({exc})"
        entry[name] = None if value is None else signal.to_json(value)
    return None


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(512)
