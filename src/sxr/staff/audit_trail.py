"""The audit trail as staff pages show it: a case's events, and every event for an administrator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.audit.models import AuditEvent
from sxr.cases.models import Case


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
