"""Chat layout on a screenshot: bubbles, sides, times, date separators, and the chrome to ignore."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

Box = tuple[int, int, int, int]

# A time as chat apps print it: 21:04, 9:04 PM, 9.04pm; or a word for one: now, Yesterday.
_CLOCK = r"\d{1,2}[:.]\d{2}(?:\s?[AaPp]\.?\s?[Mm]\.?)?"
_WHEN = rf"(?:{_CLOCK}|(?:just\s)?now|yesterday(?:\s{_CLOCK})?|today(?:\s{_CLOCK})?)"
# Delivery ticks drawn after a time, as OCR reads them: ✓✓, v, V, W, /, v/, √.
_TICKS = r"(?:\s*[✓✔√vVW/]){0,3}"
TIME = re.compile(rf"^{_CLOCK}$")
# A bubble's own time, with the delivery ticks some apps draw after it; "edited" before it (Telegram).
BUBBLE_TIME = re.compile(rf"^(?:edited\s)?({_WHEN}){_TICKS}$", re.IGNORECASE)
TRAILING_TIME = re.compile(rf"\s(?:edited\s)?({_CLOCK}){_TICKS}$")
TIME_ANYWHERE = re.compile(r"\b\d{1,2}[:.]\d{2}(\s?[AaPp]\.?\s?[Mm]\.?)?\b")
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
DATE_WORDS = re.compile(rf"(?<![^\W\d_])(today|yesterday|{_DAYS}|{_MONTHS})\b", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")
RECEIPT = re.compile(r"^(delivered|read|seen|sent|sending|not delivered)\b", re.IGNORECASE)
# What an input box says before anything is typed ("Type a message...", "Message Housemates...").
PLACEHOLDER = re.compile(
    r"^(i?message|text message|(type|write|send|start)\s(a|your)\s(message|reply|chat)|aa"
    r"|add a (comment|caption)|send message|message|reply|send a chat|message\s[@#]\S+)\W*$"
    # "Message Housemates...", "Reply to Jay...": a prompt that ends in an ellipsis.
    r"|^(message|reply|send a message|write)\b.{0,40}(\.\.\.|…)$",
    re.IGNORECASE,
)
# A contact's status under the header's name: never a message or a message's time.
STATUS = re.compile(
    r"^(last seen\b|online$|typing\b|active (now|today|\d+\s?\w+ ago)|seen\b|tap here|click here for)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class TextLine:
    """One line of text found by OCR: its box on the image, text and confidence."""

    box: Box
    text: str
    confidence: float

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def centre_x(self) -> float:
        return (self.box[0] + self.box[2]) / 2


@dataclass(slots=True)
class Block:
    """A bubble (or a run of lines without a bubble) that becomes one message or one separator."""

    kind: str  # "message", "separator", "notice"
    lines: list[TextLine]
    box: Box
    side: str | None = None
    time: str | None = None
    colour: tuple[int, int, int] | None = None
    cut_top: bool = False
    cut_bottom: bool = False
    # Boxes of pictures inside the bubble (a photo, a sticker, an emoji drawn as an image).
    media: list[Box] = field(default_factory=list)
    # The words of an earlier message quoted at the top of this one (a reply), not this one's words.
    quote: str | None = None
    # Found as a row of a custom layout (or inside one): its fill says little about quotes or sides.
    custom: bool = False

    @property
    def text(self) -> str:
        return join_lines(self.lines)

    @property
    def confidence(self) -> float | None:
        """The recogniser's least sure line; None where no words were read (a picture, hidden words)."""
        return min((line.confidence for line in self.lines), default=None)


@dataclass(slots=True)
class Layout:
    """What one screenshot shows, top to bottom, and the chat header's name if one was found."""

    blocks: list[Block] = field(default_factory=list)
    header: str | None = None
    chat_top: int = 0
    chat_bottom: int = 0


def is_date_or_time(text: str) -> bool:
    """A date separator or time stamp, such as "Today 21:04" or "12 February 2024"."""
    stripped = text.strip()
    if TIME.match(stripped) or NUMERIC_DATE.search(stripped):
        return True
    return bool(DATE_WORDS.search(stripped) and len(stripped) <= 40)


def rows_of(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into rows (boxes that overlap vertically by more than half), each left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: (item.box[1] + item.box[3]) / 2):
        if rows:
            last = rows[-1]
            top = min(item.box[1] for item in last)
            bottom = max(item.box[3] for item in last)
            overlap = min(bottom, line.box[3]) - max(top, line.box[1])
            if overlap > 0.5 * min(line.height, bottom - top):
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.box[0]) for row in rows]


def join_lines(lines: list[TextLine]) -> str:
    """The text of wrapped lines as one message: rows joined by spaces (chat apps wrap softly)."""
    text = ""
    for row in rows_of(lines):
        part = " ".join(item.text for item in row).strip()
        # An address wrapped after "http://" or "www." is one token: no space where the line broke
        # (and "http:" whose slashes were lost before "www." on the next line is "http://").
        glue = "" if not text or re.search(r"(://|\bwww\.)$", text) else " "
        if re.search(r"\bhttps?:/?$", text) and re.match(r"www\.", part):
            text, glue = re.sub(r":/?$", "://", text), ""
        text = f"{text}{glue}{part}"
    return text.strip()


def background_colour(small: np.ndarray) -> np.ndarray:
    """The chat's background: the commonest colour at the screen's side edges, where no bubble reaches."""
    h, w = small.shape[:2]
    band = small[h // 6 : h - h // 6]
    edge = max(1, round(w * 0.02))
    pixels = np.concatenate([band[:, :edge].reshape(-1, 3), band[:, -edge:].reshape(-1, 3)])
    quantised = pixels // 8
    keys = quantised[:, 0].astype(np.int32) * 1024 + quantised[:, 1].astype(np.int32) * 32 + quantised[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    key = int(values[counts.argmax()])
    return pixels[keys == key].mean(axis=0)


@dataclass(slots=True)
class Regions:
    """The screen split into chrome and chat, with the bubble-shaped areas found by colour.

    Everything is in the coordinates of `screen`, the phone's screen inside the image (the whole image,
    or the screen inside a simulator's or a photo's frame); `offset` turns those into the image's own.
    """

    width: int
    height: int
    scale: int
    small: np.ndarray
    labels: np.ndarray
    stats: np.ndarray
    bubbles: list[tuple[Box, int]]
    chat_top: int
    chat_bottom: int
    offset: tuple[int, int] = (0, 0)
    background: tuple[int, int, int] = (0, 0, 0)
    # Rows of a custom layout as wide as the screen, holding a bubble: never a picture themselves
    # (and, negated, the labels of the bubbles found inside them).
    containers: set[int] = field(default_factory=set)

    def wanted(self, box: Box) -> bool:
        """Worth reading: text on the screen above the chat (the header) or in it, not the input box."""
        x, y = self.offset
        middle_x, middle_y = (box[0] + box[2]) / 2 - x, (box[1] + box[3]) / 2 - y
        return 0 <= middle_x <= self.width and 0 <= middle_y < self.chat_bottom


def top_zone(width: int, height: int) -> float:
    """Where a phone's status bar and chat header can be: the top of the screen (also of long captures)."""
    return min(height * 0.2, width * 0.4)


def bottom_zone(width: int, height: int) -> float:
    """Where the input box and keyboard can start: the lower part of the screen, about one width high."""
    return max(height * 0.45, height - width * 1.0)


def _difference(small: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return np.abs(small.astype(np.int16) - colour.astype(np.int16)).max(axis=2)


def inner_screen(rgb: np.ndarray) -> Box | None:
    """The phone's screen inside a frame (a simulator window, a photo of a phone), or None when there is none.

    A frame surrounds the screen on every side in one colour; the screen is then one large area that
    differs from it and covers most of the image's height.
    """
    height, width = rgb.shape[:2]
    scale = max(1, min(width, height) // 240)
    small = cv2.resize(rgb, (max(1, width // scale), max(1, height // scale)), interpolation=cv2.INTER_AREA)
    # The ring a little inside the edges: a phone's frame drawn on a window has the window's colour at
    # its very corners, and its bezel just inside.
    inset = max(1, min(small.shape[:2]) // 50)
    ring = small[inset:-inset, inset:-inset]
    edges = np.concatenate([ring[0], ring[-1], ring[:, 0], ring[:, -1]])
    keys = (edges // 8).astype(np.int32) @ np.array([1024, 32, 1])
    values, counts = np.unique(keys, return_counts=True)
    if counts.max() < 0.6 * len(edges):
        return None  # the edges are not one colour: no frame
    frame = edges[keys == values[counts.argmax()]].mean(axis=0)
    mask = (_difference(small, frame) > 12).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    if count < 2:
        return None
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h, area = (int(v) for v in stats[label])
    sh, sw = small.shape[:2]
    margins = (x, y, sw - x - w, sh - y - h)
    if h < 0.6 * sh or w < 0.3 * sw or area < 0.25 * sw * sh or min(margins) < 2:
        return None
    return (x * scale, y * scale, min(width, (x + w) * scale), min(height, (y + h) * scale))


def find_regions(rgb: np.ndarray) -> Regions:
    """Find the chat's background, the bubbles on it and the bars (header, input box, keyboard) around it."""
    offset_x = offset_y = 0
    for _ in range(3):
        # A simulator window holds a phone frame, which holds the screen: look inside each in turn.
        inner = inner_screen(rgb)
        if inner is None:
            break
        rgb = rgb[inner[1] : inner[3], inner[0] : inner[2]]
        offset_x, offset_y = offset_x + inner[0], offset_y + inner[1]
    height, width = rgb.shape[:2]
    # Gaps between consecutive bubbles can be 2 points: the reduced copy keeps them 2 pixels or more.
    scale = max(1, min(4, width // 300))
    small = cv2.resize(rgb, (max(1, width // scale), max(1, height // scale)), interpolation=cv2.INTER_AREA)
    bg = background_colour(small)
    mask: np.ndarray = (_difference(small, bg) > 12).astype(np.uint8)
    # Thin strokes (wallpaper doodles, hairlines) would join bubbles to each other; solid areas stay.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    chat_top, chat_bottom = _chat_between_bars(mask, width, height, scale)
    mask[: chat_top // scale] = 0
    mask[chat_bottom // scale :] = 0
    _split_at_waists(mask)

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    found = _Bubbles(small, labels, scale, width, count)
    for label in range(1, count):
        found.add(stats, label)
    if found.extra:
        stats = np.vstack([stats, np.array(found.extra)])
    background = (int(bg[0]), int(bg[1]), int(bg[2]))
    return Regions(
        width,
        height,
        scale,
        small,
        labels,
        stats,
        found.bubbles,
        chat_top,
        chat_bottom,
        (offset_x, offset_y),
        background,
        found.containers,
    )


def _chat_between_bars(mask: np.ndarray, width: int, height: int, scale: int) -> tuple[int, int]:
    """The chat's top and bottom (full-size rows): below the bars at the top, above those at the bottom.

    Rows covered edge to edge at the top (status bar, header) and bottom (input box, keyboard) are
    chrome, not chat; light themes draw their bars in almost the background colour, so the status
    bar of a phone-shaped image is skipped by position as well.
    """
    phone = height / max(width, 1) > 1.5
    coverage = mask.mean(axis=1)
    bar_rows = np.flatnonzero(coverage > 0.95)
    # Only the bars joined to the screen's top and bottom edges: full-width bubbles or boxes of a custom
    # layout are chat, however wide.
    runs = [run for run in np.split(bar_rows, np.flatnonzero(np.diff(bar_rows) > 1) + 1) if run.size]
    near = max(2, round(mask.shape[0] * 0.01))
    top_rows = np.array([], dtype=int)
    for run in runs:
        joined = run[0] <= (top_rows[-1] if top_rows.size else 0) + near or (
            not top_rows.size and run[0] * scale < top_zone(width, height) * 0.6
        )
        if run[0] * scale >= top_zone(width, height) or not joined:
            break
        top_rows = np.concatenate([top_rows, run])
    bottom_rows = np.array([], dtype=int)
    for run in reversed(runs):
        # The input bar, the keyboard under it, the screen's bottom edge; a tall full-width box above
        # them is a custom layout's row of chat.
        if run[-1] * scale <= bottom_zone(width, height):
            break
        if bottom_rows.size and run.size * scale > 0.15 * height:
            break
        bottom_rows = np.concatenate([run, bottom_rows])
    chat_top = round(min(height * 0.055, width * 0.12)) if phone else 0
    if top_rows.size:
        chat_top = max(chat_top, int(top_rows.max() + 1) * scale)
    chat_bottom = int(bottom_rows.min()) * scale if bottom_rows.size else height
    return chat_top, chat_bottom


class _Bubbles:
    """The bubble-shaped areas of the reduced screen, as they are found: their boxes (full size) and
    labels, the custom layout's rows that hold them, and the labels added for bubbles inside a row."""

    def __init__(self, small: np.ndarray, labels: np.ndarray, scale: int, width: int, count: int) -> None:
        self.small, self.labels, self.scale, self.width, self.count = small, labels, scale, width, count
        self.reduced_width = labels.shape[1]
        self.bubbles: list[tuple[Box, int]] = []
        self.containers: set[int] = set()
        self.extra: list[np.ndarray] = []

    def bubble_like(self, w: int, h: int, area: int) -> bool:
        scale, width = self.scale, self.width
        return w * scale >= width * 0.06 and h * scale >= max(12, width * 0.03) and area > 0.4 * w * h

    def add(self, stats: np.ndarray, label: int) -> None:
        """Add one area: a bubble, or a custom layout's row with the bubbles inside it."""
        scale = self.scale
        x, y, w, h, area = (int(v) for v in stats[label])
        box = (x * scale, y * scale, (x + w) * scale, (y + h) * scale)
        if not self.bubble_like(w, h, area):
            return
        if w < 0.9 * self.reduced_width:
            self.bubbles.append((box, label))
            return
        self._add_row(stats, label)

    def _add_row(self, stats: np.ndarray, label: int) -> None:
        """A box as wide as the screen is a row of a custom layout, not a bubble: the bubble is inside it,
        drawn against the row's own colour (and is the row's own fill where nothing else stands out)."""
        small, labels, scale = self.small, self.labels, self.scale
        x, y, w, h, _ = (int(v) for v in stats[label])
        fill = np.array(_ring_colour(small, labels, stats, label))
        own = labels[y : y + h, x : x + w] == label
        near_fill = own & (_difference(small[y : y + h, x : x + w], fill) <= 24)
        rows, cols = np.flatnonzero(near_fill.any(axis=1)), np.flatnonzero(near_fill.any(axis=0))
        if rows.size and cols.size:
            self.containers.add(label)
            fill_box = (
                (x + int(cols[0])) * scale,
                (y + int(rows[0])) * scale,
                (x + int(cols[-1]) + 1) * scale,
                (y + int(rows[-1]) + 1) * scale,
            )
            self.bubbles.append((fill_box, label))
        inside: np.ndarray = (own & (_difference(small[y : y + h, x : x + w], fill) > 12)).astype(np.uint8)
        inside = cv2.morphologyEx(inside, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        _split_at_waists(inside)
        parts, part_labels, part_stats, _ = cv2.connectedComponentsWithStats(inside, connectivity=4)
        for part in range(1, parts):
            _, _, pw, ph, parea = (int(v) for v in part_stats[part])
            if not self.bubble_like(pw, ph, parea):
                # Boxes of different colours that touch (a gutter beside a bubble's footer) make one
                # shape that is no bubble: each colour on its own may be one.
                for piece in _by_colour(small[y : y + h, x : x + w], part_labels == part):
                    self._add_inner(stats, label, piece)
            elif pw < 0.9 * self.reduced_width:
                self._add_inner(stats, label, part_labels == part)

    def _add_inner(self, stats: np.ndarray, label: int, part: np.ndarray) -> None:
        """A bubble found inside a custom layout's row (`part` is its mask in the row's box)."""
        x, y, w, h, _ = (int(v) for v in stats[label])
        rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
        if not rows.size:
            return
        px, py = int(cols[0]), int(rows[0])
        pw, ph, parea = int(cols[-1]) + 1 - px, int(rows[-1]) + 1 - py, int(part.sum())
        if not self.bubble_like(pw, ph, parea) or pw >= 0.9 * self.reduced_width:
            return
        scale = self.scale
        new_label = self.count + len(self.extra)
        self.labels[y : y + h, x : x + w][part] = new_label
        self.extra.append(np.array([x + px, y + py, pw, ph, parea], dtype=stats.dtype))
        part_box = ((x + px) * scale, (y + py) * scale, (x + px + pw) * scale, (y + py + ph) * scale)
        self.bubbles.append((part_box, new_label))
        self.containers.add(-new_label)  # inside a row: its square corners are the row's style


def _by_colour(small: np.ndarray, part: np.ndarray, most: int = 4) -> list[np.ndarray]:
    """A shape split into its areas of one colour each (the commonest few), each area a mask."""
    left = part.copy()
    pieces: list[np.ndarray] = []
    for _ in range(most):
        pixels = small[left]
        if len(pixels) < 16:
            break
        keys = (pixels // 24).astype(np.int32) @ np.array([4096, 64, 1])
        values, counts = np.unique(keys, return_counts=True)
        colour = pixels[keys == values[counts.argmax()]].mean(axis=0)
        same = left & (_difference(small, colour) <= 24)
        left &= ~same
        solid = cv2.morphologyEx(same.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        count, labels, _, _ = cv2.connectedComponentsWithStats(solid, connectivity=4)
        pieces.extend(labels == n for n in range(1, count))
    return pieces


def _split_at_waists(mask: np.ndarray) -> None:
    """Cut areas apart at a row holding almost none of them: two bubbles, one above the other, touching."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    for label in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[label])
        if h < 6 or w < 4:
            continue
        rows = (labels[y : y + h, x : x + w] == label).sum(axis=1)
        thin = np.flatnonzero(rows < 0.12 * w)
        # Only inside the area: its own rounded top and bottom rows are thin too.
        thin = thin[(thin > 2) & (thin < h - 3)]
        if thin.size and rows.max() >= 0.5 * w:
            for row in thin:
                if rows[:row].max() >= 0.4 * w and rows[row:].max() >= 0.4 * w:
                    mask[y + row, x : x + w][labels[y + row, x : x + w] == label] = 0


def _shift(box: Box, dx: int, dy: int) -> Box:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def analyse(
    regions: Regions, lines: list[TextLine], closer: Callable[[Box], list[TextLine]] | None = None
) -> Layout:
    """Turn the OCR lines of one screenshot into blocks: bubbles with sides, separators and notices.

    `closer` reads one area of the image again at full size (small faint text the first look missed).
    """
    dx, dy = regions.offset
    # Work on the screen's own coordinates; text outside it (a simulator's title) is no part of the chat.
    lines = [
        TextLine(_shift(line.box, -dx, -dy), line.text, line.confidence)
        for line in lines
        if regions.wanted(line.box) or (line.box[1] + line.box[3]) / 2 - dy < regions.chat_top
    ]
    lines = [line for line in lines if 0 <= line.centre_x <= regions.width and line.box[3] > 0]
    look: Callable[[Box], list[TextLine]] | None = None
    if closer is not None:
        see = closer

        def look(box: Box) -> list[TextLine]:
            seen = see(_shift(box, dx, dy))
            return [TextLine(_shift(line.box, -dx, -dy), line.text, line.confidence) for line in seen]

    layout = _analyse(regions, lines, look)
    if dx or dy:
        for block in layout.blocks:
            block.box = _shift(block.box, dx, dy)
            block.media = [_shift(box, dx, dy) for box in block.media]
            for line in block.lines:
                line.box = _shift(line.box, dx, dy)
        layout.chat_top += dy
        layout.chat_bottom += dy
    return layout


def _analyse(regions: Regions, lines: list[TextLine], look: Callable[[Box], list[TextLine]] | None) -> Layout:
    width, height = regions.width, regions.height
    chat_top = regions.chat_top
    chat_bottom = _chat_bottom_above_input(regions, lines)
    layout = Layout(chat_top=chat_top, chat_bottom=chat_bottom)

    in_chat = [line for line in lines if chat_top <= _middle(line) <= chat_bottom]
    top_lines = [line for line in lines if _middle(line) < chat_top]
    line_height = float(np.median([line.height for line in in_chat])) if in_chat else width * 0.04

    groups, loose = _lines_by_bubble(regions.bubbles, in_chat)
    blocks: list[Block] = []
    avatars: list[Box] = []
    for box, label in regions.bubbles:
        block = _bubble_block(regions, box, label, groups.get(label, []), line_height, chat_bottom, avatars)
        if block is not None:
            blocks.append(block)
    _join_footers(blocks, regions.scale)
    if look is not None:
        _look_closer(blocks, regions, line_height, look)
    _set_kinds(regions, blocks, avatars)
    # A bubble left with no words: its time alone. A picture, or words hidden under the top bar, are a
    # message still; an empty bubble is not.
    blocks = [b for b in blocks if b.kind != "message" or b.lines or b.media or b.cut_top or b.cut_bottom]

    _take_trailing_times(blocks)
    loose = [line for line in loose if not _inside_any(line.box, avatars)]
    if look is not None:
        loose = _reread_broken_times(loose, look)
    said_in_bubbles = sum(1 for b in blocks if b.kind == "message" and b.lines)
    labelled = _labelled_blocks(loose, width) if said_in_bubbles < 2 else None
    blocks.extend(labelled if labelled is not None else _loose_blocks(loose, width, blocks))
    top_lines.extend(_take_header_blocks(blocks, width, height))
    _fall_back_from_blobs(blocks, width, chat_bottom - chat_top)
    assign_sides(blocks, width)
    layout.header = _header(top_lines, width, height)
    blocks.sort(key=lambda block: (block.box[1], block.box[0]))
    layout.blocks = blocks
    return layout


_BROKEN_CLOCK = re.compile(r"(?<![\d:.])[:.]\d{1,2}\b|\b\d{1,2}[:.](?!\d{2})|\b\d{3,4}\s?[AaPp][Mm]\b")


def _reread_broken_times(loose: list[TextLine], look: Callable[[Box], list[TextLine]]) -> list[TextLine]:
    """A sender's line whose time came out broken ("jay Today at :5 AM": a big name and a small time in
    one box) read again at full size, where the two are found apart and read each at its own size."""
    out: list[TextLine] = []
    for line in loose:
        text = line.text.strip()
        broken = (
            len(text) <= 40
            and _BROKEN_CLOCK.search(text) is not None
            and not TIME_ANYWHERE.search(text)
            and (DATE_WORDS.search(text) or re.search(r"\b(at|[AaPp][Mm])\b", text))
        )
        mended: list[TextLine] = []
        # A little room around it (the first look's box can shave the clock's edge), then a little more:
        # the recogniser reads a line of two sizes differently with each crop.
        for pad in (line.height // 8, line.height // 4) if broken else ():
            area = (line.box[0] - pad, line.box[1] - pad, line.box[2] + pad, line.box[3] + pad)
            again = [item for item in look(area) if _overlap_area(item.box, area) > 0.5 * _area(item.box)]
            if TIME_ANYWHERE.search(" ".join(item.text for item in again)):
                mended = again
                break
        out.extend(mended or [line])
    return out


def _join_footers(blocks: list[Block], scale: int) -> None:
    """A box of another colour joined to a bubble's bottom edge, exactly as wide, is that bubble's footer
    (its sender's line and its time), not a message of its own."""
    near = 2 * scale + 2
    for upper in list(blocks):
        if upper not in blocks or upper.colour is None:
            continue
        for lower in list(blocks):
            if (
                lower is not upper
                and lower.colour is not None
                and -scale <= lower.box[1] - upper.box[3] <= 2 * scale
                and abs(lower.box[0] - upper.box[0]) <= near
                and abs(lower.box[2] - upper.box[2]) <= near
                and max(abs(a - b) for a, b in zip(lower.colour, upper.colour, strict=True)) > 24
            ):
                upper.lines.extend(lower.lines)
                upper.media.extend(lower.media)
                upper.box = (upper.box[0], upper.box[1], max(upper.box[2], lower.box[2]), lower.box[3])
                upper.cut_bottom = lower.cut_bottom
                blocks.remove(lower)
                break


def _look_closer(
    blocks: list[Block], regions: Regions, line_height: float, look: Callable[[Box], list[TextLine]]
) -> None:
    """Read again, at full size, the bottom of a bubble that shows no time yet holds marks there unread.

    The first look runs on a reduced copy of the screen, where a small pale time (grey on light grey,
    or beside the last line) fades away: the bubble's bottom, from the middle of its last line down, is
    where such a time is.
    """
    found = missed = 0
    for block in blocks:
        if missed >= 2 and not found:
            return  # two looks found no time: this app prints none in its bubbles
        if block.kind != "message" or block.colour is None or not (block.lines or block.media):
            continue
        if any(
            BUBBLE_TIME.match(line.text.strip()) or TRAILING_TIME.search(line.text) for line in block.lines
        ):
            continue
        if block.lines:
            last = max(block.lines, key=lambda line: line.box[3])
            top = max([round(_middle(last))] + [box[3] for box in block.media if box[1] >= last.box[3]])
        else:
            top = block.box[3] - round(1.5 * line_height)  # a picture's time is drawn on its bottom edge
        band = (block.box[0], max(block.box[1], top), block.box[2], block.box[3])
        if band[3] - band[1] < 0.6 * line_height or (
            block.lines and not _unread_ink(regions, block, band, line_height)
        ):
            continue
        # Only a time is taken: anything else read there is a part of a line already read, or print
        # as small as the time (a caption), which the first look's words do without.
        for line in look(band):
            if (
                band[1] <= _middle(line) <= band[3]
                and BUBBLE_TIME.match(line.text.strip())
                and not any(_overlap_area(line.box, old.box) > 0.3 * _area(line.box) for old in block.lines)
            ):
                block.lines.append(line)
                found += 1
                break
        else:
            missed += 1


def _unread_ink(regions: Regions, block: Block, band: Box, line_height: float) -> bool:
    """Marks unlike the bubble's fill in `band`, away from the lines already read and the pictures."""
    scale = regions.scale
    x0, y0, x1, y1 = band[0] // scale + 1, band[1] // scale, band[2] // scale - 1, band[3] // scale - 1
    if x1 <= x0 or y1 <= y0 or block.colour is None:
        return False
    pixels = regions.small[y0:y1, x0:x1]
    unlike = _difference(pixels, np.array(block.colour)) > 16
    # The bubble's rounded bottom corners show the chat's background: no marks.
    corner = min(y1 - y0, (x1 - x0) // 4)
    background = _difference(pixels, np.array(regions.background)) <= 12
    unlike[:, :corner] &= ~background[:, :corner]
    unlike[:, unlike.shape[1] - corner :] &= ~background[:, unlike.shape[1] - corner :]
    pad = max(2, round(0.3 * line_height / scale))  # a line's box can leave its descenders out
    for box in [line.box for line in block.lines] + block.media:
        unlike[
            max(0, box[1] // scale - pad - y0) : max(0, box[3] // scale + pad - y0),
            max(0, box[0] // scale - pad - x0) : max(0, box[2] // scale + pad - x0),
        ] = False
    # A mark worth a look is a blot some pixels wide and high (a small time, blurred), not the specks
    # a shared JPEG leaves along the edges of the words.
    count, _, blots, _ = cv2.connectedComponentsWithStats(unlike.astype(np.uint8), connectivity=8)
    return any(
        blots[n, cv2.CC_STAT_WIDTH] >= 3
        and blots[n, cv2.CC_STAT_HEIGHT] >= 2
        and blots[n, cv2.CC_STAT_AREA] >= 5
        for n in range(1, count)
    )


def _overlap_area(a: Box, b: Box) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _middle(line: TextLine) -> float:
    return (line.box[1] + line.box[3]) / 2


def _chat_bottom_above_input(regions: Regions, lines: list[TextLine]) -> int:
    """The chat's bottom: above the input box ("iMessage", "Message Housemates..."), never chat.

    (An input field drawn as a rounded box nearly as wide as the screen is not a bubble.)
    """
    width, height = regions.width, regions.height
    chat_bottom = regions.chat_bottom
    bubble_boxes = [box for box, _ in regions.bubbles if box[2] - box[0] < 0.7 * width]
    for line in lines:
        if (
            PLACEHOLDER.match(line.text.strip())
            and line.box[1] > bottom_zone(width, height)
            and not _inside_any(line.box, bubble_boxes)
        ):
            # Full-width boxes above it were chat, not the input bar, when the bars ended far above it.
            if chat_bottom < line.box[1] - 3 * line.height:
                chat_bottom = line.box[1] - line.height
            chat_bottom = min(chat_bottom, line.box[1] - 4)
    return chat_bottom


def _lines_by_bubble(
    bubbles: list[tuple[Box, int]], in_chat: list[TextLine]
) -> tuple[dict[int, list[TextLine]], list[TextLine]]:
    """The chat's lines by the label of the smallest bubble holding each, and the lines in none."""
    groups: dict[int, list[TextLine]] = {}
    loose: list[TextLine] = []
    for line in in_chat:
        holder = None
        for box, label in bubbles:
            # Whole width inside, middle inside: a line sliced by the screen's edge still belongs.
            inside = (
                box[0] - 6 <= line.box[0] and line.box[2] <= box[2] + 6 and box[1] <= _middle(line) <= box[3]
            )
            if inside and (holder is None or _area(box) < _area(holder[0])):
                holder = (box, label)
        if holder is None:
            loose.append(line)
        else:
            groups.setdefault(holder[1], []).append(line)
    return groups, loose


def _bubble_block(
    regions: Regions,
    box: Box,
    label: int,
    members: list[TextLine],
    line_height: float,
    chat_bottom: int,
    avatars: list[Box],
) -> Block | None:
    """The message a bubble holds, or None: an avatar (added to `avatars`), a reaction, an icon, a gutter."""
    width = regions.width
    w, h = box[2] - box[0], box[3] - box[1]
    if _is_avatar(box, members, width, line_height):
        avatars.append(box)
        return None
    colour = _bubble_colour(regions.small, regions.labels, regions.stats, label)
    if label in regions.containers:
        media: list[Box] = []
    elif not members and -label in regions.containers:
        # A custom layout's gutter at the screen's edge, beside the bubble: where the avatar goes.
        if box[0] < 0.05 * width or box[2] > 0.95 * width:
            avatars.append(box)
        return None
    elif not members:
        if w < 0.12 * width or h < 2.5 * line_height:
            return None  # a small picture without words or a time: a reaction, a badge, an icon
        media = [box]  # a photo, a sticker or a big emoji sent on its own, without a bubble
    else:
        media = _media(regions, label, colour, members, line_height)
    if _is_reaction(members, box, width, line_height):
        return None
    block = Block("message", members, box, colour=colour, media=media)
    block.custom = label in regions.containers or -label in regions.containers
    _mark_cuts(regions, block, label, chat_bottom)
    if (block.cut_top or block.cut_bottom) and len(members) > 1:
        # A line sliced by the edge of the screen reads as nonsense: leave it to the screenshot
        # that shows it whole.
        usual = float(np.median([line.height for line in members]))
        block.lines = [
            line
            for line in members
            if line.height >= 0.8 * usual
            or not (
                (block.cut_top and line.box[1] <= box[1] + 6)
                or (block.cut_bottom and line.box[3] >= box[3] - 6)
            )
        ]
    return block


def _mark_cuts(regions: Regions, block: Block, label: int, chat_bottom: int) -> None:
    """Whether the edge of the screen (or a bar drawn over the chat) cuts the bubble at its top or bottom.

    A bubble cut by the edge of the screen has square corners where its rounded ones would be.
    """
    labels, box = regions.labels, block.box
    x, y, bw, bh = (int(v) for v in regions.stats[label][:4])
    inset = min(2, max(0, bw // 4))
    block.cut_top = bool(labels[y, x + inset] == label and labels[y, x + bw - 1 - inset] == label)
    block.cut_bottom = bool(
        labels[y + bh - 1, x + inset] == label and labels[y + bh - 1, x + bw - 1 - inset] == label
    )
    # Only the screen's own edges (or a bar drawn over the chat) cut a bubble: a square-cornered
    # bubble with others above and below it is a style.
    if block.custom:
        block.cut_top = block.cut_bottom = False
    block.cut_top = block.cut_top and (
        box[1] <= regions.chat_top + regions.scale * 2 or _edge_of_a_bar(regions, box[1] // regions.scale - 1)
    )
    block.cut_bottom = block.cut_bottom and (
        box[3] >= chat_bottom - regions.scale * 2 or _edge_of_a_bar(regions, box[3] // regions.scale)
    )


def _set_kinds(regions: Regions, blocks: list[Block], avatars: list[Box]) -> None:
    """Messages, date separators and notices; a message's time and quote taken out of its words.

    Messages line up on the screen's left or right margin; a date pill or a system notice is centred
    and lines up with neither (a wide message can be almost centred too).
    """
    width = regions.width
    sided = [b for b in blocks if abs(b.box[0] - (width - b.box[2])) >= width * 0.05]
    left_edges = [b.box[0] for b in sided if b.box[0] < width - b.box[2]]
    right_edges = [b.box[2] for b in sided if b.box[0] > width - b.box[2]]
    for block in blocks:
        left_gap, right_gap = block.box[0], width - block.box[2]
        centred = abs(left_gap - right_gap) < width * 0.05 and left_gap > width * 0.06
        aligned = any(abs(block.box[0] - edge) <= 8 for edge in left_edges) or any(
            abs(block.box[2] - edge) <= 8 for edge in right_edges
        )
        beside_avatar = any(_beside(block.box, avatar) for avatar in avatars)
        if centred and is_date_or_time(block.text) and not block.media:
            block.kind = "separator"
        elif centred and not aligned and not beside_avatar and not block.media:
            block.kind = "notice"
        else:
            _take_time(block)
            _take_quote(block, regions)
        if beside_avatar:
            block.side = (
                "left" if any(a[2] <= block.box[0] + 4 for a in avatars if _beside(block.box, a)) else "right"
            )


def _take_header_blocks(blocks: list[Block], width: int, height: int) -> list[TextLine]:
    """Take the chat's header (text near the top, above every bubble) out of `blocks`; return its lines.

    Light themes draw no bar: a centred name (iMessage), or a name beside the avatar (Instagram) when
    the screen has bubbles at all.
    """
    taken: list[TextLine] = []
    bubble_tops = [b.box[1] for b in blocks if b.kind == "message" and b.colour is not None]
    first_message = min(bubble_tops or [b.box[1] for b in blocks if b.kind == "message"] or [height])
    for block in list(blocks):
        if (
            (block.kind == "notice" or (block.kind == "message" and block.colour is None and bubble_tops))
            and (block.box[1] + block.box[3]) / 2 < min(first_message, top_zone(width, height))
            and block.box[1] > min(height * 0.03, width * 0.07)
        ) or (block.kind != "message" and STATUS.match(block.text.strip())):
            blocks.remove(block)
            taken.extend(block.lines)
    return taken


def _header(top_lines: list[TextLine], width: int, height: int) -> str | None:
    """The chat's name: the tallest text above the chat, below the status bar, not a clock or a date."""
    names = [
        line
        for line in top_lines
        if line.box[1] > min(height * 0.04, width * 0.08)
        and not is_date_or_time(line.text)
        and not STATUS.match(line.text.strip())
        and re.search(r"[^\W\d_]", line.text)
        and not re.search(r"\d+%|\b(LTE|5G|4G|3G)\b", line.text)
    ]
    if names:
        return max(names, key=lambda line: line.height).text.strip()
    return None


def _edge_of_a_bar(regions: Regions, row: int) -> bool:
    """A line across the whole screen at this row: the edge of a bar drawn over the chat (a header)."""
    if not 0 <= row < regions.small.shape[0]:
        return True
    for near in (row, row - 1, row + 1):
        if 0 <= near < regions.small.shape[0]:
            line = _difference(regions.small[near][np.newaxis], np.array(regions.background))[0]
            if np.mean(line > 6) > 0.9:
                return True
    return False


def _inside_any(box: Box, boxes: list[Box]) -> bool:
    middle_x, middle_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(b[0] <= middle_x <= b[2] and b[1] <= middle_y <= b[3] for b in boxes)


def _beside(block: Box, avatar: Box) -> bool:
    """An avatar drawn next to a bubble (at its side, level with it or with its bottom)."""
    near = avatar[2] <= block[0] + 4 and block[0] - avatar[2] < 0.5 * (avatar[2] - avatar[0]) + 24
    near = near or (avatar[0] >= block[2] - 4 and avatar[0] - block[2] < 0.5 * (avatar[2] - avatar[0]) + 24)
    level = avatar[1] < block[3] + 8 and avatar[3] > block[1] - 8
    return near and level


def _is_avatar(box: Box, members: list[TextLine], width: int, line_height: float) -> bool:
    """A round picture or initials at the screen's edge, beside the messages: who speaks, not what is said."""
    w, h = box[2] - box[0], box[3] - box[1]
    if not (0.6 < w / max(h, 1) < 1.6 and w <= max(0.14 * width, 1.5 * line_height) and h <= 5 * line_height):
        return False
    at_edge = box[0] < 0.12 * width or box[2] > 0.88 * width
    text = " ".join(line.text for line in members).strip()
    initials = re.fullmatch(r"[A-Z]{1,3}", text) is not None
    return at_edge and (not text or initials)


def _is_reaction(members: list[TextLine], box: Box, width: int, line_height: float) -> bool:
    """A small pill under a bubble with an emoji and a count ("2"): a reaction, not a message."""
    text = " ".join(line.text for line in members).strip()
    small = box[3] - box[1] < 2.6 * line_height and box[2] - box[0] < 0.2 * width
    return small and re.fullmatch(r"[\d+]{0,3}", text) is not None


def _ring_pixels(small: np.ndarray, labels: np.ndarray, stats: np.ndarray, label: int) -> np.ndarray:
    """The pixels of an area along its inner border (all of it when the area is tiny)."""
    x, y, w, h = (int(v) for v in stats[label][:4])
    own = labels[y : y + h, x : x + w] == label
    ring = np.zeros_like(own)
    # One pixel in from the edge: the outermost is blended with the background, and a photo inside a
    # bubble comes close to it.
    if h > 4 and w > 4:
        ring[1, 1:-1] = ring[-2, 1:-1] = True
        ring[1:-1, 1] = ring[1:-1, -2] = True
    else:
        ring[:] = True
    pixels = small[y : y + h, x : x + w][own & ring]
    if len(pixels) == 0:
        pixels = small[y : y + h, x : x + w][own]
    return pixels


def _bubble_colour(
    small: np.ndarray, labels: np.ndarray, stats: np.ndarray, label: int
) -> tuple[int, int, int]:
    """The bubble's fill: its median colour along its inner border (a photo inside does not count)."""
    pixels = _ring_pixels(small, labels, stats, label)
    return tuple(int(v) for v in np.median(pixels, axis=0))  # type: ignore[return-value]


def _ring_colour(
    small: np.ndarray, labels: np.ndarray, stats: np.ndarray, label: int
) -> tuple[int, int, int]:
    """The commonest colour along an area's inner border."""
    pixels = _ring_pixels(small, labels, stats, label)
    keys = (pixels // 16).astype(np.int32) @ np.array([256, 16, 1])
    values, counts = np.unique(keys, return_counts=True)
    mean = pixels[keys == values[counts.argmax()]].mean(axis=0)
    return (int(mean[0]), int(mean[1]), int(mean[2]))


def _media(
    regions: Regions, label: int, colour: tuple[int, int, int], members: list[TextLine], line_height: float
) -> list[Box]:
    """Pictures in a bubble (a photo, a sticker, an emoji): areas unlike its fill where no text was read."""
    scale, small, labels, stats = regions.scale, regions.small, regions.labels, regions.stats
    x, y, w, h = (int(v) for v in stats[label][:4])
    own = labels[y : y + h, x : x + w] == label
    unlike = own & (_difference(small[y : y + h, x : x + w], np.array(colour)) > 48)
    pad = max(1, round(line_height / scale / 4))
    for line in members:
        x0, y0, x1, y1 = (v // scale for v in line.box)
        unlike[max(0, y0 - y - pad) : max(0, y1 - y + pad), max(0, x0 - x - pad) : max(0, x1 - x + pad)] = (
            False
        )
    unlike = cv2.morphologyEx(unlike.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, _, parts, _ = cv2.connectedComponentsWithStats(unlike, connectivity=8)
    found: list[Box] = []
    least = max(3, round(0.7 * line_height / scale))  # an emoji is about as tall as a line of text
    for part in range(1, count):
        px, py, pw, ph, area = (int(v) for v in parts[part])
        holds_text = any(
            px <= (line.box[0] + line.box[2]) / 2 / scale - x <= px + pw
            and py <= (line.box[1] + line.box[3]) / 2 / scale - y <= py + ph
            for line in members
        )
        # A small shape on the bubble's bottom edge is a reaction pinned to it (a heart, a thumb), not a
        # picture (an emoji sent alone sits inside, at the top).
        near = max(1.0, 0.6 * line_height / scale)
        on_edge = py + ph >= h - near
        reaction = on_edge and ph < 1.8 * line_height / scale
        # Level with a line of text and no taller than it: read ticks after a time, an emoji in a line.
        inline = ph < 1.5 * line_height / scale and any(
            min(line.box[3] / scale, y + py + ph) - max(line.box[1] / scale, y + py) >= 0.5 * ph
            for line in members
        )
        reaction = reaction or inline
        if pw >= least and ph >= least and area >= 0.3 * pw * ph and not holds_text and not reaction:
            found.append(((x + px) * scale, (y + py) * scale, (x + px + pw) * scale, (y + py + ph) * scale))
    return found


def _fall_back_from_blobs(blocks: list[Block], width: int, chat_height: int) -> None:
    """A 'bubble' holding most of the screen is a layout not understood: read its lines as loose text."""
    for block in list(blocks):
        if block.kind == "separator" or len(block.lines) < 4:
            continue
        tall = block.box[3] - block.box[1] > 0.6 * chat_height
        wide = block.box[2] - block.box[0] > 0.8 * width
        if tall and (wide or block.kind == "notice"):
            blocks.remove(block)
            blocks.extend(_loose_blocks(block.lines, width, []))


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _take_time(block: Block) -> None:
    """A small time at the bottom right of a bubble (WhatsApp) is the message's time, not its text."""
    rows = rows_of(block.lines)
    if not rows:
        return
    last = rows[-1][-1]
    stamp = BUBBLE_TIME.match(last.text.strip())
    if not stamp:
        return
    if last is rows[0][0]:
        # Only a time: a photo's or an emoji's bubble, the rest of a bubble cut off at the top of the
        # screen, or an empty bubble (which the caller drops).
        block.time = stamp.group(1)
        block.lines = []
        return
    body = [line.height for row in rows for line in row if line is not last]
    small = last.height < 0.9 * float(np.median(body))
    body_left = min(line.box[0] for row in rows for line in row if line is not last)
    right = last.box[0] > (block.box[0] + block.box[2]) / 2 or (
        len(rows[-1]) == 1
        and last.box[0] > body_left + 0.5 * last.height
        and block.box[2] - last.box[2] < 0.25 * (block.box[2] - block.box[0])
    )
    if small or right:
        block.time = stamp.group(1)
        # Small print beside the time (a sender's tag, "edited") is the time's caption, not words said.
        above = [line.height for row in rows[:-1] for line in row]
        caption = [
            line
            for line in rows[-1]
            if above and line.height <= 1.1 * last.height and last.height < 0.8 * float(np.median(above))
        ]
        block.lines = [line for line in block.lines if line is not last and line not in caption]


def _take_quote(block: Block, regions: Regions) -> None:
    """Rows at the top of a bubble drawn on a box of another shade are a quoted message (a reply)."""
    rows = rows_of(block.lines)
    if len(rows) < 2 or block.colour is None or block.custom:
        return
    scale, small = regions.scale, regions.small

    def ground(row: list[TextLine]) -> np.ndarray | None:
        """The colour behind a row's words: the commonest one in its box (the words are thin)."""
        x0 = min(line.box[0] for line in row) // scale
        x1 = max(line.box[2] for line in row) // scale
        y0, y1 = row[0].box[1] // scale, max(line.box[3] for line in row) // scale
        pixels = small[y0:y1, x0:x1].reshape(-1, 3)
        if len(pixels) == 0:
            return None
        keys = (pixels // 16).astype(np.int32) @ np.array([256, 16, 1])
        values, counts = np.unique(keys, return_counts=True)
        return pixels[keys == values[counts.argmax()]].mean(axis=0)

    # Measured the same way on the bubble's own last row, so that JPEG noise cancels out.
    own = ground(rows[-1])
    if own is None:
        return
    quoted: list[TextLine] = []
    for row in rows[:3]:  # a quote is a line or two (and the quoted name)
        behind = ground(row)
        if row is rows[-1] or behind is None or np.abs(behind - own).max() <= 16:
            break
        quoted.extend(row)
    if quoted:
        block.quote = join_lines(quoted)
        block.lines = [line for line in block.lines if line not in quoted]


def _take_trailing_times(blocks: list[Block]) -> None:
    """Where most bubbles carry their time, a time at the end of another's last line is its time too."""
    messages = [block for block in blocks if block.kind == "message"]
    if not messages or sum(block.time is not None for block in messages) * 2 < len(messages):
        return
    for block in messages:
        if block.time is not None or not block.lines:
            continue
        rows = rows_of(block.lines)
        last = rows[-1][-1]
        match = TRAILING_TIME.search(last.text)
        if match and match.start() > 0:
            block.time = match.group(1)
            trimmed = TextLine(last.box, last.text[: match.start()].rstrip(), last.confidence)
            block.lines = [trimmed if line is last else line for line in block.lines]


# A sender's name over a run of messages (Snapchat's "ME" / "JAY", Discord's "jay Today at 9:41 PM").
_LABEL = re.compile(
    r"^(?P<name>[^\W\d][\w.]{0,19})(?:\s+(?P<when>(?=.*(?:\d[:.]|[:.]\d|today|yesterday)).{1,24}))?$",
    re.IGNORECASE,
)
OWN_NAMES = {"me", "you"}


def _labelled_blocks(loose: list[TextLine], width: int) -> list[Block] | None:
    """Bubble-less chats: each run of lines under a sender's name is theirs; None when there are no names.

    A name is a one-word row that comes back on the screen (or "ME"/"You", the phone's owner), or a
    one-word row followed by a time. The owner's runs are "right", everyone else's "left".
    """
    rows = rows_of(loose)
    texts = [" ".join(item.text for item in row).strip() for row in rows]
    matches = [_LABEL.match(text) for text in texts]
    counts: dict[str, int] = {}
    for match in matches:
        if match and not match.group("when"):
            counts[match.group("name").lower()] = counts.get(match.group("name").lower(), 0) + 1
    labels = [
        n
        for n, match in enumerate(matches)
        if match
        and (
            match.group("when")
            or counts.get(match.group("name").lower(), 0) >= 2
            or match.group("name").lower() in OWN_NAMES
        )
    ]
    if len(labels) < 2:
        return None
    gaps = [
        rows[n + 1][0].box[1] - max(line.box[3] for line in rows[n])
        for n in range(len(rows) - 1)
        if n not in labels and n + 1 not in labels
    ]
    line_gap = min(gaps) if gaps else 0
    blocks: list[Block] = []
    for index, start in enumerate(labels):
        end = labels[index + 1] if index + 1 < len(labels) else len(rows)
        match = matches[start]
        assert match is not None
        when = match.group("when")
        clock = TIME_ANYWHERE.search(when) if when else None
        # Several messages under one name: a line that stops short of the wrapping width ends one.
        body_rows = rows[start + 1 : end]
        wrap = max(0.85 * width, *(max(line.box[2] for line in row) for row in rows))
        messages: list[list[TextLine]] = [[]]
        for previous, row in zip([None, *body_rows], body_rows, strict=False):
            # ... and so does a gap wider than the one between the wrapped lines of a message.
            if previous is not None and messages[-1]:
                gap = row[0].box[1] - max(line.box[3] for line in previous)
                if gap > line_gap + 0.15 * row[0].height:
                    messages.append([])
            messages[-1].extend(row)
            if max(line.box[2] for line in row) < wrap - 0.25 * width:
                messages.append([])
        for n, body in enumerate(message for message in messages if message):
            box = (
                min(line.box[0] for line in body),
                min(line.box[1] for line in body),
                max(line.box[2] for line in body),
                max(line.box[3] for line in body),
            )
            block = Block("message", body, box)
            block.side = "right" if match.group("name").lower() in OWN_NAMES else "left"
            block.time = clock.group(0) if clock and n == 0 else None
            blocks.append(block)
    return blocks


def _loose_blocks(loose: list[TextLine], width: int, bubbles: list[Block]) -> list[Block]:
    """Lines outside bubbles: centred dates are separators, receipts are dropped, the rest are grouped."""
    blocks: list[Block] = []
    run: list[TextLine] = []

    def flush() -> None:
        if run:
            box = (
                min(item.box[0] for item in run),
                min(item.box[1] for item in run),
                max(item.box[2] for item in run),
                max(item.box[3] for item in run),
            )
            blocks.append(Block("message", list(run), box))
            run.clear()

    for row in rows_of(loose):
        text = " ".join(item.text for item in row).strip()
        box = (
            min(item.box[0] for item in row),
            min(item.box[1] for item in row),
            max(item.box[2] for item in row),
            max(item.box[3] for item in row),
        )
        centred = abs((box[0] + box[2]) / 2 - width / 2) < width * 0.1 and box[0] > width * 0.1
        if RECEIPT.match(text):
            flush()
            continue
        stamp = BUBBLE_TIME.match(text)
        if stamp and not centred:
            # A time under a bubble (or beside an empty one) is that bubble's time, never a message.
            flush()
            above = [
                b
                for b in bubbles
                if b.kind == "message"
                and b.time is None
                and b.box[3] <= box[1] + 4
                and box[1] - b.box[3] < 2 * (box[3] - box[1])
                and min(b.box[2], box[2]) > max(b.box[0], box[0])
            ]
            if above:
                max(above, key=lambda b: b.box[3]).time = stamp.group(1)
            continue
        if centred:
            flush()
            kind = "separator" if is_date_or_time(text) else "notice"
            blocks.append(Block(kind, list(row), box))
            continue
        if run:
            prev = run[-1]
            same_side = (box[0] < width * 0.2) == (prev.box[0] < width * 0.2)
            if not same_side or box[1] - prev.box[3] > 0.8 * prev.height:
                flush()
        run.extend(row)
    flush()
    return blocks


def assign_sides(blocks: list[Block], width: int) -> None:
    """Left or right by position; a bubble that spans both sides takes the side of its colour."""
    sure: dict[str, list[tuple[int, int, int]]] = {"left": [], "right": []}
    unsure: list[Block] = []
    for block in blocks:
        if block.kind != "message" or block.side is not None:
            continue
        box = block.box
        if box[2] - box[0] > 0.8 * width and block.lines:
            # A box nearly as wide as the screen (a custom layout's row) says nothing: its words do.
            box = (min(line.box[0] for line in block.lines), 0, max(line.box[2] for line in block.lines), 0)
        left_gap, right_gap = box[0], width - box[2]
        if abs(left_gap - right_gap) > width * 0.05:
            block.side = "left" if left_gap < right_gap else "right"
            if block.colour is not None:
                sure[block.side].append(block.colour)
        else:
            unsure.append(block)
    for block in unsure:
        best: str | None = None
        if block.colour is not None and sure["left"] and sure["right"]:
            distance = {
                side: float(np.linalg.norm(np.median(np.array(colours), axis=0) - np.array(block.colour)))
                for side, colours in sure.items()
            }
            best = min(distance, key=lambda side: distance[side])
        block.side = best or ("left" if block.box[0] < width - block.box[2] else "right")
