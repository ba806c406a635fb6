"""Benchmark: `sxr backup create | verify | restore` vs. a plain `sqlite3 .backup` + `tar` of the data dir.

A data dir is filled with cases, each with chat exports as evidence (real `add_evidence`: encrypted
blobs, rows, hash-chained ledger entries). The anchor is what an operator would otherwise do, measured
in the same run on the same data dir: `sqlite3 sxr.sqlite3 ".backup FILE"` and `tar -cf` of the blob
folder, and for restore `tar -xf` and a copy of the database file. sxr does more than the anchor: it
hashes every file into a manifest while copying, fsyncs, and `verify` decrypts every blob and walks every
ledger (the anchor has no equivalent; its time is printed for scale).

    python bench/backup.py            # 200 cases, 1,000 evidence items (a minute or two)
    python bench/backup.py --full     # 1,000 cases, 5,000 evidence items
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

WORDS = "hey send a pic now or I share it with your friends pay £200 gift card bitcoin please stop".split()  # noqa: SIM905


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fill(data_dir: Path, cases: int, items: int, seed: int) -> None:
    """`cases` cases with `items` chat exports between them (a few KB to 200 KB each)."""
    from sxr.cases.services import NewCaseAnswers, create_case
    from sxr.config import get_settings
    from sxr.db import session_scope
    from sxr.evidence.services import add_evidence
    from sxr.migrations import upgrade

    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    rng = random.Random(seed)
    scratch = data_dir.parent / "in"
    scratch.mkdir()
    per_case = [items // cases + (1 if c < items % cases else 0) for c in range(cases)]
    with session_scope(settings.resolved_database_url) as session:
        for c, count in enumerate(per_case):
            case, _pin = create_case(
                session, NewCaseAnswers(what_happened=f"case {c}: he said pay"), settings
            )
            session.commit()
            for i in range(count):
                size = rng.choice([2_000, 8_000, 30_000, 200_000])
                lines, total = [], 0
                while total < size:
                    said = " ".join(rng.choices(WORDS, k=8))
                    line = f"12/03/2026, 21:{i % 60:02d} - +44 7700 900{c % 1000:03d}: {said}\n"
                    lines.append(line)
                    total += len(line)
                path = scratch / f"{c}-{i}.txt"
                path.write_text("".join(lines), encoding="utf-8")
                add_evidence(session, settings, case, path, received_by="victim")
                path.unlink()


def timed(what: list[str], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(what, check=True, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="1,000 cases and 5,000 evidence items")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    cases, items = (1000, 5000) if args.full else (args.cases, args.items)

    with tempfile.TemporaryDirectory(prefix="sxr-bench-backup-") as tmp:
        root = Path(tmp)
        data_dir = root / "data"
        os.environ["SXR_DATA_DIR"] = str(data_dir)
        os.environ.pop("SXR_DATABASE_URL", None)
        os.environ.pop("SXR_MASTER_KEY", None)
        start = time.perf_counter()
        fill(data_dir, cases, items, args.seed)
        print(
            f"filled a data dir: {cases} cases, {items} evidence items, "
            f"{folder_bytes(data_dir) / 1e6:.1f} MB in {time.perf_counter() - start:.0f} s"
        )

        from sxr.config import get_settings
        from sxr.db import dispose_engines
        from sxr.operations.backup import create_backup, restore_backup, verify_backup

        dispose_engines()
        settings = get_settings()

        # The anchor: sqlite3 .backup + tar of the blobs, then untar + copy to restore.
        anchor = root / "anchor"
        anchor.mkdir()
        anchor_db = timed(["sqlite3", str(data_dir / "sxr.sqlite3"), f".backup {anchor / 'sxr.sqlite3'}"])
        anchor_tar = timed(["tar", "-cf", str(anchor / "blobs.tar"), "-C", str(data_dir), "blobs"])
        subprocess.run(["sync"], check=True)
        anchor_create = anchor_db + anchor_tar
        anchor_size = folder_bytes(anchor)
        undo = root / "anchor-restored"
        undo.mkdir()
        start = time.perf_counter()
        subprocess.run(["tar", "-xf", str(anchor / "blobs.tar"), "-C", str(undo)], check=True)
        shutil.copyfile(anchor / "sxr.sqlite3", undo / "sxr.sqlite3")
        subprocess.run(["sync"], check=True)
        anchor_restore = time.perf_counter() - start

        backup = root / "backup"
        start = time.perf_counter()
        made = create_backup(settings, backup)
        sxr_create = time.perf_counter() - start
        start = time.perf_counter()
        check = verify_backup(settings, backup)
        sxr_verify = time.perf_counter() - start
        assert check.intact, check.problems[:5]

        restored = root / "restored"
        os.environ["SXR_DATA_DIR"] = str(restored)
        get_settings.cache_clear()
        dispose_engines()
        start = time.perf_counter()
        restore_backup(get_settings(), backup)
        sxr_restore = time.perf_counter() - start

        print(f"{'':34}{'seconds':>10}{'MB':>10}")
        print(f"{'anchor: sqlite3 .backup + tar':34}{anchor_create:10.2f}{anchor_size / 1e6:10.1f}")
        print(f"{'sxr backup create':34}{sxr_create:10.2f}{made.bytes / 1e6:10.1f}")
        print(f"{'sxr backup verify (decrypts all)':34}{sxr_verify:10.2f}")
        print(f"{'anchor restore: tar -xf + cp':34}{anchor_restore:10.2f}")
        print(f"{'sxr backup restore':34}{sxr_restore:10.2f}")
        print(
            f"ratio create  sxr / anchor: {sxr_create / anchor_create:.2f}x time, "
            f"{made.bytes / anchor_size:.2f}x size"
        )
        print(f"ratio restore sxr / anchor: {sxr_restore / anchor_restore:.2f}x time")
        print(f"ratio verify / anchor create: {sxr_verify / anchor_create:.2f}x (the anchor proves nothing)")


if __name__ == "__main__":
    main()
