"""Per-address and global limits on anonymous routes, shared by every process through the database.

Each use is one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, on SQLite and
PostgreSQL alike) in its own short transaction, made before the work it guards (an Argon2 check, a new
case), so parallel requests are all counted and none gets past the limit.
"""

from __future__ import annotations

import ipaddress
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sxr.ratelimits.models import RateCounter


@dataclass(frozen=True)
class Limit:
    """At most `per_address` uses from one address (or key), and `overall` from everyone (0: no overall
    limit), per `window` seconds."""

    name: str
    per_address: int
    overall: int
    window: int


# Numbers for one deployment serving a country: a victim, or a support worker helping several, never
# meets them; a script does at once. Overall limits bound what a crowd of addresses can cost.
REPORT_START = Limit("report_start", per_address=10, overall=2_000, window=3600)
PIN_CHECK = Limit("pin_check", per_address=20, overall=3_000, window=3600)
EVIDENCE_UPLOAD = Limit("evidence_upload", per_address=60, overall=6_000, window=3600)
HASH_BANKING = Limit("hash_banking", per_address=30, overall=3_000, window=3600)
# Staff sign-in: one address may try 20 times in 15 minutes whatever the accounts; one account from one
# address 5 times (so a stranger locks out only their own address, never the officer); one account from
# everywhere 50 times an hour (guessing spread over many addresses). The same for accounts that do not
# exist, so the answers say nothing about who has an account.
STAFF_LOGIN = Limit("staff_login", per_address=20, overall=20_000, window=900)
STAFF_ACCOUNT_AT_ADDRESS = Limit("staff_account_at_address", per_address=5, overall=0, window=900)
STAFF_ACCOUNT = Limit("staff_account", per_address=50, overall=0, window=3600)
LIMITS = (REPORT_START, PIN_CHECK, EVIDENCE_UPLOAD, HASH_BANKING)
STAFF_LIMITS = (STAFF_LOGIN, STAFF_ACCOUNT_AT_ADDRESS, STAFF_ACCOUNT)


REFUSALS = Counter(
    "sxr_rate_limit_refusals", "Uses refused past a rate limit, by limit and scope", ["limit", "scope"]
)


class RateLimited(Exception):
    """Too many uses: `retry_after` seconds until the window ends; `overall` when everyone hit it."""

    def __init__(self, limit: Limit, retry_after: int, overall: bool) -> None:
        super().__init__(f"{limit.name}: too many requests")
        self.limit = limit
        self.retry_after = max(1, retry_after)
        self.overall = overall


def _upsert(session: Session, key: str, window_start: int) -> int:
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    table = RateCounter.__table__
    statement = dialect.insert(table).values(key=key, window_start=window_start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key, table.c.window_start], set_={"count": table.c.count + 1}
    ).returning(table.c.count)
    value = int(session.execute(statement).scalar_one())
    session.commit()
    return value


def hit(session: Session, limit: Limit, address: str, *, now: float | None = None) -> None:
    """Count one use of `limit` by `address`; raise RateLimited past either limit (the use still counts).

    Each count is committed at once in `session` (the request's own: on SQLite a second connection
    would wait for the request's write lock).
    """
    now = time.time() if now is None else now
    window_start = int(now) - int(now) % limit.window
    retry_after = window_start + limit.window - int(now)
    if _upsert(session, f"{limit.name}:{address}", window_start) > limit.per_address:
        REFUSALS.labels(limit.name, "address").inc()
        raise RateLimited(limit, retry_after, overall=False)
    if limit.overall and _upsert(session, f"{limit.name}:*", window_start) > limit.overall:
        REFUSALS.labels(limit.name, "overall").inc()
        raise RateLimited(limit, retry_after, overall=True)
    if random.random() < 0.01:  # now and then, forget windows that ended a day ago
        forget_old(session, now=now)


def count(session: Session, limit: Limit, address: str, *, now: float | None = None) -> int:
    """How many uses of `limit` by `address` the current window holds."""
    now = time.time() if now is None else now
    window_start = int(now) - int(now) % limit.window
    value = session.execute(
        select(RateCounter.count).where(
            RateCounter.key == f"{limit.name}:{address}", RateCounter.window_start == window_start
        )
    ).scalar_one_or_none()
    return int(value or 0)


def forget(session: Session, limit: Limit, address: str) -> None:
    """Clear `address`'s uses of `limit` (a staff member who signs in at last starts afresh)."""
    session.execute(delete(RateCounter).where(RateCounter.key == f"{limit.name}:{address}"))


def forget_old(session: Session, *, now: float | None = None, keep_seconds: int = 86_400) -> int:
    """Delete counters of windows that ended more than `keep_seconds` ago; how many went."""
    now = time.time() if now is None else now
    result = session.execute(delete(RateCounter).where(RateCounter.window_start < int(now) - keep_seconds))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`SXR_TRUSTED_PROXIES` ("10.0.0.1, 192.168.0.0/16") as networks; a bad entry is a clear error."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ValueError(f"SXR_TRUSTED_PROXIES: {part!r} is not an address or network") from exc
    return tuple(networks)


def client_address(
    peer: str | None,
    forwarded_for: Iterable[str],
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...],
) -> str:
    """The client's address: the connection's own, unless it is a trusted proxy; then the nearest
    address in X-Forwarded-For (read from the right) that is not itself a trusted proxy."""
    address = peer or "unknown"
    if not trusted:
        return address
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    while _is_trusted(address, trusted) and hops:
        address = hops.pop()
    return address


def _is_trusted(address: str, trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
