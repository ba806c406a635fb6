"""Holds on the staff case page: put a case on hold with a reason (an investigation, a court date), or lift
it. A case on hold is never deleted, neither by the retention rules nor at the victim's request.

Admins and officers only; every form carries the session's CSRF token; each change is an audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from sxr.accounts.deps import CsrfSessionDep
from sxr.accounts.models import StaffUser
from sxr.accounts.roles import can
from sxr.cases.services import get_case_by_reference
from sxr.deps import SessionDep
from sxr.retention import services as retention


def add_routes(router: APIRouter) -> None:
    """Add the hold routes to the staff portal's router (under its /staff prefix)."""
    router.add_api_route("/cases/{reference}/hold", set_hold, methods=["POST"])
    router.add_api_route("/cases/{reference}/hold/lift", lift_hold, methods=["POST"])


def _allowed(user: StaffUser) -> None:
    if user.must_change_password:
        raise HTTPException(status_code=403, detail="Please change your password first, at /staff/password.")
    if not can(user, "hold"):
        raise HTTPException(
            status_code=403, detail=f"Your role ({user.role}) does not allow you to put cases on hold."
        )


def set_hold(
    reference: str,
    session: SessionDep,
    staff_session: CsrfSessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Put the case on hold: it is kept whatever the retention rules or the victim ask."""
    return _change_hold(session, staff_session.user, reference, reason, retention.set_hold)


def lift_hold(
    reference: str,
    session: SessionDep,
    staff_session: CsrfSessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Lift the case's hold: the retention rules (and the victim) may delete it again."""
    return _change_hold(session, staff_session.user, reference, reason, retention.lift_hold)


def _change_hold(
    session: Session,
    user: StaffUser,
    reference: str,
    reason: str,
    change: Callable[..., object],
) -> Response:
    _allowed(user)
    case = get_case_by_reference(session, reference)
    if case is None:
        raise HTTPException(status_code=404, detail="There is no case with that reference.")
    try:
        change(session, case, reason, actor=user.actor)
    except retention.RetentionError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/staff/cases/{case.reference}#hold", status_code=303)
