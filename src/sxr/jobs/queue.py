"""The queue that carries job ids to workers: huey, on SQLite in the data dir (embedded) or Redis.

huey has no acknowledgements: a worker killed mid-job loses its message. The job row does not: its
lease runs out and the reaper (at a worker's start, then every half lease) queues it again. The message
holds only the job's id, serialised as JSON (never pickle: whoever can write to Redis must not be able to
run code in a worker).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.registry import Message
from huey.serializer import Serializer
from sqlalchemy.orm import Session

from sxr.clock import as_utc, utcnow
from sxr.config import Settings
from sxr.db import session_scope
from sxr.jobs import services
from sxr.jobs.models import FAILED, QUEUED, Job
from sxr.jobs.services import RetryPolicy

log = logging.getLogger(__name__)

# The jobs this process is running now: its reaper never takes them back, whatever their lease says.
_running: set[int] = set()
_running_lock = threading.Lock()

QUEUE_NAME = "sxr"
EMBEDDED_FILE = "queue.sqlite3"


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does, and what is said when it fails for good.

    `run` does the work (it may raise: the try is then counted and retried); it must be safe to run twice,
    as a worker killed mid-job makes it run again. `gave_up` tells the victim and staff (on the pages they
    read) once the last try has failed. `every` is a cron line ("17 3 * * *") for periodic jobs.
    """

    run: Callable[[Session, Settings, Job], None]
    gave_up: Callable[[Session, Settings, Job], None] | None = None
    every: str | None = None


class JsonSerializer(Serializer):
    """huey messages as JSON: job ids and times only, so nothing read from the queue is ever unpickled."""

    _TIMES = ("eta", "expires_resolved")

    def _serialize(self, data: Message) -> bytes:
        fields = data._asdict()
        for name in self._TIMES:
            if isinstance(fields[name], datetime):
                fields[name] = {"at": fields[name].isoformat()}
        return json.dumps(fields).encode("utf-8")

    def _deserialize(self, data: bytes) -> Message:
        fields: dict[str, Any] = json.loads(data)
        for name in self._TIMES:
            if isinstance(fields.get(name), dict):
                fields[name] = datetime.fromisoformat(fields[name]["at"])
        fields["args"] = tuple(fields.get("args") or ())
        return Message(**{k: v for k, v in fields.items() if k in Message._fields})


def queue_kind(settings: Settings) -> str:
    """immediate, redis or embedded (for /readyz, which names no host or path)."""
    if settings.queue_url == "immediate":
        return "immediate"
    return "redis" if settings.queue_url.startswith(("redis://", "rediss://")) else "embedded"


def describe_queue(settings: Settings) -> str:
    """Where this deployment's jobs wait, in words for logs and errors (no password)."""
    url = settings.queue_url
    if url == "immediate":
        return "immediate (each job runs in the process that queues it)"
    if url.startswith(("redis://", "rediss://")):
        host = url.split("@")[-1]
        return f"Redis at {host.split('://')[-1]}"
    return f"the embedded queue {embedded_path(settings)}"


def embedded_path(settings: Settings) -> Path:
    """The SQLite file of the embedded queue."""
    if settings.queue_url.startswith("sqlite:///"):
        return Path(settings.queue_url.removeprefix("sqlite:///"))
    return settings.data_dir / EMBEDDED_FILE


def make_huey(settings: Settings) -> Huey:
    """The huey instance for the deployment's SXR_QUEUE_URL."""
    serializer = JsonSerializer()
    url = settings.queue_url
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False, serializer=serializer)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False, serializer=serializer)
    path = embedded_path(settings)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, serializer=serializer)


def worker_name() -> str:
    """This process, as job rows name their worker: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _cron(line: str) -> Callable[[datetime], bool]:
    minute, hour, day, month, day_of_week = line.split()
    check: Callable[[datetime], bool] = crontab(minute, hour, day, month, day_of_week)
    return check


class JobQueue:
    """Submit jobs (the web app, the CLI) and run them (`sxr worker`), for one deployment's settings."""

    def __init__(self, settings: Settings, kinds: Mapping[str, JobKind]) -> None:
        self.settings = settings
        self.kinds = dict(kinds)
        self.immediate = settings.queue_url == "immediate"
        # Immediate mode (tests, scripts) tries again at once: nobody would be there to run it later.
        self.policy = RetryPolicy(
            attempts=settings.job_attempts,
            first_wait=0.0 if self.immediate else settings.job_retry_seconds,
            longest_wait=0.0 if self.immediate else settings.job_retry_max_seconds,
            lease=settings.job_lease_seconds,
        )
        self.huey = make_huey(settings)
        self._task = self.huey.task(name="run_job")(self._run_message)
        for kind, spec in self.kinds.items():
            if spec.every:
                self.huey.periodic_task(_cron(spec.every), name=f"every_{kind}")(self._periodic(kind))

    @property
    def database_url(self) -> str:
        return self.settings.resolved_database_url

    def submit(
        self,
        session: Session,
        kind: str,
        *,
        case_id: int | None = None,
        evidence_item_id: int | None = None,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
    ) -> Job:
        """Record a job (committed with whatever `session` holds) and hand it to the queue."""
        if kind not in self.kinds:
            raise ValueError(f"no job kind {kind!r}")
        job = services.add_job(
            session,
            kind,
            policy=self.policy,
            case_id=case_id,
            evidence_item_id=evidence_item_id,
            payload=payload,
            dedupe_key=dedupe_key,
        )
        if job.state == QUEUED:
            self.hand_out(job.id)
            if self.immediate:
                session.refresh(job)
        return job

    def hand_out(self, job_id: int, eta: datetime | None = None) -> None:
        """Put the job's id on the queue (at `eta`); a queue that cannot be reached is logged, and the
        reaper hands the job out again later: the row is the record, not the message."""
        try:
            if eta is not None and not self.immediate:
                self._task.schedule(args=(job_id,), eta=as_utc(eta))
            else:
                self._task(job_id)
        except Exception as exc:  # Redis down, disk full: the job stays queued in the database
            log.warning(
                "job could not be handed to the queue",
                extra={"job_id": job_id, "queue": describe_queue(self.settings), "error": type(exc).__name__},
            )

    def _run_message(self, job_id: int) -> None:
        self.run(job_id)

    def run(self, job_id: int) -> str | None:
        """Claim and run one job; returns its state after, or None when it was not this worker's to run."""
        worker = worker_name()
        with session_scope(self.database_url) as session:
            job = services.claim(session, job_id, worker, self.policy.lease)
            if job is None:
                return None
            kind = self.kinds.get(job.kind)
            beat = _Heartbeat(self.database_url, job_id, worker, self.policy.lease)
            if not self.immediate:  # no reaper reads an immediate job's lease: it ends with this call
                beat.start()
            with _running_lock:
                _running.add(job_id)
            try:
                if kind is None:
                    raise LookupError(f"this worker does not know jobs of kind {job.kind!r}")
                kind.run(session, self.settings, job)
                session.commit()
            except Exception as exc:  # counted, retried, and at the last try told to victim and staff
                session.rollback()
                beat.stop()
                return self._after_failure(session, job_id, worker, exc)
            finally:
                beat.stop()
                with _running_lock:
                    _running.discard(job_id)
            if not services.finish(session, job_id, worker):
                log.warning("job finished after another worker took it over", extra={"job_id": job_id})
            return "done"

    def _after_failure(self, session: Session, job_id: int, worker: str, exc: Exception) -> str | None:
        words = f"{type(exc).__name__}: {exc}"
        log.warning("job failed", extra={"job_id": job_id, "error": type(exc).__name__})
        job = services.stopped(session, job_id, worker, words, self.policy)
        if job is None:
            session.commit()
            return None
        if job.state == FAILED:
            self._gave_up(session, job)
            session.commit()  # failed, and told: in one transaction, so a worker stopped now loses neither
            return FAILED
        session.commit()
        if self.immediate:
            return self.run(job_id) or QUEUED  # tests and scripts: the retries run now, one after another
        self.hand_out(job_id, eta=job.not_before)
        return QUEUED

    def _gave_up(self, session: Session, job: Job) -> None:
        kind = self.kinds.get(job.kind)
        if kind is None or kind.gave_up is None:
            return
        try:
            with session.begin_nested():
                kind.gave_up(session, self.settings, job)
        except Exception as exc:  # the job row still says failed, with its error: staff see it
            log.error(
                "a failed job could not be reported", extra={"job_id": job.id, "error": type(exc).__name__}
            )

    def reap(self) -> int:
        """One pass of the reaper: jobs whose worker died run again (or fail for good); returns how many."""
        with session_scope(self.database_url) as session:
            with _running_lock:
                alive = set(_running)
            reaped = services.reap(session, self.policy, alive=alive)
            for job in reaped.failed:
                self._gave_up(session, job)
            session.commit()
            for job in reaped.queue_again:
                self.hand_out(job.id)
        return len(reaped.queue_again) + len(reaped.failed)

    def _periodic(self, kind: str) -> Callable[[], None]:
        def submit_periodic() -> None:
            # One job per kind and minute, however many workers' schedulers fire.
            key = f"{kind}:{utcnow():%Y-%m-%dT%H:%M}"
            with session_scope(self.database_url) as session:
                self.submit(session, kind, dedupe_key=key)

        submit_periodic.__name__ = f"every_{kind}"
        return submit_periodic


class _Heartbeat:
    """Renews a running job's lease every third of it, from a thread of its own with its own session."""

    def __init__(self, database_url: str, job_id: int, worker: str, lease: float) -> None:
        self.database_url = database_url
        self.job_id = job_id
        self.worker = worker
        self.lease = lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"sxr-job-{job_id}-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                with session_scope(self.database_url) as session:
                    if not services.renew(session, self.job_id, self.worker, self.lease):
                        log.warning("job lease lost", extra={"job_id": self.job_id})
                        return
            except Exception as exc:  # a database blip: the next beat tries again within the lease
                log.warning(
                    "job heartbeat failed", extra={"job_id": self.job_id, "error": type(exc).__name__}
                )
