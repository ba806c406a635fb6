"""Google Chat Takeout: chats are listed, chosen and titled by group_info.json; silent members count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sxr.conversations.importers import import_path
from sxr.conversations.model import ExportError, SeveralChats

LILY = {"name": "Lily Rose", "email": "lily@example.com", "user_type": "Human"}
TOM = {"name": "Tom Smith", "email": "tom@example.com", "user_type": "Human"}
BEN = {"name": "Ben Ng", "email": "ben@example.com", "user_type": "Human"}


def _group(root: Path, folder: str, info: dict | None, *writers: dict) -> None:
    where = root / "Takeout" / "Google Chat" / "Groups" / folder
    where.mkdir(parents=True)
    messages = [
        {"creator": who, "created_date": f"Monday, July 14, 2025 at 9:0{k}:00 PM UTC", "text": f"hi {k}"}
        for k, who in enumerate(writers)
    ]
    (where / "messages.json").write_text(json.dumps({"messages": messages}), encoding="utf-8")
    if info is not None:
        (where / "group_info.json").write_text(json.dumps(info), encoding="utf-8")


@pytest.fixture
def takeout(tmp_path: Path) -> Path:
    _group(tmp_path, "Space AAAAbbbbCCC", {"name": "Year 10 chat", "members": [LILY, TOM, BEN]}, BEN, LILY)
    _group(tmp_path, "DM 7Ab3cDefGhI", {"members": [LILY, TOM]}, LILY)
    _group(tmp_path, "DM Zz9yXwVuTsR", {"members": [{"name": "Mum", "email": "mum@example.com"}, TOM]}, TOM)
    _group(tmp_path, "DM Old1", None, TOM)
    return tmp_path / "Takeout"


def test_the_list_of_conversations_gives_their_names(takeout: Path) -> None:
    with pytest.raises(SeveralChats) as caught:
        import_path(takeout)
    assert sorted(caught.value.chats) == sorted(
        ["Year 10 chat", "Lily Rose and Tom Smith", "Mum and Tom Smith", "DM Old1"]
    )


def test_a_space_is_chosen_and_titled_by_its_name_and_silent_members_are_participants(takeout: Path) -> None:
    chat = import_path(takeout, chat="Year 10 chat")
    assert chat.title == "Year 10 chat"
    assert [m.text for m in chat.messages] == ["hi 0", "hi 1"]
    people = {(p.name, p.platform_id) for p in chat.participants}
    assert people == {
        ("Ben Ng", "ben@example.com"),
        ("Lily Rose", "lily@example.com"),
        ("Tom Smith", "tom@example.com"),
    }


def test_a_dm_is_chosen_by_a_members_name_and_by_its_folder_id(takeout: Path) -> None:
    by_name = import_path(takeout, chat="Lily")
    assert by_name.title == "Lily Rose and Tom Smith"
    assert {p.name for p in by_name.participants} == {"Lily Rose", "Tom Smith"}
    by_id = import_path(takeout, chat="DM Zz9yXwVuTsR")
    assert by_id.title == "Mum and Tom Smith"
    assert import_path(takeout, chat="DM Old1").title == "DM Old1"  # no group_info.json: its folder


def test_two_dms_with_the_same_people_are_told_apart_by_folder(tmp_path: Path) -> None:
    _group(tmp_path, "DM One1", {"members": [LILY, TOM]}, LILY)
    _group(tmp_path, "DM Two2", {"members": [LILY, TOM]}, TOM)
    with pytest.raises(ExportError, match="DM One1, DM Two2"):
        import_path(tmp_path / "Takeout", chat="Lily")
    assert import_path(tmp_path / "Takeout", chat="DM Two2").messages[0].sender == "Tom Smith"


def test_google_chats_own_membership_note_is_a_notice(tmp_path: Path) -> None:
    _group(tmp_path, "Space AAAAbbbbCCC", {"name": "Year 10 chat", "members": [LILY, TOM]}, LILY)
    messages_file = tmp_path / "Takeout" / "Google Chat" / "Groups" / "Space AAAAbbbbCCC" / "messages.json"
    doc = json.loads(messages_file.read_text(encoding="utf-8"))
    doc["messages"].append(
        {
            "creator": {"name": "Google Chat", "email": "", "user_type": "Bot"},
            "created_date": "Monday, July 14, 2025 at 9:05:00 PM UTC",
            "text": "",
            "annotations": [{"membership_changed_metadata": {"type": "ADDED"}}],
        }
    )
    messages_file.write_text(json.dumps(doc), encoding="utf-8")
    chat = import_path(tmp_path / "Takeout")
    assert [m.sender for m in chat.messages] == ["Lily Rose"]
    assert [n.text for n in chat.notices] == ["Membership change: added"]
    assert "Google Chat" not in {p.name for p in chat.participants}
