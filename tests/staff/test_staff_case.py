"""The case queue and case page: evidence, the offender's details from a real chat, reviews, downloads,
report packs, status, roles and the audit trail."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from sxr.config import get_settings
from sxr.db import session_scope

from .staff_helpers import HOSTILE, add_user, audit_actions, case_with_chat, client, sign_in


def _section(page: str, element_id: str) -> str:
    """The HTML of the table (or block) with this id."""
    found = re.search(rf'<table id="{element_id}".*?</table>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return found.group(0)


def test_case_page_shows_evidence_details_and_timeline_escaped(database_url: str, tmp_path: Path) -> None:
    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "analyst@example.com", "analyst")
    c = client()
    sign_in(c, "analyst@example.com")

    queue = c.get("/staff/cases")
    row = re.search(rf"<tr>\s*<td[^>]*><a href=\"/staff/cases/{chat.reference}\">.*?</tr>", queue.text, re.S)
    assert row and "New" in row.group(0)
    # The risk level comes from the chat's analysis; the payment and the age band come from the case row.
    assert '<td data-label="Risk"><span class="risk risk--high">High</span></td>' in row.group(0)

    page = c.get(f"/staff/cases/{chat.reference}")
    assert page.status_code == 200
    evidence = _section(page.text, "evidence-list")
    assert "WhatsApp Chat with Lily.txt" in evidence and chat.sha256 in evidence and "by victim" in evidence
    details = _section(page.text, "offender-details")
    # People's labels from the one vocabulary, never the machine's names.
    shown = re.sub(r"<input[^>]*>", "", details)  # the review form carries the kind's name, unseen
    assert "Snapchat name" in shown and "snapchat_username" not in shown and "lily_x09" in shown
    assert "Sort code and account number" in details and "202959-63748472" in details
    assert "add me on snap lily_x09 &lt;script&gt;" in details  # the first message it was seen in
    assert "WhatsApp Chat with Lily.txt" in details  # and in which evidence item
    timeline = _section(page.text, "timeline")
    assert "move to another app" in timeline and "threat, demand" in timeline
    assert "add me on snap lily_x09 &lt;script&gt;" in timeline
    assert 'id="risk">Level <strong>high</strong>' in page.text
    # Hostile text: never markup, always text.
    assert HOSTILE not in page.text and "<script>alert" not in page.text and "<img src=x" not in page.text
    assert html.escape(HOSTILE, quote=False) in page.text or "&lt;script&gt;" in page.text
    assert "she asked for money &lt;script&gt;" in page.text
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]

    views = [a for a in audit_actions(database_url, chat.case_id) if a[1] == "case.view"]
    assert views == [("staff:analyst@example.com", "case.view", None)]
    assert ("staff:analyst@example.com", "case_queue.view", None) in audit_actions(database_url)


def test_confirm_and_reject_are_recorded_and_rejected_details_kept_apart(
    database_url: str, tmp_path: Path
) -> None:
    from sxr.analysis.services import decision_history

    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    url = f"/staff/cases/{chat.reference}"
    rejected = c.post(
        f"{url}/details",
        data={"csrf_token": csrf, "kind": "snapchat_username", "value": "lily_x09", "decision": "rejected"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    confirmed = c.post(
        f"{url}/details",
        data={
            "csrf_token": csrf,
            "kind": "uk_bank_account",
            "value": "202959-63748472",
            "decision": "confirmed",
        },
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    bad = c.post(
        f"{url}/details", data={"csrf_token": csrf, "kind": "phone", "value": "x", "decision": "maybe"}
    )
    assert bad.status_code == 400

    page = c.get(url).text
    assert "lily_x09" not in _section(page, "offender-details")
    assert "lily_x09" in _section(page, "rejected-details")
    kept = _section(page, "offender-details")
    assert "202959-63748472" in kept and "confirmed by staff:officer@example.com" in kept
    with session_scope(database_url) as session:
        history = [
            (d.kind, d.value, d.decision, d.decided_by) for d in decision_history(session, chat.case_id)
        ]
    assert history == [
        ("snapchat_username", "lily_x09", "rejected", "staff:officer@example.com"),
        ("uk_bank_account", "202959-63748472", "confirmed", "staff:officer@example.com"),
    ]
    actions = [a for _, a, _ in audit_actions(database_url, chat.case_id)]
    assert actions[:2] == ["detail.rejected", "detail.confirmed"]
    # The audit trail is on the case page too.
    assert "Rejected a detail: Snapchat name: lily_x09" in _section(page, "audit-trail")


def test_download_needs_a_reason_and_is_audited(database_url: str, tmp_path: Path) -> None:
    from sxr.evidence.services import verify

    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    url = f"/staff/cases/{chat.reference}/evidence/{chat.item_id}/download"
    no_reason = c.post(url, data={"csrf_token": csrf, "reason": "  "})
    assert no_reason.status_code == 400 and "Please say why" in no_reason.text
    assert c.post(url, data={"reason": "crime 12/3456/26"}).status_code == 403  # no CSRF token
    assert (
        c.post(
            f"/staff/cases/{chat.reference}/evidence/99999/download",
            data={"csrf_token": csrf, "reason": "x y z"},
        ).status_code
        == 404
    )

    got = c.post(url, data={"csrf_token": csrf, "reason": "crime 12/3456/26"})
    assert got.status_code == 200
    assert got.content == chat.original
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    downloads = [a for a in audit_actions(database_url, chat.case_id) if a[1] == "evidence.download"]
    assert downloads == [("staff:officer@example.com", "evidence.download", "crime 12/3456/26")]
    with session_scope(database_url) as session:
        assert verify(session, get_settings()).intact  # the ledger's new "exported" entry chains on


def test_support_sees_the_case_but_cannot_take_or_change_anything(database_url: str, tmp_path: Path) -> None:
    from sxr.cases.models import Case

    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "support@example.com", "support")
    c = client()
    csrf = sign_in(c, "support@example.com")
    base = f"/staff/cases/{chat.reference}"
    page = c.get(base)
    assert page.status_code == 200 and chat.sha256 in page.text and "lily_x09" in page.text
    assert (
        "/download" not in page.text and "report-pack" not in page.text and 'name="decision"' not in page.text
    )
    reason = {"csrf_token": csrf, "reason": "checking"}
    assert c.post(f"{base}/evidence/{chat.item_id}/download", data=reason).status_code == 403
    assert c.post(f"{base}/report-pack", data=reason).status_code == 403
    review = {"csrf_token": csrf, "kind": "snapchat_username", "value": "lily_x09", "decision": "rejected"}
    assert c.post(f"{base}/details", data=review).status_code == 403
    assert c.post(f"{base}/status", data={"csrf_token": csrf, "status": "closed"}).status_code == 403
    with session_scope(database_url) as session:
        case = session.get(Case, chat.case_id)
        assert case is not None and case.status == "open"
    actions = [a for _, a, _ in audit_actions(database_url, chat.case_id)]
    assert actions == ["case.view"]


def test_status_change_by_role(database_url: str, tmp_path: Path) -> None:
    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "analyst@example.com", "analyst")
    analyst = client()
    csrf = sign_in(analyst, "analyst@example.com")
    base = f"/staff/cases/{chat.reference}"
    assert analyst.post(f"{base}/status", data={"csrf_token": csrf, "status": "triaged"}).status_code == 403
    officer = client()
    csrf = sign_in(officer, "officer@example.com")
    assert officer.post(f"{base}/status", data={"csrf_token": csrf, "status": "nonsense"}).status_code == 400
    moved = officer.post(
        f"{base}/status", data={"csrf_token": csrf, "status": "with_police"}, follow_redirects=False
    )
    assert moved.status_code == 303
    assert 'id="case-status">With police<' in officer.get(base).text
    assert "With police" in officer.get("/staff/cases?status=with_police").text
    assert chat.reference not in officer.get("/staff/cases?status=closed").text
    from sxr.audit.models import AuditEvent

    with session_scope(database_url) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.status"))
        assert event is not None and event.subject == "open -> with_police"
        assert event.actor == "staff:officer@example.com" and event.case_id == chat.case_id


def test_alerts_reach_the_queue_and_the_case_page(database_url: str, tmp_path: Path) -> None:
    from sxr.watchlist import services as watchlist

    chat = case_with_chat(database_url, tmp_path)
    watchlist.reset_live_indexes()
    md5 = "0123456789abcdef0123456789abcdef"
    with session_scope(database_url) as session:
        watchlist.bank_hashes(session, chat.case_id, [{"type": "md5", "value": md5}], added_by="victim")
    with session_scope(database_url) as session:
        watchlist.match_hashes(session, [{"type": "md5", "value": md5}], platform="ExamplePlatform")
    add_user(database_url, "analyst@example.com", "analyst")
    c = client()
    sign_in(c, "analyst@example.com")
    queue = c.get("/staff/cases").text
    row = re.search(rf"<tr>\s*<td[^>]*><a href=\"/staff/cases/{chat.reference}\">.*?</tr>", queue, re.S)
    assert row and '<td data-label="Alerts">1</td>' in row.group(0)
    page = c.get(f"/staff/cases/{chat.reference}").text
    assert "ExamplePlatform" in _section(page, "alerts") and "ExamplePlatform" in _section(page, "matches")
    watchlist.reset_live_indexes()


@pytest.mark.slow
def test_report_pack_needs_a_reason_and_is_audited(database_url: str, tmp_path: Path) -> None:
    from sxr.reports.pack import verify_pack

    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    url = f"/staff/cases/{chat.reference}/report-pack"
    assert c.post(url, data={"csrf_token": csrf, "reason": ""}).status_code == 400
    got = c.post(url, data={"csrf_token": csrf, "reason": "request from DC Example"})
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    pack = tmp_path / "pack.zip"
    pack.write_bytes(got.content)
    checked = verify_pack(pack)
    assert checked.ok, checked.problems
    assert checked.case_reference == chat.reference
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        assert any(n.startswith("evidence/") for n in zf.namelist())
    packs = [a for a in audit_actions(database_url, chat.case_id) if a[1] == "report_pack.build"]
    assert packs == [("staff:officer@example.com", "report_pack.build", "request from DC Example")]


def test_download_names_cannot_break_the_header() -> None:
    from sxr.staff.views import _download_name

    header = _download_name('chat "export"\r\nSet-Cookie: x=1; <b>£.txt')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.startswith('attachment; filename="chat_export_Set-Cookie_x_1_b_.txt"')
    assert "filename*=UTF-8''chat%20%22export%22%0D%0ASet-Cookie%3A%20x%3D1%3B%20%3Cb%3E%C2%A3.txt" in header


def test_only_administrators_read_the_whole_audit_trail(database_url: str, tmp_path: Path) -> None:
    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "admin@example.com", "admin")
    officer = client()
    csrf = sign_in(officer, "officer@example.com")
    assert "/staff/audit" not in officer.get("/staff/cases").text
    assert officer.get("/staff/audit").status_code == 403
    url = f"/staff/cases/{chat.reference}/evidence/{chat.item_id}/download"
    assert officer.post(url, data={"csrf_token": csrf, "reason": "crime <b>42</b>"}).status_code == 200
    admin = client()
    sign_in(admin, "admin@example.com")
    page = admin.get("/staff/audit")
    assert page.status_code == 200
    table = _section(page.text, "audit-events")
    assert "Downloaded an original" in table and "crime &lt;b&gt;42&lt;/b&gt;" in table
    assert f'<a href="/staff/cases/{chat.reference}">' in table and "staff:officer@example.com" in table
    assert ("staff:admin@example.com", "audit.view", None) in audit_actions(database_url)
