"""Watchlist matching: sxr's multi-index hashing against faiss IndexBinaryFlat and HMA's configuration,
faiss IndexBinaryMultiHash(256, 16, 16) with nflip=1, measured in the same run; then the platform API on a
real `sxr serve --workers 2` with 4 client processes, batches of 100 and 1,000, beside the in-process index
and look-up service on the same 100k entries.

    .venv/bin/python bench/matching.py            # 1M hashes (development)
    .venv/bin/python bench/matching.py --full     # 10M hashes, the issue's size
    .venv/bin/python bench/matching.py --api-only # only the platform API (issue 16's goal: >= 20,000
                                                  # hashes/s in batches of 100, p99 < 50 ms)
    .venv/bin/python bench/matching.py --api-only --postgres postgresql://postgres@127.0.0.1

The corpus clusters as real PDQ banks do: a few hundred shared "structures" (like common layouts), many
bases near them, and families of near-duplicate members around each base. Planted near-duplicates sit at
every distance 0..40 from corpus members; recall at <= 31 is checked against the exact brute force.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sxr.media.index import PDQIndex, codes_to_hex  # noqa: E402

RADIUS = 31
PLANTED_PER_DISTANCE = 25


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def sparse_bits(rng: np.random.Generator, n: int, ands: int) -> np.ndarray:
    """(n, 4) words whose bits are each set with probability 2**-ands."""
    out = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    for _ in range(ands - 1):
        out &= rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    return out


def make_corpus(n: int, seed: int = 1) -> np.ndarray:
    """Families of near-duplicates around bases that share a few hundred structures."""
    rng = np.random.default_rng(seed)
    structures = rng.integers(0, 2**64, size=(256, 4), dtype=np.uint64)
    n_bases = max(n // 5, 1)
    corpus = np.empty((n, 4), dtype=np.uint64)
    block = 1_000_000
    bases = structures[rng.integers(0, len(structures), n_bases)] ^ sparse_bits(rng, n_bases, 2)
    family = np.sort(rng.integers(0, n_bases, n))
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        corpus[lo:hi] = bases[family[lo:hi]] ^ sparse_bits(rng, hi - lo, 4)
    return corpus[rng.permutation(n)]


def flip_exactly(codes: np.ndarray, distances: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = codes.copy()
    for row, d in enumerate(distances):
        for bit in rng.choice(256, size=int(d), replace=False):
            out[row, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out


def to_bytes(codes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(codes.astype(">u8")).view(np.uint8).reshape(-1, 32)


class Candidate:
    """One index under test: build, search a batch -> list of sets of ids."""

    def __init__(
        self,
        name: str,
        build: Callable[[np.ndarray], Any],
        search: Callable[[Any, np.ndarray], list[set[int]]],
    ):
        self.name, self.build, self.search = name, build, search


def sxr_candidate() -> Candidate:
    def build(corpus: np.ndarray) -> PDQIndex:
        index = PDQIndex(radius=RADIUS)
        index.add(corpus, np.arange(len(corpus)))
        return index

    def search(index: PDQIndex, queries: np.ndarray) -> list[set[int]]:
        result = index.search(queries)
        out: list[set[int]] = [set() for _ in range(len(queries))]
        for q, label in zip(result.query.tolist(), result.label.tolist(), strict=True):
            out[q].add(label)
        return out

    return Candidate("sxr multi-index (numpy)", build, search)


def faiss_candidate(kind: str) -> Candidate:
    import faiss

    def build(corpus: np.ndarray) -> Any:
        if kind == "flat":
            index = faiss.IndexBinaryFlat(256)
        else:
            index = faiss.IndexBinaryMultiHash(256, 16, 16)
            index.nflip = 1
        index.add(to_bytes(corpus))
        return index

    def search(index: Any, queries: np.ndarray) -> list[set[int]]:
        # faiss returns distances strictly below the radius.
        lims, _d, ids = index.range_search(to_bytes(queries), RADIUS + 1)
        return [set(ids[lims[i] : lims[i + 1]].tolist()) for i in range(len(queries))]

    name = "faiss IndexBinaryFlat" if kind == "flat" else "faiss MultiHash(256,16,16) nflip=1 (HMA)"
    return Candidate(name, build, search)


def throughput(
    search: Callable[[np.ndarray], Any], queries: np.ndarray, batch: int, budget_s: float
) -> tuple[float, float]:
    """Queries a second, sending `batch` at a time, for about `budget_s` seconds (at least one batch):
    per wall-clock second, and per CPU second of this process (all threads): the machine is shared."""
    done, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        lo = done % len(queries)
        chunk = queries[lo : lo + batch]
        if len(chunk) < batch:
            chunk = queries[:batch]
        search(chunk)
        done += len(chunk)
        elapsed = time.perf_counter() - start
        if elapsed >= budget_s:
            return done / elapsed, done / max(time.process_time() - cpu_start, 1e-9)


def bench_indexes(args: argparse.Namespace) -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    corpus = make_corpus(args.n)
    print(f"corpus: {args.n:,} clustered PDQ-like hashes in {time.perf_counter() - t0:.1f}s", flush=True)
    # Planted: exactly d bits away from a corpus member, for every d in 0..40.
    distances = np.repeat(np.arange(41), PLANTED_PER_DISTANCE)
    targets = rng.integers(0, args.n, len(distances))
    planted = flip_exactly(corpus[targets], distances, rng)
    # Traffic: mostly uploads that are not in the bank (but share its structures), some near copies.
    fresh = make_corpus(4000, seed=99)
    near = flip_exactly(corpus[rng.integers(0, args.n, 1000)], rng.integers(0, 32, 1000), rng)
    traffic = np.concatenate([fresh, near])[rng.permutation(5000)]

    truth: list[set[int]] | None = None
    rows = []
    candidates = [sxr_candidate(), faiss_candidate("mih"), faiss_candidate("flat")]
    for candidate in candidates:
        gc.collect()
        before = rss_mb()
        start = time.perf_counter()
        index = candidate.build(corpus.copy())  # each index holds its own copy of the codes
        build_s = time.perf_counter() - start
        index_mb = rss_mb() - before
        found = candidate.search(index, planted)
        if candidate.name.startswith("faiss IndexBinaryFlat"):
            truth = found
        within = distances <= RADIUS
        planted_recall = float(np.mean([targets[i] in found[i] for i in np.nonzero(within)[0]]))
        beyond = int(sum(targets[i] in found[i] for i in np.nonzero(~within)[0]))

        def run(q: np.ndarray, index: Any = index, candidate: Candidate = candidate) -> Any:
            return candidate.search(index, q)

        budget = args.seconds
        single, single_cpu = throughput(run, traffic, 1, budget)
        b100, b100_cpu = throughput(run, traffic, 100, budget)
        b1000, b1000_cpu = throughput(run, traffic, 1000, budget)
        rows.append(
            {
                "index": candidate.name,
                "build_s": build_s,
                "rss_mb": index_mb,
                "single": single,
                "b100": b100,
                "b1000": b1000,
                "single_cpu": single_cpu,
                "b100_cpu": b100_cpu,
                "b1000_cpu": b1000_cpu,
                "planted_recall": planted_recall,
                "beyond": beyond,
                "found": found,
            }
        )
        print(f"  measured {candidate.name}: {b1000:,.0f} q/s at batch 1000", flush=True)
        del index
    assert truth is not None
    for row in rows:
        total = sum(len(t) for t in truth)
        hit = sum(len(t & f) for t, f in zip(truth, row["found"], strict=True))
        row["recall_vs_flat"] = hit / total if total else 1.0
        row["extra"] = sum(len(f - t) for t, f in zip(truth, row["found"], strict=True))
    return rows


def print_index_table(rows: list[dict[str, Any]], n: int) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    cores = os.cpu_count()
    print(f"\nPDQ radius search at <= {RADIUS} over {n:,} hashes ({cores} cores, load average {load})")
    header = (
        f"{'index':42} {'build s':>8} {'RSS MB':>7} {'single q/s':>11} {'b100 q/s':>9} {'b1000 q/s':>10}"
        f" {'b1000 q/cpu-s':>13} {'recall':>7} {'planted':>8} {'>31':>4}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['index']:42} {r['build_s']:8.1f} {r['rss_mb']:7.0f} {r['single']:11,.0f} {r['b100']:9,.0f}"
            f" {r['b1000']:10,.0f} {r['b1000_cpu']:13,.0f} {r['recall_vs_flat']:7.2%}"
            f" {r['planted_recall']:8.2%} {r['beyond']:4d}"
        )
    mine, hma = rows[0], rows[1]
    print(
        f"\nsxr / HMA configuration: {mine['b1000'] / hma['b1000']:.2f}x at batch 1000, "
        f"{mine['b100'] / hma['b100']:.2f}x at batch 100, {mine['single'] / hma['single']:.2f}x single; "
        f"per CPU second {mine['b1000_cpu'] / hma['b1000_cpu']:.2f}x at batch 1000"
    )
    print(
        "recall = share of the exact (IndexBinaryFlat) neighbours within 31 found; planted = planted "
        "near-duplicates at 0..31 found; >31 = planted ones at 32..40 wrongly reported"
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_database(args: argparse.Namespace, tmp: Path) -> str:
    """A fresh database for the HTTP run: SQLite in `tmp`, or a new PostgreSQL database (--postgres)."""
    if not args.postgres:
        return f"sqlite:///{tmp / 'sxr.sqlite3'}"
    import psycopg

    name = f"sxr_bench_{os.getpid()}"
    with psycopg.connect(args.postgres + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return args.postgres.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name


def drop_database(args: argparse.Namespace, url: str) -> None:
    """Remove the run's PostgreSQL database (SQLite's goes with its temporary folder)."""
    if not args.postgres:
        return
    import psycopg

    from sxr.db import dispose_engines

    dispose_engines()
    with psycopg.connect(args.postgres + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def bank_corpus(url: str, corpus: np.ndarray) -> tuple[int, str]:
    """Migrate, bank `corpus` as one case's reviewed PDQ entries, and issue an API key: (case id, key)."""
    from sxr.accounts.services import create_api_key
    from sxr.cases.services import create_case
    from sxr.db import get_engine, session_scope
    from sxr.migrations import upgrade
    from sxr.watchlist.models import WatchlistEntry, new_public_id

    upgrade(url)
    with session_scope(url) as session:
        case, _pin = create_case(session)
        key = create_api_key(session, "BenchPlatform")
        case_id = case.id
    rows = [
        {
            "public_id": new_public_id("wl"),
            "case_id": case_id,
            "type": "pdq",
            "value": h,
            "quality": 90,
            "trust": "reviewed",
            "added_by": "bench",
        }
        for h in codes_to_hex(corpus)
    ]
    with get_engine(url).begin() as conn:
        for lo in range(0, len(rows), 20_000):
            conn.execute(WatchlistEntry.__table__.insert(), rows[lo : lo + 20_000])
    return case_id, key


def api_traffic(corpus: np.ndarray, n: int = 10_000) -> list[str]:
    """Uploads a platform checks: 90% not in the bank (but sharing its structures), 10% near copies."""
    rng = np.random.default_rng(5)
    near = n // 10
    codes = np.concatenate(
        [
            make_corpus(n - near, seed=17),
            flip_exactly(corpus[rng.integers(0, len(corpus), near)], rng.integers(0, 32, near), rng),
        ]
    )
    return codes_to_hex(codes[rng.permutation(len(codes))])


def client_loop(port: int, key: str, bodies: list[bytes], seconds: float, offset: int, out: Any) -> None:
    """One platform's client (its own process): POST batches back to back on one keep-alive connection,
    for `seconds`; send back the latencies in seconds."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies, i = [], offset
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/match", body=bodies[i % len(bodies)], headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200:
            raise SystemExit(f"the API answered {response.status}: {payload[:300]!r}")
        i += 1
    conn.close()
    out.send(latencies)


def load_run(port: int, key: str, bodies: list[bytes], clients: int, seconds: float) -> list[float]:
    """`clients` processes posting for `seconds`; every request's latency."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for c in range(clients):
        mine, theirs = context.Pipe(duplex=False)
        proc = context.Process(
            target=client_loop, args=(port, key, bodies, seconds, c * 7, theirs), daemon=True
        )
        proc.start()
        pipes.append(mine)
        procs.append(proc)
    latencies: list[float] = []
    for pipe, proc in zip(pipes, procs, strict=True):
        latencies.extend(pipe.recv())
        proc.join(timeout=seconds + 60)
    return latencies


def start_server(url: str, tmp: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ, SXR_DATA_DIR=str(tmp), SXR_DATABASE_URL=url, SXR_API_RATE="1e9", SXR_API_BURST="1e9"
    )
    command = [sys.executable, "-c", "from sxr.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start")


def in_process(
    url: str, corpus: np.ndarray, traffic: list[str], batch: int, seconds: float
) -> dict[str, float]:
    """The anchor, in this process: the index alone (PDQIndex.search), and the look-up service with its
    database (match_hashes, no HTTP), hashes a second in batches of `batch`."""
    from sxr.db import session_scope
    from sxr.media.index import hex_to_codes
    from sxr.watchlist.matching import match_hashes

    index = PDQIndex(radius=RADIUS)
    index.add(corpus, np.arange(len(corpus)))
    codes = hex_to_codes(traffic)
    index_rate, _cpu = throughput(index.search, codes, batch, seconds)

    def service(chunk: np.ndarray) -> None:
        lo = int(chunk[0])
        queries = [{"type": "pdq", "value": v} for v in traffic[lo : lo + batch]]
        with session_scope(url) as session:
            match_hashes(session, queries, "BenchPlatform")

    starts = np.arange(0, len(traffic) - batch + 1, batch)
    service(starts[:1])  # loads the index
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        service(starts[done % len(starts) :])
        done += 1
    return {"index": index_rate, "service": done * batch / (time.perf_counter() - t0)}


def freshness_probe(port: int, key: str, url: str, case_id: int, tries: int = 5) -> list[float]:
    """Seconds from a new entry's commit to the API matching it, over `tries` new entries."""
    import httpx

    from sxr.db import session_scope
    from sxr.watchlist.services import bank_hashes

    rng = np.random.default_rng(11)
    seen = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}) as c:
        for _ in range(tries):
            value = codes_to_hex(rng.integers(0, 2**64, size=(1, 4), dtype=np.uint64))[0]
            with session_scope(url) as session:
                bank_hashes(
                    session,
                    case_id,
                    [{"type": "pdq", "value": value, "quality": 90}],
                    "bench",
                    trust="reviewed",
                )
            added = time.perf_counter()
            while time.perf_counter() - added < 30:
                r = c.post("/api/v1/match", json={"hashes": [{"type": "pdq", "value": value}]})
                if r.json()["results"][0]["matches"]:
                    seen.append(time.perf_counter() - added)
                    break
    return seen


def bench_api(args: argparse.Namespace) -> None:
    """The platform API over loopback with `--workers` processes and `--clients` client processes, in
    batches of 100 and 1,000, beside the in-process index and service on the same entries."""
    import orjson

    tmp = Path(tempfile.mkdtemp(prefix="sxr-bench-"))
    url = api_database(args, tmp)
    corpus = make_corpus(args.api_entries, seed=3)
    case_id, key = bank_corpus(url, corpus)
    traffic = api_traffic(corpus)
    port = free_port()
    server = start_server(url, tmp, port, args.workers)
    rows = []
    try:
        bodies_by_batch = {
            batch: [
                orjson.dumps({"hashes": [{"type": "pdq", "value": v} for v in traffic[i : i + batch]]})
                for i in range(0, len(traffic), batch)
            ]
            for batch in args.batches
        }
        # Every worker loads the index on its first look-up, and the first pass records the matches:
        # warm up until both are done, then measure.
        load_run(port, key, bodies_by_batch[args.batches[0]], args.clients, args.warmup)
        for batch, bodies in bodies_by_batch.items():
            load = os.getloadavg()[0]
            lat = np.array(load_run(port, key, bodies, args.clients, args.api_seconds)) * 1000
            http_rate = len(lat) * batch / args.api_seconds
            anchor = in_process(url, corpus, traffic, batch, args.seconds)
            rows.append((batch, http_rate, lat, anchor, load))
        fresh = freshness_probe(port, key, url, case_id)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database(args, url)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\nplatform API on loopback: {args.api_entries:,} entries ({database}), `sxr serve --workers "
        f"{args.workers}`, {args.clients} client processes, {args.api_seconds:.0f} s a batch size "
        f"({os.cpu_count()} cores; load average at the start of each run shown)"
    )
    header = (
        f"{'batch':>6} {'API hashes/s':>13} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'service h/s':>12}"
        f" {'index h/s':>10} {'API/index':>9} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    for batch, rate, lat, anchor, load in rows:
        print(
            f"{batch:6d} {rate:13,.0f} {np.percentile(lat, 50):7.1f} {np.percentile(lat, 99):7.1f}"
            f" {lat.max():7.1f} {anchor['service']:12,.0f} {anchor['index']:10,.0f}"
            f" {rate / anchor['index']:9.3f} {load:5.2f}"
        )
    print(
        "service = the look-up service with its database in one process, no HTTP; index = PDQIndex.search "
        "alone, one thread; both in this process, in the same run."
    )
    goal = [r for r in rows if r[0] == 100]
    if goal:
        _b, rate, lat, _a, _l = goal[0]
        met = rate >= 20_000 and np.percentile(lat, 99) < 50
        print(f"goal (>= 20,000 hashes/s in batches of 100, p99 < 50 ms): {'met' if met else 'NOT met'}")
    if fresh:
        print(f"a new entry was matched by the API after: max {max(fresh) * 1000:.0f} ms over {len(fresh)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="corpus size (default 1M)")
    parser.add_argument("--full", action="store_true", help="the issue's size: 10M hashes")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per throughput measurement")
    parser.add_argument("--api-entries", type=int, default=100_000, help="entries banked for the HTTP run")
    parser.add_argument("--api-seconds", type=float, default=15.0, help="length of each HTTP load run")
    parser.add_argument("--warmup", type=float, default=5.0, help="HTTP warm-up before measuring (seconds)")
    parser.add_argument("--clients", type=int, default=4, help="client processes posting back to back")
    parser.add_argument("--workers", type=int, default=2, help="`sxr serve --workers N` for the HTTP run")
    parser.add_argument(
        "--batches", type=int, nargs="+", default=[100, 1000], help="batch sizes for the HTTP run"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run the HTTP part on a new PostgreSQL database on this server (postgresql://postgres@127.0.0.1)",
    )
    parser.add_argument("--skip-api", action="store_true", help="only the index table")
    parser.add_argument("--api-only", action="store_true", help="only the platform API table")
    parser.add_argument("--quick", action="store_true", help="100k-hash index table, 5 s HTTP runs")
    parser.add_argument("--json", type=Path, help="also write the index table here")
    args = parser.parse_args()
    if args.full:
        args.n = 10_000_000
    if args.quick:
        args.n, args.seconds, args.api_seconds, args.warmup = 100_000, 1.0, 5.0, 3.0
    if not args.api_only:
        rows = bench_indexes(args)
        print_index_table(rows, args.n)
        if args.json:
            args.json.write_text(
                json.dumps([{k: v for k, v in r.items() if k != "found"} for r in rows], indent=1)
            )
    if not args.skip_api:
        bench_api(args)


if __name__ == "__main__":
    main()
