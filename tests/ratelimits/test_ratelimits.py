"""Limits shared through the database (SQLite and PostgreSQL), and whose address a request is."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sxr.db import session_factory
from sxr.ratelimits.models import RateCounter
from sxr.ratelimits.services import (
    Limit,
    RateLimited,
    client_address,
    count,
    forget_old,
    hit,
    parse_networks,
)

TEST_LIMIT = Limit("test", per_address=3, overall=4, window=60)


def test_per_address_and_overall_limits(database_url: str) -> None:
    with session_factory(database_url)() as session:
        for _ in range(3):
            hit(session, TEST_LIMIT, "192.0.2.1", now=1_000)
        with pytest.raises(RateLimited) as too_many:
            hit(session, TEST_LIMIT, "192.0.2.1", now=1_010)
        assert not too_many.value.overall and too_many.value.retry_after == 1_020 - 1_010
        hit(session, TEST_LIMIT, "192.0.2.2", now=1_010)
        with pytest.raises(RateLimited) as everyone:
            hit(session, TEST_LIMIT, "192.0.2.3", now=1_010)
        assert everyone.value.overall
        # A new window starts afresh; windows a day old are forgotten.
        hit(session, TEST_LIMIT, "192.0.2.1", now=1_020)
        assert count(session, TEST_LIMIT, "192.0.2.1", now=1_020) == 1
        assert forget_old(session, now=1_020 + 86_400 + 60) > 0
        assert session.query(RateCounter).count() == 0


def test_parallel_uses_are_all_counted(database_url: str) -> None:
    limit = Limit("parallel", per_address=1_000, overall=0, window=3_600)

    def one(_: int) -> None:
        with session_factory(database_url)() as session:
            hit(session, limit, "198.51.100.1", now=7_200)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(40)))
    with session_factory(database_url)() as session:
        assert count(session, limit, "198.51.100.1", now=7_200) == 40


def test_forwarded_addresses_are_believed_only_from_trusted_proxies() -> None:
    proxies = parse_networks("10.0.0.1, 192.168.0.0/16")
    # No proxy trusted: the connection's own address, whatever the header claims.
    assert client_address("203.0.113.7", ["198.51.100.9"], ()) == "203.0.113.7"
    # Through a trusted proxy: the nearest address it forwarded.
    assert client_address("10.0.0.1", ["198.51.100.9"], proxies) == "198.51.100.9"
    # A client that writes its own X-Forwarded-For gains nothing: only the proxy's last hop counts.
    assert client_address("10.0.0.1", ["1.2.3.4, 198.51.100.9"], proxies) == "198.51.100.9"
    # Several trusted hops are walked back.
    assert client_address("10.0.0.1", ["198.51.100.9, 192.168.1.5"], proxies) == "198.51.100.9"
    # A peer that is not a trusted proxy cannot speak for others.
    assert client_address("203.0.113.7", ["198.51.100.9"], proxies) == "203.0.113.7"
    with pytest.raises(ValueError, match="SXR_TRUSTED_PROXIES"):
        parse_networks("10.0.0.1, not-an-address")
