"""A file no importer knows raises NotAChatExport (the deriver tells "not a chat" from "damaged" by type)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from sxr.conversations.importers import import_path
from sxr.conversations.model import ExportError, NotAChatExport


def test_a_json_file_of_something_else_is_not_a_chat_export(tmp_path: Path) -> None:
    other = tmp_path / "settings.json"
    other.write_text(json.dumps({"theme": "dark", "volume": 3}), encoding="utf-8")
    with pytest.raises(NotAChatExport, match="not a chat export"):
        import_path(other)


def test_a_zip_of_photos_is_not_a_chat_export(tmp_path: Path) -> None:
    photos = tmp_path / "photos.zip"
    with zipfile.ZipFile(photos, "w") as zf:
        zf.writestr("IMG_0001.jpg", b"\xff\xd8\xff\xe0 not really a photo")
    with pytest.raises(NotAChatExport, match="holds no chat export"):
        import_path(photos)


def test_a_damaged_chat_export_is_an_export_error_but_not_a_stranger(tmp_path: Path) -> None:
    damaged = tmp_path / "message_1.json"
    damaged.write_text(
        '{"participants": [{"name": "Lily"}], "messages": [{"sender_name": "Lily", "timestamp_ms": ',
        encoding="utf-8",
    )
    with pytest.raises(ExportError) as caught:
        import_path(damaged)
    assert not isinstance(caught.value, NotAChatExport)
