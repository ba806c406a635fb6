"""Screens drawn in the layouts of the main chat apps, with what a person would read off them.

Not the apps' own artwork: their layouts (where bubbles, times, ticks, avatars, headers and input boxes
go), their colours in light and dark mode, and free fonts close to theirs (Roboto, Noto Sans, Inter,
from Debian's fonts-roboto, fonts-noto-core and fonts-inter; DejaVu where those are missing). Used by
tests/conversations/test_screenshots_apps.py and bench/ocr.py.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Colour = tuple[int, int, int]
Box = tuple[int, int, int, int]

FONTS = {
    "roboto": Path("/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf"),
    "noto": Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    "inter": Path("/usr/share/fonts/opentype/inter/Inter-Regular.otf"),
    "dejavu": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
}
BOLD = {
    "roboto": Path("/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf"),
    "noto": Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    "inter": Path("/usr/share/fonts/opentype/inter/Inter-Bold.otf"),
    "dejavu": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
# The font each app's own is closest to (Android apps: Roboto; Apple: Inter for SF; web: Noto).
APP_FONT = {
    "whatsapp": "roboto",
    "instagram": "inter",
    "snapchat": "noto",
    "messenger": "roboto",
    "imessage": "inter",
    "telegram": "roboto",
    "discord": "noto",
}
APPS = list(APP_FONT)


@lru_cache(maxsize=64)
def face(size: int, family: str, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The family's font at `size` pixels, or DejaVu Sans where that family is not installed."""
    path = (BOLD if bold else FONTS)[family]
    if not path.is_file():
        path = (BOLD if bold else FONTS)["dejavu"]
    return ImageFont.truetype(str(path), size)


@dataclass(frozen=True, slots=True)
class Look:
    """One app in one mode: colours and where things go."""

    background: Colour
    ink: Colour
    muted: Colour
    left: Colour
    left_ink: Colour
    right: Colour
    right_ink: Colour
    bar: Colour
    times_in_bubble: bool = False
    avatars: bool = False
    bubbles: bool = True
    status: str = ""
    placeholder: str = "Message"
    ticks: str = "✓✓"


LOOKS: dict[tuple[str, str], Look] = {
    ("whatsapp", "light"): Look(
        (239, 231, 222), (17, 27, 33), (102, 119, 129), (255, 255, 255), (17, 27, 33),
        (217, 253, 211), (17, 27, 33), (240, 242, 245), True, False, True, "last seen today at 4:13 pm",
    ),
    ("whatsapp", "dark"): Look(
        (11, 20, 26), (233, 237, 239), (134, 150, 160), (32, 44, 51), (233, 237, 239),
        (0, 92, 75), (233, 237, 239), (31, 44, 52), True, False, True, "last seen today at 4:13 pm",
    ),
    ("instagram", "light"): Look(
        (255, 255, 255), (0, 0, 0), (115, 115, 115), (239, 239, 239), (0, 0, 0),
        (55, 151, 240), (255, 255, 255), (255, 255, 255), False, True, True, "Active 5m ago", "Message...",
    ),
    ("instagram", "dark"): Look(
        (0, 0, 0), (245, 245, 245), (168, 168, 168), (38, 38, 38), (245, 245, 245),
        (120, 60, 250), (255, 255, 255), (0, 0, 0), False, True, True, "Active 5m ago", "Message...",
    ),
    ("snapchat", "light"): Look(
        (255, 255, 255), (0, 0, 0), (140, 140, 140), (255, 255, 255), (0, 0, 0),
        (255, 255, 255), (0, 0, 0), (255, 255, 255), False, False, False, "", "Send a chat",
    ),
    ("snapchat", "dark"): Look(
        (18, 18, 18), (240, 240, 240), (150, 150, 150), (18, 18, 18), (240, 240, 240),
        (18, 18, 18), (240, 240, 240), (18, 18, 18), False, False, False, "", "Send a chat",
    ),
    ("messenger", "light"): Look(
        (255, 255, 255), (5, 5, 5), (101, 103, 107), (240, 240, 240), (5, 5, 5),
        (0, 132, 255), (255, 255, 255), (255, 255, 255), False, True, True, "Active now", "Aa",
    ),
    ("messenger", "dark"): Look(
        (0, 0, 0), (228, 230, 235), (176, 179, 184), (48, 48, 48), (228, 230, 235),
        (0, 132, 255), (255, 255, 255), (0, 0, 0), False, True, True, "Active now", "Aa",
    ),
    ("imessage", "light"): Look(
        (255, 255, 255), (0, 0, 0), (142, 142, 147), (233, 233, 235), (0, 0, 0),
        (11, 132, 254), (255, 255, 255), (246, 246, 246), False, False, True, "", "iMessage",
    ),
    ("imessage", "dark"): Look(
        (0, 0, 0), (255, 255, 255), (142, 142, 147), (38, 38, 40), (255, 255, 255),
        (11, 132, 254), (255, 255, 255), (22, 22, 24), False, False, True, "", "iMessage",
    ),
    ("telegram", "light"): Look(
        (158, 186, 140), (0, 0, 0), (110, 130, 100), (255, 255, 255), (0, 0, 0),
        (239, 254, 221), (0, 0, 0), (255, 255, 255), True, False, True, "last seen recently", "Message",
    ),
    ("telegram", "dark"): Look(
        (14, 22, 33), (245, 245, 245), (110, 125, 140), (24, 37, 51), (245, 245, 245),
        (43, 82, 120), (245, 245, 245), (23, 33, 43), True, False, True, "last seen recently", "Message",
    ),
    ("discord", "light"): Look(
        (255, 255, 255), (6, 6, 7), (92, 94, 102), (255, 255, 255), (6, 6, 7),
        (255, 255, 255), (6, 6, 7), (242, 243, 245), False, True, False, "", "Message @jay",
    ),
    ("discord", "dark"): Look(
        (49, 51, 56), (219, 222, 225), (148, 155, 164), (49, 51, 56), (219, 222, 225),
        (49, 51, 56), (219, 222, 225), (43, 45, 49), False, True, False, "", "Message @jay",
    ),
}  # fmt: skip


@dataclass(slots=True)
class Said:
    """One message as a person reads it off the screen."""

    side: str
    text: str
    time: str | None = None
    picture: bool = False
    cut: bool = False
    box: Box = (0, 0, 0, 0)


@dataclass(slots=True)
class AppScreen:
    """A drawn screen and what is on it: the messages, and the furniture that is not a message."""

    image: Image.Image
    app: str
    mode: str
    device: str
    messages: list[Said] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Line:
    """A message to draw: side, text ("" with picture=True for a photo or an emoji alone), its time."""

    side: str
    text: str
    time: str
    picture: bool = False
    reaction: bool = False
    reply_to: str | None = None


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + ([current] if current else [])


def _photo(image: Image.Image, box: Box, rng: random.Random) -> None:
    """A made-up photo: sky, ground and a few shapes (nothing anyone could recognise), inside its box."""
    x0, y0, x1, y1 = box
    photo = Image.new("RGB", (x1 - x0, y1 - y0))
    draw = ImageDraw.Draw(photo)
    middle = (y1 - y0) * 3 // 5
    draw.rectangle((0, 0, x1 - x0, middle), fill=(120 + rng.randint(0, 60), 170, 230))
    draw.rectangle((0, middle, x1 - x0, y1 - y0), fill=(70, 120 + rng.randint(0, 40), 60))
    for _ in range(4):
        cx, cy = rng.randint(0, x1 - x0), rng.randint(0, y1 - y0)
        r = rng.randint(6, max(8, (x1 - x0) // 6))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(rng.randint(0, 255), rng.randint(0, 255), 90))
    image.paste(photo, (x0, y0))


def _emoji(draw: ImageDraw.ImageDraw, box: Box) -> None:
    """A smiling face drawn as a picture, as apps draw emoji."""
    x0, y0, x1, _ = box
    draw.ellipse(box, fill=(255, 200, 40))
    w = x1 - x0
    draw.ellipse((x0 + w * 0.28, y0 + w * 0.3, x0 + w * 0.4, y0 + w * 0.45), fill=(90, 50, 10))
    draw.ellipse((x0 + w * 0.6, y0 + w * 0.3, x0 + w * 0.72, y0 + w * 0.45), fill=(90, 50, 10))
    draw.arc(
        (x0 + w * 0.25, y0 + w * 0.35, x0 + w * 0.75, y0 + w * 0.78), 20, 160, fill=(90, 50, 10), width=3
    )


def draw_app(
    app: str,
    mode: str,
    chat: list[Line],
    *,
    device: str = "phone",
    keyboard: bool = False,
    cut_top: bool = False,
    seed: int = 0,
    family: str | None = None,
    contact: str = "Jay Smith",
    look: Look | None = None,
) -> AppScreen:
    """Draw `chat` as `app` shows it in `mode` ("light"/"dark"), on a phone (1080 x 2340) or a desktop."""
    look = look or LOOKS[(app, mode)]
    rng = random.Random(seed)
    family = family or APP_FONT[app]
    phone = device == "phone"
    width, height = (1080, 2340) if phone else (1600, 1000)
    unit = width / 390 if phone else 1.4
    body = face(round(16 * unit), family)
    small = face(round(11 * unit), family)
    bold = face(round(17 * unit), family, bold=True)
    screen = AppScreen(Image.new("RGB", (width, height), look.background), app, mode, device)
    draw = ImageDraw.Draw(screen.image)
    margin = round(10 * unit)
    avatar = round(28 * unit) if look.avatars else 0
    max_text = width * (0.68 if phone else 0.5)
    pad_x, pad_y = round(12 * unit), round(8 * unit)
    line_h = round(body.size * 1.3)

    # Chrome: status bar (phones) or a window title (desktop), then the header with the contact's name.
    top = 0
    if phone:
        draw.text((margin * 2, round(12 * unit)), "9:41", font=small, fill=look.ink)
        draw.text(
            (width - margin * 2 - small.getlength("87%"), round(12 * unit)), "87%", font=small, fill=look.ink
        )
        top = round(44 * unit)
    else:
        draw.rectangle((0, 0, width, 36), fill=(60, 60, 60) if mode == "dark" else (222, 222, 222))
        title = f"{app.capitalize()} - {contact}"
        draw.text((width / 2 - small.getlength(title) / 2, 8), title, font=small, fill=(150, 150, 150))
        screen.furniture.append(title)
        top = 36
    header_h = round(56 * unit)
    draw.rectangle((0, top, width, top + header_h), fill=look.bar)
    name_x = (
        margin * 5 if app in ("instagram", "messenger", "whatsapp", "telegram", "snapchat") else width / 2
    )
    if name_x == width / 2:
        name_x = width / 2 - bold.getlength(contact) / 2
    draw.text((name_x, top + round(8 * unit)), contact, font=bold, fill=look.ink)
    screen.furniture.append(contact)
    if look.status:
        draw.text((name_x, top + round(30 * unit)), look.status, font=small, fill=look.muted)
        screen.furniture.append(look.status)
    if look.bar == look.background:
        draw.line((0, top + header_h, width, top + header_h), fill=look.muted, width=1)
    chat_top = top + header_h

    # The bottom: input box (and keyboard).
    keyboard_h = round(260 * unit) if keyboard and phone else 0
    input_h = round(54 * unit)
    chat_bottom = height - keyboard_h - input_h
    draw.rectangle((0, chat_bottom, width, height), fill=look.bar)
    field_box = (
        margin * 2,
        chat_bottom + round(9 * unit),
        width - margin * 2,
        chat_bottom + input_h - round(9 * unit),
    )
    draw.rounded_rectangle(field_box, radius=round(18 * unit), fill=look.left if look.bubbles else look.bar,
                           outline=look.muted if not look.bubbles else None)  # fmt: skip
    draw.text(
        (field_box[0] + pad_x, field_box[1] + round(8 * unit)), look.placeholder, font=body, fill=look.muted
    )
    screen.furniture.append(look.placeholder)
    if keyboard_h:
        key_bg = (209, 211, 217) if mode == "light" else (43, 43, 43)
        key = (255, 255, 255) if mode == "light" else (107, 107, 107)
        draw.rectangle((0, height - keyboard_h, width, height), fill=key_bg)
        for row, letters in enumerate(("qwertyuiop", "asdfghjkl", "zxcvbnm")):
            kw = width / 10
            for n, letter in enumerate(letters):
                x = n * kw + (row * kw / 2) + 4
                y = height - keyboard_h + 12 + row * round(54 * unit)
                draw.rounded_rectangle((x, y, x + kw - 8, y + round(44 * unit)), radius=8, fill=key)
                draw.text((x + kw / 2 - 14, y + 12), letter, font=body, fill=look.ink)

    # The chat, drawn from the top down; with cut_top the first message starts under the header.
    y = chat_top + round(14 * unit) - (round(30 * unit) if cut_top else 0)
    if app == "whatsapp":
        notice = "Messages are end-to-end encrypted."
        tw = small.getlength(notice)
        pill = (width / 2 - tw / 2 - pad_x, y, width / 2 + tw / 2 + pad_x, y + small.size + 2 * pad_y)
        draw.rounded_rectangle(pill, radius=12, fill=(255, 238, 186) if mode == "light" else (24, 34, 40))
        draw.text((pill[0] + pad_x, y + pad_y), notice, font=small, fill=look.muted)
        screen.furniture.append(notice)
        y = round(pill[3] + 12 * unit)
    if not look.times_in_bubble and app not in ("discord", "snapchat") and chat:
        stamp = f"Today {chat[0].time}"
        draw.text((width / 2 - small.getlength(stamp) / 2, y), stamp, font=small, fill=look.muted)
        y += round(small.size + 14 * unit)
    previous_side = None
    for index, line in enumerate(chat):
        if y > chat_bottom - 4 * line_h:
            break
        if not look.bubbles:
            y = _labelled(
                draw,
                screen,
                look,
                line,
                y,
                index,
                previous_side,
                contact,
                body,
                small,
                bold,
                unit,
                margin,
                width,
            )
            previous_side = line.side
            continue
        lines = _wrap(line.text, body, max_text) if line.text else []
        time = line.time if look.times_in_bubble else None
        stamp = f"{time} {look.ticks}" if time and line.side == "right" else time
        text_w = max((body.getlength(t) for t in lines), default=0)
        picture_w = round(200 * unit) if line.picture and not line.text else 0
        emoji = line.picture and app in ("imessage", "instagram", "messenger")
        bw = max(
            text_w,
            picture_w,
            small.getlength(stamp or "") + (body.getlength(lines[-1]) + pad_x if lines else 0),
        )
        bw = round(bw + 2 * pad_x)
        quote_h = round(42 * unit) if line.reply_to else 0
        bh = round(len(lines) * line_h + 2 * pad_y + quote_h + (round(140 * unit) if picture_w else 0))
        if time:
            bh += round(small.size * 0.7)
        x0 = (margin + avatar + (margin if avatar else 0)) if line.side == "left" else width - margin - bw
        if y + bh > chat_bottom - 4:
            break
        box = (x0, y, x0 + bw, y + bh)
        fill = look.left if line.side == "left" else look.right
        ink = look.left_ink if line.side == "left" else look.right_ink
        if emoji:
            size = round(60 * unit)
            box = (
                x0 + bw - size if line.side == "right" else x0,
                y,
                (x0 + bw if line.side == "right" else x0 + size),
                y + size,
            )
            _emoji(draw, box)
            bh = size
        else:
            draw.rounded_rectangle(box, radius=round(17 * unit), fill=fill)
            inner_top = y + pad_y
            if line.reply_to:
                shade = tuple(max(0, c - 30) if sum(fill) > 384 else min(255, c + 30) for c in fill)
                draw.rounded_rectangle(
                    (x0 + 6, inner_top, x0 + bw - 6, inner_top + quote_h - 6), radius=8, fill=shade
                )
                draw.rectangle((x0 + 6, inner_top, x0 + 12, inner_top + quote_h - 6), fill=(37, 211, 102))
                draw.text((x0 + pad_x + 6, inner_top + 6), line.reply_to[:28], font=small, fill=look.muted)
                inner_top += quote_h
            if picture_w:
                _photo(screen.image, (x0 + 6, inner_top, x0 + bw - 6, inner_top + round(140 * unit)), rng)
                inner_top += round(140 * unit)
            for n, text in enumerate(lines):
                draw.text((x0 + pad_x, inner_top + n * line_h), text, font=body, fill=ink)
            if stamp:
                draw.text(
                    (x0 + bw - pad_x - small.getlength(stamp), y + bh - pad_y - small.size),
                    stamp,
                    font=small,
                    fill=look.muted,
                )
        if avatar and line.side == "left":
            draw.ellipse((margin, y + bh - avatar, margin + avatar, y + bh), fill=(200, 80, 70))
            draw.text((margin + avatar * 0.22, y + bh - avatar * 0.8), "JS", font=small, fill=(255, 255, 255))
            screen.furniture.append("JS")
        if line.reaction:
            pill = (
                box[2] - round(40 * unit),
                y + bh - 6,
                box[2] - round(4 * unit),
                y + bh + round(22 * unit),
            )
            draw.rounded_rectangle(
                pill, radius=round(11 * unit), fill=look.bar, outline=look.background, width=3
            )
            draw.ellipse(
                (pill[0] + 8, pill[1] + 8, pill[0] + 8 + round(14 * unit), pill[1] + 8 + round(14 * unit)),
                fill=(230, 40, 60),
            )
            bh += round(22 * unit)
        screen.messages.append(Said(line.side, line.text, time, line.picture, cut_top and index == 0, box))
        y += bh + round((4 if line.side == previous_side else 10) * unit)
        previous_side = line.side
    return screen


def _labelled(
    draw: ImageDraw.ImageDraw,
    screen: AppScreen,
    look: Look,
    line: Line,
    y: int,
    index: int,
    previous_side: str | None,
    contact: str,
    body: ImageFont.FreeTypeFont,
    small: ImageFont.FreeTypeFont,
    bold: ImageFont.FreeTypeFont,
    unit: float,
    margin: int,
    width: int,
) -> int:
    """Snapchat and Discord: no bubbles; a name over each run of messages ("ME"/"JAY", or a name, a time)."""
    x = margin * 2 + (round(40 * unit) if look.avatars else 0)
    if line.side != previous_side:
        y += round(8 * unit)
        name = (
            ("ME" if line.side == "right" else contact.split()[0].upper())
            if screen.app == "snapchat"
            else ("me" if line.side == "right" else contact.split()[0].lower())
        )
        colour = (242, 60, 87) if line.side == "right" else (14, 173, 255)
        draw.text((x, y), name, font=bold, fill=colour if screen.app == "snapchat" else look.ink)
        if screen.app == "discord":
            draw.ellipse((margin, y, margin + round(34 * unit), y + round(34 * unit)), fill=colour)
            draw.text(
                (x + bold.getlength(name) + 12, y + 4), f"Today at {line.time}", font=small, fill=look.muted
            )
        screen.furniture.append(name)
        y += round(bold.size * 1.4)
    lines = _wrap(line.text, body, width * 0.8) if line.text else []
    if screen.app == "snapchat":
        bar_colour = (242, 60, 87) if line.side == "right" else (14, 173, 255)
        draw.rectangle(
            (margin, y, margin + 4, y + max(1, len(lines)) * round(body.size * 1.3)), fill=bar_colour
        )
    top = y
    for text in lines:
        draw.text((x, y), text, font=body, fill=look.ink)
        y += round(body.size * 1.3)
    time = line.time if screen.app == "discord" and line.side != previous_side else None
    screen.messages.append(Said(line.side, line.text, time, False, False, (x, top, x + 10, y)))
    return y + round(4 * unit)


def as_shared(image: Image.Image, *, scale: float = 0.75, quality: int = 70) -> Image.Image:
    """The screen as phones share it: rescaled and JPEG-compressed."""
    smaller = image.resize(
        (round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC
    )
    out = io.BytesIO()
    smaller.save(out, format="JPEG", quality=quality)
    out.seek(0)
    return Image.open(out).convert("RGB")
