"""The victim's copy and deletion over HTTP, and holds on the staff case page (CSRF, roles, audit)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sxr.app import create_app
from sxr.cases.models import Case
from sxr.config import get_settings
from sxr.db import session_scope

from .retention_helpers import (
    BANKED,
    MD5,
    WORDS,
    add_user,
    audit_actions,
    csrf_of,
    full_case,
    rows_of_case,
    sign_in,
)
from .retention_helpers import staff_client as client


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from sxr.accounts import passwords as services

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(services, "_hasher", cheap)
    monkeypatch.setattr(services, "_DUMMY_HASH", cheap.hash("dummy"))


def _open_case(c: TestClient, reference: str, pin: str) -> str:
    done = c.post("/report/return", data={"reference": reference, "pin": pin}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def test_the_victim_takes_a_copy_of_everything(database_url: str, tmp_path: Path) -> None:
    victim = full_case(database_url, tmp_path)
    c = TestClient(create_app(get_settings()))
    case_url = _open_case(c, victim.reference, victim.pin)
    page = c.get(case_url)
    assert f'href="{case_url}/your-data"' in page.text
    data_page = c.get(f"{case_url}/your-data")
    assert data_page.status_code == 200 and "Download a copy" in data_page.text
    copy = c.get(f"{case_url}/your-data/copy")
    assert copy.status_code == 200
    assert copy.headers["content-type"] == "application/zip"
    assert 'filename="my-files.zip"' in copy.headers["content-disposition"]
    assert copy.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(copy.content)) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
        answers = json.loads(zf.read("your-answers.json"))
        assert answers["what_happened"] == WORDS and answers["reference"] == victim.reference
        assert answers["platforms"] == ["Snapchat"]
        picture = next(n for n in names if n.startswith("evidence/") and n.endswith("profile navy.png"))
        assert zf.read(picture) == victim.picture
        chat = next(n for n in names if n.startswith("evidence/") and "WhatsApp Chat with Lily" in n)
        assert "send me a pic of u" in zf.read(chat).decode("utf-8")
        readings = [n for n in names if n.startswith("readings/")]
        assert any("conversation" in n for n in readings)
        conversation = json.loads(zf.read(next(n for n in readings if "conversation" in n)))
        assert any("send me a pic" in m["text"] for m in conversation["messages"])
        hashes = json.loads(zf.read("hashes.json"))
        assert {e["sha256"] for e in hashes["evidence"]} == {victim.chat_sha256, victim.picture_sha256}
        assert {(w["type"], w["value"]) for w in hashes["watchlist"]} == {("pdq", BANKED), ("md5", MD5)}
        chain = json.loads(zf.read("ledger.json"))
        assert chain[0]["action"] == "received" and "README.txt" in names
    with session_scope(database_url) as session:
        case = session.scalar(select(Case).where(Case.reference == victim.reference))
        from sxr.evidence import ledger

        last = ledger.entries(session, case.id)[-1]
        assert (last.action, last.actor) == ("exported", "victim")
        assert ledger.walk(session, case) == []


def test_the_victim_deletes_their_report_after_confirming(database_url: str, tmp_path: Path) -> None:
    victim = full_case(database_url, tmp_path)
    c = TestClient(create_app(get_settings()))
    case_url = _open_case(c, victim.reference, victim.pin)
    confirm = c.get(f"{case_url}/delete")
    assert confirm.status_code == 200
    assert "Are you sure you want to delete your report?" in confirm.text
    assert "they keep that copy" in confirm.text
    assert "We stop looking out for your pictures" in confirm.text
    # From another site: refused, nothing deleted.
    refused = c.post(f"{case_url}/delete", headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert rows_of_case(database_url, victim.case_id)["cases"] == 1
    done = c.post(f"{case_url}/delete", headers={"Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 200
    assert "Your report is deleted" in done.text and victim.reference not in done.text
    assert set(rows_of_case(database_url, victim.case_id).values()) == {0}
    # Every link and the reference + PIN stop working, kindly.
    assert c.get(case_url).status_code == 404
    again = c.post("/report/return", data={"reference": victim.reference, "pin": victim.pin})
    assert again.status_code == 400 and "not right" in again.text


def test_staff_hold_a_case_and_the_victim_cannot_delete_it(database_url: str, tmp_path: Path) -> None:
    victim = full_case(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "analyst@example.com", "analyst")
    staff = client()
    csrf = sign_in(staff, "officer@example.com")
    page = staff.get(f"/staff/cases/{victim.reference}")
    assert 'id="set-hold-form"' in page.text and "Not on hold." in page.text
    # No CSRF token, no hold.
    no_token = staff.post(f"/staff/cases/{victim.reference}/hold", data={"reason": "Investigation OP-7"})
    assert no_token.status_code == 403
    too_short = staff.post(f"/staff/cases/{victim.reference}/hold", data={"reason": "x", "csrf_token": csrf})
    assert too_short.status_code == 400 and "reason" in too_short.text
    held = staff.post(
        f"/staff/cases/{victim.reference}/hold",
        data={"reason": "Investigation OP-7, court date 3 May 2027", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert held.status_code == 303
    page = staff.get(f"/staff/cases/{victim.reference}")
    assert re.search(r'id="hold-status"><strong>On hold</strong>', page.text)
    assert "Investigation OP-7, court date 3 May 2027" in page.text and 'id="lift-hold-form"' in page.text

    # An analyst sees the hold but may not change it.
    analyst = client()
    analyst_csrf = sign_in(analyst, "analyst@example.com")
    seen = analyst.get(f"/staff/cases/{victim.reference}")
    assert "On hold" in seen.text and 'id="lift-hold-form"' not in seen.text
    refused = analyst.post(
        f"/staff/cases/{victim.reference}/hold/lift", data={"reason": "done", "csrf_token": analyst_csrf}
    )
    assert refused.status_code == 403

    victim_client = TestClient(create_app(get_settings()))
    case_url = _open_case(victim_client, victim.reference, victim.pin)
    form = victim_client.get(f"{case_url}/delete")
    assert "We cannot delete your report right now" in form.text and 'id="confirm-delete"' not in form.text
    assert "OP-7" not in form.text  # the reason is for staff only
    tried = victim_client.post(f"{case_url}/delete", headers={"Sec-Fetch-Site": "same-origin"})
    assert tried.status_code == 409 and "This is not because of anything you did" in tried.text
    assert rows_of_case(database_url, victim.case_id)["evidence_items"] == 2
    assert victim_client.get(f"{case_url}/your-data/copy").status_code == 200  # a copy still works

    lifted = staff.post(
        f"/staff/cases/{victim.reference}/hold/lift",
        data={
            "reason": "Trial finished",
            "csrf_token": csrf_of(staff.get(f"/staff/cases/{victim.reference}").text),
        },
        follow_redirects=False,
    )
    assert lifted.status_code == 303
    page = staff.get(f"/staff/cases/{victim.reference}")
    assert "Not on hold." in page.text and 'id="hold-history"' in page.text and "Trial finished" in page.text
    actions = audit_actions(database_url, victim.case_id)
    assert ("staff:officer@example.com", "case.hold", "Investigation OP-7, court date 3 May 2027") in actions
    assert ("staff:officer@example.com", "case.hold_lifted", "Trial finished") in actions
    assert not any(a[1].startswith("case.hold") and a[0] == "staff:analyst@example.com" for a in actions)
    done = victim_client.post(f"{case_url}/delete", headers={"Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 200 and "Your report is deleted" in done.text


def test_a_closed_case_page_says_when_the_rules_delete_it(database_url: str, tmp_path: Path) -> None:
    victim = full_case(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    staff = client()
    csrf = sign_in(staff, "officer@example.com")
    staff.post(f"/staff/cases/{victim.reference}/status", data={"status": "closed", "csrf_token": csrf})
    with session_scope(database_url) as session:
        case = session.scalar(select(Case).where(Case.reference == victim.reference))
        assert case.status == "closed" and case.closed_at is not None
    page = staff.get(f"/staff/cases/{victim.reference}")
    assert 'id="retention-due"' in page.text and "unless it is put on hold" in page.text
    staff.post(f"/staff/cases/{victim.reference}/status", data={"status": "triaged", "csrf_token": csrf})
    with session_scope(database_url) as session:
        assert session.scalar(select(Case.closed_at).where(Case.reference == victim.reference)) is None


@pytest.mark.parametrize(
    ("template", "on_hold"),
    [
        ("retention/your_data.html", False),
        ("retention/your_data.html", True),
        ("retention/delete.html", False),
        ("retention/delete.html", True),
        ("retention/deleted.html", False),
    ],
)
def test_the_victim_pages_speak_plainly(
    template: str, on_hold: bool, reading_grade: Callable[[list[str]], float]
) -> None:
    """Each page's own words read at Flesch-Kincaid grade 6 or below, and never blame."""
    from sxr.guidance.content import default_content
    from sxr.web.templating import templates

    html = templates.env.get_template(template).render(
        region_page=default_content().region_page("GB-ENG"),
        token="t",
        case=None,
        on_hold=on_hold,
        when="1 May 2027 at 10:00",
    )
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main is not None
    page_text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " . ", main.group(0))))
    sentences = [s.strip(" .,") for s in page_text.split(" . ") if len(s.strip(" .").split()) > 1]
    assert len(sentences) >= 3
    assert reading_grade(sentences) <= 6, sentences
    for blaming in ("you should have", "you should not have", "why did you", "you failed"):
        assert blaming not in page_text.lower()
