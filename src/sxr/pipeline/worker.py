"""`sxr worker`: runs queued jobs (reading uploads: import, OCR, analysis; nightly retention and links).

Embedded (`make run`): `sxr serve` starts one worker as a child process on the embedded queue (SQLite in
the data dir) and stops it on exit; `worker_beside` does that. Production: `sxr worker` processes on as
many machines as needed, on Redis (SXR_QUEUE_URL), with `sxr serve --no-worker`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # `sxr worker --help` imports neither the database nor the queue
    from sxr.config import Settings
    from sxr.jobs.queue import JobKind, JobQueue

log = logging.getLogger(__name__)

# How long `sxr serve` gives its worker to stop before it is killed (a killed job runs again later).
STOP_SECONDS = 10.0
# A worker beside the server that dies is started again, at most this often.
RESTART_SECONDS = 5.0


def reap_every(settings: Settings) -> float:
    """How often the reaper looks for jobs whose worker died: half a lease, at least a second."""
    return max(1.0, settings.job_lease_seconds / 2)


def _reaper(queue: JobQueue, stop: threading.Event) -> None:
    while not stop.wait(reap_every(queue.settings)):
        try:
            if count := queue.reap():
                log.warning("jobs whose worker stopped were queued again", extra={"jobs": count})
        except Exception as exc:  # a database blip: the next pass tries again
            log.warning("the job reaper failed", extra={"error": type(exc).__name__})


def run_worker(
    settings: Settings, kinds: Mapping[str, JobKind], *, threads: int = 1, periodic: bool = True
) -> None:
    """Run jobs until stopped (SIGINT: after the running job; SIGTERM: at once, the job runs again later)."""
    from sxr.jobs.queue import JobQueue, describe_queue

    queue = JobQueue(settings, kinds)
    if queue.immediate:
        raise ValueError(
            "SXR_QUEUE_URL is immediate: jobs run where they are queued, and no worker is needed"
        )
    queue.reap()  # what a worker killed before this one left running
    stop = threading.Event()
    reaper = threading.Thread(target=_reaper, args=(queue, stop), name="sxr-job-reaper", daemon=True)
    reaper.start()
    consumer = queue.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=periodic, initial_delay=0.1, max_delay=1.0
    )
    log.info("worker started", extra={"queue": describe_queue(settings), "threads": threads})
    try:
        consumer.run()
    finally:
        stop.set()


def _worker_command() -> list[str]:
    # `sxr worker` as this interpreter runs it (no PATH needed), stopping when this process is gone.
    return [
        sys.executable,
        "-c",
        "from sxr.cli import main; main()",
        "worker",
        "--stop-with",
        str(os.getpid()),
    ]


def _stop_with(parent: int) -> None:
    """Stop this worker (as SIGTERM would) once `parent` is gone: `sxr serve` killed with kill -9 leaves
    no worker behind. Its running job's lease runs out and the next worker runs it again."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="sxr-worker-parent", daemon=True).start()


class WorkerBeside:
    """One `sxr worker` child process beside `sxr serve`, started again if it dies."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watch = threading.Thread(target=self._watch_child, name="sxr-worker-watch", daemon=True)

    def start(self) -> None:
        self.process = subprocess.Popen(_worker_command())
        self._watch.start()

    def _watch_child(self) -> None:
        while not self._stopping.is_set() and self.process is not None:
            code = self.process.wait()
            if self._stopping.is_set():
                return
            log.error("the job worker stopped; starting it again", extra={"exit_code": code})
            if self._stopping.wait(RESTART_SECONDS):
                return
            self.process = subprocess.Popen(_worker_command())

    def stop(self) -> None:
        self._stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def worker_beside(settings: Settings, *, enabled: bool) -> Iterator[WorkerBeside | None]:
    """`sxr serve`'s worker: a child `sxr worker` while the server runs (none when `enabled` is false,
    or when jobs run immediately)."""
    if not enabled or settings.queue_url == "immediate":
        yield None
        return
    beside = WorkerBeside()
    beside.start()
    try:
        yield beside
    finally:
        beside.stop()


def worker(
    ctx: typer.Context,
    threads: Annotated[
        int, typer.Option(min=1, max=64, help="jobs run at once in this process (one per core suits OCR)")
    ] = 1,
    periodic: Annotated[
        bool,
        typer.Option(
            "--periodic/--no-periodic", help="also queue the nightly jobs (retention, link rebuild)"
        ),
    ] = True,
    stop_with: Annotated[
        int | None, typer.Option(hidden=True, help="stop when this process (sxr serve) is gone")
    ] = None,
) -> None:
    """Run queued jobs: reading uploads (import, OCR, analysis), nightly retention and link rebuilds."""
    from sxr.cli_support import fail, load_settings, open_database
    from sxr.jobs.queue import describe_queue
    from sxr.pipeline.derivers import DERIVERS
    from sxr.pipeline.jobs import job_kinds

    settings = load_settings()
    open_database(settings)
    if settings.queue_url == "immediate":
        fail(
            "SXR_QUEUE_URL is immediate: each job runs in the process that queues it, so there is nothing "
            "for a worker to do. Leave it empty (embedded) or give a redis:// address.",
            "usage",
            name_database=False,
        )
    configure_logging = (ctx.obj or {}).get("configure_logging") if isinstance(ctx.obj, dict) else None
    if configure_logging is not None:
        configure_logging()
    if stop_with is not None:
        _stop_with(stop_with)
    try:
        run_worker(settings, job_kinds(DERIVERS), threads=threads, periodic=periodic)
    except Exception as exc:  # the queue cannot be reached: said, with where it was looked for
        fail(f"the worker stopped: {describe_queue(settings)}: {type(exc).__name__}: {exc}", "environment")


def add_command(app: typer.Typer, *, configure_logging: Callable[[], None]) -> None:
    """Add `sxr worker` to the root command; `configure_logging` sets up its logs (monitoring's JSON lines,
    which this layer may not import)."""
    app.command("worker", context_settings={"obj": {"configure_logging": configure_logging}})(worker)
