"""More formats: DiscordChatExporter TXT and CSV, a Discord copy, Skype rich text, Signal's older chat.md,
and Meta JSON under any file name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conversation_builders import meta_message, meta_thread, skype_export, skype_message

from sxr.conversations.importers import import_path
from sxr.conversations.model import DateOrderAmbiguous, ExportError

EXPORTER_TXT = """==============================================================
Guild: Direct Messages
Channel: Private / jaxon_77
==============================================================

[3/22/2025 9:14 PM] jaxon_77
hey, you from the game?


[3/22/2025 9:15 PM] sam.example
yeah


[3/22/2025 9:20 PM] jaxon_77
send a pic

{Attachments}
https://cdn.discordapp.com/attachments/111/222/photo.png

{Reactions}
😂 (1)

[3/23/2025 1:02 AM] jaxon_77


{Stickers}
https://cdn.discordapp.com/stickers/333.png


==============================================================
Exported 4 message(s)
==============================================================
"""


def test_discordchatexporter_txt(tmp_path: Path) -> None:
    path = tmp_path / "Direct Messages - Private - jaxon_77 [1234].txt"
    path.write_text(EXPORTER_TXT, encoding="utf-8")
    chat = import_path(path)
    assert chat.format == "discord" and chat.title == "Private / jaxon_77"
    assert [(m.sender, m.text, list(m.attachments)) for m in chat.messages] == [
        ("jaxon_77", "hey, you from the game?", []),
        ("sam.example", "yeah", []),
        ("jaxon_77", "send a pic", ["https://cdn.discordapp.com/attachments/111/222/photo.png"]),
        ("jaxon_77", "", ["https://cdn.discordapp.com/stickers/333.png"]),
    ]
    wall = [m.sent_at.replace(tzinfo=None).isoformat() if m.sent_at else None for m in chat.messages]
    assert wall == [
        "2025-03-22T21:14:00",
        "2025-03-22T21:15:00",
        "2025-03-22T21:20:00",
        "2025-03-23T01:02:00",
    ]
    assert chat.date_reading is not None and chat.date_reading.how == "inferred"  # 3/22: a day above 12
    assert [n.text for n in chat.notices] == ["reactions to jaxon_77's message: 😂 (1)"]
    assert chat.messages[2].source.lines == (14, 18)


def test_discordchatexporter_csv(tmp_path: Path) -> None:
    path = tmp_path / "Direct Messages - jaxon_77.csv"
    path.write_text(
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        '"901","jaxon_77","2025-03-22T21:14:00+00:00","hey, you from the game?","",""\n'
        '"902","sam.example","2025-03-22T21:15:00+00:00","yeah\nwhy","",""\n'
        '"901","jaxon_77","2025-03-22T21:20:00+00:00","","https://cdn.discordapp.com/a/1/p.png",""\n',
        encoding="utf-8",
    )
    chat = import_path(path)
    assert chat.format == "discord"
    assert [(m.sender, m.text, list(m.attachments)) for m in chat.messages] == [
        ("jaxon_77", "hey, you from the game?", []),
        ("sam.example", "yeah\nwhy", []),
        ("jaxon_77", "", ["https://cdn.discordapp.com/a/1/p.png"]),
    ]
    assert {p.platform_id for p in chat.participants} == {"901", "902"}
    assert chat.messages[1].source.lines == (3, 4)
    assert (
        chat.messages[0].sent_at is not None
        and chat.messages[0].sent_at.isoformat() == "2025-03-22T21:14:00+00:00"
    )


CLIENT_COPY = """jaxon_77 — 03/04/2025 9:14 PM
hey, you from the game?
sam.example — 03/04/2025 9:15 PM
yeah
jaxon_77 — 03/05/2025 9:20 PM
send a pic
[9:21 PM]
or i tell your friends
sam.example — Today at 8:02 AM
please stop
"""


def test_text_copied_from_the_discord_client(tmp_path: Path) -> None:
    path = tmp_path / "copied.txt"
    path.write_text(CLIENT_COPY, encoding="utf-8")
    chat = import_path(path, date_order="MDY")
    assert chat.format == "discord"
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("jaxon_77", "hey, you from the game?"),
        ("sam.example", "yeah"),
        ("jaxon_77", "send a pic"),
        ("jaxon_77", "or i tell your friends"),
        ("sam.example", "please stop"),
    ]
    wall = [m.sent_at.replace(tzinfo=None).isoformat() if m.sent_at else None for m in chat.messages]
    assert wall[3] == wall[2][:11] + "21:21:00"
    assert wall[4] is None and chat.messages[4].sent_at_raw == "Today at 8:02 AM"
    assert any("'Today' or 'Yesterday'" in w for w in chat.warnings)
    assert any("copied from the Discord app" in w for w in chat.warnings)
    # 03/04 then 03/05: both orders keep time order and no day is above 12, so the dates do not settle
    # the order; a 12-hour clock with a four-digit year is no US sign: an error without a fallback, and
    # assumed (and said) with one.
    with pytest.raises(DateOrderAmbiguous):
        import_path(path)
    assumed = import_path(path, fallback_date_order="DMY")
    assert assumed.date_reading is not None and assumed.date_reading.how == "assumed"
    assert assumed.messages[0].sent_at is not None and assumed.messages[0].sent_at.month == 4


def test_skype_rich_text_keeps_its_words(tmp_path: Path) -> None:
    messages = [
        skype_message(
            "2025-03-14T21:00:00.000Z", "Kayla", "8:kayla", "<b>send</b> <i>£100</i> now", "RichText/HTML"
        ),
        skype_message(
            "2025-03-14T21:01:00.000Z", "Kayla", "8:kayla", "https://pay.example.com/x", "RichText/Link"
        ),
        skype_message(
            "2025-03-14T21:02:00.000Z",
            "Kayla",
            "8:kayla",
            '<URIObject type="Picture.1"><OriginalName v="me.jpg"/></URIObject>',
            "RichText/UriObject",
        ),
    ]
    path = tmp_path / "messages.json"
    path.write_text(skype_export(messages), encoding="utf-8")
    chat = import_path(path)
    assert [(m.text, list(m.attachments)) for m in chat.messages] == [
        ("send £100 now", []),
        ("https://pay.example.com/x", []),
        ("", ["me.jpg"]),
    ]


def test_signal_older_chat_md(tmp_path: Path) -> None:
    folder = tmp_path / "Jordan"
    folder.mkdir()
    (folder / "chat.md").write_text(
        "[2025-03-14, 21:04] Jordan: hi\n[2025-03-14, 21:05] Me: who is this\nsecond line\n", encoding="utf-8"
    )
    chat = import_path(folder)
    assert chat.format == "signal"
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("Jordan", "hi"),
        ("Me", "who is this\nsecond line"),
    ]
    assert chat.messages[1].sent_at is not None
    assert chat.messages[1].sent_at.replace(tzinfo=None).isoformat() == "2025-03-14T21:05:00"


def _thread() -> str:
    return meta_thread(
        ["Kayla", "Sam"],
        [
            meta_message("Kayla", 1_741_986_000_000, "send a pic"),
            meta_message("Sam", 1_741_985_940_000, "hi"),
        ],
    )


def test_meta_json_under_any_name(tmp_path: Path) -> None:
    bare = tmp_path / "chat with kayla.json"
    bare.write_text(_thread(), encoding="utf-8")
    chat = import_path(bare)
    assert chat.format in ("messenger", "instagram")
    assert [(m.sender, m.text) for m in chat.messages] == [("Sam", "hi"), ("Kayla", "send a pic")]
    thread = tmp_path / "download" / "your_activity_across_facebook" / "messages" / "inbox" / "kayla_1"
    thread.mkdir(parents=True)
    (thread / "message_1 (1).json").write_text(_thread(), encoding="utf-8")
    (tmp_path / "download" / "profile.json").write_text(json.dumps({"name": "Sam"}), encoding="utf-8")
    chat = import_path(tmp_path / "download")
    assert [(m.sender, m.text) for m in chat.messages] == [("Sam", "hi"), ("Kayla", "send a pic")]


def test_a_json_of_another_shape_is_still_not_a_chat(tmp_path: Path) -> None:
    other = tmp_path / "settings.json"
    other.write_text(json.dumps({"participants": 2, "messages": "none"}), encoding="utf-8")
    with pytest.raises(ExportError, match="not a chat export"):
        import_path(other)
