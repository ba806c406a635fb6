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
