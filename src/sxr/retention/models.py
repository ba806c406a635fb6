"""Holds that keep a case from deletion, and the erasure ledger: one tombstone per deleted case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base


class CaseHold(Base):
    """Staff keep a case whatever the retention rules or the victim ask (an investigation, a court date).

    A hold is on while `lifted_at` is empty; lifted holds stay as the case's history until it is deleted.
    """

    __tablename__ = "case_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(120), default=None)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    lift_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class Erasure(Base):
    """A tombstone: proves that a case was deleted, when, why and how much, without what it held.

    Entries form one hash chain across the deployment (each holds the hash of the one before). The
    deleted case's own ledger head and a digest of its files' SHA-256s are kept: whoever holds an earlier
    copy (a report pack) can show it is what was deleted, and nobody else learns anything from them.
    The reference is kept only as an HMAC keyed by the master key.
    """

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    reference_mac: Mapped[str] = mapped_column(String(64), index=True)
    case_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ledger_seq: Mapped[int] = mapped_column(Integer)
    ledger_head: Mapped[str] = mapped_column(String(64))
    evidence_items: Mapped[int] = mapped_column(Integer)
    derived_items: Mapped[int] = mapped_column(Integer)
    watchlist_entries: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    items_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
