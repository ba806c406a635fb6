"""Helpers for staff portal tests: an app with the staff router, users, signing in, a case with a chat."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from sxr.app import create_app
from sxr.config import get_settings
from sxr.db import session_scope

PASSWORD = "correct horse battery staple"
# A chat whose offender writes markup: every word of it must reach the page as text.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CHAT = (
    "12/03/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Tom: yeah who is this\n"
    f"13/03/2026, 21:06 - Lily: add me on snap lily_x09 {HOSTILE} " + "x" * 300 + "\n"
    "13/03/2026, 21:10 - Lily: send me a pic of u\n"
    "13/03/2026, 21:30 - Lily: send £400 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)


def staff_app() -> FastAPI:
    """The app as `sxr serve` builds it."""
    return create_app(get_settings())


def client(base_url: str = "https://testserver") -> TestClient:
    # https: the staff cookie is Secure off loopback, and the test client honours that.
    return TestClient(staff_app(), base_url=base_url)


def add_user(database_url: str, email: str, role: str, password: str = PASSWORD) -> None:
    from sxr.accounts.staff_users import create_user

    with session_scope(database_url) as session:
        create_user(session, email, f"Test {role}", role, password)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(c: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    form = c.get("/staff/login")
    assert form.status_code == 200
    done = c.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/staff/cases"
    return csrf_of(c.get("/staff/cases").text)


@dataclass
class ChatCase:
    reference: str
    case_id: int
    item_id: int
    sha256: str
    original: bytes


def case_with_chat(database_url: str, tmp_path: Path) -> ChatCase:
    """A case holding a WhatsApp export, imported and analysed by the real derivers."""
    from sxr.cases.services import create_case
    from sxr.evidence.services import add_evidence, list_derived
    from sxr.pipeline.derivers import DERIVERS

    export = tmp_path / "WhatsApp Chat with Lily.txt"
    export.write_text(CHAT, encoding="utf-8")
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        case.what_happened = f"she asked for money {HOSTILE}"
        case.platforms = "Snapchat"
        added = add_evidence(session, get_settings(), case, export, received_by="victim", derivers=DERIVERS)
        assert added.warnings == []
        assert {d.kind for d in list_derived(session, added.item)} == {"conversation", "analysis"}
        return ChatCase(case.reference, case.id, added.item.id, added.item.sha256, export.read_bytes())


def audit_actions(database_url: str, case_id: int | None = None) -> list[tuple[str, str, str | None]]:
    """(actor, action, why) of every audit event (of one case, if given), oldest first."""
    from sxr.audit.models import AuditEvent

    with session_scope(database_url) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if case_id is not None:
            query = query.where(AuditEvent.case_id == case_id)
        return [(e.actor, e.action, e.why) for e in session.scalars(query)]
