"""The shared screenshots of real chat apps, read as a person would (issue 21's conformance set)."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from sxr.conversations.chat_layout import TIME_ANYWHERE
from sxr.conversations.model import Conversation
from sxr.conversations.screenshots import read_screenshots

pytestmark = pytest.mark.slow
NAMES = [
    "04_macos_messages_ichat",
    "10_giftedchat_housemates",
    "11_giftedchat_reactions",
    "12_giftedchat_custom_identifiers",
]


_READ: dict[Path, Conversation] = {}


def _reading(shared_data: Path, name: str) -> tuple[Conversation, dict[str, Any]]:
    """The screenshot read once per test run (OCR is slow), with its hand transcription."""
    folder = shared_data / "screenshots"
    if not (folder / f"{name}.png").is_file():
        pytest.skip(f"{name}.png is not in {folder}")
    transcription = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    path = folder / f"{name}.png"
    if path not in _READ:
        _READ[path] = read_screenshots([path])
    return _READ[path], transcription


def _said(conversation: Conversation) -> list[Any]:
    """The messages with words (or with words hidden at the screen's edge), not the pictures alone."""
    return [m for m in conversation.messages if not m.attachments or m.text]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


@pytest.mark.parametrize("name", NAMES)
def test_every_message_is_found_on_its_side(shared_data: Path, name: str) -> None:
    conversation, transcription = _reading(shared_data, name)
    said = _said(conversation)
    assert [m.sender for m in said] == [m["side"] for m in transcription["messages"]], [m.text for m in said]
    for got, want in zip(said, transcription["messages"], strict=True):
        if want["partly_cut"] and not got.text:
            continue  # its words are under the header bar: only the time shows
        ratio = SequenceMatcher(None, _squash(got.text), _squash(want["text"])).ratio()
        assert ratio >= (0.5 if want["partly_cut"] else 0.85), (got.text, want["text"])


@pytest.mark.parametrize("name", NAMES)
def test_shown_times_are_times_not_text(shared_data: Path, name: str) -> None:
    conversation, transcription = _reading(shared_data, name)
    for got, want in zip(_said(conversation), transcription["messages"], strict=True):
        assert not TIME_ANYWHERE.search(got.text), got.text
        assert not re.search(r"\s[vV✓/]{1,3}$", got.text), got.text  # no read ticks left behind
        if want["time"]:
            assert _squash(want["time"]) in _squash(got.sent_at_raw or ""), (got.text, got.sent_at_raw)


@pytest.mark.parametrize("name", NAMES)
def test_screen_furniture_is_never_a_message(shared_data: Path, name: str) -> None:
    conversation, transcription = _reading(shared_data, name)
    texts = {_squash(m.text) for m in conversation.messages}
    for furniture in transcription["screen_furniture"]:
        assert _squash(furniture) not in texts, furniture
    # Avatars' initials, the input box, a bubble holding only its time: none is a message.
    assert not any(re.fullmatch(r"[A-Z]{1,3}", m.text) for m in conversation.messages)
    assert not any(
        re.match(r"(type a message|message\b)", m.text, re.IGNORECASE) for m in conversation.messages
    )
    assert conversation.title not in ("iPhone 11 (13.4)", "Carrier")


def test_a_photo_bubble_is_its_own_message_with_its_box(shared_data: Path) -> None:
    conversation, _ = _reading(shared_data, "10_giftedchat_housemates")
    pictures = [m for m in conversation.messages if m.attachments]
    assert len(pictures) == 1 and pictures[0].sender == "right" and pictures[0].sent_at_raw
    assert pictures[0].text == "" and pictures[0].source.confidence is None  # no words were read
    x0, y0, x1, y1 = pictures[0].source.box or (0, 0, 0, 0)
    assert 400 < x0 < x1 <= 750 and 380 < y0 < y1 < 670  # the sink's bubble, not the one above it
    # The bubble above it is a message of its own.
    assert any(m.text.startswith("Hey, our sink") and not m.attachments for m in conversation.messages)


def test_consecutive_bubbles_stay_apart(shared_data: Path) -> None:
    conversation, _ = _reading(shared_data, "11_giftedchat_reactions")
    texts = [_squash(m.text) for m in _said(conversation)]
    assert texts[-4:] == ["#awesome", "#awesome2", "#awesome3", "hi"]
    # The waving hand sent alone under "Hi" is a picture message of its own, with its time.
    last = conversation.messages[-1]
    assert last.attachments and not last.text and last.sender == "right" and last.sent_at_raw


def test_the_custom_colour_layout_is_read_as_messages(shared_data: Path) -> None:
    conversation, transcription = _reading(shared_data, "12_giftedchat_custom_identifiers")
    assert len(conversation.messages) == 3
    assert conversation.title == "Chats"
    text = " ".join(m.text for m in conversation.messages)
    for identifier in transcription["identifiers"]:
        assert identifier in text.split(), identifier


@pytest.mark.parametrize("name", NAMES)
def test_cut_off_warnings_only_where_really_cut(shared_data: Path, name: str) -> None:
    conversation, transcription = _reading(shared_data, name)
    really = sum(m["partly_cut"] for m in transcription["messages"])
    said = [w for w in conversation.warnings if "cut off" in w]
    if not really:
        assert not said
    else:
        assert said and said[0].startswith(f"{really} message")
