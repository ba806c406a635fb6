"""Linking's tables: the offender's observables per case, suggested links and the analysts' decisions on
them, and offenders (clusters of linked cases) with their harm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base


class CaseObservable(Base):
    """One of the offender's identifiers found in a case (the offender's side of its chats only)."""

    __tablename__ = "link_observables"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "value", name="uq_link_observable"),
        Index("ix_link_observables_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(400))


class CaseScript(Base):
    """What suggested links compare for a case: the offender's names and handles and a MinHash of his
    messages (never the messages themselves)."""

    __tablename__ = "link_scripts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    names: Mapped[str] = mapped_column(Text, default="")  # one a line
    minhash: Mapped[str] = mapped_column(Text, default="")  # 64 numbers, space-separated; empty: no script
    under_18: Mapped[bool] = mapped_column(default=False)
    self_harm: Mapped[bool] = mapped_column(default=False)
    paid: Mapped[bool] = mapped_column(default=False)
    hours_to_threat: Mapped[float | None] = mapped_column(Float, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LinkSuggestion(Base):
    """Two cases Splink scores as perhaps one offender: the score, the evidence, and the analyst's word."""

    __tablename__ = "link_suggestions"
    __table_args__ = (UniqueConstraint("case_a", "case_b", name="uq_link_suggestion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_a: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)  # a < b
    case_b: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)  # Splink's match probability, 0 to 1
    evidence: Mapped[str] = mapped_column(Text)  # JSON list of {"kind", "value", "why"}
    engine: Mapped[str] = mapped_column(String(16))
    # open, confirmed or rejected: the latest LinkDecision's word (open while none)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LinkDecision(Base):
    """An analyst's confirm or reject of a suggested link between two cases; rows are only added."""

    __tablename__ = "link_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_a: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case_b: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # confirmed | rejected
    decided_by: Mapped[str] = mapped_column(String(120))
    why: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Offender(Base):
    """A cluster of cases that share an offender (exact links and confirmed suggestions), with its harm."""

    __tablename__ = "offenders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The cluster's first case id: an offender keeps its id across rebuilds while that case stays in it.
    key: Mapped[int] = mapped_column(Integer, unique=True)
    harm: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    victims: Mapped[int] = mapped_column(Integer, default=0)
    under_18: Mapped[int] = mapped_column(Integer, default=0)
    self_harm: Mapped[int] = mapped_column(Integer, default=0)
    paid: Mapped[int] = mapped_column(Integer, default=0)
    latest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OffenderCase(Base):
    """A case of an offender."""

    __tablename__ = "offender_cases"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    offender_id: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"), index=True)


class OffenderPicture(Base):
    """A picture in a case's evidence that staff marked as the offender's own (his profile picture, a
    photo he sent; never the victim's images): its PDQ hash links cases (exactly, and near-duplicates
    within the watchlist's radius as suggestions)."""

    __tablename__ = "link_pictures"
    __table_args__ = (UniqueConstraint("evidence_item_id", name="uq_link_pictures_evidence_item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="CASCADE"))
    pdq: Mapped[str] = mapped_column(String(64))  # 64 hex digits, as Meta's reference prints it
    quality: Mapped[int] = mapped_column(Integer)
    marked_by: Mapped[str] = mapped_column(String(120))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
