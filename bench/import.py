"""Import speed and memory: sxr's importers against chat-miner on the same generated exports, same run.

usage: python bench/import.py [--mb 50] [--flat-mb 200] [--quick] [--full] [--only whatsapp|messenger]
                              [--keep DIR] [--repeat 3]

The issue's goal (16, item 7): `sxr import --json` (the `sxr-json` row: the real command in its own process,
its JSON written to a file, interpreter start and imports included) at least 3x chat-miner (its parse alone,
writing nothing) on a 50 MB WhatsApp export, peak RSS at most 200 MB whatever the size: `--flat-mb` runs it
once more on a bigger export and prints both peaks. The load average is printed beside the figures: the
machine may be shared.

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
the dates, inside its clock, checked against the true dates' afterwards). `sxr-json` is the command itself
(see above): its `seconds` run from starting the process to its end, and its dates are checked in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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


def _sxr_command() -> list[str]:
    """The installed `sxr` beside this Python (the venv's), else `python -m sxr`-style through the module."""
    sxr = Path(sys.executable).with_name("sxr")
    return [str(sxr)] if sxr.exists() else [sys.executable, "-c", "from sxr.cli import main; main()"]


def _run_sxr_json(kind: str, path: Path) -> dict[str, object]:
    """`sxr import FILE --json > file` in its own process: wall and CPU time, peak RSS, dates right."""
    command = [*_sxr_command(), "import", str(path), "--json", "--tz", "UTC"]
    if kind == "whatsapp":
        command += ["--date-order", "MDY"]  # as the other sxr rows are told (chat-miner infers it)
    out = path.with_name(path.name + ".sxr.json")
    errors = path.with_name(path.name + ".sxr.err")
    env = dict(os.environ)
    env.pop("SXR_IMPORT_HELPER", None)
    started = time.perf_counter()
    with out.open("wb") as sink, errors.open("wb") as said:
        process = subprocess.Popen(command, stdout=sink, stderr=said, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    try:
        if os.waitstatus_to_exitcode(status) != 0:
            return {"tool": "sxr-json", "error": (errors.read_text().strip().splitlines() or ["failed"])[-1]}
        count, right = _dates_in_json(kind, out)
        return {
            "tool": "sxr-json",
            "messages": count,
            "seconds": seconds,
            "parse_seconds": seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024,
            "json_mb": out.stat().st_size / 2**20,
            "correct": right,
        }
    finally:
        out.unlink(missing_ok=True)
        errors.unlink(missing_ok=True)


_MESSAGE_HEAD = re.compile(rb'\{"i": (\d+), "sender": "(?:[^"\\]|\\.)*", "sent_at": (?:"([^"]+)"|null)')


def _dates_in_json(kind: str, out: Path) -> tuple[int, int]:
    """How many messages the JSON holds and how many have their true date (read in chunks: it is big)."""
    count = right = 0
    held = b""
    with out.open("rb") as written:
        while chunk := written.read(8 * 2**20):
            text = held + chunk
            end = 0
            for match in _MESSAGE_HEAD.finditer(text):
                k = int(match[1])
                count += 1
                stamp = match[2]
                when = datetime.fromisoformat(stamp.decode()) if stamp else None
                right += _sxr_correct(kind, k, when)
                end = match.end()
            held = text[max(end, len(text) - 4096) :]
    return count, right


def _run_worker(kind: str, tool: str, path: Path) -> dict[str, object]:
    if tool == "sxr-json":
        return _run_sxr_json(kind, path)
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


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def _ratio(ours: dict[str, object], theirs: dict[str, object], key: str) -> float:
    return (float(ours["messages"]) / float(ours[key])) / (  # type: ignore[arg-type]
        float(theirs["messages"]) / float(theirs[key])  # type: ignore[arg-type]
    )


def _print_rows(kind: str, rows: dict[str, dict[str, object]], expected: int) -> None:
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


def _print_ratios(kind: str, rows: dict[str, dict[str, object]]) -> None:
    theirs = rows["chatminer"]
    if "error" in theirs:
        return
    ours = rows.get("sxr-json")
    if ours is not None and "error" not in ours:
        print(
            f"{kind:<10} GOAL sxr import --json (JSON written, start-up included) / chat-miner (parse only): "
            f"{_ratio(ours, theirs, 'seconds'):.1f}x wall, {_ratio(ours, theirs, 'cpu_seconds'):.1f}x CPU "
            f"(goal >= 3x); peak RSS {float(ours['peak_rss_mb']):.0f} MB (goal <= 200) against "  # type: ignore[arg-type]
            f"chat-miner's {float(theirs['peak_rss_mb']):.0f} MB; {float(ours['json_mb']):.0f} MB of JSON"  # type: ignore[arg-type]
        )
    for tool in ("sxr", "sxr-1proc"):
        ours = rows.get(tool)
        if ours is None or "error" in ours:
            continue
        for label, key in (
            ("messages/s", "seconds"),
            ("messages/s, parsing only (imports left out)", "parse_seconds"),
            ("messages per CPU second", "cpu_seconds"),
        ):
            print(f"{kind:<10} ratio {tool}/chat-miner {label}: {_ratio(ours, theirs, key):.1f}x")


def _flatness(root: Path, megabytes: int, at_size: dict[str, object] | None, size: int) -> None:
    """`sxr import --json` once more on a bigger WhatsApp export: its peak RSS beside the first one's."""
    big = root / f"WhatsApp Chat with Maya {megabytes} MB.txt"
    count = generate_whatsapp(big, megabytes * 2**20)
    print(f"{_load()}; memory at {megabytes} MB ({count} messages):")
    row = _run_sxr_json("whatsapp", big)
    big.unlink()
    if "error" in row:
        print(f"whatsapp   sxr-json     error: {row['error']}")
        return
    _print_rows("whatsapp", {"sxr-json": row}, count)
    if at_size is not None and "error" not in at_size:
        first, then = float(at_size["peak_rss_mb"]), float(row["peak_rss_mb"])  # type: ignore[arg-type]
        print(
            f"whatsapp   GOAL peak RSS of sxr import --json: {first:.0f} MB at {size} MB, "
            f"{then:.0f} MB at {megabytes} MB (goal <= 200 at any size)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=50, help="size of each generated export in MB (default 50)")
    parser.add_argument(
        "--flat-mb",
        type=int,
        default=200,
        help="then sxr import --json alone on a WhatsApp export this big (its memory) (default 200; 0: none)",
    )
    parser.add_argument("--full", action="store_true", help="120 MB exports")
    parser.add_argument(
        "--quick", action="store_true", help="a quick look: 5 MB, one run each, flat at 20 MB"
    )
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
    if args.quick:
        megabytes, args.repeat, args.flat_mb = 5, 1, 20
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
        print(header)
        print("-" * len(header))
        json_row: dict[str, object] | None = None
        for kind, path, expected in (("whatsapp", wa, wa_count), ("messenger", meta, meta_count)):
            if args.only and kind != args.only:
                continue
            print(_load())
            tools = ["chatminer", "sxr-json", "sxr", "sxr-stream"]
            if kind == "messenger":
                tools.insert(3, "sxr-1proc")  # the helper switched off: one process, one core
            rows = _best_of(kind, tools, path, args.repeat)
            _print_rows(kind, rows, expected)
            _print_ratios(kind, rows)
            if kind == "whatsapp":
                json_row = rows["sxr-json"]
            print()
        if args.flat_mb and args.only != "messenger":
            wa.unlink()
            _flatness(root, args.flat_mb, json_row, megabytes)
        print(_load())


if __name__ == "__main__":
    main()
