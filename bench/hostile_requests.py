"""Benchmark: what a stranger's attacks cost a real `sxr serve` (issue 13's findings, replayed).

Starts `sxr serve` on a throwaway data dir (SQLite, or --database-url), then on loopback only:
- a 1 MB upload of nested brackets (deep.json; it once took 21.6 GB), and the server's peak RSS after it;
- a declared 600 MB upload (answered before it is read?);
- 40 parallel wrong PINs on one reference (how many were checked before the lock);
- a flood of report starts from one address (how many cases it made);
- 16 clients guessing PINs for --seconds while another client reads the home page: the page's median
  and 95th-percentile time against the same page on the quiet server, measured in the same run (the
  anchor: 41 ms quiet became 1,158 ms under such a flood before the limits).
Prints one line per attack: requests, refused (4xx), server errors (5xx), figures.

    python bench/hostile_requests.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
SXR = [sys.executable, "-c", "from sxr.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found[1]) / 1024 if found else float("nan")


def start_report(client: httpx.Client) -> tuple[str, str, str]:
    page = client.post("/report/start", data={}, headers=SAME_SITE).text
    link = re.search(r'href="(/case/[^"]+)"', page)
    reference = re.search(r"SXR-[0-9A-Z]{4}-[0-9A-Z]{4}", page)
    pin = re.search(r"\b(\d{6})\b", page.split("PIN", 1)[1])
    assert link and reference and pin, "the report page did not show a reference and PIN"
    return link[1], reference[0], pin[1]


def row(name: str, codes: Counter[int], figures: str) -> None:
    sent = sum(codes.values())
    refused = sum(n for code, n in codes.items() if 400 <= code < 500)
    errors = sum(n for code, n in codes.items() if code >= 500)
    print(f"{name:<28} {sent:>8} {refused:>8} {errors:>6}  {figures}")


def timed_gets(url: str, seconds: float) -> list[float]:
    times = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.monotonic() < deadline:
            started = time.monotonic()
            client.get("/")
            times.append(time.monotonic() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of the flood (default 20)")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default SQLite in a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sxr-bench-hostile-") as tmp:
        env = dict(os.environ, SXR_DATA_DIR=str(Path(tmp) / "data"))
        if args.database_url:
            env["SXR_DATABASE_URL"] = args.database_url
        subprocess.run([*SXR, "db", "upgrade"], env=env, check=True, capture_output=True)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([*SXR, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
                if time.monotonic() > deadline:
                    raise SystemExit("sxr serve did not start")
            run(url, port, server.pid, Path(tmp), args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=20)


def run(url: str, port: int, pid: int, tmp: Path, seconds: float) -> None:
    print(f"{'attack':<28} {'requests':>8} {'refused':>8} {'5xx':>6}  figures")
    client = httpx.Client(base_url=url, timeout=120)
    quiet = timed_gets(url, 3)

    case_url, reference, pin = start_report(client)
    deep = tmp / "deep.json"
    deep.write_bytes(b"[" * 500_000 + b"]" * 500_000)
    before = peak_rss_mb(pid)
    with deep.open("rb") as stream:
        answer = client.post(
            f"{case_url}/evidence", files={"files": ("deep.json", stream)}, headers=SAME_SITE
        )
    row(
        "1 MB nested JSON upload",
        Counter([answer.status_code]),
        f"server peak RSS {before:.0f} -> {peak_rss_mb(pid):.0f} MB",
    )

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST {case_url}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {2 * 1024**3}\r\n\r\n".encode()
        )
        status = int(sock.recv(64).split()[1])
    row(
        "declared 2 GB upload", Counter([status]), f"answered in {1000 * (time.monotonic() - started):.0f} ms"
    )

    wrong = "000000" if pin != "000000" else "111111"

    def guess(_: int) -> int:
        with httpx.Client(base_url=url, timeout=120) as c:
            return c.post(
                "/report/return", data={"reference": reference, "pin": wrong}, headers=SAME_SITE
            ).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = Counter(pool.map(guess, range(40)))
    row("40 parallel wrong PINs", codes, f"'not right' answers (PIN checked) {codes[400]}; limit 5")

    made = Counter(client.post("/report/start", data={}, headers=SAME_SITE).status_code for _ in range(200))
    row("200 report starts, 1 address", made, f"cases made {made[200]}")

    stop = threading.Event()
    flood_codes: Counter[int] = Counter()

    def flood() -> None:
        with httpx.Client(base_url=url, timeout=120) as c:
            while not stop.is_set():
                code = c.post(
                    "/report/return", data={"reference": "SXR-2222-3333", "pin": "123456"}, headers=SAME_SITE
                ).status_code
                flood_codes[code] += 1

    threads = [threading.Thread(target=flood) for _ in range(16)]
    for thread in threads:
        thread.start()
    loaded = timed_gets(url, seconds)
    stop.set()
    for thread in threads:
        thread.join()
    q50, l50 = statistics.median(quiet) * 1000, statistics.median(loaded) * 1000
    q95 = statistics.quantiles(quiet, n=20)[-1] * 1000
    l95 = statistics.quantiles(loaded, n=20)[-1] * 1000
    row(
        f"16 clients x {seconds:.0f} s PIN flood",
        flood_codes,
        f"home page p50 {q50:.0f} -> {l50:.0f} ms (x{l50 / q50:.2f}), p95 {q95:.0f} -> {l95:.0f} ms "
        f"(x{l95 / q95:.2f}) against the quiet server",
    )
    print(
        f"server alive: {httpx.get(f'{url}/healthz').status_code == 200}; peak RSS {peak_rss_mb(pid):.0f} MB"
    )
    client.close()


if __name__ == "__main__":
    main()
