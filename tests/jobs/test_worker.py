"""Real worker processes on real queues: an upload is answered at once and read by a worker; a worker
killed with kill -9 mid-job leaves a job that runs again with exactly one set of derived items; a deriver
that always fails is tried with growing waits, then failed for good where the victim and staff look."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sxr.app import create_app
from sxr.clock import as_utc
from sxr.config import Settings
from sxr.db import session_factory
from sxr.evidence import services as evidence
from sxr.evidence.models import DerivedItem, EvidenceReading, LedgerEntry

from .jobs_helpers import new_case, text_of, the_job, upload, wait_for, worker_process
from .worker_with import HOLD, HOLDING

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery staple"


def _kinds(url: str, *, superseded: bool) -> list[str]:
    with session_factory(url)() as session:
        query = select(DerivedItem.kind).order_by(DerivedItem.kind)
        query = query.where(
            DerivedItem.superseded_at.is_not(None) if superseded else DerivedItem.superseded_at.is_(None)
        )
        return list(session.scalars(query))


def test_an_upload_is_answered_at_once_then_read_by_a_worker(
    real_queue: Settings, database_url: str, tmp_path: Path
) -> None:
    _reference, token = new_case(database_url)
    client = TestClient(create_app(real_queue))
    page = upload(client, token)
    assert "Saved 1 file." in page
    assert "We are reading your chat: this can take a minute." in page
    assert "Waiting to be read." in page
    assert the_job(database_url).state == "queued"
    assert _kinds(database_url, superseded=False) == []  # nothing was read in the request
    progress = client.get(f"/case/{token}/progress").json()
    assert progress["pending"] == 1 and progress["items"][0]["progress"] == "waiting"

    with worker_process(tmp_path / "worker.log"):
        wait_for(lambda: the_job(database_url).state == "done")
    job = the_job(database_url)
    assert (job.attempts, job.last_error) == (1, None)
    assert _kinds(database_url, superseded=False) == ["analysis", "conversation"]
    progress = client.get(f"/case/{token}/progress").json()
    assert progress == {
        "items": [{"id": job.evidence_item_id, "progress": "read", "words": "Read.", "pending": False}],
        "pending": 0,
    }
    case_page = text_of(client.get(f"/case/{token}").text)
    assert "We read 03/12/2026 as 3 December 2026." in case_page  # the details, once ready
    assert "We are still reading" not in case_page


def test_a_worker_killed_mid_job_leaves_a_job_that_runs_again_once(
    real_queue: Settings, database_url: str, tmp_path: Path
) -> None:
    _reference, token = new_case(database_url)
    client = TestClient(create_app(real_queue))
    upload(client, token)
    hold = real_queue.data_dir / HOLD
    hold.write_text("wait")
    with worker_process(tmp_path / "first.log", "held") as first:
        # The conversation and analysis are stored (committed); the second deriver is still running.
        wait_for(lambda: (real_queue.data_dir / HOLDING).exists())
        assert _kinds(database_url, superseded=False) == ["analysis", "conversation"]
        assert the_job(database_url).state == "running"
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert the_job(database_url).state == "running"  # as the killed worker left it: nobody said otherwise
    hold.unlink()
    with worker_process(tmp_path / "second.log", "held"):
        wait_for(lambda: the_job(database_url).state == "done")
    job = the_job(database_url)
    assert job.attempts == 2
    # Exactly one current set: the first try's part is superseded (kept, as evidence of what happened).
    assert _kinds(database_url, superseded=False) == ["analysis", "conversation", "note"]
    assert _kinds(database_url, superseded=True) == ["analysis", "conversation"]
    with session_factory(database_url)() as session:
        actions = [e.action for e in session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
        assert actions.count("superseded") == 1
        reading = session.scalars(select(EvidenceReading)).one()
        assert reading.state == "read"
        assert evidence.verify(session, real_queue, record=False).intact


def test_a_job_that_always_fails_is_retried_with_growing_waits_then_told(
    real_queue: Settings, database_url: str, tmp_path: Path
) -> None:
    from sxr.accounts.staff_users import create_user

    reference, token = new_case(database_url)
    client = TestClient(create_app(real_queue))
    upload(client, token)
    with worker_process(tmp_path / "worker.log", "broken"):
        wait_for(lambda: the_job(database_url).state == "failed")
    job = the_job(database_url)
    assert job.attempts == 3 == real_queue.job_attempts
    assert "a bug in a deriver" in (job.last_error or "")
    assert job.finished_at is not None
    # Waits of 0.3 s then 0.5 s (0.6 capped) lay between the three tries.
    assert (as_utc(job.finished_at) - as_utc(job.created_at)).total_seconds() >= 0.8

    victim = text_of(client.get(f"/case/{token}").text)
    assert "something went wrong on our side" in victim, victim[victim.find("Your evidence") :][:1200]
    assert "We could not read this. See below." in victim
    assert client.get(f"/case/{token}/progress").json()["items"][0]["progress"] == "not_read"

    with session_factory(database_url)() as session:
        create_user(session, "officer@example.com", "Test officer", "officer", PASSWORD)
        session.commit()
    staff = TestClient(create_app(real_queue), base_url="https://testserver")
    form = staff.get("/staff/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    signed_in = staff.post(
        "/staff/login",
        data={"email": "officer@example.com", "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    staff_page = text_of(staff.get(f"/staff/cases/{reference}").text)
    assert "1 job failed for good." in staff_page
    assert "3 of 3" in staff_page and "a bug in a deriver" in staff_page
