"""Telegram "Export Telegram data": found behind a long contact list; chats the account left are offered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conversation_builders import telegram_chat, telegram_message

from sxr.conversations.importers import import_path, sniff_format
from sxr.conversations.model import SeveralChats


def _full(contacts: int = 1000, left: bool = False) -> dict:
    people = [
        {"user_id": 1000 + k, "first_name": f"Contact{k}", "phone_number": f"+44 7700 900{k % 1000:03d}"}
        for k in range(contacts)
    ]
    full: dict = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 111, "first_name": "Tom"},
        "profile_pictures": [],
        "contacts": {"about": "This is your contact list.", "list": people},
        "frequent_contacts": {"about": "...", "list": []},
        "sessions": {"about": "...", "list": []},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                dict(telegram_chat([telegram_message(1, 1778274631, "Mum", "user2", "hi")], name="Mum"), id=3)
            ],
        },
    }
    if left:
        deals = telegram_chat(
            [telegram_message(1, 1778274700, "Lily", "user9", "pay 0.1 btc")],
            name="Crypto Deals",
            chat_type="public_supergroup",
        )
        full["left_chats"] = {"about": "Groups the user has left.", "list": [dict(deals, id=9)]}
    return full


def test_a_full_export_with_many_contacts_before_the_chats_is_found(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(_full(), indent=1))
    assert path.stat().st_size > 65536  # "chats" is far past the bytes sxr looks at first
    assert sniff_format(path) == "telegram"
    chat = import_path(path)
    assert chat.title == "Mum" and chat.messages[0].text == "hi"
    assert chat.messages[0].source.pointer == "/chats/list/0/messages/0"


@pytest.mark.parametrize("streamed", [False, True])
def test_chats_the_account_left_are_listed_and_can_be_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    from sxr.conversations.importers import json_members

    path = tmp_path / "result.json"
    path.write_text(json.dumps(_full(contacts=3, left=True), indent=1))
    if streamed:
        monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)
    with pytest.raises(SeveralChats) as caught:
        import_path(path)  # one chat in "chats" is not picked alone: the left group is a chat too
    assert caught.value.chats == ["Mum", "Crypto Deals"]
    deals = import_path(path, chat="Crypto Deals")
    assert deals.title == "Crypto Deals"
    assert [m.text for m in deals.messages] == ["pay 0.1 btc"]
    assert deals.messages[0].source.pointer == "/left_chats/list/0/messages/0"
    assert import_path(path, chat="Mum").messages[0].source.pointer == "/chats/list/0/messages/0"
