"""Staff dependencies: the signed-in session and user from the staff cookie, and the CSRF check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from sxr.accounts.models import StaffSession, StaffUser
from sxr.accounts.staff_sessions import check_csrf, resolve_session
from sxr.deps import SessionDep

COOKIE_NAME = "sxr_staff"
SIGN_IN_AGAIN = "You are not signed in, or your session has ended. Please sign in again at /staff/login."
FORM_EXPIRED = "This form has expired. Please go back, reload the page and try again."


def get_optional_staff_session(request: Request, session: SessionDep) -> StaffSession | None:
    """The live staff session the cookie opens, or None."""
    return resolve_session(session, request.cookies.get(COOKIE_NAME))


def get_staff_session(
    staff_session: Annotated[StaffSession | None, Depends(get_optional_staff_session)],
) -> StaffSession:
    """The live staff session, or 401."""
    if staff_session is None:
        raise HTTPException(status_code=401, detail=SIGN_IN_AGAIN)
    return staff_session


def get_staff_user(staff_session: Annotated[StaffSession, Depends(get_staff_session)]) -> StaffUser:
    """The signed-in staff user, or 401."""
    return staff_session.user


def require_csrf(
    staff_session: Annotated[StaffSession, Depends(get_staff_session)],
    csrf_token: Annotated[str | None, Form()] = None,
) -> StaffSession:
    """The live staff session when the posted form carries its CSRF token; 403 otherwise."""
    if not check_csrf(staff_session, csrf_token):
        raise HTTPException(status_code=403, detail=FORM_EXPIRED)
    return staff_session


OptionalStaffSessionDep = Annotated[StaffSession | None, Depends(get_optional_staff_session)]
StaffSessionDep = Annotated[StaffSession, Depends(get_staff_session)]
StaffUserDep = Annotated[StaffUser, Depends(get_staff_user)]
CsrfSessionDep = Annotated[StaffSession, Depends(require_csrf)]
