"""DiscordChatExporter: forwarded messages, embeds' words, and times in UTC."""

from __future__ import annotations

from pathlib import Path

from conversation_builders import discord_export, discord_message

from sxr.conversations.importers import import_path
from sxr.conversations.model import Conversation

ELLIE = ("2001", "ellie_x09")
SAM = ("3001", "sam.plays")


def _chat(tmp_path: Path) -> Conversation:
    messages = [
        discord_message("1", "2025-07-14T22:00:00.123+01:00", ELLIE, "hey"),
        discord_message(
            "2",
            "2025-07-14T22:01:00+01:00",
            SAM,
            "",
            reference={"type": "Forward", "messageId": "99", "channelId": "555", "guildId": None},
            forwardedMessage={
                "timestamp": "2025-07-13T10:00:00+01:00",
                "timestampEdited": None,
                "content": "pay £300 or I post it",
                "attachments": [{"id": "1", "url": "https://cdn.example.com/a.jpg", "fileName": "proof.jpg"}],
                "embeds": [],
                "stickers": [],
            },
        ),
        discord_message(
            "3",
            "2025-07-14T22:02:00+01:00",
            ELLIE,
            "https://example.com/pay",
            embeds=[
                {
                    "title": "Pay here",
                    "url": "https://example.com/pay",
                    "description": "Send £50 gift card code to ellie@example.com",
                    "fields": [{"name": "Deadline", "value": "tonight 10pm", "isInline": False}],
                }
            ],
        ),
        discord_message(
            "4",
            "2025-07-14T22:03:00-05:00",
            ELLIE,
            "",
            embeds=[{"title": None, "url": "https://example.com/t", "description": None, "fields": []}],
        ),
    ]
    path = tmp_path / "Direct Messages - ellie_x09 [1].json"
    path.write_text(discord_export(messages), encoding="utf-8")
    return import_path(path)


def test_forwarded_message_keeps_its_words_and_attachments(tmp_path: Path) -> None:
    forwarded = _chat(tmp_path).messages[1]
    assert forwarded.sender == "sam.plays"
    assert forwarded.text == "(forwarded) pay £300 or I post it"
    assert forwarded.attachments == ["proof.jpg"]


def test_embed_words_join_the_message_text(tmp_path: Path) -> None:
    chat = _chat(tmp_path)
    assert chat.messages[2].text == (
        "https://example.com/pay\n(embed) Pay here\nSend £50 gift card code to ellie@example.com\n"
        "Deadline: tonight 10pm"
    )
    assert chat.messages[3].text == "(embed) https://example.com/t"


def test_times_are_utc_and_the_raw_time_is_kept(tmp_path: Path) -> None:
    chat = _chat(tmp_path)
    assert [m.to_json()["sent_at"] for m in chat.messages] == [
        "2025-07-14T21:00:00.123000+00:00",
        "2025-07-14T21:01:00+00:00",
        "2025-07-14T21:02:00+00:00",
        "2025-07-15T03:03:00+00:00",
    ]
    assert chat.messages[0].sent_at_raw == "2025-07-14T22:00:00.123+01:00"
