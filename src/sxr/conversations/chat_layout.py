"""Chat layout on a screenshot: bubbles, sides, times, date separators, and the chrome to ignore."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

Box = tuple[int, int, int, int]

# A time as chat apps print it: 21:04, 9:04 PM, 9.04pm.
TIME = re.compile(r"^\d{1,2}[:.]\d{2}(\s?[AaPp]\.?\s?[Mm]\.?)?$")
# A bubble's own time, with the delivery ticks some apps draw after it (read as v, V, W, / or √).
BUBBLE_TIME = re.compile(r"^(\d{1,2}[:.]\d{2}(?:\s?[AaPp]\.?\s?[Mm]\.?)?)(?:\s*[✓✔√vVW/]){0,2}$")
TRAILING_TIME = re.compile(r"\s(\d{1,2}[:.]\d{2}(?:\s?[AaPp]\.?\s?[Mm]\.?)?)(?:\s*[✓✔√vVW/]){0,2}$")
TIME_ANYWHERE = re.compile(r"\b\d{1,2}[:.]\d{2}(\s?[AaPp]\.?\s?[Mm]\.?)?\b")
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
DATE_WORDS = re.compile(rf"\b(today|yesterday|{_DAYS}|{_MONTHS})\b", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")
RECEIPT = re.compile(r"^(delivered|read|seen|sent|sending|not delivered)\b", re.IGNORECASE)
PLACEHOLDER = re.compile(
    r"^(i?message|text message|type a message|send a message|message\W*|aa)$", re.IGNORECASE
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

    @property
    def text(self) -> str:
        return join_lines(self.lines)

    @property
    def confidence(self) -> float:
        return min((line.confidence for line in self.lines), default=0.0)


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
    return " ".join(" ".join(item.text for item in row) for row in rows_of(lines)).strip()


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
    """The screen split into chrome and chat, with the bubble-shaped areas found by colour."""

    width: int
    height: int
    scale: int
    small: np.ndarray
    labels: np.ndarray
    stats: np.ndarray
    bubbles: list[tuple[Box, int]]
    chat_top: int
    chat_bottom: int

    def wanted(self, box: Box) -> bool:
        """Worth reading: text above the chat (the header) or in it, but not the input box or keyboard."""
        return (box[1] + box[3]) / 2 < self.chat_bottom


def top_zone(width: int, height: int) -> float:
    """Where a phone's status bar and chat header can be: the top of the screen (also of long captures)."""
    return min(height * 0.2, width * 0.4)


def bottom_zone(width: int, height: int) -> float:
    """Where the input box and keyboard can start: the lower part of the screen, about one width high."""
    return max(height * 0.45, height - width * 1.0)


def find_regions(rgb: np.ndarray) -> Regions:
    """Find the chat's background, the bubbles on it and the bars (header, input box, keyboard) around it."""
    height, width = rgb.shape[:2]
    scale = 4
    small = cv2.resize(rgb, (max(1, width // scale), max(1, height // scale)), interpolation=cv2.INTER_AREA)
    bg = background_colour(small)
    diff = np.abs(small.astype(np.int16) - bg.astype(np.int16)).max(axis=2)
    mask = (diff > 12).astype(np.uint8)
    # Thin strokes (wallpaper doodles, hairlines) would join bubbles to each other; solid areas stay.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    sw = mask.shape[1]
    phone = height / max(width, 1) > 1.5

    # Rows covered edge to edge at the top (status bar, header) and bottom (input box, keyboard) are
    # chrome, not chat; light themes draw their bars in almost the background colour, so the status
    # bar of a phone-shaped image is skipped by position as well.
    coverage = mask.mean(axis=1)
    bar_rows = np.flatnonzero(coverage > 0.95)
    top_rows = bar_rows[bar_rows * scale < top_zone(width, height)]
    bottom_rows = bar_rows[bar_rows * scale > bottom_zone(width, height)]
    chat_top = round(min(height * 0.055, width * 0.12)) if phone else 0
    if top_rows.size:
        chat_top = max(chat_top, int(top_rows.max() + 1) * scale)
    chat_bottom = int(bottom_rows.min()) * scale if bottom_rows.size else height
    mask[: chat_top // scale] = 0
    mask[chat_bottom // scale :] = 0

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    bubbles: list[tuple[Box, int]] = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        box = (x * scale, y * scale, (x + w) * scale, (y + h) * scale)
        if w * scale >= width * 0.08 and h * scale >= 24 and area > 0.4 * w * h and w < 0.9 * sw:
            bubbles.append((box, label))
    return Regions(width, height, scale, small, labels, stats, bubbles, chat_top, chat_bottom)


def analyse(regions: Regions, lines: list[TextLine]) -> Layout:
    """Turn the OCR lines of one screenshot into blocks: bubbles with sides, separators and notices."""
    width, height = regions.width, regions.height
    small, labels, stats, bubbles = regions.small, regions.labels, regions.stats, regions.bubbles
    chat_top, chat_bottom = regions.chat_top, regions.chat_bottom

    # Lines of the input box ("iMessage") and below it are never chat.
    for line in lines:
        if PLACEHOLDER.match(line.text.strip()) and line.box[1] > bottom_zone(width, height):
            chat_bottom = min(chat_bottom, line.box[1] - 4)

    layout = Layout(chat_top=chat_top, chat_bottom=chat_bottom)

    def middle(line: TextLine) -> float:
        return (line.box[1] + line.box[3]) / 2

    in_chat = [line for line in lines if chat_top <= middle(line) <= chat_bottom]
    top_lines = [line for line in lines if middle(line) < chat_top]

    groups: dict[int, list[TextLine]] = {}
    loose: list[TextLine] = []
    for line in in_chat:
        holder = None
        for box, label in bubbles:
            # Whole width inside, middle inside: a line sliced by the screen's edge still belongs.
            inside = (
                box[0] - 6 <= line.box[0] and line.box[2] <= box[2] + 6 and box[1] <= middle(line) <= box[3]
            )
            if inside and (holder is None or _area(box) < _area(holder[0])):
                holder = (box, label)
        if holder is None:
            loose.append(line)
        else:
            groups.setdefault(holder[1], []).append(line)

    boxes = dict((label, box) for box, label in bubbles)
    blocks: list[Block] = []
    for label, members in groups.items():
        box = boxes[label]
        pixels = small[labels == label]
        colour = tuple(int(v) for v in np.median(pixels, axis=0))
        block = Block("message", members, box, colour=colour)  # type: ignore[arg-type]
        # A bubble cut by the edge of the screen has square corners where its rounded ones would be.
        x, y, w, h = (int(v) for v in stats[label][:4])
        inset = min(2, max(0, w // 4))
        block.cut_top = bool(labels[y, x + inset] == label and labels[y, x + w - 1 - inset] == label)
        block.cut_bottom = bool(
            labels[y + h - 1, x + inset] == label and labels[y + h - 1, x + w - 1 - inset] == label
        )
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
        blocks.append(block)

    # Messages line up on the screen's left or right margin; a date pill or a system notice is centred
    # and lines up with neither (a wide message can be almost centred too).
    sided = [b for b in blocks if abs(b.box[0] - (width - b.box[2])) >= width * 0.05]
    left_edges = [b.box[0] for b in sided if b.box[0] < width - b.box[2]]
    right_edges = [b.box[2] for b in sided if b.box[0] > width - b.box[2]]
    for block in blocks:
        left_gap, right_gap = block.box[0], width - block.box[2]
        centred = abs(left_gap - right_gap) < width * 0.05 and left_gap > width * 0.06
        aligned = any(abs(block.box[0] - edge) <= 8 for edge in left_edges) or any(
            abs(block.box[2] - edge) <= 8 for edge in right_edges
        )
        if centred and is_date_or_time(block.text):
            block.kind = "separator"
        elif centred and not aligned:
            block.kind = "notice"
        else:
            _take_time(block)

    _take_trailing_times(blocks)
    blocks.extend(_loose_blocks(loose, width))
    # Text near the top above every bubble is the chat's header (light themes draw no bar): a centred
    # name (iMessage), or a name beside the avatar (Instagram) when the screen has bubbles at all.
    bubble_tops = [b.box[1] for b in blocks if b.kind == "message" and b.colour is not None]
    first_message = min(bubble_tops or [b.box[1] for b in blocks if b.kind == "message"] or [height])
    for block in list(blocks):
        if (
            (block.kind == "notice" or (block.kind == "message" and block.colour is None and bubble_tops))
            and (block.box[1] + block.box[3]) / 2 < min(first_message, top_zone(width, height))
            and block.box[1] > min(height * 0.03, width * 0.07)
        ):
            blocks.remove(block)
            top_lines.extend(block.lines)
    assign_sides(blocks, width)

    # The header: text above the chat, below the status bar, that is not a clock or a date.
    names = [
        line
        for line in top_lines
        if line.box[1] > min(height * 0.04, width * 0.08)
        and not is_date_or_time(line.text)
        and re.search(r"[^\W\d_]", line.text)
        and not re.search(r"\d+%|\b(LTE|5G|4G|3G)\b", line.text)
    ]
    if names:
        layout.header = max(names, key=lambda line: line.height).text.strip()
    blocks.sort(key=lambda block: (block.box[1], block.box[0]))
    layout.blocks = blocks
    return layout


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
        # Only a time: the rest of a bubble cut off at the top of the screen (else a message of a time).
        if block.cut_top:
            block.time = stamp.group(1)
            block.lines = []
        return
    body = [line.height for row in rows for line in row if line is not last]
    small = last.height < 0.9 * float(np.median(body))
    right = last.box[0] > (block.box[0] + block.box[2]) / 2
    if small or right:
        block.time = stamp.group(1)
        block.lines = [line for line in block.lines if line is not last]


def _take_trailing_times(blocks: list[Block]) -> None:
    """Where most bubbles carry their time, a time at the end of another's last line is its time too."""
    messages = [block for block in blocks if block.kind == "message"]
    if not messages or sum(block.time is not None for block in messages) * 2 < len(messages):
        return
    for block in messages:
        if block.time is not None:
            continue
        rows = rows_of(block.lines)
        last = rows[-1][-1]
        match = TRAILING_TIME.search(last.text)
        if match and match.start() > 0:
            block.time = match.group(1)
            trimmed = TextLine(last.box, last.text[: match.start()].rstrip(), last.confidence)
            block.lines = [trimmed if line is last else line for line in block.lines]


def _loose_blocks(loose: list[TextLine], width: int) -> list[Block]:
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
        if block.kind != "message":
            continue
        left_gap, right_gap = block.box[0], width - block.box[2]
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
