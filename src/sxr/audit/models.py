"""Audit events: who did what to which case, when, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base


class AuditEvent(Base):
    """One view, change or disclosure of case data by staff (or the system)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    subject: Mapped[str | None] = mapped_column(String(255), default=None)
    why: Mapped[str | None] = mapped_column(Text, default=None)
