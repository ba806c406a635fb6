"""The watchlist's tables: entries (hashes only), vPDQ frames, platforms' matches, alerts on cases."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sxr.clock import utcnow
from sxr.db import Base


def new_public_id(prefix: str) -> str:
    """An opaque random id: tells an outsider nothing about the case, the victim or the order of entries."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


class WatchlistEntry(Base):
    """One banked media hash (never the media): PDQ with its quality, an MD5, or a vPDQ frame set."""

    __tablename__ = "watchlist_entries"
    # Ids are never reused (SQLite would reuse the highest after a withdrawal): indexes key on them.
    __table_args__ = (
        Index("ix_watchlist_entries_case_id_trust", "case_id", "trust"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=lambda: new_public_id("wl"))
    # Null for hashes imported from another bank: there is no victim to tell about a match.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True, default=None
    )
    type: Mapped[str] = mapped_column(String(8))
    value: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    quality: Mapped[int | None] = mapped_column(Integer, default=None)
    added_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # "victim": the victim's word alone (anyone can open a case); "reviewed": staff checked it, or an
    # operator banked it. Platforms see it with each match and may ask for reviewed entries only.
    trust: Mapped[str] = mapped_column(String(16), default="victim", server_default="victim")
    reviewed_by: Mapped[str | None] = mapped_column(String(120), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    frames: Mapped[list[WatchlistFrame]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="WatchlistFrame.frame",
    )

    @property
    def framed(self) -> bool:
        """Whether the entry is a video's frames (its type's hash is a list of frames), not one value."""
        # Here, not at the top: the tables load without the hashing libraries (PyAV, pdqhash).
        from sxr.media.signal import FramedHashType
        from sxr.media.signal_types import SIGNAL_TYPES

        signal = SIGNAL_TYPES.get(self.type)
        return signal is not None and issubclass(signal, FramedHashType)


class WatchlistFrame(Base):
    """One frame of a banked vPDQ video hash."""

    __tablename__ = "watchlist_frames"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id", ondelete="CASCADE"), index=True)
    frame: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[float] = mapped_column(Float)
    hash: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int] = mapped_column(Integer)

    entry: Mapped[WatchlistEntry] = relationship(back_populates="frames")


class WatchlistMatch(Base):
    """A platform's upload that matched an entry: kept for feedback and for the victim's alert."""

    __tablename__ = "watchlist_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=lambda: new_public_id("m"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(80))
    distance: Mapped[int] = mapped_column(Integer)
    query_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    feedback: Mapped[str | None] = mapped_column(String(16), default=None)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    entry: Mapped[WatchlistEntry] = relationship()


class WatchlistAlert(Base):
    """Something the victim and staff should know about: a match, or a platform's word on it."""

    __tablename__ = "watchlist_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    match_id: Mapped[int | None] = mapped_column(
        ForeignKey("watchlist_matches.id", ondelete="CASCADE"), index=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    match: Mapped[WatchlistMatch | None] = relationship()


class WatchlistChange(Base):
    """One entry banked or withdrawn, numbered: every process's index applies the changes past its own.

    Written by database triggers (migration 0015) in the transaction that inserts or deletes the entry, so
    no path can forget it: banking, withdrawal, a case's erasure, a restore, plain SQL. On PostgreSQL the
    numbers are taken at commit under one lock, so they rise in commit order and a reader that has seen a
    number has seen every smaller one that will ever commit. It holds no hash: a withdrawn entry leaves
    only its id and type behind.
    """

    __tablename__ = "watchlist_changes"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer)
    # "add" or "withdraw"
    op: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(8))


class WatchlistChangeLog(Base):
    """The change sequence's name: one row whose random token a snapshot of the index records, so that a
    snapshot of another database (or of one a logical restore renumbered) is never taken for this one's."""

    __tablename__ = "watchlist_change_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(40))
