"""The `jobs` table: one row per piece of slow work, whatever queue carries it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sxr.clock import utcnow
from sxr.db import Base

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
# Not finished: the victim's page keeps asking while one of these is left.
PENDING_STATES = (QUEUED, RUNNING)


class Job(Base):
    """One piece of slow work: what, for which case and evidence item, how far it got, and why it stopped.

    The queue (huey) only carries the job's id: this row is the truth. A worker claims the row (state
    running, a lease it renews while it works); a worker killed mid-job leaves a lease that runs out, and
    the reaper queues the job again.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True, default=None)
    evidence_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id"), index=True, default=None
    )
    state: Mapped[str] = mapped_column(String(10), index=True, default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=4)
    # What went wrong last, in words staff can act on (the victim is told in plainer words by the page).
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Small JSON of the job's own choices (never case content).
    payload: Mapped[str] = mapped_column(Text, default="{}")
    # One job per key (a periodic purge of one hour, say): a second submit finds the first.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    enqueued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    worker: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
