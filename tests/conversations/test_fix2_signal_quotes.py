"""signal-export: quotes, reactions, stickers and the two-space padding are not the sender's words."""

from __future__ import annotations

import json
from pathlib import Path

from sxr.conversations.importers import import_path
from sxr.conversations.model import Conversation


def _row(date: str, sender: str, body: str, **extra: object) -> dict[str, object]:
    # As sigexport writes data.json: every body ends in a markdown line break ("  ").
    row: dict[str, object] = {
        "date": date,
        "sender": sender,
        "body": body + "  ",
        "quote": "",
        "sticker": "",
        "reactions": [],
        "attachments": [],
        "deleted": False,
        "call": False,
        "missed": False,
    }
    row.update(extra)
    return row


ROWS = [
    _row(
        "2025-02-01T20:00:00", "Me", "I sent you a photo earlier, delete it", reactions=[["Rosa Vale", "😂"]]
    ),
    _row(
        "2025-02-01T20:05:00",
        "Rosa Vale",
        "I recorded you. pay £200 or I post it",
        quote="\n\n> I sent you a photo earlier, delete it\n\n",
    ),
    _row("2025-02-01T20:06:00", "Me", "", sticker="🙏"),
    _row("2025-02-01T20:07:00", "Me", "", sticker={"id": "1", "packId": "p", "packKey": "k", "emoji": "😢"}),
    _row("2025-02-01T20:08:00", "Rosa Vale", "line one  \nline two"),
]

CHAT_MD = (
    "[2025-02-01 20:00:00] Me: I sent you a photo earlier, delete it  \n"
    "(- Rosa Vale: 😂 -)\n\n"
    "[2025-02-01 20:05:00] Rosa Vale: \n\n> I sent you a photo earlier, delete it\n\n"
    "I recorded you. pay £200 or I post it  \n\n"
    "[2025-02-01 20:06:00] Me:   \n(( 🙏 ))\n\n"
    "[2025-02-01 20:08:00] Rosa Vale: line one  \nline two  \n\n"
)


def _json_chat(tmp_path: Path) -> Conversation:
    folder = tmp_path / "Rosa Vale"
    folder.mkdir()
    (folder / "data.json").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS), encoding="utf-8"
    )
    return import_path(folder, tz="Europe/London")


def _md_chat(tmp_path: Path) -> Conversation:
    folder = tmp_path / "Rosa Vale"
    folder.mkdir()
    (folder / "chat.md").write_text(CHAT_MD, encoding="utf-8")
    return import_path(folder, tz="Europe/London")


def test_json_quote_is_not_in_the_quoting_senders_text(tmp_path: Path) -> None:
    chat = _json_chat(tmp_path)
    threat = chat.messages[1]
    assert threat.sender == "Rosa Vale"
    assert threat.text == "I recorded you. pay £200 or I post it"
    assert all("delete it" not in m.text for m in chat.messages if m.sender == "Rosa Vale")
    quote = [n for n in chat.notices if "replied" in n.text]
    assert [n.text for n in quote] == [
        'Rosa Vale replied to this earlier message: "I sent you a photo earlier, delete it"'
    ]
    assert quote[0].source.lines == threat.source.lines


def test_json_padding_stripped_and_string_sticker_attached(tmp_path: Path) -> None:
    chat = _json_chat(tmp_path)
    assert [m.text for m in chat.messages] == [
        "I sent you a photo earlier, delete it",
        "I recorded you. pay £200 or I post it",
        "",
        "",
        "line one\nline two",
    ]
    assert chat.messages[2].attachments == ["sticker 🙏"]
    assert chat.messages[3].attachments == ["sticker 😢"]


def test_json_reaction_is_a_notice(tmp_path: Path) -> None:
    chat = _json_chat(tmp_path)
    assert "Rosa Vale reacted 😂 to a message from Me" in [n.text for n in chat.notices]
    assert all("😂" not in m.text for m in chat.messages)


def test_markdown_reaction_quote_sticker_and_padding(tmp_path: Path) -> None:
    chat = _md_chat(tmp_path)
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("Me", "I sent you a photo earlier, delete it"),
        ("Rosa Vale", "I recorded you. pay £200 or I post it"),
        ("Me", ""),
        ("Rosa Vale", "line one\nline two"),
    ]
    assert chat.messages[2].attachments == ["sticker 🙏"]
    assert [n.text for n in chat.notices] == [
        "Rosa Vale reacted 😂 to a message from Me",
        'Rosa Vale replied to this earlier message: "I sent you a photo earlier, delete it"',
    ]
    assert chat.messages[0].source.lines == (1, 2)
    assert chat.messages[1].source.lines == (4, 8)


def test_markdown_line_that_only_looks_like_a_reaction_on_the_stamp_line_is_text(tmp_path: Path) -> None:
    folder = tmp_path / "Rosa Vale"
    folder.mkdir()
    (folder / "chat.md").write_text("[2025-02-01 20:00:00] Rosa Vale: (- Tom: ok -)\n\n", encoding="utf-8")
    chat = import_path(folder, tz="Europe/London")
    assert chat.messages[0].text == "(- Tom: ok -)" and chat.notices == []


def test_markdown_attachment_names_are_decoded_and_web_links_stay_text(tmp_path: Path) -> None:
    folder = tmp_path / "Rosa Vale"
    folder.mkdir()
    (folder / "chat.md").write_text(
        "[2025-02-01 20:00:00] Rosa Vale: "
        "![screenshot of your followers.jpg](./media/screenshot%20of%20your%20followers.jpg)\n"
        "[2025-02-01 20:01:00] Rosa Vale: pay here [link](https://paypal.me/rosavale99)\n",
        encoding="utf-8",
    )
    chat = import_path(folder)
    assert chat.messages[0].attachments == ["media/screenshot of your followers.jpg"]
    assert chat.messages[1].text == "pay here [link](https://paypal.me/rosavale99)"
    assert not chat.messages[1].attachments
