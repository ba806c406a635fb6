"""Evidence items (originals), derived items, and the hash-chained ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base


class EvidenceItem(Base):
    """One original file as received: never changed; its bytes live in an encrypted blob."""

    __tablename__ = "evidence_items"
    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_evidence_items_case_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_by: Mapped[str] = mapped_column(String(120))


class DerivedItem(Base):
    """Something made from an evidence item (parsed conversation, OCR text, thumbnail), stored apart."""

    __tablename__ = "derived_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    # Set when the item was derived again (the victim said how its dates are written): the blob and its
    # ledger entries stay; readers skip superseded items.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


# EvidenceReading.state: what the derivers made of an item. NO_CHAT (a photo, a zip of photos) is no
# failure: it is said, but not counted among the files that could not be read.
READ, NOT_READ, PARTLY_READ, NO_CHAT = "read", "not_read", "partly_read", "no_chat"
NOT_READ_STATES = (NOT_READ, PARTLY_READ)


class EvidenceReading(Base):
    """What the derivers made of one evidence item: read or not (and why), and how its dates were read.

    Kept in a row of its own (not only on the ledger), so the victim, the staff queue and the report pack
    can say "1 file could not be read" without decrypting anything. One row per item, rewritten on each run.
    """

    __tablename__ = "evidence_readings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    # What went wrong, as a word the pages turn into kind sentences: not_a_chat, unreadable, no_messages,
    # some_chats, failed (a bug). None when all was read.
    problem: Mapped[str | None] = mapped_column(String(32), default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)  # the error as raised, for staff
    # How the current derived conversation read written dates (DMY/MDY/YMD; given/inferred/assumed).
    date_order: Mapped[str | None] = mapped_column(String(3), default=None)
    date_how: Mapped[str | None] = mapped_column(String(16), default=None)
    # The order the victim (or staff) chose for this item; derivers use it before anything else.
    date_choice: Mapped[str | None] = mapped_column(String(3), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerEntry(Base):
    """One action on a case's evidence; holds the hash of the entry before it (per-case chain)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_ledger_entries_case_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    evidence_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    derived_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
