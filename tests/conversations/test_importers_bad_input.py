"""Bad input: hostile archives, garbage, damaged files, unknown versions, huge files: clear errors only."""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from conversation_builders import ANDROID_GB, meta_message, meta_thread, write_zip

from sxr.conversations.importers import archive as archive_module
from sxr.conversations.importers import import_path
from sxr.conversations.model import ExportError


def test_zip_without_chat(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "photos.zip", {"IMG_0001.jpg": b"\xff\xd8\xff", "readme.pdf": b"%PDF-1.4"})
    with pytest.raises(ExportError, match="holds no chat export"):
        import_path(path)


def test_nested_zip_is_refused(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("_chat.txt", ANDROID_GB)
    path = write_zip(tmp_path / "outer.zip", {"WhatsApp Chat - Sam.zip": inner.getvalue()})
    with pytest.raises(ExportError, match="Nested archives are not opened"):
        import_path(path)


def test_path_traversal_in_zip(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", ANDROID_GB)
        archive.writestr("../../etc/cron.d/evil", "* * * * * root true")
    with pytest.raises(ExportError, match="unsafe path"):
        import_path(path)
    assert not (tmp_path.parent / "etc").exists()


def test_path_traversal_and_links_in_tar(tmp_path: Path) -> None:
    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w") as archive:
        data = b"{}"
        info = tarfile.TarInfo("/etc/passwd")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(ExportError, match="unsafe path"):
        import_path(path)
    linked = tmp_path / "link.tar"
    with tarfile.open(linked, "w") as archive:
        info = tarfile.TarInfo("messages.json")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(ExportError, match="holds no chat export"):
        import_path(linked)


def test_zip_bomb_ratio_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_module, "RATIO_FLOOR", 1024)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", b"0" * (2 * 1024 * 1024))
    with pytest.raises(ExportError, match="zip bomb"):
        import_path(path)


def test_zip_that_lies_about_its_size(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "WhatsApp Chat - Sam.zip", {"_chat.txt": ANDROID_GB * 50})
    data = bytearray(path.read_bytes())
    # Shrink the declared size in the central directory: reading must stop, not trust the data.
    central = data.rfind(b"PK\x01\x02")
    real = len((ANDROID_GB * 50).encode())
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    assert real > 100
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError):
        import_path(path)


def test_password_protected_zip_flag(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "locked.zip", {"_chat.txt": ANDROID_GB})
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="password"):
        import_path(path)


def test_zip_compressed_a_way_zipfile_cannot_read(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "WhatsApp Chat with Maya.zip", {"_chat.txt": ANDROID_GB})
    data = bytearray(path.read_bytes())
    # Compression method 99 (AES, from some zip tools): zipfile raises NotImplementedError for it.
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        data[at + offset : at + offset + 2] = (99).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError, match=r"packed in a way sxr cannot unpack"):
        import_path(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\x03" * 1000,
        os.urandom(4096),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b'{"messages": [{"sender_name": "A", "timestamp_ms": 1',
        b"PK\x03\x04 not really a zip",
    ],
)
def test_garbage_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "export.bin"
    path.write_bytes(content)
    with pytest.raises(ExportError):
        import_path(path)


def test_malformed_json_of_each_format(tmp_path: Path) -> None:
    cut = {
        "result.json": '{"name": "Mila", "type": "personal_chat", "id": 1, "messages": '
        '[{"id": 1, "type": "message", "date_unixtime": "1778274631", '
        '"from": "Mila", "from_id": "u1", "text": "hi"},',
        "dce.json": '{"guild": {"id": "0"}, "channel": {"id": "1", "name": "x"}, '
        '"messages": [{"id": "1", "timestamp":',
        "messages.json": '{"userId": "8:live:a", "conversations": [{"id": "8:live:b", "MessageList": [',
    }
    for name, text in cut.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ExportError, match="damaged or cut short"):
            import_path(path)


def test_unknown_format_versions(tmp_path: Path) -> None:
    telegram = tmp_path / "result.json"
    telegram.write_text(
        json.dumps({"name": "Mila", "type": "personal_chat", "messages": [{"id": 1, "from_id": "u1"}]})
    )
    with pytest.raises(ExportError, match="unknown export version"):
        import_path(telegram)
    meta = write_zip(
        tmp_path / "facebook.zip",
        {
            "messages/inbox/a_1/message_1.json": meta_thread(
                ["A"], [{"sender_name": "A", "time": "yesterday"}]
            )
        },
    )
    with pytest.raises(ExportError, match="format version"):
        import_path(meta)
    ok = write_zip(
        tmp_path / "ok.zip",
        {"messages/inbox/a_1/message_1.json": meta_thread(["A"], [meta_message("A", 1, "x")])},
    )
    assert import_path(ok).messages[0].text == "x"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        import_path(tmp_path / "nope.txt")


@pytest.mark.slow
def test_huge_sparse_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    with path.open("wb") as handle:
        handle.truncate(3 * 1024**3)  # 3 GB of zeros, sparse on disk
    with pytest.raises(ExportError, match="not a chat export"):
        import_path(path)


@pytest.mark.slow
def test_large_generated_whatsapp_export_streams(tmp_path: Path) -> None:
    from sxr.conversations.importers import stream_path

    path = tmp_path / "WhatsApp Chat with Sam.txt"
    line = "13/03/2026, 21:30 - Sam: a message long enough to matter in a large export of many lines\n"
    with path.open("w") as handle:
        for _ in range(40):
            handle.write(line * 5000)
    count = 0
    with stream_path(path) as (_run, items):
        for item in items:
            count += 1
            assert item.source.lines is not None
    assert count == 200_000


def _peak_while_streaming(path: Path, **options: str) -> int:
    import tracemalloc

    from sxr.conversations.importers import stream_path

    tracemalloc.start()
    try:
        with stream_path(path, **options) as (_run, items):
            for _item in items:
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_streaming_memory_does_not_grow_with_the_export(tmp_path: Path) -> None:
    line = "13/03/2026, 21:30 - Sam: a message of ordinary length, like most messages are 😂\n"
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text(line * 4_000)
    large.write_text(line * 32_000)
    # Slack of 2 MiB: the 1 MiB read buffers are a constant; holding 32,000 messages would be ~16 MiB.
    assert _peak_while_streaming(large) < 2 * _peak_while_streaming(small) + 2 * 1024 * 1024
    thread = "messages/inbox/a_1"
    files = {}
    for number in range(1, 6):
        batch = [meta_message("A", number * 10_000 + k, "hello there") for k in range(2_000)]
        files[f"{thread}/message_{number}.json"] = meta_thread(["A", "B"], batch)
    one = write_zip(tmp_path / "one.zip", {f"{thread}/message_1.json": files[f"{thread}/message_1.json"]})
    eight = write_zip(tmp_path / "eight.zip", files)
    assert _peak_while_streaming(eight) < 2 * _peak_while_streaming(one) + 2 * 1024 * 1024
