"""Token buckets shared by every process: the platform API's limit on hashes a second for each key.

A bucket lives in the database (`rate_buckets`: one atomic upsert a take, on SQLite and PostgreSQL alike),
so every worker process and machine spends from the same one. A process does not write there for every
request: it takes a lease of tokens (a tenth of a second's worth, or what the request costs if more) and
spends it in memory for at most a second. So a busy key costs a few writes a second, not one a request,
and no process ever spends a token the shared bucket did not give it. A lease still unspent after a
second is dropped: those tokens are lost, never made up, so a key may get a little less than its rate
(at most a tenth of a second's worth a process a second), never more.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sxr.ratelimits.models import RateBucket

LEASE_SECONDS = 0.1  # a lease is this many seconds' worth of the key's rate
LEASE_LIFETIME = 1.0  # seconds before an unspent lease is dropped
MAX_LEASES = 10_000  # keys with a lease in one process (keys are issued by operators: a few hundred)


def take_shared(session: Session, key: str, cost: float, rate: float, burst: float, *, now: float) -> float:
    """Spend `cost` tokens (at most `burst`) from `key`'s shared bucket, refilled at `rate` a second:
    0, or the seconds until they would be there (nothing is spent then). Commits at once."""
    now_us = int(now * 1_000_000)
    step = math.ceil(min(cost, burst) * 1_000_000 / rate)
    ahead = max(int(burst * 1_000_000 / rate), step)  # how far ahead of now a full-again time may be
    table = RateBucket.__table__
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    start = case((table.c.full_at_us > now_us, table.c.full_at_us), else_=now_us)
    statement = (
        dialect.insert(table)
        .values(key=key, full_at_us=now_us + step)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"full_at_us": start + step},
            where=start + step - now_us <= ahead,
        )
        .returning(table.c.full_at_us)
    )
    taken = session.execute(statement).scalar_one_or_none()
    full_at = (
        None if taken is not None else session.scalar(select(table.c.full_at_us).where(table.c.key == key))
    )
    session.commit()
    if taken is not None or full_at is None:
        return 0.0
    return (max(full_at, now_us) + step - now_us - ahead) / 1_000_000


@dataclass
class _Lease:
    tokens: float
    until: float  # time.monotonic() after which it is dropped


class TokenLeases:
    """This process's leases on shared buckets, one a key: most takes are served from memory."""

    def __init__(self) -> None:
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    def take(self, session: Session, key: str, cost: float, rate: float, burst: float) -> float:
        """Spend `cost` tokens (at most `burst`) of `key`'s shared bucket: 0, or the seconds to wait."""
        cost = min(cost, burst)
        held = self._spend_held(key, cost)
        if held is None:
            return 0.0
        # A lease bigger than this request when the bucket has it; else only what the request lacks.
        lease = min(burst, max(cost, rate * LEASE_SECONDS))
        wait = 0.0
        for amount in dict.fromkeys((lease - held, cost - held)):
            wait = take_shared(session, key, amount, rate, burst, now=time.time())
            if not wait:
                self._keep(key, held + amount - cost)
                return 0.0
        self._keep(key, held)  # refused: what this process held is still its own
        return wait

    def _spend_held(self, key: str, cost: float) -> float | None:
        """None when the lease held covered `cost` (spent); else the tokens it held (now taken out)."""
        with self._lock:
            lease = self._leases.pop(key, None)
            if lease is None or lease.until < time.monotonic():
                return 0.0
            if lease.tokens >= cost:
                lease.tokens -= cost
                self._leases[key] = lease
                return None
            return lease.tokens

    def _keep(self, key: str, tokens: float) -> None:
        if tokens <= 0:
            return
        with self._lock:
            if len(self._leases) >= MAX_LEASES:
                self._leases.clear()  # tokens lost, never made up: the limit stays a limit
            lease = self._leases.get(key)
            if lease is None:
                self._leases[key] = _Lease(tokens, time.monotonic() + LEASE_LIFETIME)
            else:
                lease.tokens += tokens
