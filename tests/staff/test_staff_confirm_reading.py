"""Staff confirm what was read from a screenshot: the picture is shown only on a stated reason (audited,
on the ledger), the confirmed reading names staff, and a support role cannot reach the page."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from sxr.audit.models import AuditEvent
from sxr.cases.services import create_case, open_victim_session
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.evidence import services as evidence
from sxr.evidence.models import EvidenceItem, LedgerEntry

from .staff_helpers import add_user, client, csrf_of, sign_in

SAME_SITE = {"sec-fetch-site": "same-origin"}
CHAT: list[tuple[str, ...]] = [
    ("left", "add me on snap lily_x09", "21:04"),
    ("right", "who is this", "21:05"),
    ("left", "send £100 or I send them to everyone", "21:06"),
]


@pytest.mark.slow
def test_staff_confirm_a_screenshot_reading(sqlite_url: str, tmp_path: Path) -> None:
    from chat_render import render_chat

    shot = tmp_path / "Screenshot_chat.png"
    render_chat(CHAT, size=(720, 1600), style="whatsapp-light")[0].image.save(shot)
    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        reference = case.reference
    sent = client().post(
        f"/case/{token}/evidence",
        files=[("files", (shot.name, shot.read_bytes(), "image/png"))],
        headers=SAME_SITE,
    )
    assert sent.status_code == 200, sent.text
    with session_scope(sqlite_url) as session:
        item_id = session.scalars(select(EvidenceItem.id)).one()
    url = f"/staff/cases/{reference}/evidence/{item_id}/reading"

    add_user(sqlite_url, "support@example.com", "support")
    support = client()
    sign_in(support, "support@example.com")
    assert support.get(url).status_code == 403

    add_user(sqlite_url, "analyst@example.com", "analyst")
    c = client()
    sign_in(c, "analyst@example.com")
    assert url in c.get(f"/staff/cases/{reference}").text
    page = c.get(url)
    assert page.status_code == 200 and "lily_x09" in page.text and "data:image" not in page.text
    csrf = csrf_of(page.text)

    refused = c.post(f"{url}/picture", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 400 and "Please say why" in refused.text
    shown = c.post(f"{url}/picture", data={"csrf_token": csrf, "reason": "checking the OCR, ref 42"})
    assert shown.status_code == 200
    found = re.search(r'src="data:image/png;base64,([^"]+)"', shown.text)
    assert found is not None and base64.b64decode(found.group(1)) == shot.read_bytes()

    form = {
        "csrf_token": csrf,
        "side": ["left", "left", "left"],
        "text": ["add me on snap lily_x10", "who is this", "send £100 or I send them to everyone"],
        "time": ["21:04", "21:05", "21:06"],
    }
    assert c.post(url, data={k: v for k, v in form.items() if k != "csrf_token"}).status_code == 403
    done = c.post(url, data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "confirmed by the staff" in c.get(done.headers["location"]).text

    settings = get_settings()
    with session_scope(sqlite_url) as session:
        entries = session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        shown_entry = next(e for e in entries if e.action == "exported")
        assert json.loads(shown_entry.details) == {"shown": "original", "why": "checking the OCR, ref 42"}
        confirmed = next(e for e in entries if e.action == "confirmed")
        assert confirmed.actor == "staff:analyst@example.com"
        assert json.loads(confirmed.details)["confirmed_by"] == "staff"
        actions = set(session.scalars(select(AuditEvent.action)))
        assert {"evidence.view", "evidence.reading.confirm"} <= actions
        item = session.get(EvidenceItem, item_id)
        assert item is not None
        conversation = next(d for d in evidence.list_derived(session, item) if d.kind == "conversation")
        messages = json.loads(evidence.read_derived(settings, conversation))["messages"]
        assert [m["sender"] for m in messages] == ["left", "left", "left"]
        assert {m["confirmed_by"] for m in messages} == {"staff"}
        assert evidence.verify(session, settings).intact
