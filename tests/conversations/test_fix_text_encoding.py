"""Text exports that are not UTF-8 (Windows "ANSI") keep every letter and amount, and the import says so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sxr.conversations.importers import decoding, import_path
from sxr.conversations.importers.base import text_lines, text_stream


def test_a_windows_1252_whatsapp_export_keeps_its_letters_and_amounts(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Ansi.txt"
    path.write_bytes(
        "14/03/2025, 21:00 - Lily: café £50 – now\n14/03/2025, 21:01 - Tom: ok\n".encode("cp1252")
    )
    chat = import_path(path)
    assert chat.messages[0].text == "café £50 – now"
    assert not any("\ufffd" in m.text for m in chat.messages)


def test_a_windows_1252_signal_chat_says_how_it_was_read(tmp_path: Path) -> None:
    folder = tmp_path / "Lily"
    folder.mkdir()
    (folder / "chat.md").write_bytes("[2025-01-31 18:02:11] Lily: pay £50 to café\n".encode("cp1252"))
    chat = import_path(folder)
    assert chat.messages[0].text == "pay £50 to café"
    assert any("not all UTF-8" in w and "Windows-1252" in w for w in chat.warnings)


def test_a_utf8_signal_chat_has_no_encoding_warning(tmp_path: Path) -> None:
    folder = tmp_path / "Lily"
    folder.mkdir()
    (folder / "chat.md").write_text("[2025-01-31 18:02:11] Lily: pay £50 to café\n", encoding="utf-8")
    chat = import_path(folder)
    assert chat.messages[0].text == "pay £50 to café"
    assert not any("UTF-8" in w for w in chat.warnings)


def test_a_windows_1252_discord_package_csv_keeps_its_text(tmp_path: Path) -> None:
    folder = tmp_path / "package" / "messages" / "c1100000000000000001"
    folder.mkdir(parents=True)
    rows = 'ID,Timestamp,Contents,Attachments\r\n1,2025-03-14 21:00:00+00:00,"£50, café\r\nnext line",\r\n'
    (folder / "messages.csv").write_bytes(rows.encode("cp1252"))
    chat = import_path(tmp_path / "package")
    assert chat.messages[0].text == "£50, café\r\nnext line"
    assert any("Windows-1252" in w for w in chat.warnings)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 256 * 1024])
def test_lines_split_as_before_whatever_the_chunk_size(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(decoding, "_TEXT_CHUNK", chunk)
    data = "\ufeffa\r\nb\rc\n\u2028d\x85e\n\nlast".encode()
    expected = ["a", "b", "c", "\u2028d\x85e", "", "last"]
    assert list(text_lines(io.BytesIO(data))) == expected
    assert list(text_lines(io.BytesIO("a\r\nb é\n".encode("utf-16")))) == ["a", "b é"]
    mixed = "né\n".encode() + "£5\x81\n".encode("latin-1")  # UTF-8, then bytes that are not
    assert list(text_lines(io.BytesIO(mixed))) == ["né", "£5\x81"]
    assert "".join(text_stream(io.BytesIO(b'a,"b\r\nc"\r\nd'))) == 'a,"b\r\nc"\r\nd'
