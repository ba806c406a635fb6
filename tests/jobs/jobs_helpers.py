"""Real queues and real worker processes for tests/jobs: embedded SQLite, or Redis on 127.0.0.1:6379."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import select

from sxr.cases.services import create_case, open_victim_session
from sxr.db import session_factory
from sxr.jobs.models import Job

# A Redis database of its own, so the tests never read another deployment's jobs on the same server.
REDIS_URL = "redis://127.0.0.1:6379/13"
SXR = Path(sys.executable).with_name("sxr")
WORKER_WITH = Path(__file__).with_name("worker_with.py")
SAME_SITE = {"sec-fetch-site": "same-origin"}
CHAT = (
    "03/12/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "03/12/2026, 21:05 - Tom: yeah who is this\n"
    "04/12/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "05/12/2026, 21:30 - Lily: send £100 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)
T = TypeVar("T")


def new_case(url: str) -> tuple[str, str]:
    with session_factory(url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
        return case.reference, token


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def upload(
    client: TestClient, token: str, name: str = "WhatsApp Chat with Lily.txt", body: str = CHAT
) -> str:
    page = client.post(
        f"/case/{token}/evidence",
        files=[("files", (name, body.encode("utf-8"), "application/octet-stream"))],
        headers=SAME_SITE,
    )
    assert page.status_code == 200, page.text
    return text_of(page.text)


def the_job(url: str) -> Job:
    with session_factory(url)() as session:
        return session.scalars(select(Job)).one()


def wait_for(what: Callable[[], T], timeout: float = 120.0, every: float = 0.1) -> T:
    """`what()` once it is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not so after {timeout} s: {what}")
        time.sleep(every)


@contextmanager
def worker_process(log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker: `sxr worker` when no args are given, else tests/jobs/worker_with.py ARGS."""
    command = [str(SXR), "worker", "--no-periodic"] if not args else [sys.executable, str(WORKER_WITH), *args]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out, env=dict(os.environ))
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
