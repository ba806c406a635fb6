"""Telegram: shared contacts, polls and locations become words; forwards are marked; old local times warn."""

from __future__ import annotations

import json
from pathlib import Path

from conversation_builders import telegram_chat, telegram_message

from sxr.conversations.importers import import_path


def _chat(tmp_path: Path, *messages: dict) -> Path:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(telegram_chat(list(messages), name="Lily")), encoding="utf-8")
    return path


def test_a_shared_contact_poll_and_location_are_kept_as_words(tmp_path: Path) -> None:
    contact = {"first_name": "Pay", "last_name": "Here", "phone_number": "+447700900555"}
    poll = {
        "question": "pay or I post?",
        "answers": [{"text": "pay", "voters": 0}, {"text": "no", "voters": 1}],
    }
    path = _chat(
        tmp_path,
        telegram_message(1, 1752526800, "Lily", "user2", "", contact_information=contact),
        telegram_message(2, 1752526860, "Lily", "user2", "", poll=poll),
        telegram_message(
            3, 1752526920, "Lily", "user2", "", location_information={"latitude": 51.5, "longitude": -0.12}
        ),
        telegram_message(
            4,
            1752526980,
            "Lily",
            "user2",
            "here",
            location_information={"latitude": 51.5, "longitude": -0.12},
            live_location_period_seconds=900,
        ),
    )
    texts = [m.text for m in import_path(path).messages]
    assert texts == [
        "Contact: Pay Here +447700900555",
        "Poll: pay or I post? / pay / no",
        "Location: 51.5, -0.12",
        "here\nLive location: 51.5, -0.12 (shared for 900 s)",
    ]


def test_a_forwarded_message_is_marked_with_who_it_came_from(tmp_path: Path) -> None:
    path = _chat(
        tmp_path,
        telegram_message(1, 1752526800, "Tom", "user1", "send a pic", forwarded_from="Lily"),
        telegram_message(2, 1752526860, "Tom", "user1", "", forwarded_from="Lily", photo="photos/p.jpg"),
        telegram_message(3, 1752526920, "Tom", "user1", "ok"),
    )
    messages = import_path(path).messages
    assert [m.text for m in messages] == ["(forwarded from Lily) send a pic", "(forwarded from Lily)", "ok"]
    assert messages[1].attachments


def test_an_old_export_without_unix_times_says_its_times_are_local(tmp_path: Path) -> None:
    old = {
        "id": 1,
        "type": "message",
        "date": "2025-07-14T22:00:00",
        "from": "Lily",
        "from_id": 2,
        "text": "hi",
    }
    path = _chat(tmp_path, old)
    chat = import_path(path, tz="Europe/London")
    assert (
        chat.messages[0].sent_at is not None and chat.messages[0].sent_at.utcoffset().total_seconds() == 3600
    )
    assert any("local times" in w and "Europe/London" in w for w in chat.warnings)


def test_a_new_export_with_unix_times_does_not_warn_about_local_times(tmp_path: Path) -> None:
    chat = import_path(_chat(tmp_path, telegram_message(1, 1752526800, "Lily", "user2", "hi")))
    assert not any("local times" in w for w in chat.warnings)
