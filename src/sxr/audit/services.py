"""Recording audit events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sxr.audit.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    case_id: int | None = None,
    subject: str | None = None,
    why: str | None = None,
) -> AuditEvent:
    """Add an audit event to `session` (committed with the caller's unit of work)."""
    event = AuditEvent(actor=actor, action=action, case_id=case_id, subject=subject, why=why)
    session.add(event)
    session.flush()
    return event
