"""The chat layout's rules on lines of text, without OCR: times and ticks, sender names, joined lines."""

from __future__ import annotations

import pytest

from sxr.conversations.chat_layout import Block, TextLine, _labelled_blocks, _take_time, join_lines


def _bubble(*texts: str, time_right: bool = True) -> Block:
    """A bubble at x 100-600 with one row per text; the last row right-aligned when time_right."""
    lines = []
    for n, text in enumerate(texts):
        last = n == len(texts) - 1
        x0 = 450 if last and time_right else 120
        lines.append(
            TextLine((x0, 100 + 50 * n, 590 if last and time_right else 560, 140 + 50 * n), text, 0.95)
        )
    return Block("message", lines, (100, 90, 600, 100 + 50 * len(texts)))


@pytest.mark.parametrize(
    ("shown", "time"),
    [
        ("21:04", "21:04"),
        ("9:04 PM ✓✓", "9:04 PM"),
        ("1:13PM/V", "1:13PM"),
        ("1:13 PM //", "1:13 PM"),
        ("21:04 v/", "21:04"),
        ("now", "now"),
        ("Yesterday", "Yesterday"),
        ("Yesterday 21:04", "Yesterday 21:04"),
        ("edited 21:04", "21:04"),
    ],
)
def test_a_bubbles_own_time_and_ticks_leave_its_text(shown: str, time: str) -> None:
    block = _bubble("see you there tonight", shown)
    _take_time(block)
    assert block.time == time and block.text == "see you there tonight"


def test_a_time_said_in_a_message_stays_in_it() -> None:
    block = _bubble("meet me at", "5:30", time_right=False)
    _take_time(block)
    assert block.time is None and block.text == "meet me at 5:30"


def test_a_bubble_of_only_its_time_has_no_words_left() -> None:
    block = _bubble("9:23 AM")
    _take_time(block)
    assert block.time == "9:23 AM" and block.lines == []


def test_addresses_wrapped_at_the_line_end_are_one_token() -> None:
    lines = [
        TextLine((10, 10, 300, 40), "links like http:", 0.9),
        TextLine((10, 50, 300, 80), "www.google.com or", 0.9),
    ]
    assert join_lines(lines) == "links like http://www.google.com or"


def test_sender_names_make_runs_of_messages_with_sides() -> None:
    rows = [
        ("JAY", 40),
        ("you have 30 minutes", 30),
        ("ME", 40),
        ("who is this?", 30),
        ("JAY", 40),
        ("I have your pics", 30),
    ]
    lines, y = [], 100
    for text, height in rows:
        lines.append(TextLine((40, y, 40 + 20 * len(text), y + height), text, 0.95))
        y += height + 30
    blocks = _labelled_blocks(lines, 1080)
    assert blocks is not None
    assert [(b.side, b.text) for b in blocks] == [
        ("left", "you have 30 minutes"),
        ("right", "who is this?"),
        ("left", "I have your pics"),
    ]
