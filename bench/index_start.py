"""How fast a process's watchlist index is ready, and how fast a change reaches another process.

    .venv/bin/python bench/index_start.py              # 10M-entry snapshot, 200k from the database
    .venv/bin/python bench/index_start.py --quick      # 1M snapshot, 50k from the database, SQLite only
    .venv/bin/python bench/index_start.py --skip-snapshot --skip-database   # propagation only

1. Ready from the database (the anchor: what a process without a snapshot does, and what every process
   did before the snapshot existed): `--db-n` PDQ entries are inserted into a fresh SQLite database and a
   new process times `live_index()` (read every entry, build the index, catch up). 10M entries take too
   long to insert here, so the 10M figure is extrapolated linearly from this one, and says so.
2. Ready from a snapshot: an index of `--n` PDQ hashes is built straight from arrays (no database rows:
   inserting 10M would take most of an hour), written as a snapshot whose change number is that of a
   small database, and a new process times `live_index()`: map the files, check each against its size
   and CRC-32 (which reads them once), catch up from the change sequence. Then the first 1,000 look-ups.
   The files were just written, so they are in the page cache: a cold disk adds its read time.
3. Propagation: this process banks a PDQ hash and commits; another process (tests/watchlist/
   index_watcher.py) looking it up every 10 ms reports when it matches; then the entry is withdrawn and
   it reports when its index no longer holds it. On SQLite and, when it is reachable, PostgreSQL.

Goals (issue 16): ready in <= 10 s at 10M entries; a change matchable in every process within 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sxr.media.index import codes_to_hex  # noqa: E402

WATCHER = ROOT / "tests" / "watchlist" / "index_watcher.py"
POSTGRES_ADMIN = os.environ.get(
    "SXR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

# Run in a fresh process: time to a ready index, then 1,000 look-ups of hashes that match nothing.
READY_PROBE = """
import json, sys, time
started = time.perf_counter()
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.watchlist.services import live_index, lookup
imported = time.perf_counter()
url = get_settings().resolved_database_url
with session_scope(url) as session:
    index = live_index(session)
    ready = time.perf_counter()
    queries = [{"type": "pdq", "value": v} for v in json.loads(sys.argv[1])]
    t = time.perf_counter()
    found = lookup(session, queries)
    first = time.perf_counter() - t
    t = time.perf_counter()
    lookup(session, queries)
    second = time.perf_counter() - t
print(json.dumps({"import_s": imported - started, "ready_s": ready - imported, "source": index.source,
                  "loaded": index.loaded(), "seq": index.seq, "first_1000_s": first, "again_1000_s": second,
                  "matched": sum(1 for f in found if f)}))
"""


def make_corpus(n: int, seed: int) -> np.ndarray:
    """Families of near-duplicate PDQ hashes around random bases (as bench/matching.py makes them)."""
    rng = np.random.default_rng(seed)
    n_bases = max(n // 5, 1)
    bases = rng.integers(0, 2**64, size=(n_bases, 4), dtype=np.uint64)
    corpus = np.empty((n, 4), dtype=np.uint64)
    for lo in range(0, n, 1_000_000):
        hi = min(lo + 1_000_000, n)
        noise = rng.integers(0, 2**64, size=(hi - lo, 4), dtype=np.uint64)
        for _ in range(3):  # bits set with probability 1/16
            noise &= rng.integers(0, 2**64, size=(hi - lo, 4), dtype=np.uint64)
        corpus[lo:hi] = bases[rng.integers(0, n_bases, hi - lo)] ^ noise
    return corpus


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def deployment(folder: Path, url: str | None = None) -> dict[str, str]:
    url = url or f"sqlite:///{folder / 'sxr.sqlite3'}"
    return dict(os.environ, SXR_DATA_DIR=str(folder), SXR_DATABASE_URL=url, SXR_ENVIRONMENT="test")


def fresh_sqlite(prefix: str) -> tuple[Path, str]:
    from sxr.migrations import upgrade

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o700)
    url = f"sqlite:///{folder / 'sxr.sqlite3'}"
    upgrade(url)
    return folder, url


def insert_entries(url: str, hexes: list[str]) -> None:
    from sxr.db import get_engine
    from sxr.watchlist.models import WatchlistEntry, new_public_id

    engine = get_engine(url)
    for lo in range(0, len(hexes), 50_000):
        with engine.begin() as conn:
            conn.execute(
                WatchlistEntry.__table__.insert(),
                [
                    {
                        "public_id": new_public_id("wl"),
                        "type": "pdq",
                        "value": h,
                        "quality": 90,
                        "added_by": "bench",
                    }
                    for h in hexes[lo : lo + 50_000]
                ],
            )


def probe_ready(env: dict[str, str], queries: list[str]) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", READY_PROBE, json.dumps(queries)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"the probe process failed:\n{run.stderr}")
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def bench_database(n: int, queries: list[str]) -> dict[str, Any]:
    folder, url = fresh_sqlite("sxr-bench-db-")
    try:
        t = time.perf_counter()
        insert_entries(url, codes_to_hex(make_corpus(n, seed=21)))
        inserted = time.perf_counter() - t
        result = probe_ready(deployment(folder), queries)
        result["n"] = n
        result["insert_s"] = inserted
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_snapshot(n: int, queries: list[str]) -> dict[str, Any]:
    from sxr.config import read_settings
    from sxr.db import get_engine
    from sxr.watchlist.live import LiveIndex
    from sxr.watchlist.snapshot import _capture, sequence_token, write_snapshot

    folder, url = fresh_sqlite("sxr-bench-snap-")
    try:
        insert_entries(url, codes_to_hex(make_corpus(10, seed=22)))  # a few real changes to catch up past
        t = time.perf_counter()
        corpus = make_corpus(n, seed=23)
        made = time.perf_counter() - t
        os.environ.update(deployment(folder))
        settings = read_settings()
        index = LiveIndex(settings.match_radius)
        from sxr.media.signal_types import SIGNAL_TYPES

        pdq = index.value_index(SIGNAL_TYPES["pdq"])
        t = time.perf_counter()
        pdq.codes.add(corpus, np.arange(10_000_000_000, 10_000_000_000 + n))  # type: ignore[attr-defined]
        built = time.perf_counter() - t
        del corpus
        with get_engine(url).connect() as conn:
            token = sequence_token(conn, create=True)
        assert token is not None
        index.seq = 5  # the snapshot holds the first 5 changes; the process catches up the other 5
        t = time.perf_counter()
        seq, types = _capture(index)
        written = write_snapshot(settings, token, seq, types)
        write_s = time.perf_counter() - t
        size = sum(p.stat().st_size for p in Path(str(written)).iterdir())
        del index, pdq, types
        result = probe_ready(deployment(folder), queries)
        result.update(n=n, corpus_s=made, build_s=built, write_s=write_s, snapshot_bytes=size)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _watch(env: dict[str, str], url: str, rounds: int) -> dict[str, list[float]]:
    from sxr.cases.services import create_case
    from sxr.db import dispose_engines, session_scope
    from sxr.watchlist.services import bank_hashes, reset_live_indexes, withdraw_entry

    hashes = codes_to_hex(make_corpus(rounds, seed=int(time.time()) % 1000 + 31))
    watcher = subprocess.Popen(
        [sys.executable, str(WATCHER), "600", *hashes],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert watcher.stdout is not None and watcher.stdin is not None

    def until(value: str, indexed: bool) -> float:
        while True:
            line = watcher.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise SystemExit("the watching process ended early")
            doc = json.loads(line)
            if doc.get("hash") == value and doc["indexed"] == indexed and doc["matched"] == indexed:
                return float(doc["at"])

    added: list[float] = []
    withdrawn: list[float] = []
    try:
        json.loads(watcher.stdout.readline())  # ready
        with session_scope(url) as session:
            case, _pin = create_case(session)
            case_id = case.id
        for value in hashes:
            with session_scope(url) as session:
                (entry,) = bank_hashes(
                    session, case_id, [{"type": "pdq", "value": value, "quality": 90}], "bench"
                )
                public_id = entry.public_id
            at = time.time()
            added.append(until(value, True) - at)
            with session_scope(url) as session:
                withdraw_entry(session, public_id)
            at = time.time()
            withdrawn.append(until(value, False) - at)
            time.sleep(0.3)  # land at a random point of the other process's poll
        watcher.stdin.close()
        watcher.wait(timeout=60)
    finally:
        watcher.kill()
        reset_live_indexes()
        dispose_engines()
    return {"added": added, "withdrawn": withdrawn}


def bench_propagation(rounds: int, postgres: bool) -> dict[str, dict[str, list[float]]]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from sxr.migrations import upgrade

    out = {}
    folder, url = fresh_sqlite("sxr-bench-prop-")
    try:
        os.environ.update(deployment(folder))
        out["sqlite"] = _watch(deployment(folder), url, rounds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not postgres:
        return out
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"sxr_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        print(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}: propagation measured on SQLite only")
        return out
    pg_url = make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="sxr-bench-pg-"))
    try:
        upgrade(pg_url)
        os.environ.update(deployment(folder, pg_url))
        out["postgresql"] = _watch(deployment(folder, pg_url), pg_url, rounds)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def report_ready(db: dict[str, Any] | None, snap: dict[str, Any] | None, target: int) -> None:
    if db is not None:
        per = db["ready_s"] / db["n"]
        print(
            f"from the database: {db['n']:,} entries ready in {db['ready_s']:.2f} s ({db['source']}; "
            f"{per * 1e5:.2f} s per 100k; the process imported sxr in {db['import_s']:.2f} s first); "
            f"extrapolated to {target:,}: {per * target:.0f} s"
        )
        print(f"  first 1,000 look-ups {db['first_1000_s']:.3f} s, again {db['again_1000_s']:.3f} s")
    if snap is not None:
        print(
            f"from a snapshot: {snap['n']:,} entries ({snap['snapshot_bytes'] / 2**30:.2f} GiB on disk, "
            f"written in {snap['write_s']:.1f} s) ready in {snap['ready_s']:.2f} s ({snap['source']}, "
            f"{snap['loaded']['pdq']:,} PDQ held, caught up to change {snap['seq']}); goal <= 10 s"
        )
        print(f"  first 1,000 look-ups {snap['first_1000_s']:.3f} s, again {snap['again_1000_s']:.3f} s")
    if db is not None and snap is not None:
        projected = db["ready_s"] / db["n"] * snap["n"]
        print(
            f"ratio at {snap['n']:,}: the database (extrapolated, {projected:.0f} s) / the snapshot "
            f"(measured, {snap['ready_s']:.2f} s) = {projected / snap['ready_s']:.0f}x"
        )


def report_propagation(found: dict[str, dict[str, list[float]]]) -> None:
    for engine, times in found.items():
        for what, values in times.items():
            ms = sorted(v * 1000 for v in values)
            print(
                f"propagation on {engine}, {what}: median {statistics.median(ms):.0f} ms, "
                f"max {ms[-1]:.0f} ms over {len(ms)} (goal: within 1,000 ms)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000_000, help="entries in the snapshot (default 10M)")
    parser.add_argument(
        "--db-n", type=int, default=200_000, help="entries read from the database (default 200k)"
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="banks and withdrawals timed between processes"
    )
    parser.add_argument(
        "--quick", action="store_true", help="1M snapshot, 50k database, 5 rounds, SQLite only"
    )
    parser.add_argument("--skip-snapshot", action="store_true")
    parser.add_argument("--skip-database", action="store_true")
    parser.add_argument("--skip-propagation", action="store_true")
    parser.add_argument("--no-postgres", action="store_true", help="propagation on SQLite only")
    args = parser.parse_args()
    if args.quick:
        args.n, args.db_n, args.rounds, args.no_postgres = 1_000_000, 50_000, 5, True
    print(f"bench/index_start.py on {os.cpu_count()} cores; {load_average()} at the start")
    queries = codes_to_hex(make_corpus(1_000, seed=99))
    db = None if args.skip_database else bench_database(args.db_n, queries)
    if db is not None:
        print(f"  ({load_average()} after the database run)")
    snap = None if args.skip_snapshot else bench_snapshot(args.n, queries)
    if snap is not None:
        print(f"  ({load_average()} after the snapshot run)")
    report_ready(db, snap, args.n)
    if not args.skip_propagation:
        found = bench_propagation(args.rounds, not args.no_postgres)
        report_propagation(found)
        print(f"  ({load_average()} after the propagation runs)")


if __name__ == "__main__":
    main()
