"""The audit trail as staff pages show it (a case's events, and every event for an administrator), and the
one way a view of a case is recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.accounts.models import StaffUser
from sxr.accounts.staff_audit import audit
from sxr.audit.models import AuditEvent
from sxr.cases.models import Case
from sxr.clock import utcnow


def case_audit_trail(session: Session, case: Case, limit: int = 100) -> list[AuditEvent]:
    """The case's most recent audit events, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def recent_audit_events(session: Session, limit: int = 200) -> list[tuple[AuditEvent, str | None]]:
    """The newest audit events of every kind, each with its case's reference (if any)."""
    rows = session.execute(
        select(AuditEvent, Case.reference)
        .outerjoin(Case, AuditEvent.case_id == Case.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, reference) for event, reference in rows]


RELOAD_WINDOW = timedelta(minutes=1)


def record_case_view(
    session: Session, user: StaffUser, case: Case, *, linked_from: str | None = None, why: str | None = None
) -> bool:
    """Record that `user` viewed `case` (a `case.view` event), unless the same user viewed the same case
    the same way (same link, same reason) within the last minute: a reload is not a new view.

    A case reached through a link from another victim's case carries that case's reference in the
    subject and the reason in `why`. Returns whether an event was recorded (the caller commits).
    """
    subject = f"reached through a link from {linked_from}" if linked_from else None
    recent = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor == user.actor,
            AuditEvent.action == "case.view",
            AuditEvent.case_id == case.id,
            AuditEvent.subject.is_(None) if subject is None else AuditEvent.subject == subject,
            AuditEvent.why.is_(None) if why is None else AuditEvent.why == why,
            AuditEvent.at >= utcnow() - RELOAD_WINDOW,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    audit(session, user, "case.view", case=case, subject=subject, why=why)
    return True
