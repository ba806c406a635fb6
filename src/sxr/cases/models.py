"""Cases: a reference and a PIN instead of an account; victim sessions carried in the URL path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base
from sxr.hashchain import GENESIS_HASH


class Case(Base):
    """A confidential report: found again with its reference and PIN."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="open")
    # When staff last closed the case (None while open): closed cases are kept for a set time (retention).
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    age_band: Mapped[str | None] = mapped_column(String(32), default=None)
    platforms: Mapped[str | None] = mapped_column(Text, default=None)
    # The victim's own words, sealed with the master key (cases.sealing): never plain text at rest.
    what_happened: Mapped[str | None] = mapped_column(Text, default=None)
    failed_pin_attempts: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # The ledger's head, kept on the case row: appends lock this row, and a cut-off tail is detectable.
    ledger_seq: Mapped[int] = mapped_column(Integer, default=0)
    ledger_head: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    # What the staff queue shows, kept here so a queue page never decrypts a blob.
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    risk_level: Mapped[str | None] = mapped_column(String(16), default=None)
    risk_score: Mapped[float | None] = mapped_column(Float, default=None)
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Read from the analyses when they are stored (note_analysis): the queue and trends read these.
    self_harm: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    threat_after_minutes: Mapped[int | None] = mapped_column(Integer, default=None)

    @property
    def platform_list(self) -> list[str]:
        return [p for p in (self.platforms or "").split("\n") if p]


class CaseSearchIdentifier(Base):
    """One of the offender's identifiers (kind and normal form) found in a case's analyses: staff search
    the queue by it without decrypting a blob."""

    __tablename__ = "case_search_identifiers"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "value", name="uq_case_search_identifiers_case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(400), index=True)


class VictimSession(Base):
    """A short-lived capability for one case, opened with reference + PIN; only its hash is stored."""

    __tablename__ = "victim_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ReportStart(Base):
    """One used one-time start token of the victim's start form (its hash only) and the case it made;
    unique, so a second press after Back, a double tap or two racing posts make one case
    (sxr.portal.starts)."""

    __tablename__ = "report_starts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None only inside the transaction that claims the start, until its case is made.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
