"""Snapchat group chats are listed and chosen by their "Conversation Title"; the key still selects them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sxr.conversations.importers import import_path
from sxr.conversations.model import SeveralChats

GROUP = "7f3c2b1a-0000-4000-8000-000000000001"


def _entry(sender: str, ms: int, text: str, title: str | None) -> dict:
    return {
        "From": sender,
        "Media Type": "TEXT",
        "Created": "2025-03-14 20:00:00 UTC",
        "Content": text,
        "Conversation Title": title,
        "IsSender": False,
        "Created(microseconds)": ms,
    }


def _export(tmp_path: Path) -> Path:
    doc = {
        "lily_x09": [_entry("lily_x09", 1741986000000, "hey", None)],
        GROUP: [
            _entry("amy_k", 1741982460000, "second", "The Squad"),
            _entry("ben_r", 1741982400000, "group hi", "The Squad"),
        ],
    }
    path = tmp_path / "chat_history.json"
    path.write_text(json.dumps(doc))
    return path


def test_group_listed_by_its_title(tmp_path: Path) -> None:
    with pytest.raises(SeveralChats) as caught:
        import_path(_export(tmp_path))
    assert caught.value.chats == ["lily_x09", "The Squad"]


@pytest.mark.parametrize("wanted", ["The Squad", "the squad", GROUP])
def test_group_chosen_by_title_or_key(tmp_path: Path, wanted: str) -> None:
    chat = import_path(_export(tmp_path), chat=wanted)
    assert chat.title == "The Squad"
    assert [m.text for m in chat.messages] == ["group hi", "second"]
    assert chat.messages[0].source.pointer == f"/{GROUP}/1"


def test_one_to_one_chat_keeps_its_key_as_title(tmp_path: Path) -> None:
    chat = import_path(_export(tmp_path), chat="lily_x09")
    assert chat.title == "lily_x09" and [m.sender for m in chat.messages] == ["lily_x09"]
