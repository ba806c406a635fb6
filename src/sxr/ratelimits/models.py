"""One counter per (limit, address or "*", window): incremented atomically by every process."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sxr.db import Base


class RateCounter(Base):
    """How many times `key` was used in the fixed window that starts at `window_start` (unix seconds)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class RateBucket(Base):
    """A token bucket shared by every process, kept as the time it would be full again ("theoretical
    arrival time", microseconds since the epoch): a key spends `cost` tokens by moving it `cost / rate`
    later, refused when that would be more than `burst / rate` ahead of now."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    full_at_us: Mapped[int] = mapped_column(BigInteger)
