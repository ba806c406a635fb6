"""A real queue for each database leg: the embedded one (SQLite file in the data dir) beside SQLite, Redis
beside PostgreSQL (production's pair). Short leases and waits, so a killed worker's job runs again soon."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sxr.config import Settings, get_settings
from sxr.jobs.queue import make_huey

from .jobs_helpers import REDIS_URL


@pytest.fixture
def real_queue(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    redis = not database_url.startswith("sqlite")
    monkeypatch.setenv("SXR_QUEUE_URL", REDIS_URL if redis else "")
    monkeypatch.setenv("SXR_JOB_LEASE_SECONDS", "2")
    monkeypatch.setenv("SXR_JOB_RETRY_SECONDS", "0.3")
    monkeypatch.setenv("SXR_JOB_RETRY_MAX_SECONDS", "0.5")
    monkeypatch.setenv("SXR_JOB_ATTEMPTS", "3")
    get_settings.cache_clear()
    settings = get_settings()
    huey = make_huey(settings)
    try:
        huey.flush()  # what an earlier run left in the test's own Redis database
    except Exception as exc:
        if os.environ.get("SXR_REQUIRE_REDIS", "") not in ("", "0"):
            pytest.fail(f"Redis not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield settings
    get_settings.cache_clear()
