"""What a staff user does goes on the audit trail: one event per action, and a reason for each disclosure."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sxr.accounts.models import StaffUser
from sxr.accounts.staff_users import StaffError
from sxr.audit.services import record
from sxr.cases.models import Case

REASON_MIN, REASON_MAX = 3, 500


def clean_reason(reason: str | None) -> str:
    """A disclosure's reason, trimmed; StaffError when missing or too long."""
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN:
        raise StaffError("Please say why you need this (a few words, e.g. the crime or request number).")
    if len(text) > REASON_MAX:
        raise StaffError(f"Please keep the reason under {REASON_MAX} characters.")
    return text


def audit(
    session: Session,
    user: StaffUser,
    action: str,
    *,
    case: Case | None = None,
    subject: str | None = None,
    why: str | None = None,
) -> None:
    """Record an audit event: `user` did `action` (to `case`, about `subject`, because `why`)."""
    record(
        session,
        actor=user.actor,
        action=action,
        case_id=case.id if case is not None else None,
        subject=subject[:255] if subject else None,
        why=why,
    )
