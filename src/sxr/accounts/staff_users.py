"""Staff users: added, listed and deactivated from the CLI (`sxr staff ...`); each sets their own password."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sxr.accounts.models import ROLES, StaffSession, StaffUser
from sxr.accounts.passwords import hash_password, password_matches
from sxr.clock import utcnow

MIN_PASSWORD_LENGTH = 12

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")


class StaffError(ValueError):
    """A staff user could not be created or changed; the message says why."""


def normalize_email(email: str) -> str:
    """The stored form of an e-mail address (trimmed, lower case); StaffError when it is not one."""
    clean = email.strip().lower()
    if not _EMAIL.match(clean) or len(clean) > 254:
        raise StaffError(f"{email!r} is not an e-mail address.")
    return clean


def new_password() -> str:
    """A random initial password (about 120 bits), shown once to whoever creates the user."""
    return secrets.token_urlsafe(15)


def create_user(
    session: Session, email: str, display_name: str, role: str, password: str | None = None
) -> tuple[StaffUser, str]:
    """Add a staff user; returns it with its password (generated when not given)."""
    email = normalize_email(email)
    display_name = " ".join(display_name.split())
    if not display_name or len(display_name) > 120:
        raise StaffError("A display name is 1 to 120 characters.")
    if role not in ROLES:
        raise StaffError(f"A role is one of {', '.join(ROLES)}, not {role!r}.")
    generated = password is None
    if password is None:
        password = new_password()
    else:
        _check_new_password(password)
    if session.scalar(select(StaffUser).where(StaffUser.email == email)) is not None:
        raise StaffError(f"There is already a staff user {email}.")
    user = StaffUser(
        email=email,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        must_change_password=generated,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user, password


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"A password is at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > 1024:
        raise StaffError("A password is at most 1024 characters long.")


def change_password(
    session: Session, staff_session: StaffSession, current: str, new: str, confirm: str
) -> None:
    """Change the signed-in user's password; every other session of theirs ends."""
    user = staff_session.user
    if not password_matches(user.password_hash, current):
        raise StaffError("Your current password is not right.")
    if new != confirm:
        raise StaffError("The two new passwords are not the same.")
    if new == current:
        raise StaffError("Please choose a password you have not used here before.")
    _check_new_password(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.execute(
        update(StaffSession)
        .where(
            StaffSession.user_id == user.id,
            StaffSession.id != staff_session.id,
            StaffSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()


def get_user(session: Session, email: str) -> StaffUser | None:
    try:
        email = normalize_email(email)
    except StaffError:
        return None
    return session.scalar(select(StaffUser).where(StaffUser.email == email))


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def deactivate_user(session: Session, email: str) -> StaffUser:
    """Stop a staff user from signing in, and end every session they have open."""
    user = get_user(session, email)
    if user is None:
        raise StaffError(f"There is no staff user {email}.")
    user.active = False
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return user
