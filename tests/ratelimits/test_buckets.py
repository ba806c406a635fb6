"""The platform API's token buckets in the database (SQLite and PostgreSQL): exact when asked directly, and
never more than the bucket holds when several processes (here, several lease holders) spend from it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from sxr.db import session_factory
from sxr.ratelimits.buckets import LEASE_SECONDS, TokenLeases, take_shared


def test_a_shared_bucket_is_a_token_bucket(database_url: str) -> None:
    with session_factory(database_url)() as session:
        # 10 a second, 50 at once: 50 now, then refused (saying when), then refilled at the rate.
        assert take_shared(session, "api:k", 30, 10, 50, now=1_000.0) == 0
        assert take_shared(session, "api:k", 20, 10, 50, now=1_000.0) == 0
        assert take_shared(session, "api:k", 5, 10, 50, now=1_000.0) == pytest.approx(0.5)
        assert take_shared(session, "api:k", 5, 10, 50, now=1_000.5) == 0
        assert take_shared(session, "api:k", 5, 10, 50, now=1_000.5) == pytest.approx(0.5)
        # A request larger than the bucket costs the whole bucket, no more (as before: it is never refused
        # for ever).
        assert take_shared(session, "api:other", 500, 10, 50, now=1_000.0) == 0
        assert take_shared(session, "api:other", 1, 10, 50, now=1_000.0) == pytest.approx(0.1)


def test_processes_with_leases_never_spend_more_than_the_bucket(database_url: str) -> None:
    rate, burst = 1.0, 1_000.0  # a slow refill: what is spent in the test is what the bucket held
    processes = [TokenLeases() for _ in range(3)]  # each its own leases, as each worker has
    granted = 0
    with session_factory(database_url)() as session:
        for turn in range(60):
            if processes[turn % 3].take(session, "api:shared", 50, rate, burst) == 0:
                granted += 50
    # 1,000 at once, plus the refill during the test (a few tokens): never 3,000.
    assert 1_000 <= granted <= 1_050


def _full_at(session: Session, key: str) -> int:
    return int(
        session.execute(text("SELECT full_at_us FROM rate_buckets WHERE key = :k"), {"k": key}).scalar_one()
    )


def test_a_lease_serves_requests_from_memory(database_url: str) -> None:
    leases = TokenLeases()
    rate = 1_000.0
    with session_factory(database_url)() as session:
        assert leases.take(session, "api:k", 10, rate, 10_000) == 0  # leases a tenth of a second: 100
        before = _full_at(session, "api:k")
        for _ in range(9):  # the other 90 come from the lease: the database is not written
            assert leases.take(session, "api:k", 10, rate, 10_000) == 0
        assert _full_at(session, "api:k") == before
        assert leases.take(session, "api:k", 10, rate, 10_000) == 0  # a new lease
        assert _full_at(session, "api:k") > before
    assert rate * LEASE_SECONDS == 100
