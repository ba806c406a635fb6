"""The life of a job row: submitted, claimed under a lease, renewed, finished, retried or failed, reaped.

Every change is one conditional UPDATE, so two workers handed the same job id (a message sent twice, a
job queued again by the reaper) cannot both run it: the second finds the row no longer queued.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from sxr.clock import utcnow
from sxr.jobs.models import DONE, FAILED, PENDING_STATES, QUEUED, RUNNING, Job

# The longest error kept on a job: enough for staff to act on, never a whole traceback.
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class RetryPolicy:
    """How often a job is tried and how long it waits in between (exponential, capped)."""

    attempts: int = 4
    first_wait: float = 15.0
    longest_wait: float = 600.0
    lease: float = 60.0

    def wait_after(self, attempts: int) -> timedelta:
        """The wait before the next try, after `attempts` tries (1 -> first_wait, doubling, capped)."""
        seconds = self.first_wait * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.longest_wait))


def add_job(
    session: Session,
    kind: str,
    *,
    policy: RetryPolicy,
    case_id: int | None = None,
    evidence_item_id: int | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Job:
    """A new queued job (commits); with `dedupe_key`, the job already made for that key if there is one."""
    if dedupe_key is not None:
        earlier = session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if earlier is not None:
            return earlier
    now = utcnow()
    job = Job(
        kind=kind,
        case_id=case_id,
        evidence_item_id=evidence_item_id,
        state=QUEUED,
        max_attempts=policy.attempts,
        payload=json.dumps(payload or {}, sort_keys=True),
        dedupe_key=dedupe_key,
        not_before=now,
        enqueued_at=now,
        created_at=now,
    )
    session.add(job)
    try:
        session.commit()
    except IntegrityError:
        # Another process made the job for this key at the same moment.
        session.rollback()
        earlier = session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if earlier is None:
            raise
        return earlier
    return job


def claim(session: Session, job_id: int, worker: str, lease: float) -> Job | None:
    """Take a queued job that is due for `worker` (commits); None when it is not this worker's to run.

    Two jobs on the same evidence item never run at once: the second waits for the first.
    """
    now = utcnow()
    other = aliased(Job)
    same_item_running = exists().where(
        other.evidence_item_id == Job.evidence_item_id,
        other.id != Job.id,
        other.state == RUNNING,
        other.lease_until > now,
    )
    taken = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == QUEUED, Job.not_before <= now, ~same_item_running)
        .values(
            state=RUNNING,
            attempts=Job.attempts + 1,
            worker=worker[:120],
            lease_until=now + timedelta(seconds=lease),
            heartbeat_at=now,
            started_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Job, job_id, populate_existing=True)


def renew(session: Session, job_id: int, worker: str, lease: float) -> bool:
    """Push the running job's lease forward (commits); False when the job is no longer this worker's."""
    now = utcnow()
    renewed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == RUNNING, Job.worker == worker[:120])
        .values(lease_until=now + timedelta(seconds=lease), heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


def finish(session: Session, job_id: int, worker: str) -> bool:
    """Mark the job done (commits); False when another worker took it over meanwhile."""
    now = utcnow()
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == RUNNING, Job.worker == worker[:120])
        .values(state=DONE, finished_at=now, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def stopped(session: Session, job_id: int, worker: str, error: str, policy: RetryPolicy) -> Job | None:
    """A try that failed: queue the job again after its wait, or fail it for good (the caller commits,
    with what it tells the victim and staff about a job that failed for good: both or neither).

    Returns the job as it now is (state queued with `not_before`, or failed), or None when the job was not
    this worker's any more.
    """
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.state != RUNNING or job.worker != worker[:120]:
        return None
    now = utcnow()
    job.last_error = error[:MAX_ERROR_CHARS]
    job.lease_until = None
    if job.attempts >= job.max_attempts:
        job.state = FAILED
        job.finished_at = now
    else:
        job.state = QUEUED
        job.not_before = now + policy.wait_after(job.attempts)
        job.enqueued_at = now
    session.flush()
    return job


@dataclass
class Reaped:
    """What one pass of the reaper did: jobs to hand to the queue again, and jobs that failed for good."""

    queue_again: list[Job]
    failed: list[Job]


def reap(
    session: Session, policy: RetryPolicy, now: datetime | None = None, alive: Collection[int] = ()
) -> Reaped:
    """Jobs whose worker stopped mid-job (lease run out) go back in the queue, or fail after their last try;
    queued jobs whose message was lost (due, and not handed out for a lease's time) are handed out again.
    The caller commits (after telling about the failed ones).

    `alive`: jobs this process is running now (on SQLite a long write can hold up their heartbeat).
    """
    now = now or utcnow()
    result = Reaped([], [])
    expired = select(Job).where(Job.state == RUNNING, Job.lease_until < now)
    if alive:
        expired = expired.where(Job.id.not_in(list(alive)))
    for job in session.scalars(expired):
        last = job.attempts >= job.max_attempts
        words = (
            f"The worker stopped before it finished, each of the {job.attempts} times it tried "
            "(it was stopped, or ran out of memory or time)."
            if last
            else f"The worker stopped before it finished (try {job.attempts}); the job runs again."
        )
        moved = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.state == RUNNING, Job.lease_until < now)
            .values(
                state=FAILED if last else QUEUED,
                last_error=words,
                lease_until=None,
                not_before=now,
                enqueued_at=now,
                finished_at=now if last else None,
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            (result.failed if last else result.queue_again).append(job)
    lost_before = now - timedelta(seconds=max(policy.lease, 1.0))
    lost = session.scalars(
        select(Job).where(Job.state == QUEUED, Job.not_before <= lost_before, Job.enqueued_at <= lost_before)
    )
    for job in lost:
        job.enqueued_at = now
        result.queue_again.append(job)
    session.flush()
    for job in result.queue_again + result.failed:
        session.refresh(job)
    return result


def jobs_of_case(session: Session, case_id: int, limit: int = 200) -> list[Job]:
    """The case's jobs, newest first."""
    return list(
        session.scalars(select(Job).where(Job.case_id == case_id).order_by(Job.id.desc()).limit(limit))
    )


def latest_per_item(session: Session, case_id: int) -> dict[int, Job]:
    """The newest job on each of the case's evidence items, by evidence item id."""
    newest = (
        select(func.max(Job.id))
        .where(Job.case_id == case_id, Job.evidence_item_id.is_not(None))
        .group_by(Job.evidence_item_id)
    )
    rows = session.scalars(select(Job).where(Job.id.in_(newest)))
    return {int(job.evidence_item_id): job for job in rows if job.evidence_item_id is not None}


def pending_items(session: Session, item_ids: Sequence[int]) -> set[int]:
    """Which of these evidence items still have a job queued or running."""
    if not item_ids:
        return set()
    rows = session.scalars(
        select(Job.evidence_item_id).where(
            Job.evidence_item_id.in_(list(item_ids)), Job.state.in_(PENDING_STATES)
        )
    )
    return {int(i) for i in rows if i is not None}


def counts(session: Session) -> dict[str, int]:
    """How many jobs are in each state (for readiness and metrics)."""
    rows = session.execute(select(Job.state, func.count()).group_by(Job.state))
    found = {str(state): int(count) for state, count in rows}
    return {state: found.get(state, 0) for state in (QUEUED, RUNNING, DONE, FAILED)}


def oldest_waiting(session: Session) -> datetime | None:
    """When the longest-waiting due job was queued (a queue no worker reads grows old)."""
    return session.scalar(
        select(func.min(Job.enqueued_at)).where(Job.state == QUEUED, Job.not_before <= utcnow())
    )
