"""Telegram, Discord, Snapchat, Skype, Signal and Google Chat exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conversation_builders import (
    discord_export,
    discord_message,
    skype_export,
    skype_message,
    telegram_chat,
    telegram_message,
    write_tar,
    write_zip,
)

from sxr.conversations.importers import import_path, sniff_format
from sxr.conversations.model import SeveralChats

MILA = ("Mila 🌙", "user6021845573")
TOM = ("Tom", "user5120987764")


def _telegram_messages() -> list[dict]:
    return [
        telegram_message(1, 1778274631, *MILA, "hey Tom 👋"),
        {
            "id": 2,
            "type": "service",
            "date": "2026-05-08T22:34:24",
            "date_unixtime": "1778276064",
            "actor": "Tom",
            "actor_id": TOM[1],
            "action": "phone_call",
            "discard_reason": "busy",
            "text": "",
        },
        telegram_message(
            3,
            1778276281,
            *MILA,
            [
                "pay here ",
                {"type": "code", "text": "TRjMxzhCPMFE2o74Xzsf4dSqkS4PtugQMf"},
                " or ",
                {"type": "text_link", "text": "this", "href": "https://example.com/pay"},
            ],
            edited="2026-05-08T22:38:26",
        ),
        telegram_message(4, 1778276300, *TOM, "", photo="photos/photo_1@08-05-2026_22-23-53.jpg"),
        telegram_message(
            5,
            1778276400,
            *TOM,
            "",
            file="(File not included. Change data exporting settings to download.)",
            media_type="video_file",
        ),
    ]


def test_telegram_single_chat(tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2026-05-10"
    folder.mkdir()
    (folder / "result.json").write_text(
        json.dumps(telegram_chat(_telegram_messages()), ensure_ascii=False, indent=1)
    )
    chat = import_path(folder / "result.json", tz="Europe/London")
    assert chat.format == "telegram" and chat.title == "Mila"
    assert [m.sender for m in chat.messages] == ["Mila 🌙", "Mila 🌙", "Tom", "Tom"]
    assert (
        chat.messages[1].text
        == "pay here TRjMxzhCPMFE2o74Xzsf4dSqkS4PtugQMf or this (https://example.com/pay)"
    )
    assert chat.messages[1].edited
    assert (
        chat.messages[0].sent_at is not None
        and chat.messages[0].sent_at.isoformat() == "2026-05-08T21:10:31+00:00"
    )
    assert chat.messages[0].source.pointer == "/messages/0"
    assert chat.notices[0].text.startswith("Tom phone call")
    assert chat.messages[2].attachments == ["photos/photo_1@08-05-2026_22-23-53.jpg"]
    assert chat.messages[3].attachments == ["video_file (not included in the export)"]
    assert {p.platform_id for p in chat.participants} == {MILA[1], TOM[1]}
    # The folder Telegram Desktop writes works too.
    assert import_path(folder).messages[0].text == "hey Tom 👋"


def test_telegram_full_export(tmp_path: Path) -> None:
    full = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 5120987764, "first_name": "Tom"},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "type": "saved_messages",
                    "id": 5120987764,
                    "messages": [telegram_message(9, 1778274000, *TOM, "note to self")],
                },
                telegram_chat(_telegram_messages()),
            ],
        },
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(full, ensure_ascii=False))
    chat = import_path(path)
    assert chat.title == "Mila" and len(chat.messages) == 4
    assert chat.messages[0].source.pointer == "/chats/list/1/messages/0"
    full["chats"]["list"].append(
        telegram_chat([telegram_message(1, 1778274631, "Ann", "user1", "hi")], name="Ann")
    )  # type: ignore[index]
    path.write_text(json.dumps(full, ensure_ascii=False))
    with pytest.raises(SeveralChats, match="--chat") as caught:
        import_path(path)
    assert caught.value.chats == ["Mila", "Ann"]  # the saved messages are the account's own notes
    assert import_path(path, chat="Ann").messages[0].sender == "Ann"
    # Two chats with one name are listed by their ids, and each id reads its own chat.
    full["chats"]["list"].append(  # type: ignore[index]
        dict(telegram_chat([telegram_message(1, 1778274700, "Ann", "user2", "other")], name="Ann"), id=77)
    )
    path.write_text(json.dumps(full, ensure_ascii=False))
    with pytest.raises(SeveralChats) as caught:
        import_path(path)
    assert caught.value.chats == ["Mila", "6021845573", "77"]
    assert import_path(path, chat="77").messages[0].text == "other"
    assert import_path(path, chat="6021845573").messages[0].text == "hi"
    assert import_path(path, chat="5120987764").messages[0].text == "note to self"


def test_discord_chat_exporter(tmp_path: Path) -> None:
    ellie, jay = ("1187720455193808926", "ellie.xo"), ("1049283375510278224", "jayden.plays")
    messages = [
        discord_message("1", "2026-02-21T16:20:05.955+00:00", ellie, "heyy saw u in the squad server"),
        discord_message(
            "2", "2026-02-21T16:59:05.078+00:00", ellie, "Started a call that lasted 6 minutes.", type="Call"
        ),
        discord_message(
            "3",
            "2026-02-21T17:08:42.147-06:00",
            jay,
            "",
            attachments=[
                {
                    "id": "9",
                    "url": "https://cdn.example.com/IMG_4421.jpg",
                    "fileName": "IMG_4421.jpg",
                    "fileSizeBytes": 1,
                }
            ],
        ),
        discord_message(
            "4",
            "2026-02-21T17:20:52.402+00:00",
            jay,
            "i'm 16",
            type="Reply",
            reference={"messageId": "3"},
            timestampEdited="2026-02-21T17:21:00+00:00",
        ),
    ]
    path = tmp_path / "Direct Messages - Private - ellie.xo [1209871622734995466].json"
    path.write_text(discord_export(messages))
    chat = import_path(path)
    assert chat.format == "discord" and chat.title == "ellie.xo"
    assert [m.sender for m in chat.messages] == ["ellie.xo", "jayden.plays", "jayden.plays"]
    assert chat.messages[1].attachments == ["IMG_4421.jpg"]
    assert (
        chat.messages[1].sent_at is not None
        and chat.messages[1].sent_at.isoformat() == "2026-02-21T23:08:42.147000+00:00"
    )
    assert chat.messages[2].edited
    assert "Call" in chat.notices[0].text
    assert {p.name: p.platform_id for p in chat.participants} == {
        "ellie.xo": ellie[0],
        "jayden.plays": jay[0],
    }


def test_discord_own_package_warns_it_holds_only_sent_messages(tmp_path: Path) -> None:
    rows = [
        {"ID": 2, "Timestamp": "2026-02-21 17:10:00", "Contents": "please delete it", "Attachments": ""},
        {
            "ID": 1,
            "Timestamp": "2026-02-21 16:25:05",
            "Contents": "lol thanks",
            "Attachments": "https://cdn.example.com/a.png",
        },
    ]
    path = write_zip(
        tmp_path / "package.zip",
        {
            "messages/c1209871622734995466/messages.json": json.dumps(rows),
            "messages/c1209871622734995466/channel.json": json.dumps(
                {"id": "1209871622734995466", "type": 1}
            ),
            "account/user.json": json.dumps({"id": "1049283375510278224", "username": "jayden.plays"}),
        },
    )
    chat = import_path(path, tz="UTC")
    assert [m.text for m in chat.messages] == ["lol thanks", "please delete it"]
    assert chat.messages[0].sender == "jayden.plays" and chat.messages[0].attachments == [
        "https://cdn.example.com/a.png"
    ]
    assert any("only the messages this account sent" in w for w in chat.warnings)


def test_discord_package_channels_are_listed_by_their_names(tmp_path: Path) -> None:
    def rows(text: str) -> str:
        return json.dumps(
            [{"ID": 1, "Timestamp": "2026-02-21 16:25:05", "Contents": text, "Attachments": ""}]
        )

    path = write_zip(
        tmp_path / "package.zip",
        {
            "messages/c111/messages.json": rows("in the DM"),
            "messages/c222/messages.json": rows("in general"),
            "messages/c333/messages.json": rows("no name in the index"),
            "messages/index.json": json.dumps(
                {"111": "Direct Message with kai.m#0", "222": "general in Study Group", "333": None}
            ),
        },
    )
    with pytest.raises(SeveralChats) as several:
        import_path(path, tz="UTC")
    assert several.value.chats == ["Direct Message with kai.m#0", "general in Study Group", "channel 333"]
    chat = import_path(path, tz="UTC", chat="Direct Message with kai.m#0")
    assert chat.title == "Direct Message with kai.m#0" and chat.messages[0].text == "in the DM"
    assert import_path(path, tz="UTC", chat="222").messages[0].text == "in general"  # the id works too
    assert import_path(path, tz="UTC", chat="channel 333").title == "channel 333"


def _snap(sender: str, stamp: str, ms: int, content: str, media: str = "TEXT", me: bool = False) -> dict:
    return {
        "From": sender,
        "Media Type": media,
        "Created": stamp,
        "Content": content,
        "Conversation Title": None,
        "IsSender": me,
        "Created(microseconds)": ms,
    }


def test_snapchat_keyed_layout_newest_first(tmp_path: Path) -> None:
    entries = [
        _snap("maddie.lou22", "2026-04-11 19:10:15 UTC", 1775934615260, "ur dad will see it first"),
        _snap("finn.wtr15", "2026-04-11 19:08:38 UTC", 1775934518777, "i told my dad", me=True),
        _snap("maddie.lou22", "2026-04-11 18:19:51 UTC", 1775931591551, "", media="MEDIA"),
    ]
    path = write_zip(
        tmp_path / "mydata~1776281400000.zip",
        {"json/chat_history.json": json.dumps({"maddie.lou22": entries})},
    )
    chat = import_path(path)
    assert chat.format == "snapchat" and chat.title == "maddie.lou22"
    assert [m.text for m in chat.messages] == ["", "i told my dad", "ur dad will see it first"]
    assert chat.messages[0].attachments == ["media"]
    assert chat.messages[2].sent_at is not None and chat.messages[2].sent_at.isoformat().startswith(
        "2026-04-11T19:10:15"
    )
    assert chat.messages[2].source.pointer == "/maddie.lou22/0"


def test_snapchat_old_layout(tmp_path: Path) -> None:
    doc = {
        "Received Saved Chat History": [
            {
                "From": "jess.kayy",
                "Media Type": "TEXT",
                "Created": "2020-11-06 23:09:17 UTC",
                "Text": "send it",
            }
        ],
        "Sent Saved Chat History": [
            {"To": "jess.kayy", "Media Type": "TEXT", "Created": "2020-11-06 23:05:00 UTC", "Text": "hi"}
        ],
    }
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "chat_history.json").write_text(json.dumps(doc))
    chat = import_path(folder / "chat_history.json")
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("me (the account holder)", "hi"),
        ("jess.kayy", "send it"),
    ]


def test_skype_tar_and_bare(tmp_path: Path) -> None:
    kayla, mike = "8:live:.cid.3b91f0c2d7a4e618", "8:live:sam.example"
    messages = [
        skype_message(
            "2025-03-01T05:17:46.010Z",
            "Kayla",
            kayla,
            "it&apos;s friday &amp; "
            '<a href="https://www.facebook.com/kayla.example">https://www.facebook.com/kayla.example</a> '
            '<ss type="wink">;)</ss>',
        ),
        skype_message(
            "2025-02-28T04:40:33.603Z",
            "Sam",
            mike,
            '<partlist type="ended" alt=""><part identity="live:sam.example"><name>Sam</name>'
            "<duration>602</duration></part></partlist>",
            kind="Event/Call",
        ),
        skype_message(
            "2025-02-28T04:30:00.000Z",
            "Sam",
            mike,
            '<URIObject type="Picture.1">To view this shared photo, go to: '
            '<a href="https://login.skype.com/x">x</a>'
            '<OriginalName v="IMG_3317.jpg"></OriginalName></URIObject>',
            kind="RichText/UriObject",
        ),
    ]
    data = skype_export(messages)
    bare = tmp_path / "messages.json"
    bare.write_text(data)
    tar = write_tar(
        tmp_path / "8_live_sam.example_export.tar", {"messages.json": data, "media/x.jpg": b"jpeg"}
    )
    for path in (bare, tar):
        chat = import_path(path)
        assert chat.format == "skype" and chat.title == "Kayla"
        assert [m.sender for m in chat.messages] == ["Sam", "Kayla"]
        assert chat.messages[0].attachments == ["IMG_3317.jpg"]
        assert chat.messages[1].text == "it's friday & https://www.facebook.com/kayla.example ;)"
        assert chat.notices[0].text == "call ended (602 s) by Sam"
        assert {p.platform_id for p in chat.participants} == {kayla, mike}
    assert chat.messages[0].source.member == "messages.json"


def test_signal_export_json_and_markdown(tmp_path: Path) -> None:
    folder = tmp_path / "signal-chats" / "Alex"
    folder.mkdir(parents=True)
    lines = [
        {
            "date": "2025-01-31T18:02:11",
            "sender": "Alex",
            "body": "hi",
            "quote": "",
            "sticker": None,
            "reactions": [],
            "attachments": [],
            "deleted": False,
        },
        {
            "date": "2025-01-31T18:03:00",
            "sender": "Me",
            "body": "",
            "quote": "",
            "sticker": None,
            "reactions": [],
            "attachments": [{"name": "photo.jpg", "path": "media/photo.jpg"}],
            "deleted": False,
        },
        {
            "date": "2025-01-31T18:04:00",
            "sender": "Alex",
            "body": "",
            "quote": "",
            "sticker": None,
            "reactions": [],
            "attachments": [],
            "deleted": True,
        },
    ]
    (folder / "data.json").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    (folder / "chat.md").write_text(
        "[2025-01-31 18:02:11] Alex: hi\n\n[2025-01-31 18:03:00] Me: ![photo.jpg](./media/photo.jpg)  \n\n"
        "[2025-01-31 18:04:00] Alex: (This message was deleted)\n\n[2025-01-31 18:05:00] Alex: two\nlines\n\n"
    )
    chat = import_path(folder, tz="Europe/London")
    assert chat.format == "signal" and chat.title == "Alex"
    assert [m.sender for m in chat.messages] == ["Alex", "Me", "Alex"]
    assert chat.messages[1].attachments == ["media/photo.jpg"] and chat.messages[2].deleted
    assert chat.messages[0].source.member == "data.json" and chat.messages[0].source.lines == (1, 1)
    md = import_path(folder / "chat.md")
    assert [m.text for m in md.messages] == ["hi", "", "", "two\nlines"]
    assert md.messages[1].attachments == ["media/photo.jpg"] and md.messages[2].deleted
    assert md.messages[3].source.lines == (7, 8)


def test_google_chat_takeout(tmp_path: Path) -> None:
    doc = {
        "messages": [
            {
                "creator": {"name": "Alex Example", "email": "alex@example.com", "user_type": "Human"},
                "created_date": "Monday, January 6, 2025 at 12:00:05\u202fPM UTC",
                "text": "hi",
                "topic_id": "a",
                "message_id": "1",
            },
            {
                "creator": {"name": "Sam", "email": "sam@example.com", "user_type": "Human"},
                "created_date": "Monday, January 6, 2025 at 1:00:00 PM UTC",
                "text": "",
                "attached_files": [{"original_name": "a.jpg", "export_name": "File-a.jpg"}],
                "topic_id": "b",
                "message_id": "2",
            },
        ]
    }
    path = write_zip(
        tmp_path / "takeout-20250107.zip",
        {"Takeout/Google Chat/Groups/DM abc/messages.json": json.dumps(doc)},
    )
    chat = import_path(path)
    assert chat.format == "googlechat" and chat.title == "DM abc"
    assert (
        chat.messages[0].sent_at is not None
        and chat.messages[0].sent_at.isoformat() == "2025-01-06T12:00:05+00:00"
    )
    assert chat.messages[1].attachments == ["File-a.jpg"]
    assert {p.platform_id for p in chat.participants} == {"alex@example.com", "sam@example.com"}
    assert sniff_format(path) == "googlechat"


def test_skype_and_google_chat_list_their_chats(tmp_path: Path) -> None:
    doc = json.loads(skype_export([skype_message("2025-03-01T05:17:46.010Z", "Kayla", "8:live:k", "hi")]))
    other = dict(doc["conversations"][1], id="8:live:kayla.two", MessageList=[])
    other["MessageList"] = [skype_message("2025-03-02T05:17:46.010Z", "Kayla", "8:live:k2", "second kayla")]
    doc["conversations"].append(other)
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SeveralChats) as caught:
        import_path(path)
    assert caught.value.chats == ["8:live:.cid.3b91f0c2d7a4e618", "8:live:kayla.two"]  # two called Kayla
    assert import_path(path, chat="8:live:kayla.two").messages[0].text == "second kayla"

    def takeout(text: str) -> str:
        message = {"creator": {"name": "Alex"}, "created_date": "Monday, January 6, 2025 at 1:00:00 PM UTC"}
        return json.dumps({"messages": [dict(message, text=text)]})

    zipped = write_zip(
        tmp_path / "takeout.zip",
        {
            "Takeout/Google Chat/Groups/DM abc/messages.json": takeout("one"),
            "Takeout/Google Chat/Groups/DM abcd/messages.json": takeout("two"),
        },
    )
    with pytest.raises(SeveralChats) as caught:
        import_path(zipped)
    assert caught.value.chats == ["DM abc", "DM abcd"]
    assert [import_path(zipped, chat=c).messages[0].text for c in caught.value.chats] == ["one", "two"]


def test_big_files_take_the_streaming_path_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sxr.conversations.importers import json_members

    chats = [
        telegram_chat(_telegram_messages()),
        telegram_chat([telegram_message(1, 1778274631, "Ann", "user1", "hi")], name="Ann"),
    ]
    full = {"about": "Here is the data you requested.", "personal_information": {}, "chats": {"list": chats}}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(full, ensure_ascii=False))
    whole = [m.to_json() for m in import_path(path, chat="Mila").messages]
    monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)  # every file now counts as too big to hold
    with pytest.raises(SeveralChats) as caught:
        import_path(path)
    assert caught.value.chats == ["Mila", "Ann"]
    assert [m.to_json() for m in import_path(path, chat="Mila").messages] == whole
