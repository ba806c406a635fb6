"""Draws synthetic phone chat screenshots with known text, for the OCR tests (test code: not in sxr)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

Colour = tuple[int, int, int]
TICKS = " ✓✓"


@dataclass(frozen=True, slots=True)
class Theme:
    """The colours of one chat app in one mode."""

    background: Colour
    text: Colour
    muted: Colour
    left_bubble: Colour
    left_text: Colour
    right_bubble: Colour
    right_text: Colour
    chrome: Colour
    keyboard: Colour
    key: Colour
    times_in_bubble: bool
    # Instagram-like: the name beside an avatar at the top left, an avatar beside received messages.
    header_left: bool = False
    avatars: bool = False


THEMES: dict[str, Theme] = {
    "imessage-light": Theme(
        (255, 255, 255),
        (0, 0, 0),
        (142, 142, 147),
        (233, 233, 235),
        (0, 0, 0),
        (11, 132, 254),
        (255, 255, 255),
        (246, 246, 246),
        (209, 211, 217),
        (255, 255, 255),
        False,
    ),
    "imessage-dark": Theme(
        (0, 0, 0),
        (255, 255, 255),
        (142, 142, 147),
        (38, 38, 40),
        (255, 255, 255),
        (11, 132, 254),
        (255, 255, 255),
        (22, 22, 24),
        (43, 43, 43),
        (107, 107, 107),
        False,
    ),
    "whatsapp-light": Theme(
        (239, 231, 222),
        (17, 27, 33),
        (102, 119, 129),
        (255, 255, 255),
        (17, 27, 33),
        (217, 253, 211),
        (17, 27, 33),
        (246, 246, 246),
        (209, 211, 217),
        (255, 255, 255),
        True,
    ),
    "whatsapp-dark": Theme(
        (11, 20, 26),
        (233, 237, 239),
        (134, 150, 160),
        (32, 44, 51),
        (233, 237, 239),
        (0, 92, 75),
        (233, 237, 239),
        (31, 44, 52),
        (43, 43, 43),
        (107, 107, 107),
        True,
    ),
    "instagram-dark": Theme(
        (0, 0, 0),
        (245, 245, 245),
        (168, 168, 168),
        (38, 38, 38),
        (245, 245, 245),
        (113, 73, 229),
        (255, 255, 255),
        (0, 0, 0),
        (43, 43, 43),
        (107, 107, 107),
        False,
        header_left=True,
        avatars=True,
    ),
}


@dataclass(slots=True)
class Bubble:
    """One drawn message: its side, text, time shown (if any) and box on the screenshot."""

    side: str
    text: str
    time: str | None = None
    box: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass(slots=True)
class Screenshot:
    """A drawn screenshot and the messages wholly visible on it, top to bottom."""

    image: Image.Image
    bubbles: list[Bubble] = field(default_factory=list)
    separators: list[str] = field(default_factory=list)


FAMILIES = {
    "dejavu": (FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"),
    # Arial's metrics; Debian fonts-liberation2, where installed.
    "liberation": (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
}


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False, family: str = "dejavu") -> ImageFont.FreeTypeFont:
    """A sans-serif font (DejaVu Sans from Debian fonts-dejavu-core by default) at `size` pixels."""
    regular, heavy = FAMILIES[family]
    return ImageFont.truetype(str(heavy if bold else regular), size)


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and face.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True, slots=True)
class _Metrics:
    """Sizes on one drawn screen, in pixels: phone points times `unit`."""

    theme: Theme
    width: int
    unit: float
    body_font: ImageFont.FreeTypeFont
    small_font: ImageFont.FreeTypeFont

    @property
    def pad_x(self) -> int:
        return round(12 * self.unit)

    @property
    def pad_y(self) -> int:
        return round(7 * self.unit)

    @property
    def margin(self) -> int:
        return round(12 * self.unit)

    @property
    def line_h(self) -> int:
        return round(self.body_font.size * 1.25)


# One thing laid out on the tall strip: (kind, top, bottom, payload).
_Item = tuple[str, int, int, object]


def render_chat(
    messages: Sequence[tuple[str, ...]],
    *,
    size: tuple[int, int] = (1170, 2532),
    style: str = "imessage-light",
    header: str | None = "Jay",
    separators: dict[int, str] | None = None,
    keyboard: bool = False,
    receipt: str | None = None,
    family: str = "dejavu",
    scroll_shift: int = 0,
    windows: int = 1,
    overlap_messages: int = 2,
) -> list[Screenshot]:
    """Draw a chat of (side, text[, time]) messages as one or more overlapping phone screenshots."""
    theme = THEMES[style]
    width, height = size
    unit = width / 390  # points to pixels, as on a phone (390 pt wide)
    m = _Metrics(
        theme, width, unit, font(round(16.5 * unit), family=family), font(round(11.5 * unit), family=family)
    )
    # Lay the whole chat out on one tall strip, then cut phone-sized windows out of it.
    items, strip_h = _lay_out(m, messages, separators or {}, receipt)
    top_chrome = round(100 * unit) if header else round(47 * unit)
    bottom_chrome = round(56 * unit) + (round(291 * unit) if keyboard else round(30 * unit))
    view_h = height - top_chrome - bottom_chrome
    strip = Image.new("RGB", (width, max(strip_h, view_h)), theme.background)
    drawn = _draw_strip(m, ImageDraw.Draw(strip), items)

    shots: list[Screenshot] = []
    offsets = _window_offsets(drawn, view_h, windows, overlap_messages, strip.height)
    # Scrolled a little further than a message boundary: the top bubble is sliced through its text.
    offsets = [offsets[0]] + [min(offset + scroll_shift, strip.height - view_h) for offset in offsets[1:]]
    for offset in offsets:
        image = Image.new("RGB", (width, height), theme.background)
        image.paste(strip.crop((0, offset, width, offset + view_h)), (0, top_chrome))
        shot = Screenshot(image)
        for top, bottom, thing in drawn:
            if top >= offset and bottom <= offset + view_h:
                if isinstance(thing, Bubble):
                    shift = top_chrome - offset
                    x0, y0, x1, y1 = thing.box
                    shot.bubbles.append(
                        Bubble(thing.side, thing.text, thing.time, (x0, y0 + shift, x1, y1 + shift))
                    )
                else:
                    shot.separators.append(thing)
        _draw_chrome(image, theme, unit, header, keyboard, top_chrome, bottom_chrome)
        shots.append(shot)
    return shots


def _lay_out(
    m: _Metrics, messages: Sequence[tuple[str, ...]], seps: dict[int, str], receipt: str | None
) -> tuple[list[_Item], int]:
    """Where each bubble, separator and receipt goes on one tall strip, and the strip's height."""
    theme, unit, body_font, small_font = m.theme, m.unit, m.body_font, m.small_font
    # iMessage's "Delivered" / "Read 21:09" under the last message sent from this phone.
    receipt_after = max((n for n, message in enumerate(messages) if message[0] == "right"), default=-1)
    max_text = m.width * 0.72 - 2 * m.pad_x
    items: list[_Item] = []
    y = round(20 * unit)
    for index, message in enumerate(messages):
        side, text = message[0], message[1]
        time = message[2] if len(message) > 2 else None
        if index in seps:
            y += round(10 * unit)
            items.append(("separator", y, y + round(small_font.size) + 4, seps[index]))
            y += round(small_font.size + 18 * unit)
        lines = _wrap(text, body_font, max_text)
        text_w = max(body_font.getlength(line) for line in lines)
        if time and theme.times_in_bubble:
            text_w = max(
                text_w, body_font.getlength(lines[-1]) + small_font.getlength(time + TICKS) + m.pad_x
            )
        bubble_w = round(text_w + 2 * m.pad_x)
        bubble_h = round(len(lines) * m.line_h + 2 * m.pad_y)
        if time and theme.times_in_bubble:
            bubble_h += round(small_font.size * 0.6)
        left_margin = m.margin + (round(36 * unit) if theme.avatars else 0)
        x0 = left_margin if side == "left" else m.width - m.margin - bubble_w
        items.append(("bubble", y, y + bubble_h, (side, text, time, lines, x0, bubble_w)))
        y += bubble_h + round(6 * unit)
        if receipt and index == receipt_after:
            items.append(("receipt", y, y + round(small_font.size), receipt))
            y += round(small_font.size + 8 * unit)
    return items, y + round(20 * unit)


def _draw_strip(
    m: _Metrics, draw: ImageDraw.ImageDraw, items: list[_Item]
) -> list[tuple[int, int, Bubble | str]]:
    """Draw the laid-out chat; return each bubble and separator drawn, with its top and bottom."""
    theme, unit, width, small_font = m.theme, m.unit, m.width, m.small_font
    drawn: list[tuple[int, int, Bubble | str]] = []
    for kind, top, bottom, payload in items:
        if kind == "receipt":
            label = str(payload)
            tw = small_font.getlength(label)
            draw.text((width - m.margin - tw - 6 * unit, top), label, font=small_font, fill=theme.muted)
            continue
        if kind == "separator":
            label = str(payload)
            tw = small_font.getlength(label)
            if theme.times_in_bubble:  # WhatsApp draws its dates on a pill
                pill = round(10 * unit)
                draw.rounded_rectangle(
                    ((width - tw) / 2 - pill, top - pill // 2, (width + tw) / 2 + pill, bottom + pill // 2),
                    radius=pill,
                    fill=theme.left_bubble,
                )
            draw.text(((width - tw) / 2, top), label, font=small_font, fill=theme.muted)
            drawn.append((top, bottom, label))
            continue
        drawn.append((top, bottom, _draw_bubble(m, draw, top, bottom, payload)))
    return drawn


def _draw_bubble(m: _Metrics, draw: ImageDraw.ImageDraw, top: int, bottom: int, payload: object) -> Bubble:
    """Draw one message's bubble (with its avatar, time and ticks where the app shows them)."""
    theme, unit, small_font, pad_x, pad_y = m.theme, m.unit, m.small_font, m.pad_x, m.pad_y
    side, text, time, lines, x0, bubble_w = payload  # type: ignore[misc]
    assert isinstance(side, str) and isinstance(text, str)
    if theme.avatars and side == "left":
        avatar = round(28 * unit)
        draw.ellipse((m.margin, bottom - avatar, m.margin + avatar, bottom), fill=theme.muted)
    colour = theme.left_bubble if side == "left" else theme.right_bubble
    ink = theme.left_text if side == "left" else theme.right_text
    draw.rounded_rectangle((x0, top, x0 + bubble_w, bottom), radius=round(17 * unit), fill=colour)
    for n, line in enumerate(lines):
        draw.text((x0 + pad_x, top + pad_y + n * m.line_h), line, font=m.body_font, fill=ink)
    if time and theme.times_in_bubble:
        if side == "right":  # delivery ticks after the time of a message sent from this phone
            tw = small_font.getlength(TICKS)
            draw.text(
                (x0 + bubble_w - pad_x - tw, bottom - pad_y - small_font.size),
                TICKS,
                font=small_font,
                fill=(83, 189, 235),
            )
            time_right = x0 + bubble_w - pad_x - tw
        else:
            time_right = x0 + bubble_w - pad_x
        tw = small_font.getlength(time)
        draw.text(
            (time_right - tw, bottom - pad_y - small_font.size),
            time,
            font=small_font,
            fill=theme.muted,
        )
    shown_time = time if theme.times_in_bubble else None
    return Bubble(side, text, shown_time, (x0, top, x0 + bubble_w, bottom))


def _window_offsets(
    drawn: list[tuple[int, int, Bubble | str]], view_h: int, windows: int, overlap: int, strip_h: int
) -> list[int]:
    """Scroll offsets so that consecutive windows share about `overlap` messages."""
    if windows <= 1:
        return [max(0, strip_h - view_h)] if strip_h > view_h else [0]
    offsets = [0]
    tops = [top for top, _, thing in drawn if isinstance(thing, Bubble)]
    bottoms = [bottom for _, bottom, thing in drawn if isinstance(thing, Bubble)]
    while len(offsets) < windows:
        current = offsets[-1]
        visible = [i for i, b in enumerate(bottoms) if tops[i] >= current and b <= current + view_h]
        if not visible:
            break
        first_shared = visible[-1] - overlap + 1
        # Start just above the first shared message so the one before it is cut at the top.
        nxt = max(current + 1, tops[max(first_shared, visible[0] + 1)] - round(view_h * 0.03))
        nxt = min(nxt, max(0, strip_h - view_h))
        if nxt <= current:
            break
        offsets.append(nxt)
    return offsets


def _draw_chrome(
    image: Image.Image, theme: Theme, unit: float, header: str | None, keyboard: bool, top: int, bottom: int
) -> None:
    """Status bar, header, input box and (optionally) keyboard, as a phone shows them."""
    width, height = image.size
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, top), fill=theme.chrome)
    status = font(round(15 * unit), bold=True)
    draw.text((round(30 * unit), round(14 * unit)), "9:41", font=status, fill=theme.text)
    draw.text((width - round(95 * unit), round(14 * unit)), "5G 87%", font=status, fill=theme.text)
    if header and theme.header_left:
        face = font(round(16 * unit), bold=True)
        draw.ellipse((48 * unit, 54 * unit, 84 * unit, 90 * unit), fill=theme.muted)
        draw.text((round(94 * unit), round(60 * unit)), header, font=face, fill=theme.text)
    elif header:
        face = font(round(15 * unit), bold=True)
        tw = face.getlength(header)
        draw.ellipse(
            (width / 2 - 20 * unit, 50 * unit, width / 2 + 20 * unit, 90 * unit - 10 * unit),
            fill=theme.muted,
        )
        draw.text(((width - tw) / 2, round(78 * unit)), header, font=face, fill=theme.text)
    y0 = height - bottom
    draw.rectangle((0, y0, width, height), fill=theme.chrome)
    draw.rounded_rectangle(
        (round(50 * unit), y0 + round(10 * unit), width - round(12 * unit), y0 + round(46 * unit)),
        radius=round(18 * unit),
        outline=theme.muted,
        width=max(1, round(unit)),
        fill=theme.background,
    )
    draw.text(
        (round(64 * unit), y0 + round(18 * unit)), "iMessage", font=font(round(16 * unit)), fill=theme.muted
    )
    if keyboard:
        face = font(round(22 * unit))
        ky = y0 + round(60 * unit)
        draw.rectangle((0, ky, width, height), fill=theme.keyboard)
        for row, keys in enumerate(("qwertyuiop", "asdfghjkl", "zxcvbnm")):
            kw = width / 10
            start = (width - kw * len(keys)) / 2
            for n, key in enumerate(keys):
                x = start + n * kw
                ry = ky + round(10 * unit) + row * round(54 * unit)
                draw.rounded_rectangle(
                    (x + 3 * unit, ry, x + kw - 3 * unit, ry + 42 * unit),
                    radius=round(5 * unit),
                    fill=theme.key,
                )
                draw.text(
                    (x + kw / 2 - face.getlength(key) / 2, ry + 8 * unit), key, font=face, fill=theme.text
                )
