"""Layouts the first look at a reduced screen gets wrong: a footer box under a bubble, a small pale time,
a sender's line of two sizes (issue 21). Screens drawn here, read back by the real OCR."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_screens import face
from PIL import Image, ImageDraw

from sxr.conversations.chat_layout import Block, TextLine, _reread_broken_times, _take_time
from sxr.conversations.screenshots import read_screenshots, tidy_text

pytestmark = pytest.mark.slow


def _custom_row(path: Path) -> None:
    """A custom-colour chat: a row of a yellow gutter and a purple bubble, its footer a blue box joined
    under it (the sender's line and the time), against a dark background between a header and an input
    bar, on a phone's wide screen."""
    image = Image.new("RGB", (1170, 2400), (68, 13, 125))
    draw = ImageDraw.Draw(image)
    body, small = face(46, "inter"), face(28, "inter")
    draw.rectangle((0, 0, 1170, 200), fill=(36, 43, 67))
    draw.text((585 - body.getlength("Chats") / 2, 110), "Chats", font=body, fill=(255, 255, 255))
    draw.rectangle((0, 500, 170, 1340), fill=(249, 216, 73))
    draw.rounded_rectangle((170, 500, 1150, 1340), radius=30, fill=(117, 23, 124))
    draw.rectangle((170, 500, 1150, 1180), fill=(117, 23, 124))
    lines = ["Hello this is an example of the", "colours anyone can choose for", "their own chat bubbles"]
    for n, text in enumerate(lines):
        draw.text((200, 530 + 70 * n), text, font=body, fill=(90, 200, 70))
    draw.rounded_rectangle((170, 1180, 1150, 1340), radius=30, fill=(57, 132, 247))
    draw.rectangle((170, 1180, 1150, 1260), fill=(57, 132, 247))
    name = "Current user:Aaron"
    draw.text((660 - small.getlength(name) / 2, 1200), name, font=small, fill=(0, 0, 0))
    draw.text((1130 - small.getlength("1:20 AM"), 1285), "1:20 AM", font=small, fill=(255, 255, 255))
    draw.rectangle((0, 2200, 1170, 2400), fill=(36, 43, 67))
    draw.rounded_rectangle((160, 2240, 1010, 2330), radius=12, fill=(238, 241, 246))
    draw.text((200, 2262), "Type a message...", font=small, fill=(150, 150, 150))
    image.save(path)


def test_a_footer_box_under_a_bubble_is_part_of_its_message(tmp_path: Path) -> None:
    path = tmp_path / "custom.png"
    _custom_row(path)
    conversation = read_screenshots([path])
    said = [m for m in conversation.messages if m.text]
    assert len(said) == 1, [m.text for m in said]
    assert said[0].text.startswith("Hello this is an example") and said[0].text.endswith("Current user:Aaron")
    assert said[0].sent_at_raw == "1:20 AM"
    assert not any("Current user" in notice.text for notice in conversation.notices)


def _pale_times(path: Path) -> None:
    """Light-grey bubbles on white whose times are small and pale, in a footer under the words, on a wide
    screen (a tablet's or a desktop's) that the first look reads reduced to a third."""
    image = Image.new("RGB", (1700, 2400), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    body, small = face(44, "roboto"), face(18, "roboto")
    words = ["Come on, answer me", "I know you saw it", "Answer now"]
    for n, (text, stamp) in enumerate(zip(words, ["2:20 AM", "2:21 AM", "2:24 AM"], strict=True)):
        top = 500 + 260 * n
        draw.rounded_rectangle((60, top, 760, top + 190), radius=36, fill=(240, 240, 240))
        draw.text((100, top + 30), text, font=body, fill=(0, 0, 0))
        draw.text((720 - small.getlength(stamp), top + 140), stamp, font=small, fill=(185, 185, 185))
    image.save(path)


def test_a_small_pale_time_under_the_words_is_read_closer(tmp_path: Path) -> None:
    path = tmp_path / "pale.png"
    _pale_times(path)
    conversation = read_screenshots([path])
    assert [m.text for m in conversation.messages] == [
        "Come on, answer me",
        "I know you saw it",
        "Answer now",
    ]
    assert [m.sent_at_raw for m in conversation.messages] == ["2:20 AM", "2:21 AM", "2:24 AM"]


def test_small_print_beside_the_time_is_its_caption_not_words() -> None:
    lines = [
        TextLine((120, 100, 560, 150), "Come on!", 0.95),
        TextLine((120, 160, 560, 210), "Current user:Aaron", 0.95),
        TextLine((130, 230, 330, 255), "~ React Native", 0.95),
        TextLine((450, 230, 560, 256), "2:20 AM", 0.95),
    ]
    block = Block("message", lines, (100, 90, 600, 270))
    _take_time(block)
    assert block.time == "2:20 AM" and block.text == "Come on! Current user:Aaron"


def test_a_one_row_message_keeps_its_words_beside_its_time() -> None:
    lines = [TextLine((120, 100, 300, 150), "Hi", 0.95), TextLine((450, 120, 560, 146), "1:13 PM", 0.95)]
    block = Block("message", lines, (100, 90, 600, 160))
    _take_time(block)
    assert block.time == "1:13 PM" and block.text == "Hi"


@pytest.mark.parametrize(
    ("read", "clock"),
    [("4: 26 PM", "4:26 PM"), ("11 : 42 AM", "11:42 AM"), ("at 9: 46", "at 9:46"), ("2:2 4 AM", "2:24 AM")],
)
def test_a_clock_read_with_spaces_round_its_colon_is_one_clock(read: str, clock: str) -> None:
    assert tidy_text(read) == clock
    assert tidy_text("the ratio was 3 : 10 today") == "the ratio was 3 : 10 today"


def test_a_senders_line_with_a_broken_time_is_read_again() -> None:
    looked: list[tuple[int, int, int, int]] = []

    def closer(area: tuple[int, int, int, int]) -> list[TextLine]:
        """What the full-size look reads there: the name and the time, each at its own size."""
        looked.append(area)
        return [TextLine((157, 327, 498, 410), "jay Today at 9:55 AM", 0.92)]

    broken = TextLine((151, 326, 506, 414), "jay Today at :5 AM", 0.9)
    said = TextLine((161, 412, 1020, 468), "I have your pics at 9.55", 0.98)
    sound = TextLine((155, 1143, 502, 1228), "jay Today at 3:18 PM", 0.91)
    mended = _reread_broken_times([broken, said, sound], closer)
    assert [line.text for line in mended] == ["jay Today at 9:55 AM", said.text, sound.text]
    assert len(looked) == 1 and looked[0][0] < broken.box[0]  # only the broken line, with room round it
