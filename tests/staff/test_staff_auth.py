"""Signing in and out of the staff portal: cookies, wrong passwords, lockout, throttling, CSRF, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from sxr.accounts import staff_sessions, staff_users
from sxr.accounts.models import StaffSession, StaffUser
from sxr.clock import utcnow
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.ratelimits.services import STAFF_ACCOUNT_AT_ADDRESS, STAFF_LOGIN

from .staff_helpers import PASSWORD, add_user, audit_actions, client, csrf_of, sign_in


def test_sign_in_and_out(database_url: str) -> None:
    add_user(database_url, "Officer@Example.com", "officer")
    c = client()
    away = c.get("/staff/cases", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/staff/login"
    form = c.get("/staff/login")
    done = c.post(
        "/staff/login",
        data={"email": "officer@example.com", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith("sxr_staff="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "secure" in lowered
    assert "path=/staff" in lowered
    queue = c.get("/staff/cases")
    assert queue.status_code == 200 and "Case queue" in queue.text and "Test officer" in queue.text
    # The cookie holds the token; only its hash is stored.
    token = c.cookies.get("sxr_staff")
    assert token
    with session_scope(database_url) as session:
        stored = session.scalars(select(StaffSession.token_hash)).all()
    assert stored and token not in stored

    out = c.post("/staff/logout", data={"csrf_token": csrf_of(queue.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/staff/login"
    # Even a browser that kept the old cookie is not signed in any more.
    c.cookies.set("sxr_staff", token, domain="testserver", path="/staff")
    assert c.get("/staff/cases", follow_redirects=False).status_code == 303
    actions = [a for _, a, _ in audit_actions(database_url)]
    assert actions == ["staff.login", "case_queue.view", "staff.logout"]


def test_cookie_is_secure_whatever_the_host_header(database_url: str) -> None:
    """A reverse proxy sends Host: 127.0.0.1; the browser still used HTTPS, so the cookie stays Secure."""
    add_user(database_url, "analyst@example.com", "analyst")
    c = client("https://127.0.0.1")
    form = c.get("/staff/login")
    done = c.post(
        "/staff/login",
        data={"email": "analyst@example.com", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith("sxr_staff="))
    assert "secure" in cookie.lower() and "httponly" in cookie.lower()


def test_a_development_setting_drops_secure(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SXR_COOKIE_SECURE", "false")
    get_settings.cache_clear()
    add_user(database_url, "analyst@example.com", "analyst")
    c = client("http://127.0.0.1")
    form = c.get("/staff/login")
    done = c.post(
        "/staff/login",
        data={"email": "analyst@example.com", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith("sxr_staff="))
    assert "secure" not in cookie.lower()
    assert c.get("/staff/cases").status_code == 200


MAX_TRIES = STAFF_ACCOUNT_AT_ADDRESS.per_address


def _try(c: TestClient, email: str, password: str, address: str = "192.0.2.1") -> Response:
    """One sign-in from `address` (the test client's peer: no proxy is trusted)."""
    peer = TestClient(c.app, base_url="https://testserver", client=(address, 50000))
    form = peer.get("/staff/login")
    return peer.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


def test_wrong_password_and_lockout(database_url: str) -> None:
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    codes = [_try(c, "officer@example.com", "not it at all").status_code for _ in range(MAX_TRIES)]
    assert codes == [400] * (MAX_TRIES - 1) + [429]
    # Locked here: even the right password is refused now.
    right = _try(c, "officer@example.com", PASSWORD)
    assert right.status_code == 429 and "Too many failed sign-ins" in right.text
    assert "sxr_staff=" not in right.headers.get("set-cookie", "")
    failed = [a for a in audit_actions(database_url) if a[1] == "staff.login_failed"]
    assert len(failed) == MAX_TRIES + 1


def test_an_unknown_account_is_answered_as_a_real_one(database_url: str) -> None:
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    real = [_try(c, "officer@example.com", "not it at all").status_code for _ in range(MAX_TRIES + 1)]
    unknown = [_try(c, "nobody@example.com", "not it at all").status_code for _ in range(MAX_TRIES + 1)]
    assert real == unknown == [400] * (MAX_TRIES - 1) + [429, 429]


def test_a_stranger_cannot_lock_an_officer_out(database_url: str) -> None:
    """Guessing from one address locks that address out of the account, not the officer elsewhere."""
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    for _ in range(MAX_TRIES + 2):
        _try(c, "officer@example.com", "wrong guess", address="203.0.113.9")
    assert _try(c, "officer@example.com", PASSWORD, address="203.0.113.9").status_code == 429
    # The officer, from their own address, signs in as usual.
    assert _try(c, "officer@example.com", PASSWORD, address="198.51.100.7").status_code == 303


def test_one_address_trying_many_accounts_is_throttled(database_url: str) -> None:
    c = client()
    codes = [
        _try(c, f"guess{n}@example.com", "x" * 12).status_code for n in range(STAFF_LOGIN.per_address + 1)
    ]
    assert codes[: STAFF_LOGIN.per_address] == [400] * STAFF_LOGIN.per_address
    assert codes[-1] == 429


def test_forms_without_the_csrf_token_are_refused(database_url: str) -> None:
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    # Sign-in form posted without the cookie its token belongs to (e.g. from another site).
    blind = c.post(
        "/staff/login", data={"email": "officer@example.com", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert blind.status_code == 403 and "sxr_staff=" not in blind.headers.get("set-cookie", "")
    csrf = sign_in(c, "officer@example.com")
    assert c.post("/staff/logout", data={}).status_code == 403
    assert c.post("/staff/logout", data={"csrf_token": csrf[:-2] + "00"}).status_code == 403
    assert c.get("/staff/cases").status_code == 200  # still signed in


def test_sessions_expire_when_idle_or_old_and_when_the_user_is_deactivated(database_url: str) -> None:
    add_user(database_url, "support@example.com", "support")
    with session_scope(database_url) as session:
        user = session.scalar(select(StaffUser))
        assert user is not None
        token = staff_sessions.open_session(session, user)
        now = utcnow()
        assert staff_sessions.resolve_session(session, token, now=now) is not None
        assert staff_sessions.resolve_session(session, token + "x", now=now) is None
        assert staff_sessions.resolve_session(session, token, now=now + timedelta(minutes=31)) is None
        # Kept busy, a session still ends 8 hours after sign-in.
        for step in range(1, 24):  # every 20 minutes up to 7 h 40
            assert (
                staff_sessions.resolve_session(session, token, now=now + step * timedelta(minutes=20))
                is not None
            )
        assert staff_sessions.resolve_session(session, token, now=now + timedelta(hours=8, minutes=1)) is None
    with session_scope(database_url) as session:
        token = staff_sessions.open_session(session, staff_users.get_user(session, "support@example.com"))  # type: ignore[arg-type]
    with session_scope(database_url) as session:
        staff_users.deactivate_user(session, "support@example.com")
    with session_scope(database_url) as session:
        assert staff_sessions.resolve_session(session, token) is None
        with pytest.raises(staff_sessions.LoginFailed):
            staff_sessions.authenticate(session, "support@example.com", PASSWORD)


def test_a_generated_password_must_be_changed_at_first_sign_in(database_url: str) -> None:
    with session_scope(database_url) as session:
        _user, generated = staff_users.create_user(session, "new@example.com", "New Officer", "officer")
    c = client()
    form = c.get("/staff/login")
    done = c.post(
        "/staff/login",
        data={"email": "new@example.com", "password": generated, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/password"
    assert c.get("/staff/cases", follow_redirects=False).headers["location"] == "/staff/password"
    page = c.get("/staff/password")
    assert "please choose your own" in page.text
    csrf = csrf_of(page.text)
    assert (
        c.post("/staff/cases/SXR-2222-2222/status", data={"csrf_token": csrf, "status": "closed"}).status_code
        == 403
    )

    def change(current: str, new: str, confirm: str) -> int:
        data = {
            "csrf_token": csrf,
            "current_password": current,
            "new_password": new,
            "confirm_password": confirm,
        }
        return c.post("/staff/password", data=data, follow_redirects=False).status_code

    assert change("wrong password!", PASSWORD, PASSWORD) == 400
    assert change(generated, PASSWORD, PASSWORD + "!") == 400
    assert change(generated, "too short", "too short") == 400
    assert change(generated, PASSWORD, PASSWORD) == 303
    assert c.get("/staff/cases").status_code == 200
    with session_scope(database_url) as session:
        with pytest.raises(staff_sessions.LoginFailed):
            staff_sessions.authenticate(session, "new@example.com", generated)
        assert staff_sessions.authenticate(session, "new@example.com", PASSWORD).must_change_password is False
    assert "staff.password_changed" in [a for _, a, _ in audit_actions(database_url)]
