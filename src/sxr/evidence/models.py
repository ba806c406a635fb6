"""Evidence items (originals), derived items, and the hash-chained ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sxr.cases.models import utcnow
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
