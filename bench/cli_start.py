"""Start-up of the `sxr` command line: `sxr --help` and a few others, against anchors in the same run.

Each line is a fresh process, run `--repeat` times in turn with every other line (so a change in the
machine's load falls on all of them alike); the median wall time is printed. Anchors:
- `python -c pass`: the interpreter alone (no command line can start faster);
- `import typer`: the interpreter and Typer, the floor of any Typer command line;
- eager: what `sxr --help` did before issue 16: import every command's module (and the derivers), then
  print the help. The goal (issue 16): `sxr --help` <= 0.3 s on the 2-core machine.

    .venv/bin/python bench/cli_start.py            # 15 rounds
    .venv/bin/python bench/cli_start.py --quick    # 5 rounds
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 0.3
EAGER_QUIET = (0.7, 0.9)  # seconds: the eager `sxr --help` as issue 16 measured it on the quiet machine
SXR = str(Path(sys.executable).with_name("sxr"))
EAGER = (
    "import sys\n"
    "from sxr.cli import COMMANDS, app, derivers\n"
    "from sxr.cli_support import registered_commands, run\n"
    "for register in dict.fromkeys(entry.register for entry in COMMANDS):\n"
    "    registered_commands(register)\n"
    "derivers()\n"
    "sys.exit(run(app, ['--help']))\n"
)
ANCHORS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import typer'": [sys.executable, "-c", "import typer"],
    "eager: every module, then --help": [sys.executable, "-c", EAGER],
}
MEASURED: dict[str, list[str]] = {
    "sxr --help": [SXR, "--help"],
    "sxr (no command: the help)": [SXR],
    "sxr db where": [SXR, "db", "where"],
    "sxr case --help": [SXR, "case", "--help"],
    "sxr evidence --help": [SXR, "evidence", "--help"],
    "sxr analyze --help": [SXR, "analyze", "--help"],
    "sxr watchlist --help": [SXR, "watchlist", "--help"],
    "sxr evidence add --help": [SXR, "evidence", "add", "--help"],
}


def _once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):  # 2: `sxr` alone shows the help and exits as a usage error
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return elapsed


def measure(rounds: int, env: dict[str, str]) -> dict[str, list[float]]:
    """Wall times of every line, `rounds` times each, the lines taken in turn within each round."""
    lines = {**ANCHORS, **MEASURED}
    for argv in lines.values():  # warm the file cache and the byte-code once, unmeasured
        _once(argv, env)
    times: dict[str, list[float]] = {name: [] for name in lines}
    for _ in range(rounds):
        for name, argv in lines.items():
            times[name].append(_once(argv, env))
    return times


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def report(times: dict[str, list[float]]) -> None:
    median = {name: statistics.median(values) for name, values in times.items()}
    bare = median["python -c pass"]
    eager = median["eager: every module, then --help"]
    print(f"{'':38} {'median s':>9} {'min s':>7} {'x python':>9} {'/ eager':>8}")
    for name, values in times.items():
        print(
            f"{name:38} {median[name]:9.3f} {min(values):7.3f} {median[name] / bare:9.1f} "
            f"{median[name] / eager:8.2f}"
        )
    help_time = median["sxr --help"]
    print()
    print(
        f"sxr --help: {help_time:.3f} s median, {eager / help_time:.1f}x faster than the eager start "
        f"({eager:.3f} s) and {help_time - bare:.3f} s above a bare interpreter ({bare:.3f} s)"
    )
    verdict = "met" if help_time <= GOAL_SECONDS else "NOT met"
    print(f"goal sxr --help <= {GOAL_SECONDS} s: {verdict} (on this machine, at this load)")
    # On a busy machine every line is slower alike; the ratio to the eager start is what carries over. The
    # issue measured the eager start at 0.7-0.9 s on the quiet machine: the goal is then a ratio of
    # 0.3 / 0.9 to 0.3 / 0.7.
    low, high = GOAL_SECONDS / EAGER_QUIET[1], GOAL_SECONDS / EAGER_QUIET[0]
    print(
        f"as a ratio: sxr --help / eager = {help_time / eager:.2f}; the goal is <= {low:.2f}-{high:.2f} "
        f"(0.3 s over the {EAGER_QUIET[0]}-{EAGER_QUIET[1]} s the issue measured for the eager start)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15, help="rounds of every line (default 15)")
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    args = parser.parse_args()
    rounds = 5 if args.quick else max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="sxr-cli-start-") as home:
        # A fresh data dir (`sxr db where` only names it) and no recorded deployment in the way.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "SXR_DATA_DIR": f"{home}/data"}
        print(f"before: {_load()}")
        times = measure(rounds, env)
        print(f"after:  {_load()}; {rounds} rounds\n")
    report(times)


if __name__ == "__main__":
    main()
