"""Signing in to the staff portal: a password check, then a session whose cookie token is stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sxr.accounts.models import StaffSession, StaffUser
from sxr.accounts.passwords import burn_time, hash_password, needs_rehash, password_matches
from sxr.accounts.staff_users import get_user
from sxr.clock import as_utc, utcnow

SESSION_LIFETIME = timedelta(hours=8)
SESSION_IDLE = timedelta(minutes=30)
# last_seen_at is written at most this often, so reading pages is not a write per request.
SESSION_TOUCH_EVERY = timedelta(seconds=30)


class LoginFailed(Exception):
    """E-mail or password not right, or the user is deactivated (the message never says which)."""


class LoginLocked(LoginFailed):
    """Too many wrong passwords for this user: sign-in is refused until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__("too many tries")
        self.until = until


def authenticate(session: Session, email: str, password: str, *, now: datetime | None = None) -> StaffUser:
    """The user when e-mail and password match an active user; LoginFailed or LoginLocked otherwise.

    Failures are counted on the user (and committed at once, since the caller shows an error page). An
    administrator's lock (locked_until) is honoured; guessing is limited by the view, by account and
    address, so that nobody can lock an officer out from elsewhere.
    """
    now = now or utcnow()
    user = get_user(session, email)
    if user is None:
        burn_time(password)
        raise LoginFailed("e-mail or password not right")
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        raise LoginLocked(as_utc(user.locked_until))
    ok = password_matches(user.password_hash, password)
    if ok and user.active:
        if user.failed_logins or user.locked_until is not None:
            user.failed_logins, user.locked_until = 0, None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        session.flush()
        return user
    if not ok:
        # Counted for the record; sign-in limits (by account and address) are the view's, so a stranger
        # cannot lock an officer out.
        session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id)
            .values(failed_logins=StaffUser.failed_logins + 1)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    raise LoginFailed("e-mail or password not right")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user: StaffUser) -> str:
    """A new random session token for `user` (only its hash is kept); it goes in the staff cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=_token_hash(token), user_id=user.id, csrf_secret=secrets.token_hex(32))
    )
    session.flush()
    return token


def resolve_session(
    session: Session, token: str | None, *, now: datetime | None = None
) -> StaffSession | None:
    """The live session a cookie token opens, or None (unknown, ended, too old, idle, user deactivated)."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    found = session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if found is None or found.ended_at is not None or not found.user.active:
        return None
    if not hmac.compare_digest(found.token_hash, _token_hash(token)):
        return None
    if now - as_utc(found.created_at) > SESSION_LIFETIME or now - as_utc(found.last_seen_at) > SESSION_IDLE:
        return None
    if now - as_utc(found.last_seen_at) > SESSION_TOUCH_EVERY:
        found.last_seen_at = now
        session.flush()
    return found


def end_session(session: Session, staff_session: StaffSession) -> None:
    staff_session.ended_at = utcnow()
    session.flush()


def check_csrf(staff_session: StaffSession, token: str | None) -> bool:
    """Whether a form's CSRF token is this session's."""
    return bool(token) and hmac.compare_digest(staff_session.csrf_secret, str(token))
