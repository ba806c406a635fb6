"""The job row's life without worker processes: waits that double up to a cap, one claim per job, the
reaper taking back a dead worker's job (or failing it for good, told), one job per dedupe key, and queue
messages that are JSON, never pickle."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from huey.registry import Message
from pydantic import ValidationError
from sqlalchemy import select, update

from sxr.app import create_app
from sxr.clock import utcnow
from sxr.config import Settings, get_settings
from sxr.db import session_factory
from sxr.evidence.models import EvidenceReading
from sxr.jobs import services
from sxr.jobs.models import Job
from sxr.jobs.queue import JobQueue, JsonSerializer
from sxr.jobs.services import RetryPolicy
from sxr.pipeline.derivers import DERIVERS
from sxr.pipeline.jobs import DERIVE, job_kinds

from .jobs_helpers import new_case, upload


def test_waits_double_from_the_first_and_stop_at_the_longest() -> None:
    policy = RetryPolicy(attempts=6, first_wait=15, longest_wait=100)
    assert [policy.wait_after(n).total_seconds() for n in range(1, 6)] == [15, 30, 60, 100, 100]


def test_queue_messages_are_json_and_pickle_is_refused() -> None:
    serializer = JsonSerializer()
    message = Message("id-1", "sxr.jobs.queue.run_job", utcnow(), 0, 0, None, (42,), {})
    data = serializer.serialize(message)
    assert data.startswith(b"{") and b"42" in data
    back = serializer.deserialize(data)
    assert (back.id, back.name, back.args, back.eta) == (message.id, message.name, (42,), message.eta)
    with pytest.raises(ValueError):
        serializer.deserialize(pickle.dumps(message))


def test_only_known_queue_addresses_are_taken(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for good in ("", "immediate", "redis://127.0.0.1:6379/0", "sqlite:////tmp/q.sqlite3"):
        assert Settings(queue_url=good).queue_url == good
    with pytest.raises(ValidationError, match="SXR_QUEUE_URL"):
        Settings(queue_url="amqp://127.0.0.1")


def test_a_job_is_claimed_once_and_a_dead_workers_job_is_taken_back(database_url: str) -> None:
    policy = RetryPolicy(attempts=2, first_wait=0, longest_wait=0, lease=30)
    with session_factory(database_url)() as session:
        job = services.add_job(session, "retention", policy=policy)
        assert services.add_job(session, "retention", policy=policy).id != job.id
        assert services.claim(session, job.id, "host:1", policy.lease) is not None
        assert services.claim(session, job.id, "host:2", policy.lease) is None  # already running
        assert services.reap(session, policy).queue_again == []  # its lease has not run out
        session.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
        reaped = services.reap(session, policy, alive={job.id})
        assert reaped.queue_again == []  # this process runs it: not taken back, whatever the lease says
        reaped = services.reap(session, policy)
        session.commit()
        assert [j.id for j in reaped.queue_again] == [job.id]
        again = session.get(Job, job.id, populate_existing=True)
        assert (
            again is not None
            and again.state == "queued"
            and "stopped before it finished" in (again.last_error or "")
        )
        assert services.claim(session, job.id, "host:2", policy.lease) is not None
        session.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
        reaped = services.reap(session, policy)  # the second try was the last
        session.commit()
        assert [j.id for j in reaped.failed] == [job.id]
        assert session.get(Job, job.id, populate_existing=True).state == "failed"  # type: ignore[union-attr]


def test_one_job_per_dedupe_key(database_url: str) -> None:
    with session_factory(database_url)() as session:
        first = services.add_job(session, "retention", policy=RetryPolicy(), dedupe_key="retention:03:17")
        second = services.add_job(session, "retention", policy=RetryPolicy(), dedupe_key="retention:03:17")
        assert first.id == second.id
        assert len(session.scalars(select(Job)).all()) == 1


def test_a_derive_job_whose_worker_died_each_time_fails_and_is_told(database_url: str) -> None:
    _reference, token = new_case(database_url)
    queue = JobQueue(Settings(**{**get_settings().model_dump(), "queue_url": ""}), job_kinds(DERIVERS))
    client = TestClient(create_app(queue.settings))
    upload(client, token)  # queued on the embedded queue; no worker reads it here
    with session_factory(database_url)() as session:
        job = session.scalars(select(Job)).one()
        assert job.kind == DERIVE and job.state == "queued"
        # Each try's worker was killed: the lease ran out with every try used.
        session.execute(
            update(Job).values(
                state="running", attempts=job.max_attempts, lease_until=utcnow() - timedelta(seconds=1)
            )
        )
        session.commit()
    assert queue.reap() == 1
    with session_factory(database_url)() as session:
        job = session.scalars(select(Job)).one()
        assert job.state == "failed" and "each of the 4 times" in (job.last_error or "")
        reading = session.scalars(select(EvidenceReading)).one()
        assert (reading.state, reading.problem) == ("not_read", "failed")
    assert client.get(f"/case/{token}/progress").json()["items"][0]["progress"] == "not_read"
