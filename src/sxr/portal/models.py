"""Report starts: each "Start a private report" form carries a one-time start token; the row that records
its use makes a second press of the button (after Back, a double tap, a resent POST) find the first report
instead of making another."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base


class ReportStart(Base):
    """One used start token (only its hash) and the case it made; unique, so two racing posts make one."""

    __tablename__ = "report_starts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None only inside the transaction that claims the start, until its case is made.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
