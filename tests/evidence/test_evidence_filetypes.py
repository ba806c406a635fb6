"""File types come from bytes, not names; bad, broken and hostile files get a clear message."""

from __future__ import annotations

import io
import os
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from evidence_samples import CHAT, MAKERS, make_jpeg, make_png, make_tar, make_txt, make_zip

from sxr.evidence.filetypes import detect
from sxr.evidence.limits import EvidenceLimits, EvidenceRejected


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_each_accepted_type_is_recognised_from_its_bytes(samples: Path, kind: str) -> None:
    maker, media_type, category = MAKERS[kind]
    made = maker(samples / f"sample.{kind}")
    # A misleading name: the bytes decide.
    renamed = made.rename(samples / "evidence.dat")
    file_type = detect(renamed)
    assert (file_type.media_type, file_type.kind) == (media_type, category)


def test_a_picture_named_like_a_chat_is_still_a_picture(samples: Path) -> None:
    path = make_png(samples / "chat.txt")
    assert detect(path).media_type == "image/png"


def rejected(path: Path, limits: EvidenceLimits | None = None) -> str:
    with pytest.raises(EvidenceRejected) as info:
        detect(path, limits)
    message = str(info.value)
    assert "Traceback" not in message and len(message) < 300
    return message


def test_empty_file(samples: Path) -> None:
    path = samples / "empty.png"
    path.write_bytes(b"")
    assert "empty" in rejected(path)


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01" + os.urandom(2000),
        b"MZ\x90\x00" + bytes(range(256)) * 8,
        bytes([0xFE, 0xED, 0x00, 0x01]) + os.urandom(4000),
    ],
    ids=["elf", "exe", "random"],
)
def test_bytes_that_match_no_accepted_type(samples: Path, data: bytes) -> None:
    path = samples / "photo.png"
    path.write_bytes(data)
    assert "cannot keep this kind of file" in rejected(path)


def test_compressed_file_that_is_not_zip_or_tar(samples: Path) -> None:
    path = samples / "chat.txt.gz"
    import gzip

    path.write_bytes(gzip.compress(CHAT.encode()))
    assert ".zip or .tar" in rejected(path)


@pytest.mark.parametrize("kind", ["png", "jpeg", "webp", "heic", "mp4", "mov", "pdf", "zip", "json", "tar"])
def test_truncated_files_are_rejected(samples: Path, kind: str) -> None:
    maker = MAKERS[kind][0]
    path = maker(samples / f"whole.{kind}")
    data = path.read_bytes()
    cut = samples / f"cut.{kind}"
    cut.write_bytes(data[: int(len(data) * 0.6)] if kind != "tar" else data[:700])
    message = rejected(cut)
    assert any(w in message for w in ("incomplete", "damaged", "cut short")), message


def test_decompression_bomb_picture(samples: Path) -> None:
    # A real PNG header claiming 40000 x 40000 pixels, with a tiny body.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    path = samples / "bomb.png"
    path.write_bytes(data)
    assert "too big" in rejected(path)


def test_picture_over_the_pixel_limit(samples: Path) -> None:
    path = make_jpeg(samples / "big.jpg")
    assert "too big" in rejected(path, EvidenceLimits(max_image_pixels=1000))


def test_file_over_the_size_limit(samples: Path) -> None:
    path = make_txt(samples / "chat.txt", CHAT * 10)
    assert "most we accept" in rejected(path, EvidenceLimits(max_file_bytes=100))


def test_zip_bomb_by_ratio(samples: Path) -> None:
    path = samples / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", b"\x00" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    assert "zip bomb" in rejected(path)


def test_zip_over_the_unpacked_limit(samples: Path) -> None:
    path = make_zip(samples / "big.zip", {f"part{i}.txt": os.urandom(50_000) for i in range(4)})
    assert "unpacks to" in rejected(path, EvidenceLimits(max_archive_unpacked_bytes=100_000))


def test_zip_whose_header_lies_about_its_size(samples: Path) -> None:
    path = samples / "liar.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", CHAT.encode() * 100)
    data = bytearray(path.read_bytes())
    # Shrink the uncompressed size in the central directory (the copy zipfile trusts).
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    path.write_bytes(bytes(data))
    message = rejected(path)
    assert "zip bomb" in message or "damaged" in message


def test_nested_archive(samples: Path) -> None:
    inner = make_zip(samples / "inner.zip").read_bytes()
    path = make_zip(samples / "outer.zip", {"_chat.txt": CHAT.encode(), "more.dat": inner})
    assert "another archive inside" in rejected(path)


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "/etc/passwd", "C:\\Windows\\evil.txt", "a/../../b.txt"]
)
def test_zip_with_unsafe_paths(samples: Path, name: str) -> None:
    path = samples / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), CHAT)
    message = rejected(path)
    assert "outside the archive" in message or "full path" in message


def test_zip_with_a_symlink(samples: Path) -> None:
    path = samples / "link.zip"
    info = zipfile.ZipInfo("_chat.txt")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    assert "link inside" in rejected(path)


def test_tar_with_links_and_unsafe_paths(samples: Path) -> None:
    for kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        path = samples / f"link{kind!r}.tar"
        with tarfile.open(path, "w") as archive:
            info = tarfile.TarInfo("chat.txt")
            info.type = kind
            info.linkname = "/etc/passwd"
            archive.addfile(info)
        assert "link inside" in rejected(path)
    path = make_tar(samples / "evil.tar", {"../../evil.txt": b"x"})
    assert "outside the archive" in rejected(path)
    path = make_tar(samples / "nested.tar", {"a.zip": make_zip(samples / "n.zip").read_bytes()})
    assert "another archive inside" in rejected(path)


def test_tar_with_a_device(samples: Path) -> None:
    path = samples / "dev.tar"
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("null")
        info.type = tarfile.CHRTYPE
        archive.addfile(info, io.BytesIO(b""))
    assert "special file" in rejected(path)


def test_truncated_json_chat_export(samples: Path) -> None:
    path = samples / "result.json"
    path.write_text('{"messages": [{"from": "Alex", "text": "send a pic"}', encoding="utf-8")
    assert "incomplete" in rejected(path)


def test_text_with_binary_inside_is_not_a_chat(samples: Path) -> None:
    path = samples / "chat.txt"
    path.write_bytes(CHAT.encode() + b"\x00\x01\x02" * 50)
    assert "cannot keep" in rejected(path)
