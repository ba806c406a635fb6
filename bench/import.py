"""Import speed and memory: sxr's importers against chat-miner on the same generated exports, same run.

usage: python bench/import.py [--mb 20] [--full] [--only whatsapp|messenger] [--keep DIR] [--repeat 3]

Generates a WhatsApp Android export (en-US, 12-hour clock with U+202F, month first, every day <= 12 so the
date order cannot be inferred) and a Messenger download (message_N.json files of 10,000 messages each,
mojibake included). Each tool runs in its own process; the table shows messages/s, peak RSS and how many
dates each got right. `seconds` counts from the worker's start, so each tool's imports are in it (a user
pays them) and stops when the tool has read the export (checking the dates is the benchmark's work, not
the tool's, and is left out for every tool); `parse s` leaves the imports out and `CPU s` is the CPU time
of the worker and of any helper process it started (steadier when the machine is busy); each is the best
of --repeat runs. Peak RSS adds the helper's peak to the worker's. sxr runs as `import_path` (the whole
Conversation in memory; for a Messenger download of several files a helper process reads the files
ahead on a second core), as `sxr-1proc` (the same with the helper switched off: one process) and as
`stream_path` (one message at a time: memory must not grow with the export; it keeps a running hash of
the dates, inside its clock, checked against the true dates' afterwards). The issue's size is --full.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NNBSP = "\u202f"
WA_PER_DAY = 300
META_PER_FILE = 10_000
WORDS = [
    "hey",
    "how",
    "are",
    "you",
    "doing",
    "today",
    "did",
    "you",
    "see",
    "the",
    "game",
    "last",
    "night",
    "send",
    "me",
    "the",
    "notes",
    "for",
    "class",
    "what",
    "time",
    "is",
    "practice",
    "lol",
    "ok",
    "see",
    "you",
    "there",
    "😂",
    "thanks",
    "so",
    "much",
    "that's",
    "great",
    "news",
]


def wa_truth(k: int) -> datetime:
    """The wall-clock time of WhatsApp message k: days 1-12 only, so the file cannot say DMY or MDY."""
    day_index, within = divmod(k, WA_PER_DAY)
    month_index, day = divmod(day_index, 12)
    year, month = divmod(month_index, 12)
    start = datetime(2000 + year % 90, month + 1, day + 1, 8, 0)
    return start + timedelta(seconds=within * 180)


def _text(k: int) -> str:
    n = 4 + k % 9
    return " ".join(WORDS[(k * 7 + i) % len(WORDS)] for i in range(n))


def generate_whatsapp(path: Path, target_bytes: int) -> int:
    """Write an Android en-US export of about target_bytes; return its message count."""
    count = 0
    size = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(
            f"1/1/00, 7:59{NNBSP}AM - Messages and calls are end-to-end encrypted. No one outside of this "
            "chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
        )
        while size < target_bytes:
            when = wa_truth(count)
            hour = when.hour % 12 or 12
            stamp = f"{when.month}/{when.day}/{when.year % 100:02d}, {hour}:{when.minute:02d}{NNBSP}"
            stamp += "AM" if when.hour < 12 else "PM"
            sender = "Ava" if count % 2 else "Maya"
            body = _text(count)
            if count % 50 == 7:
                body += "\nand another line"
            line = f"{stamp} - {sender}: {body}\n"
            out.write(line)
            size += len(line.encode())
            count += 1
    return count


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def meta_truth_ms(k: int) -> int:
    return 1_600_000_000_000 + k * 61_000


def generate_messenger(folder: Path, target_bytes: int) -> int:
    """Write a Messenger thread split the way Meta splits it (message_1.json newest); return the count."""
    thread = folder / "your_facebook_activity" / "messages" / "inbox" / "ashleymonroe_10161339425506781"
    thread.mkdir(parents=True)
    per_message = 190
    total = max(META_PER_FILE, target_bytes // per_message)
    files = (total + META_PER_FILE - 1) // META_PER_FILE
    for number in range(1, files + 1):
        # message_1 holds the newest block; each file lists newest first.
        high = total - (number - 1) * META_PER_FILE
        low = max(0, high - META_PER_FILE)
        messages = []
        for k in range(high - 1, low - 1, -1):
            messages.append(
                {
                    "sender_name": "Ashley Monroe" if k % 2 else "Brandon Kowalski",
                    "timestamp_ms": meta_truth_ms(k),
                    "content": _mojibake(_text(k)),
                    "is_geoblocked_for_viewer": False,
                }
            )
        doc = {
            "participants": [{"name": "Ashley Monroe"}, {"name": "Brandon Kowalski"}],
            "messages": messages,
            "title": "Ashley Monroe",
            "is_still_participant": True,
            "thread_path": "inbox/ashleymonroe_10161339425506781",
            "magic_words": [],
        }
        (thread / f"message_{number}.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return total


# --- workers (each in its own process, so peak RSS is its own) --------------------------------------


def _peak_rss_mb() -> float:
    """The worker's peak RSS plus its helper process's (sxr's parse-ahead helper), an upper bound of both."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def _cpu_seconds() -> float:
    """CPU seconds of the worker and of any helper process it started (and waited for)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def worker(kind: str, tool: str, path: Path) -> dict[str, object]:
    """Import one export; the clock stops when the tool is done, before the dates are checked."""
    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    check: Callable[[], int]
    if tool == "chatminer":
        import logging

        os.environ["TQDM_DISABLE"] = "1"
        logging.disable(logging.CRITICAL)
        from chatminer.chatparsers import FacebookMessengerParser, WhatsAppParser

        imported = time.perf_counter()
        if kind == "whatsapp":
            parser = WhatsAppParser(str(path))
            parser.parse_file()
            parsed = list(reversed(parser.parsed_messages._parsed_messages))
            count = len(parsed)

            def check() -> int:
                return sum(1 for k, m in enumerate(parsed) if m.timestamp.replace(tzinfo=None) == wa_truth(k))

        else:
            # chat-miner reads one message_N.json at a time and does not merge or order them.
            files = sorted(path.rglob("message_*.json"), key=lambda p: -int(p.stem.split("_")[1]))
            found: list[Any] = []
            for file in files:
                parser = FacebookMessengerParser(str(file))
                parser.parse_file()
                found.extend(parser.parsed_messages._parsed_messages)
            count = len(found)

            def check() -> int:
                times = sorted(int(m.timestamp.replace(tzinfo=UTC).timestamp() * 1000) for m in found)
                # chat-miner keeps each file's newest-first order; compare the dates as a set, not in order.
                return sum(1 for k, ms in enumerate(times) if abs(ms - meta_truth_ms(k)) < 1000)

    else:
        from sxr.conversations.importers import import_path, stream_path
        from sxr.conversations.model import Message

        imported = time.perf_counter()
        order = "MDY" if kind == "whatsapp" else None
        if tool == "sxr-1proc":
            os.environ["SXR_IMPORT_HELPER"] = "false"  # before sxr reads its settings
        if tool == "sxr-stream":
            # Holding every date to check later would make the worker's memory grow with the export
            # (what this row measures): inside the clock each date goes into a running hash, and the
            # check compares it with the same hash of the true dates (an untimed second pass counts the
            # right ones where they differ).
            count = digest = 0
            with stream_path(path, date_order=order, tz="UTC") as (_run, items):
                for item in items:
                    if item.__class__ is Message:
                        digest = (digest * 1_000_003 + hash(item.sent_at)) & _MASK
                        count += 1

            def check() -> int:
                if digest == _true_digest(kind, count):
                    return count
                right = k = 0
                with stream_path(path, date_order=order, tz="UTC") as (_run, items):
                    for item in items:
                        if item.__class__ is Message:
                            right += _sxr_correct(kind, k, item.sent_at)
                            k += 1
                return right

        else:
            conversation = import_path(path, date_order=order, tz="UTC")
            count = len(conversation.messages)

            def check() -> int:
                return sum(_sxr_correct(kind, m.i, m.sent_at) for m in conversation.messages)

    ended = time.perf_counter()
    cpu_ended = _cpu_seconds()
    return {
        "tool": tool,
        "messages": count,
        "seconds": ended - started,
        "parse_seconds": ended - imported,
        "cpu_seconds": cpu_ended - cpu_started,
        "peak_rss_mb": _peak_rss_mb(),
        "correct": check(),
    }


_MASK = 2**64 - 1


def _true_digest(kind: str, count: int) -> int:
    """The stream worker's running hash, of the true dates of the first `count` messages."""
    digest = 0
    for k in range(count):
        if kind == "whatsapp":
            truth = wa_truth(k).replace(tzinfo=UTC)
        else:
            truth = datetime.fromtimestamp(meta_truth_ms(k) / 1000, UTC)
        digest = (digest * 1_000_003 + hash(truth)) & _MASK
    return digest


def _sxr_correct(kind: str, k: int, when: datetime | None) -> int:
    if when is None:
        return 0
    if kind == "whatsapp":
        return int(when.replace(tzinfo=None) == wa_truth(k))
    return int(abs(when.timestamp() * 1000 - meta_truth_ms(k)) < 1000)


def _run_worker(kind: str, tool: str, path: Path) -> dict[str, object]:
    env = dict(os.environ, TQDM_DISABLE="1")
    env.pop("SXR_IMPORT_HELPER", None)
    result = subprocess.run(
        [sys.executable, __file__, "--worker", kind, tool, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        return {"tool": tool, "error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def _best_of(kind: str, tools: list[str], path: Path, repeat: int) -> dict[str, dict[str, object]]:
    """Each tool's fastest of `repeat` runs (each in a fresh process), the tools taking turns, so a
    machine that is busy for a while slows every tool alike; a busy machine only ever slows a run down."""
    runs: dict[str, list[dict[str, object]]] = {tool: [] for tool in tools}
    for _ in range(max(1, repeat)):
        for tool in tools:
            runs[tool].append(_run_worker(kind, tool, path))
    return {tool: _fastest(found) for tool, found in runs.items()}


def _fastest(runs: list[dict[str, object]]) -> dict[str, object]:
    good = [run for run in runs if "error" not in run]
    if not good:
        return runs[0]
    best = dict(good[0])
    for key in ("seconds", "parse_seconds", "cpu_seconds"):
        best[key] = min(float(run[key]) for run in good)  # type: ignore[arg-type]
    best["peak_rss_mb"] = max(float(run["peak_rss_mb"]) for run in good)  # type: ignore[arg-type]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=20, help="size of each generated export in MB (default 20)")
    parser.add_argument("--full", action="store_true", help="the issue's size: 120 MB exports")
    parser.add_argument("--keep", type=Path, help="write the exports here and keep them")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per tool; the table shows the fastest (default 3)"
    )
    parser.add_argument(
        "--only", choices=("whatsapp", "messenger"), help="run one export's benchmark (both are generated)"
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, tool, path = args.worker
        print(json.dumps(worker(kind, tool, Path(path))))
        return
    megabytes = 120 if args.full else args.mb
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        wa = root / "WhatsApp Chat with Maya.txt"
        wa_count = generate_whatsapp(wa, megabytes * 1024 * 1024)
        meta = root / "facebook-download"
        if meta.exists():
            raise SystemExit(f"{meta} exists; choose an empty --keep folder")
        meta_count = generate_messenger(meta, megabytes * 1024 * 1024)
        meta_bytes = sum(p.stat().st_size for p in meta.rglob("*.json"))
        print(
            f"WhatsApp export: {wa.stat().st_size / 2**20:.0f} MB, {wa_count} messages (every day <= 12, US)"
        )
        print(
            f"Messenger download: {meta_bytes / 2**20:.0f} MB in {len(list(meta.rglob('*.json')))} files, "
            f"{meta_count} messages"
        )
        print()
        header = f"{'export':<10} {'tool':<12} {'messages':>9} {'seconds':>8} {'msg/s':>10} "
        header += f"{'parse s':>8} {'CPU s':>7} {'peak RSS MB':>12} {'dates right':>12}"
        print(f"cores: {os.cpu_count()}")
        print(header)
        print("-" * len(header))
        for kind, path, expected in (("whatsapp", wa, wa_count), ("messenger", meta, meta_count)):
            if args.only and kind != args.only:
                continue
            tools = ["chatminer", "sxr", "sxr-stream"]
            if kind == "messenger":
                tools.insert(2, "sxr-1proc")  # the helper switched off: one process, one core
            rows = _best_of(kind, tools, path, args.repeat)
            for tool, row in rows.items():
                if "error" in row:
                    print(f"{kind:<10} {tool:<12} error: {row['error']}")
                    continue
                rate = float(row["messages"]) / float(row["seconds"])  # type: ignore[arg-type]
                right = f"{row['correct']}/{expected}"
                print(
                    f"{kind:<10} {tool:<12} {row['messages']:>9} {float(row['seconds']):>8.2f} {rate:>10.0f} "  # type: ignore[arg-type]
                    f"{float(row['parse_seconds']):>8.2f} {float(row['cpu_seconds']):>7.2f} "  # type: ignore[arg-type]
                    f"{float(row['peak_rss_mb']):>12.0f} {right:>12}"  # type: ignore[arg-type]
                )
            theirs = rows["chatminer"]
            for tool in ("sxr", "sxr-1proc"):
                ours = rows.get(tool)
                if ours is None or "error" in ours or "error" in theirs:
                    continue
                for label, key in (
                    ("messages/s", "seconds"),
                    ("messages/s, parsing only (imports left out)", "parse_seconds"),
                    ("messages per CPU second", "cpu_seconds"),
                ):
                    ratio = (float(ours["messages"]) / float(ours[key])) / (  # type: ignore[arg-type]
                        float(theirs["messages"]) / float(theirs[key])  # type: ignore[arg-type]
                    )
                    print(f"{kind:<10} ratio {tool}/chat-miner {label}: {ratio:.1f}x")
            print()


if __name__ == "__main__":
    main()
