"""Builders for synthetic, fictional chat exports, written the way each platform writes them."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

LRM = "\u200e"
NNBSP = "\u202f"


def mojibake(text: str) -> str:
    """What Meta's exporter writes: each UTF-8 byte as its own \\u00XX character."""
    return text.encode("utf-8").decode("latin-1")


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def write_tar(path: Path, members: dict[str, bytes | str]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            raw = data.encode("utf-8") if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path


ANDROID_GB = (
    "06/03/2026, 20:41 - Messages and calls are end-to-end encrypted. No one outside of this chat, "
    "not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    "06/03/2026, 20:41 - \u202a+44 7700 900123\u202c: Hi Sam, it's Jess from the gym 😊\n"
    "06/03/2026, 20:44 - Sam: Hello! Who is this?\n"
    "06/03/2026, 21:25 - \u202a+44 7700 900123\u202c: <Media omitted>\n"
    "06/03/2026, 21:28 - \u202a+44 7700 900123\u202c: I have your friends list. Look\n"
    "Anna - sister\n"
    "Ben - work\n"
    "13/03/2026, 21:30 - Sam: This message was deleted\n"
    "13/03/2026, 21:31 - \u202a+44 7700 900123\u202c: 1 hour left <This message was edited>\n"
    "13/03/2026, 21:32 - You blocked this contact. Tap to unblock.\n"
)

ANDROID_US = (
    f"4/9/26, 7:12{NNBSP}PM - Messages and calls are end-to-end encrypted. No one outside of this chat, "
    "not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    f"4/9/26, 7:12{NNBSP}PM - Ava: hey\n"
    f"4/9/26, 12:05{NNBSP}AM - Maya: IMG-20260409-WA0003.jpg (file attached)\n"
    f"4/10/26, 8:05{NNBSP}AM - Ava: see you at practice\n"
)

IOS_GB = (
    f"[13/06/2026, 18:02:11] Mum: {LRM}Messages and calls are end-to-end encrypted. No one outside of this "
    "chat, not even WhatsApp, can read or listen to them.\r\n"
    "[13/06/2026, 18:02:51] Mum: Good evening my son\r\n"
    f"{LRM}[13/06/2026, 18:05:40] Tobi: {LRM}<attached: 00000009-PHOTO-2026-06-13-18-05-40.jpg>\r\n"
    f"{LRM}[13/06/2026, 18:06:10] Mum: {LRM}image omitted\r\n"
    f"{LRM}[13/06/2026, 18:07:00] Tobi: {LRM}You deleted this message.\r\n"
    "[13/06/2026, 18:08:00] Mum: first line\r\nsecond line\r\n"
    f"{LRM}[13/06/2026, 18:09:00] Mum: {LRM}You blocked this contact. Tap to unblock.\r\n"
)


def meta_thread(participants: list[str], messages: list[dict[str, Any]], *, title: str | None = None) -> str:
    """One message_N.json, as Meta writes it (mojibake included, newest first)."""
    doc = {
        "participants": [{"name": mojibake(name)} for name in participants],
        "messages": messages,
        "title": mojibake(title or participants[0]),
        "is_still_participant": True,
        "thread_path": "inbox/someone_100000000000001",
        "magic_words": [],
    }
    return json.dumps(doc, indent=2)


def meta_message(sender: str, ms: int, content: str | None = None, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"sender_name": mojibake(sender), "timestamp_ms": ms}
    if content is not None:
        message["content"] = mojibake(content)
    message.update(extra)
    message["is_geoblocked_for_viewer"] = False
    return message


def telegram_chat(
    messages: list[dict[str, Any]], *, name: str = "Mila", chat_type: str = "personal_chat"
) -> dict[str, Any]:
    return {"name": name, "type": chat_type, "id": 6021845573, "messages": messages}


def telegram_message(
    mid: int, unix: int, sender: str, sender_id: str, text: Any, **extra: Any
) -> dict[str, Any]:
    from datetime import UTC, datetime

    local = datetime.fromtimestamp(unix, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    message = {
        "id": mid,
        "type": "message",
        "date": local,
        "date_unixtime": str(unix),
        "from": sender,
        "from_id": sender_id,
        "text": text,
    }
    message.update(extra)
    return message


def discord_export(messages: list[dict[str, Any]]) -> str:
    return json.dumps(
        {
            "guild": {"id": "0", "name": "Direct Messages", "iconUrl": ""},
            "channel": {
                "id": "1209871622734995466",
                "type": "DirectTextChat",
                "name": "ellie.xo",
                "topic": None,
            },
            "dateRange": {"after": None, "before": None},
            "exportedAt": "2026-02-22T22:32:20.087+00:00",
            "messages": messages,
            "messageCount": len(messages),
        },
        indent=2,
    )


def discord_message(
    mid: str, stamp: str, author: tuple[str, str], content: str, **extra: Any
) -> dict[str, Any]:
    message = {
        "id": mid,
        "type": "Default",
        "timestamp": stamp,
        "timestampEdited": None,
        "callEndedTimestamp": None,
        "isPinned": False,
        "content": content,
        "author": {
            "id": author[0],
            "name": author[1],
            "discriminator": "0000",
            "nickname": author[1].title(),
        },
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
    }
    message.update(extra)
    return message


def skype_export(
    messages: list[dict[str, Any]], *, conversation_id: str = "8:live:.cid.3b91f0c2d7a4e618"
) -> str:
    return json.dumps(
        {
            "userId": "8:live:sam.example",
            "exportDate": "2025-03-20T02:11",
            "conversations": [
                {
                    "id": "48:calllogs",
                    "displayName": None,
                    "MessageList": [],
                },
                {
                    "id": conversation_id,
                    "displayName": "Kayla",
                    "properties": {},
                    "threadProperties": None,
                    "MessageList": messages,
                },
            ],
        },
        indent=1,
    )


def skype_message(
    stamp: str, name: str, sender_id: str, content: str, kind: str = "RichText"
) -> dict[str, Any]:
    return {
        "id": stamp,
        "displayName": name,
        "originalarrivaltime": stamp,
        "messagetype": kind,
        "content": content,
        "conversationid": "8:live:.cid.3b91f0c2d7a4e618",
        "from": sender_id,
        "properties": None,
        "amsreferences": None,
    }
