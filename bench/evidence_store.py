"""Benchmark: adding files to the evidence locker vs. the floor for "hash and store".

The anchor is what an operator would otherwise do: `sha256sum` over the files, then `cp` them to
another folder and `sync` (measured in the same run, on the same files). sxr checks each file's type
from its bytes, encrypts it (AES-256-GCM), writes it atomically with fsync, reads it back, and commits
an item row plus a hash-chained ledger entry.

    python bench/evidence_store.py            # 200 files of mixed size (a minute or two)
    python bench/evidence_store.py --full     # the issue's 1,000 files
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

WORDS = ("hey send a pic now or I share it with your friends pay £200 gift card bitcoin please stop").split()  # noqa: SIM905


def make_files(folder: Path, count: int, seed: int) -> list[Path]:
    """Mixed evidence: many small chat exports and screenshots, some medium, a few large."""
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.6:
            size = rng.randrange(1_000, 64_000)
        elif roll < 0.9:
            size = rng.randrange(64_000, 1_000_000)
        else:
            size = rng.randrange(1_000_000, 6_000_000)
        kind = rng.choice(["txt", "png", "pdf"])
        path = folder / f"{index:05d}.{kind}"
        if kind == "txt":
            lines = []
            total = 0
            while total < size:
                line = f"12/03/2025, 21:{index % 60:02d} - Alex: {' '.join(rng.choices(WORDS, k=8))}\n"
                lines.append(line)
                total += len(line)
            path.write_text("".join(lines), encoding="utf-8")
        elif kind == "png":
            side = max(8, int((size / 3) ** 0.5))
            Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(path, compress_level=1)
        else:
            path.write_bytes(b"%PDF-1.4\n" + rng.randbytes(size) + b"\n%%EOF\n")
        paths.append(path)
    return paths


def time_anchor(paths: list[Path], dest: Path) -> float:
    """`sha256sum` all files, then `cp` them into `dest` and `sync`."""
    dest.mkdir()
    start = time.perf_counter()
    for batch_start in range(0, len(paths), 200):
        batch = [str(p) for p in paths[batch_start : batch_start + 200]]
        subprocess.run(["sha256sum", *batch], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cp", *batch, str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    return time.perf_counter() - start


def time_durable_copy(paths: list[Path], dest: Path) -> float:
    """For context: SHA-256 and copy each file with an fsync of the file and its folder, as sxr does."""
    dest.mkdir()
    start = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        target = dest / path.name
        with open(target, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        folder = os.open(dest, os.O_RDONLY)
        os.fsync(folder)
        os.close(folder)
    return time.perf_counter() - start


def time_sxr(paths: list[Path], data_dir: Path) -> float:
    """Add every file to one case through `add_evidence` (SQLite in a fresh data dir)."""
    os.environ["SXR_DATA_DIR"] = str(data_dir)
    os.environ.pop("SXR_DATABASE_URL", None)
    from sxr.cases.services import create_case
    from sxr.config import get_settings
    from sxr.db import session_factory
    from sxr.evidence.services import add_evidence, verify
    from sxr.migrations import upgrade

    get_settings.cache_clear()
    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    with session_factory(settings.resolved_database_url)() as session:
        case, _pin = create_case(session)
        session.commit()
        start = time.perf_counter()
        for path in paths:
            add_evidence(session, settings, case, path, received_by="cli", derivers=())
        elapsed = time.perf_counter() - start
        result = verify(session, settings, case, record=False)
        if not result.intact:
            raise SystemExit(f"verify failed after the benchmark: {result.problems[:3]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=200, help="how many files (default 200)")
    parser.add_argument("--full", action="store_true", help="the issue's size: 1,000 files")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    count = 1000 if args.full else args.files

    work = Path(tempfile.mkdtemp(prefix="sxr-bench-evidence-"))
    try:
        (work / "in").mkdir()
        paths = make_files(work / "in", count, args.seed)
        total = sum(p.stat().st_size for p in paths)
        megabytes = total / 1e6
        # Warm the page cache the same way for both sides.
        for path in paths:
            path.read_bytes()
        anchor = time_anchor(paths, work / "copy")
        durable = time_durable_copy(paths, work / "durable")
        ours = time_sxr(paths, work / "data")
        print(f"{count} files, {megabytes:.1f} MB (mixed: chat .txt, .png screenshots, .pdf)")
        print(f"{'':38}{'seconds':>10}{'MB/s':>10}{'ms/file':>10}")
        rows = (
            ("anchor: sha256sum + cp + sync", anchor),
            ("(context) sha256 + copy + fsync each", durable),
            ("sxr add_evidence", ours),
        )
        for name, seconds in rows:
            print(f"{name:38}{seconds:10.2f}{megabytes / seconds:10.1f}{1000 * seconds / count:10.1f}")
        print(
            f"ratio (sxr MB/s / anchor MB/s): {anchor / ours:.2f}  (sxr takes {ours / anchor:.1f}x as long)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
