"""Chat screenshots (PNG, JPEG, HEIC, WebP) read into a Conversation by offline OCR on the CPU.

The OCR models are the ONNX files inside the installed rapidocr-onnxruntime wheel (PP-OCRv4
detection and recognition); nothing is downloaded. The engine loads once per process.
Text lines are found on a reduced copy of the screen and read from the full-size image; the
chat layout (chat_layout.py) groups them into bubbles, sides, times and separators; consecutive
screenshots are joined where they overlap. Every message is marked machine-read, with its box
on the image and the recogniser's confidence, for a person to confirm.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from dateutil import parser as date_parser
from PIL import Image, ImageOps, UnidentifiedImageError

from sxr.conversations.chat_layout import TIME_ANYWHERE, Block, Box, Layout, TextLine, analyse, find_regions
from sxr.conversations.model import Conversation, ExportError, Message, Notice, Participant, SourceRef
from sxr.conversations.screenshot_identifiers import doubts

SUFFIXES = {".png", ".jpg", ".jpeg", ".heic", ".heif", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
MAX_FILE_BYTES = 60 * 1024 * 1024
# A long scrolling capture is about 1290 x 20000; anything far bigger is a decompression bomb.
MAX_PIXELS = 40_000_000
MAX_SIDE = 30_000
DETECT_WIDTH = 576
OCR_THREADS = 2
# A space the recogniser nearly read between two characters (measured on a shared dark WhatsApp-like
# JPEG in Roboto: 0.15-0.49 at real word gaps, under 0.04 inside words; bench/ocr.py shows the effect).
SPACE_RUNNER_UP = 0.1
DARK_CROP = 100
# A closer look reads a strip of a bubble, never a whole screen again.
AREA_PIXELS = 500_000

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_lock = threading.Lock()


def is_screenshot(path: Path) -> bool:
    """True when the file starts like an image a phone or computer saves (PNG, JPEG, WebP, HEIC, GIF, ...)."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS)
        or head[:6] in (b"GIF87a", b"GIF89a")
        or head[:2] == b"BM"
        or head[:4] in (b"II*\x00", b"MM\x00*")
    )


@lru_cache(maxsize=1)
def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def load_image(path: Path) -> np.ndarray:
    """The image as an RGB array; ExportError for files that are missing, corrupt, not images or too big."""
    name = Path(path).name
    try:
        size = Path(path).stat().st_size
    except OSError as error:
        raise ExportError(f"Cannot open {name}: {error.strerror or error}.") from error
    if size > MAX_FILE_BYTES:
        raise ExportError(f"{name} is too big to read as a screenshot ({size // (1024 * 1024)} MB).")
    if not is_screenshot(path):
        raise ExportError(f"{name} is not an image (PNG, JPEG, HEIC, WebP, GIF, BMP or TIFF).")
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise ExportError(
                        f"{name} is {width} x {height} pixels: too big for a screenshot, so it was not read."
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = np.asarray(upright.convert("RGB"))
    except ExportError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ExportError(f"{name} is too big to be a screenshot, so it was not read.") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, RuntimeError) as error:
        raise ExportError(f"{name} could not be read as an image (it may be damaged): {error}.") from error
    if rgb.shape[0] < 32 or rgb.shape[1] < 32:
        raise ExportError(f"{name} is too small to hold any readable text.")
    return rgb


@dataclass(frozen=True, slots=True)
class OcrEngine:
    """The PP-OCRv4 text detector and recogniser from the rapidocr-onnxruntime wheel."""

    detector: Any
    recogniser: Any
    characters: list[str]
    allowed: np.ndarray
    model_dir: Path


@lru_cache(maxsize=1)
def ocr_engine() -> OcrEngine:
    """Load the OCR models once per process, from the installed package (never from the network)."""
    import rapidocr_onnxruntime
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.utils import OrtInferSession, read_yaml

    package = Path(rapidocr_onnxruntime.__file__).resolve().parent
    config = read_yaml(str(package / "config.yaml"))
    for part in ("Det", "Rec"):
        model = package / config[part]["model_path"]
        if not model.is_file():
            raise ExportError(
                f"The OCR model {model.name} is missing from rapidocr-onnxruntime; reinstall that package."
            )
        config[part]["model_path"] = str(model)
        config[part]["intra_op_num_threads"] = OCR_THREADS
        config[part]["inter_op_num_threads"] = 1
    config["Det"]["limit_side_len"] = DETECT_WIDTH
    # ONNX Runtime's idle threads spin by default: on a shared 2-core machine that doubles the CPU
    # used and, under load, the wall time. rapidocr builds its own session options, so they are
    # extended here while the two sessions are created (each model is loaded once).
    plain_options = OrtInferSession._init_sess_opts

    def quiet_options(part: dict[str, Any]) -> Any:
        options = plain_options(part)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return options

    with _lock:
        OrtInferSession._init_sess_opts = staticmethod(quiet_options)
        try:
            detector = TextDetector(config["Det"])
            recogniser = TextRecognizer(config["Rec"])
        finally:
            OrtInferSession._init_sess_opts = staticmethod(plain_options)
    characters = list(recogniser.postprocess_op.character)
    # The model also knows Chinese; chat screenshots here are in Latin script, so only its
    # Latin letters, digits and symbols (and their full-width forms) may be read.
    allowed = np.array([index == 0 or _latin(char) for index, char in enumerate(characters)], dtype=bool)
    return OcrEngine(detector, recogniser, characters, allowed, package / "models")


def _latin(char: str) -> bool:
    normal = unicodedata.normalize("NFKC", char)
    return bool(normal) and all(ord(c) < 0x250 or c in "£€¥₹•…‘’“”–—" for c in normal)


def read_lines(
    rgb: np.ndarray, engine: OcrEngine | None = None, wanted: Callable[[Box], bool] | None = None
) -> list[TextLine]:
    """Every line of text on the image (that `wanted` keeps), with its box and the recogniser's confidence."""
    engine = engine or ocr_engine()
    height, width = rgb.shape[:2]
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    import cv2

    scale = min(1.0, DETECT_WIDTH / width)
    small = (
        bgr
        if scale == 1.0
        else cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    )
    with _lock:
        quads, _ = engine.detector(small)
    if quads is None or len(quads) == 0:
        return []
    boxes: list[tuple[int, int, int, int]] = []
    for quad in quads:
        x0 = max(0, int(np.floor(quad[:, 0].min() / scale)))
        y0 = max(0, int(np.floor(quad[:, 1].min() / scale)))
        x1 = min(width, int(np.ceil(quad[:, 0].max() / scale)) + 1)
        y1 = min(height, int(np.ceil(quad[:, 1].max() / scale)) + 1)
        if x1 - x0 >= 4 and y1 - y0 >= 4 and (wanted is None or wanted((x0, y0, x1, y1))):
            boxes.append((x0, y0, x1, y1))
    return _read_boxes(engine, bgr, boxes)


def read_area(rgb: np.ndarray, area: Box, engine: OcrEngine | None = None) -> list[TextLine]:
    """The lines in one area of the image, found at full size (small pale text a reduced copy loses)."""
    engine = engine or ocr_engine()
    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, area[0]), max(0, area[1]), min(width, area[2]), min(height, area[3])
    if x1 - x0 < 8 or y1 - y0 < 8 or (x1 - x0) * (y1 - y0) > AREA_PIXELS:
        return []
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    detector = engine.detector
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    # At twice the area's size, where small text is as big as the detector knows it best (the engine's
    # own setting would enlarge a thin strip many times over).
    prepare = DetPreProcess(2 * min(x1 - x0, y1 - y0), "min", detector.mean, detector.std)
    crop = np.ascontiguousarray(bgr[y0:y1, x0:x1])
    with _lock:
        quads, _ = detector.postprocess_op(detector.infer(prepare(crop))[0], crop.shape[:2])
    if quads is None or len(quads) == 0:
        return []
    quads = detector.filter_tag_det_res(quads, crop.shape[:2])
    boxes = []
    for quad in quads:
        box = (
            x0 + int(np.floor(quad[:, 0].min())),
            y0 + int(np.floor(quad[:, 1].min())),
            x0 + int(np.ceil(quad[:, 0].max())) + 1,
            y0 + int(np.ceil(quad[:, 1].max())) + 1,
        )
        if box[2] - box[0] >= 4 and box[3] - box[1] >= 4:
            boxes.append(box)
    return _read_boxes(engine, bgr, boxes)


def _read_boxes(engine: OcrEngine, bgr: np.ndarray, boxes: list[Box]) -> list[TextLine]:
    """The text in each box (the recogniser's confident reads only)."""
    if not boxes:
        return []
    width = bgr.shape[1]
    # A little room either side: the detector's box can shave a thin first letter ("I") off a line.
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = (y1 - y0) // 5
        crop = bgr[y0:y1, max(0, x0 - pad) : min(width, x1 + pad)]
        # Light text on a dark bubble reads better turned dark on light, as the model was mostly taught.
        crops.append(np.ascontiguousarray(255 - crop) if crop.mean() < DARK_CROP else crop)
    texts = _recognise(engine, crops)
    lines = []
    for box, (text, confidence) in zip(boxes, texts, strict=True):
        text = tidy_text(text)
        if text and confidence >= 0.5:
            lines.append(TextLine(box, text, confidence))
    return lines


def _recognise(engine: OcrEngine, crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Recognise each crop on its own: batches pad short lines, which fades faint glyphs such as £."""
    rec = engine.recogniser
    _, rec_h, rec_w = rec.rec_image_shape
    results: list[tuple[str, float]] = []
    for crop in crops:
        ratio = max(rec_w / rec_h, crop.shape[1] / crop.shape[0])
        batch = rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
        with _lock:
            probs = rec.session(batch)[0]
        results.append(_decode(engine, probs[0]))
    return results


def _decode(engine: OcrEngine, probs: np.ndarray) -> tuple[str, float]:
    """Greedy CTC decoding over the allowed characters, with a look at the runner-up for 0/o."""
    masked = np.where(engine.allowed, probs, 0.0)
    best = masked.argmax(axis=1)
    chars = engine.characters
    out: list[str] = []
    scores: list[float] = []
    steps: list[int] = []
    previous = 0
    for step, index in enumerate(best):
        if index != 0 and index != previous:
            out.append(chars[index])
            scores.append(float(masked[step, index]))
            steps.append(step)
        previous = index
    if " " in chars:
        _restore_spaces(out, scores, steps, probs[:, chars.index(" ")])
    _restore_pounds(out, scores, steps, probs[:, chars.index("f")])
    if "o" in chars:
        _zeros_in_words_to_o(out, steps, probs[:, chars.index("o")])
    _o_beside_digits_to_zero(out, steps, probs[:, chars.index("0")])
    return "".join(out), float(np.mean(scores)) if scores else 0.0


def _restore_spaces(out: list[str], scores: list[float], steps: list[int], space: np.ndarray) -> None:
    """Put back the spaces small text loses to the blank, where a space was the runner-up.

    Small or tightly set text (Roboto at phone size, a rescaled JPEG) loses its spaces to the blank:
    where a space was the runner-up between two characters, it was there ("callmeon" -> "call me on").
    """
    for n in range(len(out) - 1, 0, -1):
        if out[n] == " " or out[n - 1] == " " or steps[n] - steps[n - 1] < 2:
            continue
        if out[n] in "/@_:" or out[n - 1] in "/@_":  # inside an address or a handle, never
            continue
        if space[steps[n - 1] + 1 : steps[n]].max() > SPACE_RUNNER_UP:
            out.insert(n, " ")
            steps.insert(n, steps[n])
            scores.insert(n, float(space[steps[n - 1] + 1 : steps[n]].max()))


def _restore_pounds(out: list[str], scores: list[float], steps: list[int], f: np.ndarray) -> None:
    """Put back the faint "f" the model reads for a £ before an amount (tidy_text makes it a £).

    The model has no £ of its own: it reads one as a faint "f" before an amount, which the blank
    can outvote. Before a plain number "f" scores below 1e-6, before a £ above 1e-3 (DejaVu and
    Liberation Sans, light and dark).
    """
    for n in range(len(out) - 1, -1, -1):
        if out[n].isdigit() and (n == 0 or out[n - 1] == " "):
            since = steps[n - 1] + 1 if n else 0
            if since < steps[n] and f[since : steps[n]].max() > 0.001:
                out.insert(n, "f")
                steps.insert(n, steps[n])
                scores.insert(n, float(f[since : steps[n]].max()))


def _zeros_in_words_to_o(out: list[str], steps: list[int], o: np.ndarray) -> None:
    """A zero in a word of letters ("acc0unt", "0n") is a letter o when the model thought so too."""
    for n, char in enumerate(out):
        if char != "0" or o[steps[n]] <= 0.0001:
            continue
        start = n
        while start > 0 and out[start - 1] != " ":
            start -= 1
        end = n
        while end < len(out) - 1 and out[end + 1] != " ":
            end += 1
        word = out[start : end + 1]
        neighbours = [c for c in (out[n - 1] if n > start else "", out[n + 1] if n < end else "") if c]
        if neighbours and all(c.islower() for c in neighbours) and all(c.isalpha() or c == "0" for c in word):
            out[n] = "o"


def _o_beside_digits_to_zero(out: list[str], steps: list[int], zero: np.ndarray) -> None:
    """A capital O next to a digit, not in a capitalised word ("Pays09" read "PaysO9"), is a zero."""
    for n, char in enumerate(out):
        if (
            char == "O"
            and zero[steps[n]] > 0.001
            and ((n + 1 < len(out) and out[n + 1].isdigit()) or (n > 0 and out[n - 1].isdigit()))
            and not (n > 0 and out[n - 1].isupper())
        ):
            out[n] = "0"


_AMOUNT = re.compile(r"(?<![\w£$€])([fF£$€]?)([\doOlI][\doOlI,.]*[kK]?)(?![\w])")
_DIGIT_LOOKALIKE = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1"})


def _amount(match: re.Match[str]) -> str:
    """Inside a number, o is 0 and l is 1; before an amount, f is the £ the model cannot read."""
    sign, body = match.group(1), match.group(2)
    # "floo" is £100 with every digit misread; "fool" and "flo" are words and stay.
    round_pounds = sign in ("f", "F") and re.fullmatch(r"[lI1][oO0]{2,}", body) is not None
    digits = sum(c.isdigit() for c in body)
    # "1l" after "message" is 11: a token that starts with a digit and has only digit look-alikes.
    if not round_pounds and (digits < 2 and not (sign == "" and body[0].isdigit() and len(body) > 1)):
        return match.group(0)
    if not round_pounds and not body[0].isdigit() and not sign:
        return match.group(0)
    body = body.translate(_DIGIT_LOOKALIKE)
    return ("£" if sign in ("f", "F") else sign) + body


_LONE_L = re.compile(r"(?<=\s)l(?=\s|$|[,.!?])|^l(?=\s)")


# Words that end a sentence before an address far more often than they start one.
_SENTENCE_WORDS = {
    "too",
    "it",
    "me",
    "you",
    "now",
    "this",
    "that",
    "here",
    "there",
    "ok",
    "okay",
    "yes",
    "no",
    "please",
    "thanks",
    "then",
    "so",
    "is",
    "mail",
    "email",
    "e-mail",
    "address",
    "below",
    "above",
    "again",
}


def _join_address(match: re.Match[str]) -> str:
    before = match.string[: match.start()].rsplit(" ", 1)[-1].lower()
    if match.group(1) == "." and before in _SENTENCE_WORDS:
        return match.group(0)
    return match.group(1)


def tidy_text(text: str) -> str:
    """Normal forms of what the recogniser confuses: full-width characters, £ read as f, I read as l."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", " ", text).strip()
    # A coloured bar drawn beside a message (Snapchat, quoted replies) is read as "|".
    text = re.sub(r"^[|¦]\s*", "", text)
    # The model has no £ of its own (only a rare full-width one): before an amount it reads "f".
    # A currency sign glued to a word ("cashapp$Lily", "pay£500") is a space the model missed.
    text = re.sub(r"(?<=[a-z])(?=[$£€][\w])", " ", text)
    text = _AMOUNT.sub(_amount, text)
    # "4: 26 PM", "11 : 42", "2:2 4 AM": a clock the recogniser read with spaces in it.
    text = re.sub(r"\b(\d{1,2}) ?: ?(\d) ?(\d)(?=\s?[AaPp]\.?\s?[Mm]\b|$)", r"\1:\2\3", text)
    # "18June": a day glued to its month (date pills are small and tightly set).
    text = re.sub(
        r"\b(\d{1,2})(?=(January|February|March|April|May|June|July|August|September|October|November"
        r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b)",
        r"\1 ",
        text,
    )
    # "http:/l": the second slash of an address read as l or I.
    text = re.sub(r"\b(https?):\s?/\s?[/lI|](?=\s|$|\w)", r"\1://", text)
    # No space inside an e-mail address: "lily. pays@example.com" is one address.
    # (A sentence's end before an address stays apart: "David too. foo@gmail.com".)
    text = re.sub(r"(?<=\w)([._-]) (?=[\w.+-]*@[\w-]+\.\w)", _join_address, text)
    # "orI": a capital I glued to the end of a lower-case word is the pronoun, a space missed.
    text = re.sub(r"(?<=[a-z]{2})I\b", " I", text)
    # "Ihave", "Iam": the pronoun glued to a common verb is a space missed (none of these is a word).
    text = re.sub(
        r"\bI(?=(am|have|had|will|was|dont|don't|can|cant|can't|need|know|want|sent|paid|did|do|just|"
        r"only|think|said|told|got|swear|promise|beg)\b)",
        "I ",
        text,
    )
    # "orl send": the pronoun I read as l and glued to a short joining word.
    text = re.sub(r"\b(or|and|but|if|then|when|what|that|because|cause|cuz)l\b", r"\1 I", text)
    # A lone lower-case l is never an English word; it is the pronoun I.
    text = _LONE_L.sub("I", text)
    return text


def read_screenshots(paths: Sequence[Path], *, tz: str | None = None) -> Conversation:
    """Read screenshots of one chat, in order, as one Conversation (format "screenshot")."""
    if not paths:
        raise ExportError("No screenshots were given.")
    zone = None
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ExportError(f"Unknown time zone {tz!r}.") from error
    conversation = Conversation(format="screenshot")
    screens = _Screens(conversation)
    for path in paths:
        screens.read(Path(path))
    header, kept = screens.header, screens.kept
    conversation.title = header
    conversation.participants = [
        Participant(id="left", name=header or "left"),
        Participant(id="right", name="right"),
    ]
    hidden = _add_messages(conversation, kept, zone)
    for message in conversation.messages:
        # Identifiers that may be misread are pointed out beside the message, never changed.
        for doubt in doubts(message.text, message.source.confidence):
            conversation.warnings.append(f"Message {message.i + 1}: {doubt}")
    cut = sum(1 for block, _, _ in kept if block.cut_top or block.cut_bottom)
    conversation.warnings.insert(
        0,
        "These messages were read by machine from screenshots: check each one against its image. "
        "The sides are 'left' and 'right' as shown on the screen (usually 'right' is the phone's owner); "
        "confirm who each side is" + (f" (the header shows {header!r})." if header else "."),
    )
    if cut:
        conversation.warnings.append(f"{cut} message(s) were cut off at the edge of a screenshot.")
    if hidden:
        conversation.warnings.append(
            f"{hidden} message(s) show only their time: their words are hidden at the edge of the screenshot."
        )
    if not conversation.messages:
        conversation.warnings.append("No chat messages were found on the screenshots.")
    return conversation


# A message read from a screenshot: its bubble, where it is, and its time as the screen shows it.
_Kept = tuple[Block, SourceRef, str | None]


class _Screens:
    """The screenshots read so far: the messages kept (each once, in order), the header, the date shown."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.header: str | None = None
        self.kept: list[_Kept] = []
        self._seen: set[str] = set()
        self._previous: list[tuple[Block, SourceRef]] = []
        self._date_context: str | None = None

    def read(self, path: Path) -> None:
        """Read one screenshot; the messages it shares with the one before are kept once."""
        rgb = load_image(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in self._seen:
            self.conversation.warnings.append(
                f"{path.name} is the same image as an earlier one; it was read once."
            )
            return
        self._seen.add(digest)
        regions = find_regions(rgb)
        layout = analyse(
            regions, read_lines(rgb, wanted=regions.wanted), closer=lambda area: read_area(rgb, area)
        )
        self.header = self.header or layout.header
        current = self._take(path, digest, layout)
        overlap = _overlap(self._previous, current)
        if overlap:
            self._keep_once(current, overlap)
        elif self._previous and current:
            self.conversation.warnings.append(
                f"{path.name} does not overlap the screenshot before it: messages may be missing there."
            )
        self._previous = current

    def _take(self, path: Path, digest: str, layout: Layout) -> list[tuple[Block, SourceRef]]:
        """Keep one screenshot's messages (with their times) and notices; return its messages."""
        current: list[tuple[Block, SourceRef]] = []
        pending_time: str | None = None
        for block in layout.blocks:
            ref = SourceRef(file=path.name, sha256=digest, box=block.box, confidence=block.confidence)
            if block.kind == "separator":
                self._date_context = pending_time = block.text
                continue
            if block.kind == "notice":
                self.conversation.notices.append(Notice(text=block.text, source=ref))
                continue
            if not block.text and not block.media and not (block.cut_top or block.cut_bottom):
                continue
            current.append((block, ref))
            stamp = None
            if block.time:
                date_context = self._date_context
                stamp = (
                    f"{date_context} {block.time}"
                    if date_context and not TIME_ANYWHERE.search(date_context)
                    else block.time
                )
            elif pending_time:
                stamp = pending_time
            pending_time = None
            self.kept.append((block, ref, stamp))
        return current

    def _keep_once(self, current: list[tuple[Block, SourceRef]], overlap: int) -> None:
        """The first `overlap` messages of this screenshot were on the previous one: keep one copy,
        the longer one where a bubble was cut at the edge of the screen."""
        kept = self.kept
        start = len(kept) - len(current)
        for n in range(overlap):
            old_index = start - overlap + n
            new_block, new_ref = current[n]
            old_block = kept[old_index][0]
            old_cut = old_block.cut_top or old_block.cut_bottom
            new_cut = new_block.cut_top or new_block.cut_bottom
            longer = len(new_block.text) > len(old_block.text)
            if longer or (old_cut and not new_cut and len(new_block.text) >= len(old_block.text)):
                kept[old_index] = (new_block, new_ref, kept[old_index][2] or kept[start + n][2])
        del kept[start : start + overlap]


def _add_messages(conversation: Conversation, kept: list[_Kept], zone: ZoneInfo | None) -> int:
    """The kept bubbles as the conversation's messages (a reply's quote as a notice beside it); return
    how many show only their time."""
    hidden = 0
    for index, (block, ref, stamp) in enumerate(kept):
        if block.quote:
            # A reply's quote is another message's words: said beside it, never mixed into its text.
            conversation.notices.append(
                Notice(text=f'Message {index + 1} replies to: "{block.quote}"', source=ref)
            )
        # A picture in a bubble is named with where it is on the screenshot, which stays the evidence.
        pictures = tuple(
            f"picture in the screenshot {ref.file} at {x0},{y0}-{x1},{y1}" for x0, y0, x1, y1 in block.media
        )
        hidden += not block.text and not pictures
        conversation.messages.append(
            Message(
                i=index,
                sender=block.side or "left",
                text=block.text,
                source=ref,
                sent_at=parse_time(stamp, zone),
                sent_at_raw=stamp,
                attachments=pictures,
                machine_read=True,
            )
        )
    return hidden


def _same(a: Block, b: Block) -> bool:
    """Two reads of one bubble: same side and nearly the same text, or one cut-off part of the other."""
    if a.side != b.side:
        return False
    x, y = _key(a.text), _key(b.text)
    if _alike(x, y):
        return True
    shorter, longer = sorted((x, y), key=len)
    if len(shorter) < 4 or not (a.cut_bottom or b.cut_top):
        return False
    return _alike(shorter, longer[: len(shorter)]) or _alike(shorter, longer[-len(shorter) :])


def _alike(x: str, y: str) -> bool:
    """The same text read twice (OCR may differ by a character or two between screenshots)."""
    return x == y or (min(len(x), len(y)) >= 4 and SequenceMatcher(None, x, y).ratio() >= 0.9)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def _overlap(previous: list[tuple[Block, SourceRef]], current: list[tuple[Block, SourceRef]]) -> int:
    """How many messages at the start of `current` repeat the end of `previous`."""
    for n in range(min(len(previous), len(current)), 0, -1):
        if all(_same(previous[-n + k][0], current[k][0]) for k in range(n)):
            return n
    return 0


def parse_time(stamp: str | None, zone: ZoneInfo | None) -> datetime | None:
    """A full date and time (with a year) in the given zone; anything less stays raw only."""
    if not stamp or zone is None or not re.search(r"\b(19|20)\d{2}\b", stamp):
        return None
    if not TIME_ANYWHERE.search(stamp):
        return None
    numeric = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b", stamp)
    if numeric and int(numeric.group(1)) <= 12 and int(numeric.group(2)) <= 12:
        return None  # 03/04/2024 is March or April: only a person who knows the phone can say
    try:
        parsed = date_parser.parse(stamp, dayfirst=True, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return parsed.replace(tzinfo=zone)
