"""Helpers for retention tests: a case holding a real chat, a picture and banked hashes."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from sxr.app import create_app
from sxr.config import get_settings
from sxr.db import session_scope

BANKED = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "9e107d9d372bb6826bd81d3542a419d6"
WORDS = "he said he would send it to my school unless I paid"
CHAT = (
    "12/03/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Tom: yeah who is this\n"
    "13/03/2026, 21:10 - Lily: send me a pic of u\n"
    "13/03/2026, 21:30 - Lily: send £400 to sort code 20-29-59 account 63748472 or i send it to everyone\n"
)


@dataclass
class FullCase:
    reference: str
    case_id: int
    pin: str
    chat_sha256: str
    picture_sha256: str
    picture: bytes


def png_bytes(colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def full_case(
    database_url: str, tmp_path: Path, *, picture_colour: str = "navy", last_words: str = "leave me alone"
) -> FullCase:
    """A case with words, a chat export (read by the real derivers), a picture and two banked hashes."""
    from sxr.cases.services import NewCaseAnswers, create_case
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS
    from sxr.watchlist.services import bank_hashes

    settings = get_settings()
    chat = tmp_path / "WhatsApp Chat with Lily.txt"
    chat.write_text(CHAT + f"13/03/2026, 21:31 - Tom: {last_words}\n", encoding="utf-8")
    picture = tmp_path / f"profile {picture_colour}.png"
    picture.write_bytes(png_bytes(picture_colour))
    with session_scope(database_url) as session:
        case, pin = create_case(
            session, NewCaseAnswers(what_happened=WORDS, platforms=("Snapchat",)), settings
        )
        chat_item = add_evidence(session, settings, case, chat, received_by="victim", derivers=DERIVERS).item
        picture_item = add_evidence(
            session, settings, case, picture, received_by="victim", derivers=DERIVERS
        ).item
        bank_hashes(
            session,
            case.id,
            [{"type": "pdq", "value": BANKED, "quality": 90}, {"type": "md5", "value": MD5}],
            "victim",
        )
        return FullCase(
            case.reference, case.id, pin, chat_item.sha256, picture_item.sha256, picture.read_bytes()
        )


def rows_of_case(database_url: str, case_id: int) -> dict[str, int]:
    """How many rows each table that points at cases holds for `case_id`."""
    from sxr.models import load_all_models

    metadata = load_all_models().metadata
    counts: dict[str, int] = {}
    with session_scope(database_url) as session:
        for table in metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table.name == "cases":
                    counts[table.name] = int(
                        session.scalar(select(func.count()).select_from(table).where(fk.parent == case_id))
                        or 0
                    )
        counts["cases"] = int(
            session.scalar(
                select(func.count())
                .select_from(metadata.tables["cases"])
                .where(metadata.tables["cases"].c.id == case_id)
            )
            or 0
        )
    return counts


PASSWORD = "correct horse battery staple"


def add_user(database_url: str, email: str, role: str, password: str = PASSWORD) -> None:
    from sxr.accounts.staff_users import create_user

    with session_scope(database_url) as session:
        create_user(session, email, f"Test {role}", role, password)


def staff_client() -> TestClient:
    # https: the staff cookie is Secure, and the test client honours that.
    return TestClient(create_app(get_settings()), base_url="https://testserver")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(c: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    form = c.get("/staff/login")
    done = c.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return csrf_of(c.get("/staff/cases").text)


def audit_actions(database_url: str, case_id: int) -> list[tuple[str, str, str | None]]:
    """(actor, action, why) of every audit event of one case, oldest first."""
    from sxr.audit.models import AuditEvent

    with session_scope(database_url) as session:
        query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
        return [(e.actor, e.action, e.why) for e in session.scalars(query)]
