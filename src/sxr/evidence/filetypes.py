"""What a file is, decided from its bytes (never its name), and whether it is whole and safe to keep."""

from __future__ import annotations

import codecs
import re
import struct
import warnings
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path
from typing import BinaryIO

import ijson
import pillow_heif
from PIL import Image

from sxr.evidence import archive
from sxr.evidence.limits import EvidenceLimits, EvidenceRejected

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class FileType:
    """A recognised evidence file type."""

    media_type: str
    kind: str
    extension: str


PNG = FileType("image/png", "image", "png")
JPEG = FileType("image/jpeg", "image", "jpg")
WEBP = FileType("image/webp", "image", "webp")
HEIC = FileType("image/heic", "image", "heic")
MP4 = FileType("video/mp4", "video", "mp4")
MOV = FileType("video/quicktime", "video", "mov")
PDF = FileType("application/pdf", "pdf", "pdf")
ZIP = FileType("application/zip", "archive", "zip")
TAR = FileType("application/x-tar", "archive", "tar")
EML = FileType("message/rfc822", "email", "eml")
JSON = FileType("application/json", "chat_export", "json")
TEXT = FileType("text/plain", "chat_export", "txt")

UNKNOWN_MESSAGE = (
    "We cannot keep this kind of file. We accept pictures (PNG, JPEG, HEIC, WebP), videos (MP4, MOV), "
    "chat exports (.txt, .json, .zip, .tar), PDFs and e-mails (.eml)."
)

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
    b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV", b"f4v ", b"mmp4",
}  # fmt: skip
_QUICKTIME_FIRST_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_EMAIL_FIELDS = {b"date", b"subject", b"to", b"message-id", b"received", b"mime-version", b"return-path"}
_TEXT_CHUNK = 1024 * 1024


def detect(path: Path, limits: EvidenceLimits | None = None) -> FileType:
    """The type of the file at `path`, after checking it is whole and safe; raises EvidenceRejected."""
    limits = limits or EvidenceLimits()
    size = path.stat().st_size
    if size == 0:
        raise EvidenceRejected("This file is empty.")
    if size > limits.max_file_bytes:
        from sxr.sizes import human_size

        raise EvidenceRejected(
            f"This file is {human_size(size)}; the most we accept for one file is "
            f"{human_size(limits.max_file_bytes)}."
        )
    with open(path, "rb") as stream:
        head = stream.read(4096)
        stream.seek(max(0, size - 2048))
        tail = stream.read()

    kind = _picture(path, head, tail, size, limits)
    if kind is None:
        kind = _movie(path, head, size)
    if kind is not None:
        return kind
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in tail:
            raise EvidenceRejected("This PDF is incomplete (it was cut short).")
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        archive.check_zip(path, limits)
        return ZIP
    if len(head) >= 262 and head[257:262] == b"ustar":
        archive.check_tar(path, limits)
        return TAR
    if archive.looks_like_archive(head):
        raise EvidenceRejected(
            "We cannot keep this kind of compressed file. Please upload a .zip or .tar file instead."
        )
    return _detect_text(path, head)


def _picture(path: Path, head: bytes, tail: bytes, size: int, limits: EvidenceLimits) -> FileType | None:
    """PNG, JPEG, WebP or HEIC, checked whole; None for any other file."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if not tail.endswith(_PNG_END):
            raise EvidenceRejected("This picture is incomplete (it was cut short).")
        _check_image(path, "PNG", limits)
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        _check_image(path, "JPEG", limits)
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        if struct.unpack("<I", head[4:8])[0] + 8 > size:
            raise EvidenceRejected("This picture is incomplete (it was cut short).")
        _check_image(path, "WEBP", limits)
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        _check_image(path, "HEIF", limits)
        return HEIC
    return None


def _movie(path: Path, head: bytes, size: int) -> FileType | None:
    """MP4 or QuickTime, its boxes checked; None for any other file (an unknown ISO brand is refused)."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  " or brand in _MP4_BRANDS:
            _check_boxes(path, size)
            return MOV if brand == b"qt  " else MP4
        raise EvidenceRejected(UNKNOWN_MESSAGE)
    if head[4:8] in _QUICKTIME_FIRST_BOXES:
        _check_boxes(path, size)
        return MOV
    return None


def _check_image(path: Path, pil_format: str, limits: EvidenceLimits) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=[pil_format]) as image:
                width, height = image.size
                if width * height > limits.max_image_pixels:
                    raise EvidenceRejected(
                        f"This picture is too big to check safely ({width} × {height} pixels)."
                    )
                image.load()
    except Image.DecompressionBombError as exc:
        raise EvidenceRejected("This picture is too big to check safely.") from exc
    except EvidenceRejected:
        raise
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, RuntimeError) as exc:
        raise EvidenceRejected("This picture is damaged or incomplete, so we cannot keep it.") from exc


def _check_boxes(path: Path, size: int) -> None:
    """Walk an MP4/MOV file's top-level boxes: each must fit in the file, and a `moov` box must be there."""
    names: set[bytes] = set()
    offset = 0
    with open(path, "rb") as stream:
        while offset < size:
            stream.seek(offset)
            header = stream.read(8)
            if len(header) < 8:
                raise EvidenceRejected("This video is incomplete (it was cut short).")
            box_size, name = struct.unpack(">I4s", header)
            if box_size == 1:
                large = stream.read(8)
                if len(large) < 8:
                    raise EvidenceRejected("This video is incomplete (it was cut short).")
                box_size = struct.unpack(">Q", large)[0]
            elif box_size == 0:
                box_size = size - offset
            if box_size < 8:
                raise EvidenceRejected("This video is damaged, so we cannot keep it.")
            if offset + box_size > size:
                raise EvidenceRejected("This video is incomplete (it was cut short).")
            names.add(name)
            offset += box_size
            if len(names) > 10_000:
                break
    if b"moov" not in names:
        raise EvidenceRejected("This video is incomplete: its index is missing.")


def _detect_text(path: Path, head: bytes) -> FileType:
    encoding = "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    first = ""
    with open(path, "rb") as stream:
        try:
            while chunk := stream.read(_TEXT_CHUNK):
                text = decoder.decode(chunk)
                if "\x00" in text or _too_many_controls(text):
                    raise EvidenceRejected(UNKNOWN_MESSAGE)
                if len(first) < 4096:
                    first += text[:4096]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise EvidenceRejected(UNKNOWN_MESSAGE) from exc
    stripped = first.lstrip()
    if not stripped:
        raise EvidenceRejected("This file has no words in it.")
    if stripped[0] in "{[":
        _check_json(path, encoding)
        return JSON
    if _looks_like_email(first):
        return EML
    return TEXT


_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _too_many_controls(text: str) -> bool:
    return len(_CONTROL.findall(text)) > max(8, len(text) // 100)


# No real chat export nests deeper than about ten levels. ijson.parse keeps a prefix string per open level
# (memory grew with the square of the depth: a 1 MB file of brackets took 21 GB), so the check walks
# basic_parse's events, which cost memory in proportion to the input only, and stops past this depth.
MAX_JSON_DEPTH = 1024
_DEPTH_STEP = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}
_TOO_DEEP_MESSAGE = (
    "This file is not a chat export we can read: its data is nested far deeper than any real export."
)


class _Utf8Reader:
    """A UTF-16 text file read as UTF-8 bytes, a chunk at a time (ijson reads bytes)."""

    def __init__(self, path: Path) -> None:
        self._text = open(path, encoding="utf-16")  # noqa: SIM115 - closed by close()

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size if size < 0 else max(1, size // 4)).encode("utf-8")

    def close(self) -> None:
        self._text.close()


def _check_json(path: Path, encoding: str) -> None:
    """Refuse JSON that does not parse or is nested past MAX_JSON_DEPTH, in memory bounded by the file."""
    stream: _Utf8Reader | BinaryIO = _Utf8Reader(path) if encoding == "utf-16" else open(path, "rb")  # noqa: SIM115
    try:
        if isinstance(stream, BufferedReader) and stream.peek(3)[:3] == codecs.BOM_UTF8:
            stream.read(3)
        depth = 0
        step = _DEPTH_STEP
        for kind, _value in ijson.basic_parse(stream):
            if kind in step:
                depth += step[kind]
                if depth > MAX_JSON_DEPTH:
                    raise EvidenceRejected(_TOO_DEEP_MESSAGE)
    except (ijson.JSONError, ValueError) as exc:
        raise EvidenceRejected(
            "This chat export is incomplete or damaged (its JSON does not end properly)."
        ) from exc
    finally:
        stream.close()


def _looks_like_email(text: str) -> bool:
    lines = text.encode("utf-8", "replace").splitlines()
    names: set[bytes] = set()
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue
        if not _HEADER_LINE.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return b"from" in names and bool(names & _EMAIL_FIELDS)
