"""Screens drawn in the main chat apps' layouts (app_screens.py), read back by the real OCR."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_screens import AppScreen, Line, Look, as_shared, draw_app
from PIL import Image, ImageDraw

from sxr.conversations.chat_layout import TIME_ANYWHERE
from sxr.conversations.model import Conversation
from sxr.conversations.screenshots import read_screenshots

pytestmark = pytest.mark.slow

CHAT = [
    Line("left", "hey its jay_smith.22 add me on snap", "9:04 PM"),
    Line("right", "who is this?", "9:05 PM"),
    Line("left", "I have your pics. Pay £500 or I send them to everyone", "9:06 PM", reaction=True),
    Line("left", "", "9:06 PM", picture=True),
    Line("right", "please dont do this", "9:07 PM"),
    Line("right", "I only have £40", "9:08 PM"),
    Line("left", "my paypal is lily.pays@example.com", "9:09 PM"),
]


def _read(screen: AppScreen, folder: Path, name: str, shared: bool = False) -> Conversation:
    path = folder / (f"{name}.jpg" if shared else f"{name}.png")
    (as_shared(screen.image) if shared else screen.image).save(path)
    return read_screenshots([path])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


@pytest.mark.parametrize(
    ("app", "mode"), [("whatsapp", "light"), ("telegram", "dark"), ("messenger", "light")]
)
def test_every_message_on_its_side_with_its_time_out_of_the_text(tmp_path: Path, app: str, mode: str) -> None:
    screen = draw_app(app, mode, CHAT, keyboard=mode == "dark")
    conversation = _read(screen, tmp_path, app)
    said = [m for m in conversation.messages if m.text]
    want = [m for m in screen.messages if not m.picture]
    assert [m.sender for m in said] == [m.side for m in want], [m.text for m in said]
    for got, drawn in zip(said, want, strict=True):
        assert _squash(got.text) == _squash(drawn.text)
        assert not TIME_ANYWHERE.search(got.text) and not got.text.endswith(("✓", " v", " V"))
        if drawn.time:  # WhatsApp and Telegram print it in the bubble, with ticks on the right
            assert got.sent_at_raw and _squash(drawn.time) in _squash(got.sent_at_raw)


def test_a_photo_and_an_emoji_alone_are_picture_messages_with_their_box(tmp_path: Path) -> None:
    chat = [*CHAT[:2], Line("right", "", "9:06 PM", picture=True), *CHAT[2:]]
    for app in ("whatsapp", "imessage"):
        screen = draw_app(app, "light", chat)
        conversation = _read(screen, tmp_path, app)
        pictures = [m for m in conversation.messages if m.attachments]
        drawn = [m for m in screen.messages if m.picture]
        assert [m.sender for m in pictures] == [m.side for m in drawn], app
        for got, want in zip(pictures, drawn, strict=True):
            x0, y0, _, y1 = got.source.box or (0, 0, 0, 0)
            # The box is the picture's bubble, not the bubble next to it.
            assert abs(x0 - want.box[0]) < 40 and abs(y0 - want.box[1]) < 40 and abs(y1 - want.box[3]) < 60
            assert "picture in the screenshot" in got.attachments[0]


def test_furniture_is_never_a_message(tmp_path: Path) -> None:
    for app, mode in (
        ("whatsapp", "dark"),
        ("instagram", "light"),
        ("messenger", "dark"),
        ("imessage", "light"),
    ):
        screen = draw_app(app, mode, CHAT, keyboard=True)
        conversation = _read(screen, tmp_path, f"{app}-{mode}")
        texts = {_squash(m.text) for m in conversation.messages}
        for furniture in screen.furniture:
            assert _squash(furniture) not in texts, (app, furniture)
        # The header's "last seen today at 4:13 pm" is never a message's time either.
        assert not any("4:13" in (m.sent_at_raw or "") for m in conversation.messages)
        assert not any(len(m.text) == 1 for m in conversation.messages)  # no keyboard keys


def test_consecutive_bubbles_with_small_gaps_stay_apart(tmp_path: Path) -> None:
    chat = [
        Line("right", f"part {word} of it", "9:0{n} PM")
        for n, word in enumerate(["one", "two", "three", "four"])
    ]
    screen = draw_app("messenger", "light", chat)
    conversation = _read(screen, tmp_path, "gaps")
    assert [m.text for m in conversation.messages] == [line.text for line in chat]


def test_a_custom_colour_layout_in_a_simulator_window(tmp_path: Path) -> None:
    """Bubbles in colours no app uses, on a purple screen inside a grey window with a title."""
    custom = Look(
        (70, 20, 120), (255, 255, 255), (200, 200, 200), (250, 170, 40), (20, 20, 20),
        (20, 150, 140), (255, 255, 255), (25, 35, 70), placeholder="Type a message...",
    )  # fmt: skip
    screen = draw_app("imessage", "light", CHAT[:3] + CHAT[4:6], look=custom, contact="Chats")
    phone = screen.image.resize((540, 1170))
    window = Image.new("RGB", (760, 1400), (40, 40, 40))
    ImageDraw.Draw(window).text((300, 20), "iPhone 15 (17.2)", fill=(200, 200, 200))
    window.paste(phone, (110, 130))
    path = tmp_path / "custom.png"
    window.save(path)
    conversation = read_screenshots([path])
    said = [m for m in conversation.messages if m.text]
    assert [m.sender for m in said] == [m.side for m in screen.messages], [m.text for m in said]
    assert conversation.title != "iPhone 15 (17.2)"


def test_a_screen_without_bubbles_is_never_one_blob(tmp_path: Path) -> None:
    for app in ("snapchat", "discord"):
        screen = draw_app(app, "light", CHAT[:3] + CHAT[4:])
        conversation = _read(screen, tmp_path, app)
        assert len(conversation.messages) >= 4, [m.text for m in conversation.messages]
        assert {m.sender for m in conversation.messages} == {"left", "right"}
        assert not any(len(m.text) > 200 for m in conversation.messages)


def test_identifiers_exact_after_sharing_as_jpeg(tmp_path: Path) -> None:
    screen = draw_app("whatsapp", "light", CHAT)
    conversation = _read(screen, tmp_path, "shared", shared=True)
    words = " ".join(m.text for m in conversation.messages).split()
    for identifier in ("jay_smith.22", "£500", "£40", "lily.pays@example.com"):
        assert identifier in words


def test_cut_off_warned_only_where_the_screen_cuts(tmp_path: Path) -> None:
    whole = _read(draw_app("telegram", "light", CHAT), tmp_path, "whole")
    assert not any("cut off" in w for w in whole.warnings)
    cut = _read(draw_app("telegram", "light", CHAT, cut_top=True), tmp_path, "cut")
    assert any(w.startswith("1 message(s) were cut off") for w in cut.warnings), cut.warnings


def test_a_doubtful_address_is_pointed_out_and_left_as_read(tmp_path: Path) -> None:
    chat = [Line("left", "write to jay.smith@gmai1.com today", "9:04 PM"), Line("right", "ok", "9:05 PM")]
    conversation = _read(draw_app("whatsapp", "light", chat), tmp_path, "doubt")
    assert "jay.smith@gmai1.com" in conversation.messages[0].text.split()
    notes = [w for w in conversation.warnings if w.startswith("Message 1:")]
    assert notes and '"jay.smith@gmail.com"' in notes[0]


def test_a_reply_keeps_the_quoted_words_out_of_its_text(tmp_path: Path) -> None:
    chat = [
        Line("left", "I have your pics", "21:04"),
        Line("right", "please dont do this", "21:05", reply_to="I have your pics"),
    ]
    conversation = _read(draw_app("whatsapp", "dark", chat), tmp_path, "reply", shared=True)
    assert [m.text for m in conversation.messages] == ["I have your pics", "please dont do this"]
    assert [n.text for n in conversation.notices if "replies to" in n.text] == [
        'Message 2 replies to: "I have your pics"'
    ]


def test_bubble_less_messages_under_one_name_stay_apart(tmp_path: Path) -> None:
    chat = [
        Line("left", "you have 30 minutes", "9:04 PM"),
        Line("left", "or cashapp $LilyPays09 now", "9:04 PM"),
        Line("right", "who is this?", "9:05 PM"),
        Line("left", "I have your pics", "9:06 PM"),
    ]
    conversation = _read(draw_app("discord", "dark", chat), tmp_path, "names")
    assert [(m.sender, m.text) for m in conversation.messages] == [(line.side, line.text) for line in chat]
    assert "9:04" in (conversation.messages[0].sent_at_raw or "")  # from "jay Today at 9:04 PM"
