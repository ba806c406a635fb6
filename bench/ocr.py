"""OCR of chat screenshots, per app: sxr (rapidocr-onnxruntime + chat layout) beside Tesseract, same run.

Screens drawn in the layouts of WhatsApp, Instagram, Snapchat, Messenger, iMessage, Telegram and Discord
(tests/conversations/app_screens.py): light and dark, phone and desktop, with keyboards, reactions,
replies, photos, emoji, long and cut messages, in Roboto, Noto Sans and Inter; half of them rescaled and
JPEG-compressed as phones share them. Then the shared real screenshots (../shared/data/screenshots) with
their hand transcriptions, where present.

Per app: messages found, sides right (of those found), CER of the messages' text, times placed (in
sent_at_raw and not in the text), furniture read as messages, identifiers exact; and Tesseract's CER and
identifiers on the same images (it reads the chat area only, given to it; times removed from its text;
it has no notion of messages, sides or furniture).

    .venv/bin/python bench/ocr.py            # 7 apps x light/dark x png/shared jpeg (+ desktop): 32 screens
    .venv/bin/python bench/ocr.py --quick    # one screen per app
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "conversations"))

from app_screens import APPS, AppScreen, Line, as_shared, draw_app

from sxr.conversations.chat_layout import TIME_ANYWHERE
from sxr.conversations.model import Conversation
from sxr.conversations.screenshots import ocr_engine, read_screenshots

LINES = [
    "hey its jay_smith.22 add me on snap",
    "who is this?",
    "I have your pics. Pay £500 or I send them to everyone",
    "please dont do this",
    "Send it to account 48291057 sort code 20-45-77",
    "or cashapp $LilyPays09 now",
    "I only have £40",
    "you have 30 minutes. tick tock",
    "my paypal is lily.pays@example.com",
    "add me on insta @jay.smith_22",
    "call me on +44 7700 900123",
    "I will delete them when you pay £250",
    "I already sent £100 please stop",
    "gift cards work too. Steam £50 x4",
    "go to www.example.org/pay and send it there",
    "do you think im joking",
    "ok ok I will try to get it",
    "I am scared. I have told nobody about this and I do not know what to do, please give me until tomorrow",
]
IDENTIFIER = re.compile(
    r"jay_smith\.22|£\d[\d,]*|\b\d{8}\b|20-45-77|\$LilyPays09|lily\.pays@example\.com|@jay\.smith_22"
    r"|\+44 7700 900123|www\.example\.org/pay"
)
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "screenshots"


@dataclass
class Tally:
    """Counts for one app (or the real screenshots)."""

    screens: int = 0
    messages: int = 0
    found: int = 0
    sides: int = 0
    chars: int = 0
    errors: int = 0
    times: int = 0
    timed: int = 0
    furniture: int = 0
    identifiers: int = 0
    exact: int = 0
    seconds: float = 0.0
    tess_errors: int = 0
    tess_exact: int = 0
    tess_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def make_chat(rng: random.Random, app: str) -> list[Line]:
    """A chat of 6-8 messages: words, a photo, an emoji, a reaction, a reply; 12 or 24 hour times."""
    twelve = app in ("instagram", "messenger", "imessage", "discord") or rng.random() < 0.4
    chat = []
    for n in range(rng.randint(6, 8)):
        hour, minute = rng.randint(8, 22), rng.randint(0, 59)
        stamp = (
            f"{(hour - 1) % 12 + 1}:{minute:02d} {'PM' if hour >= 12 else 'AM'}"
            if twelve
            else f"{hour}:{minute:02d}"
        )
        side = rng.choice(["left", "right"])
        kind = rng.random()
        if n in (2, 5) and kind < 0.5 and app not in ("snapchat", "discord"):
            chat.append(Line(side, "", stamp, picture=True))
        else:
            text = rng.choice(LINES)
            reply = rng.choice(LINES)[:24] if kind > 0.85 and app in ("whatsapp", "telegram") else None
            chat.append(Line(side, text, stamp, reaction=kind < 0.12, reply_to=reply))
    return chat


def screens(quick: bool, seed: int) -> list[tuple[str, AppScreen, bool]]:
    """(app, drawn screen, shared as JPEG?) for every look."""
    rng = random.Random(seed)
    out = []
    for app in APPS:
        for mode in ("light",) if quick else ("light", "dark"):
            for shared in (False,) if quick else (False, True):
                chat = make_chat(rng, app)
                screen = draw_app(
                    app,
                    mode,
                    chat,
                    keyboard=mode == "dark",
                    cut_top=shared and mode == "dark",
                    seed=rng.randint(0, 999),
                )
                out.append((app, screen, shared))
        if not quick and app in ("whatsapp", "telegram", "discord", "messenger"):
            out.append((app, draw_app(app, "dark", make_chat(rng, app), device="desktop"), False))
    return out


def match(conversation: Conversation, truth: list[tuple[str, str, str | None, bool]]) -> list[int | None]:
    """For each true message (side, text, time, picture), the index of the message read for it (or None)."""
    got = conversation.messages
    used: set[int] = set()
    found: list[int | None] = []
    start = 0
    for _, text, _, picture in truth:
        best, score = None, 0.0
        for index in range(start, len(got)):
            if index in used:
                continue
            if picture:
                ratio = 1.0 if got[index].attachments and not got[index].text else 0.0
            else:
                ratio = SequenceMatcher(None, squash(got[index].text), squash(text)).ratio()
            if ratio > score:
                best, score = index, ratio
        if best is not None and score >= 0.6:
            used.add(best)
            found.append(best)
            start = best + 1
        else:
            found.append(None)
    return found


def score(
    tally: Tally,
    conversation: Conversation,
    truth: list[tuple[str, str, str | None, bool]],
    furniture: list[str],
) -> None:
    """Add one screen's reading to the tally."""
    found = match(conversation, truth)
    got = conversation.messages
    tally.messages += len(truth)
    matched = {index for index in found if index is not None}
    for (side, text, shown, picture), index in zip(truth, found, strict=True):
        message = got[index] if index is not None else None
        if message is not None:
            tally.found += 1
            tally.sides += message.sender == side
        if not picture:
            tally.chars += len(normal(text))
            tally.errors += distance(normal(message.text if message else ""), normal(text))
        if shown:
            tally.timed += 1
            placed = message is not None and squash(shown) in squash(message.sent_at_raw or "")
            tally.times += placed and not TIME_ANYWHERE.search(message.text if message else "")
        for identifier in IDENTIFIER.findall(text):
            tally.identifiers += 1
            tally.exact += message is not None and identifier in message.text
    furniture_keys = {squash(item) for item in furniture}
    for index, message in enumerate(got):
        if index not in matched and (squash(message.text) in furniture_keys or message.text):
            tally.furniture += 1
            if len(tally.notes) < 3:
                tally.notes.append(message.text[:40])


def tesseract(path: Path, box: tuple[int, int, int, int] | None, folder: Path) -> str:
    """Tesseract's text for the chat area (or the whole image), time stamps removed."""
    from PIL import Image

    crop = folder / f"{path.stem}-chat.png"
    with Image.open(path) as image:
        (image.crop(box) if box else image).save(crop)
    out = subprocess.run(
        ["tesseract", str(crop), "stdout", "-l", "eng"], capture_output=True, text=True, check=True
    ).stdout
    return TIME_ANYWHERE.sub(" ", out)


def tesseract_score(tally: Tally, text: str, truth: list[tuple[str, str, str | None, bool]]) -> None:
    reference = " ".join(t for _, t, _, picture in truth if not picture)
    tally.tess_errors += distance(normal(text), normal(reference))
    tally.tess_exact += sum(item in text for _, t, _, _ in truth for item in IDENTIFIER.findall(t))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one screen per app")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    if not shutil.which("tesseract"):
        sys.exit("tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)")
    started = time.perf_counter()
    ocr_engine()
    load = time.perf_counter() - started
    tallies: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n, (app, screen, shared) in enumerate(screens(args.quick, args.seed)):
            label = f"{app}" if screen.device == "phone" else f"{app} desktop"
            tally = tallies.setdefault(app, Tally())
            tally.screens += 1
            image = as_shared(screen.image) if shared else screen.image
            factor = image.width / screen.image.width
            path = folder / f"{n:02d}-{label.replace(' ', '-')}.{'jpg' if shared else 'png'}"
            image.save(path)
            truth = [(m.side, m.text, m.time, m.picture) for m in screen.messages]
            clock = time.perf_counter()
            conversation = read_screenshots([path])
            tally.seconds += time.perf_counter() - clock
            score(tally, conversation, truth, screen.furniture)
            boxes = [m.box for m in screen.messages]
            area = (
                0,
                max(0, round((min(b[1] for b in boxes) - 10) * factor)),
                image.width,
                min(image.height, round((max(b[3] for b in boxes) + 10) * factor)),
            )
            clock = time.perf_counter()
            text = tesseract(path, area, folder)
            tally.tess_seconds += time.perf_counter() - clock
            tesseract_score(tally, text, truth)
        if SHARED.is_dir():
            tally = tallies.setdefault("REAL (shared)", Tally())
            for source in sorted(SHARED.glob("*.json")):
                reference = json.loads(source.read_text(encoding="utf-8"))
                path = SHARED / reference["file"]
                truth = [(m["side"], m["text"], m["time"], False) for m in reference["messages"]]
                tally.screens += 1
                clock = time.perf_counter()
                conversation = read_screenshots([path])
                tally.seconds += time.perf_counter() - clock
                # Words hidden under a bar are not there to read: a cut message's time still counts.
                score(tally, conversation, truth, reference["screen_furniture"])
                for identifier in reference["identifiers"]:
                    tally.identifiers += 1
                    tally.exact += any(identifier in m.text.split() for m in conversation.messages)
                clock = time.perf_counter()
                text = tesseract(path, None, folder)
                tally.tess_seconds += time.perf_counter() - clock
                tesseract_score(tally, text, truth)
                tally.tess_exact += sum(identifier in text for identifier in reference["identifiers"])

    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[
        0
    ]
    print(f"sxr model load {load:.2f} s (once); {os.cpu_count()} CPUs; anchor {version} (chat area given)")
    header = (
        f"{'app':<14}{'shots':>6}{'found':>10}{'sides':>8}{'CER':>8}{'times':>9}{'furn.':>6}"
        f"{'ident.':>9}{'s/shot':>8} | {'tess CER':>9}{'ident.':>9}{'s/shot':>8}"
    )
    print(header)
    print("-" * len(header))
    total = Tally()
    for name, t in tallies.items():
        for key in Tally.__dataclass_fields__:
            if name != "REAL (shared)" and key != "notes":
                setattr(total, key, getattr(total, key) + getattr(t, key))
        _row(name, t)
    print("-" * len(header))
    _row("all generated", total)
    sxr_cer = total.errors / max(total.chars, 1)
    tess_cer = total.tess_errors / max(total.chars, 1)
    print(f"ratio sxr/tesseract on the generated screens: CER {sxr_cer / max(tess_cer, 1e-9):.2f}x, "
          f"time {total.seconds / max(total.tess_seconds, 1e-9):.2f}x")  # fmt: skip
    for name, t in tallies.items():
        if t.notes:
            print(f"  {name}: read as messages but not messages, e.g. {t.notes}")


def _row(name: str, t: Tally) -> None:
    print(
        f"{name:<14}{t.screens:>6}{f'{t.found}/{t.messages}':>10}{t.sides / max(t.found, 1):>8.0%}"
        f"{t.errors / max(t.chars, 1):>8.1%}{f'{t.times}/{t.timed}':>9}{t.furniture:>6}"
        f"{f'{t.exact}/{t.identifiers}':>9}{t.seconds / max(t.screens, 1):>8.2f} | "
        f"{t.tess_errors / max(t.chars, 1):>9.1%}{f'{t.tess_exact}/{t.identifiers}':>9}"
        f"{t.tess_seconds / max(t.screens, 1):>8.2f}"
    )


if __name__ == "__main__":
    main()
