"""OCR of chat screenshots: sxr (rapidocr-onnxruntime + chat layout) against Tesseract, same images, same run.

Generated phone-size screenshots (1170x2532 and 1080x2400, light and dark, iMessage- and WhatsApp-like)
with known text. Prints seconds per screenshot and the character error rate (CER) of each, the share of
identifiers (usernames, amounts, account numbers) read exactly, and the ratios.

Tesseract is given only the chat area (the status bar, header, input box and keyboard cropped off), and
time stamps are removed from its output: a generous anchor. sxr reads the whole screenshot.

    .venv/bin/python bench/ocr.py            # 8 screenshots
    .venv/bin/python bench/ocr.py --full     # 40 screenshots
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sxr.conversations.chat_render import THEMES, render_chat
from sxr.conversations.screenshots import ocr_engine, read_screenshots

LINES = [
    "hey its jay_smith.22 add me on snap",
    "who is this?",
    "I have your pics. Pay £500 or I send them to everyone",
    "please dont do this",
    "Send it to account 4829105736 sort code 20-45-77",
    "or cashapp $LilyPays09 now",
    "I only have £40",
    "you have 30 minutes. tick tock",
    "my paypal is lily.pays@example.com",
    "add me on insta @jay.smith_22",
    "call me on +44 7700 900123",
    "I will delete them when you pay £250",
    "I already sent £100 please stop",
    "gift cards work too. Steam £50 x4",
    "Western Union MTCN 7391048265",
    "do you think im joking",
    "I am only 15",
    "ok ok I will try to get it",
]
IDENTIFIERS = re.compile(
    r"jay_smith\.22|£\d[\d,]*|\b\d{10}\b|\$LilyPays09|lily\.pays@example\.com|@jay\.smith_22|7700 900123"
)
TIME = re.compile(r"\b\d{1,2}:\d{2}\b(?:\s*[✓✔√vVW/](?=\s|$)){0,2}", re.MULTILINE)


def make_screenshots(
    count: int, folder: Path, seed: int, family: str = "dejavu"
) -> list[tuple[Path, str, tuple[int, int]]]:
    """Draw `count` screenshots; each with its reference text and the chat area's rows."""
    rng = random.Random(seed)
    styles = sorted(THEMES)
    sizes = [(1170, 2532), (1080, 2400)]
    shots = []
    for n in range(count):
        style = styles[n % len(styles)]
        size = sizes[(n // len(styles)) % len(sizes)]
        chat = [
            (
                rng.choice(["left", "right"]),
                rng.choice(LINES),
                f"{rng.randint(10, 23)}:{rng.randint(0, 59):02d}",
            )
            for _ in range(rng.randint(6, 9))
        ]
        keyboard = n % 3 == 0
        shot = render_chat(chat, size=size, style=style, header="Jay", keyboard=keyboard, family=family)[0]
        while len(shot.bubbles) < len(chat):  # every bubble wholly on screen: a reference without guesses
            chat = chat[1:]
            shot = render_chat(chat, size=size, style=style, header="Jay", keyboard=keyboard, family=family)[
                0
            ]
        path = folder / f"shot{n:02d}.png"
        shot.image.save(path)
        reference = "\n".join(bubble.text for bubble in shot.bubbles)
        top = min(b.box[1] for b in shot.bubbles) - 10
        bottom = max(b.box[3] for b in shot.bubbles) + 10
        shots.append((path, reference, (top, bottom)))
    return shots


def _style_of(path: Path, count: int) -> str:
    """The look a generated screenshot was drawn with (make_screenshots cycles through them)."""
    return sorted(THEMES)[int(path.stem[4:]) % len(THEMES)]


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the machine may be shared)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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


def tesseract(path: Path, rows: tuple[int, int], folder: Path) -> str:
    """Tesseract's text for the chat area of the screenshot, time stamps removed."""
    from PIL import Image

    crop = folder / f"{path.stem}-chat.png"
    with Image.open(path) as image:
        image.crop((0, rows[0], image.width, rows[1])).save(crop)
    out = subprocess.run(
        ["tesseract", str(crop), "stdout", "-l", "eng"], capture_output=True, text=True, check=True
    ).stdout
    return TIME.sub(" ", out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=8, help="screenshots to generate (default 8)")
    parser.add_argument("--full", action="store_true", help="the issue's size: 40 screenshots")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--font",
        choices=["dejavu", "liberation"],
        default="dejavu",
        help="message font (liberation: Arial-like)",
    )
    args = parser.parse_args()
    count = 40 if args.full else args.count
    if not shutil.which("tesseract"):
        sys.exit("tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shots = make_screenshots(count, folder, args.seed, args.font)
        started = time.perf_counter()
        ocr_engine()
        load = time.perf_counter() - started

        results: dict[str, dict[str, float]] = {}
        by_style: dict[str, dict[str, list[int]]] = {}
        for name in ("sxr", "tesseract"):
            errors = chars = 0
            found = wanted = 0
            seconds = cpu = 0.0
            for path, reference, rows in shots:
                started = time.perf_counter()
                cpu_started = _cpu()
                if name == "sxr":
                    text = "\n".join(m.text for m in read_screenshots([path]).messages)
                else:
                    text = tesseract(path, rows, folder)
                seconds += time.perf_counter() - started
                cpu += _cpu() - cpu_started
                wrong = distance(normal(text), normal(reference))
                errors += wrong
                chars += len(normal(reference))
                style = by_style.setdefault(_style_of(path, len(shots)), {})
                got = style.setdefault(name, [0, 0])
                got[0] += wrong
                got[1] += len(normal(reference))
                expected = IDENTIFIERS.findall(reference)
                wanted += len(expected)
                found += sum(1 for item in expected if item in text)
            results[name] = {
                "seconds": seconds / len(shots),
                "cpu": cpu / len(shots),
                "cer": errors / max(chars, 1),
                "identifiers": found / max(wanted, 1),
            }

    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[
        0
    ]
    print(f"{count} generated phone screenshots, {os.cpu_count()} CPUs; sxr model load {load:.2f} s (once)")
    print(f"anchor: {version} (chat area only, time stamps removed); message font: {args.font}")
    print(f"{'reader':<10} {'s/screenshot':>12} {'CPU s/shot':>10} {'CER':>8} {'identifiers exact':>18}")
    for name, row in results.items():
        print(
            f"{name:<10} {row['seconds']:>12.2f} {row['cpu']:>10.2f} {row['cer']:>8.2%} "
            f"{row['identifiers']:>18.0%}"
        )
    looks = []
    for style, counts in sorted(by_style.items()):
        mine, theirs = (counts[name][0] / max(counts[name][1], 1) for name in ("sxr", "tesseract"))
        looks.append(f"{style} {mine:.1%} vs {theirs:.1%}")
    print("CER by look (sxr vs tesseract):", ", ".join(looks))
    sxr, anchor = results["sxr"], results["tesseract"]
    print(
        f"ratio sxr/tesseract: time {sxr['seconds'] / anchor['seconds']:.2f}x, "
        f"CER {sxr['cer'] / max(anchor['cer'], 1e-9):.2f}x"
    )
    load_1, _, _ = os.getloadavg()
    if load_1 > (os.cpu_count() or 1):
        print(
            f"note: load average {load_1:.1f} on {os.cpu_count()} CPUs: other processes inflate the wall "
            "times; CPU s/shot (sxr runs 2 threads) is the steadier measure"
        )
    goals = sxr["cer"] < anchor["cer"] and sxr["seconds"] <= 2.0
    print(f"goals (CER below Tesseract's, <= 2 s per screenshot): {'met' if goals else 'NOT met'}")


if __name__ == "__main__":
    main()
