"""An officer's workspace: the queue's columns, sort, filters and search by identifier; the case page in
sections with the chat; one vocabulary of status words; views audited once a minute, with a reason when
reached through a link; the force's trends with small numbers suppressed in the CSV downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from sxr.config import get_settings
from sxr.db import session_scope

from .staff_helpers import add_user, audit_actions, case_with_chat, client, sign_in

# One offender: a Snapchat name, a phone written the UK way, a PayPal link; a payment, a second demand,
# and the victim's words about self-harm. His markup must stay text.
PAID_CHAT = (
    "12/03/2026, 21:04 - Jay: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Sam: yeah who is this\n"
    "12/03/2026, 21:06 - Jay: add me on snap jay_x_love22 or text me 07700 900123\n"
    "12/03/2026, 21:20 - Jay: send me a pic of u\n"
    "12/03/2026, 22:06 - Jay: pay £300 to paypal.me/jaypays22 or i send ur pic to all ur friends "
    '<script>alert("jay")</script>\n'
    "12/03/2026, 22:10 - Sam: ok i paid you the £300 please delete it\n"
    "12/03/2026, 22:12 - Jay: now send £500 more or i post it\n"
    "12/03/2026, 22:15 - Sam: i want to kill myself\n"
)


def _case_with(database_url: str, tmp_path: Path, text: str, *, age_band: str | None, platforms: str) -> str:
    from sxr.cases.services import create_case
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS

    export = tmp_path / f"WhatsApp Chat {len(list(tmp_path.iterdir()))}.txt"
    export.write_text(text, encoding="utf-8")
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        case.age_band, case.platforms = age_band, platforms
        add_evidence(session, get_settings(), case, export, received_by="victim", derivers=DERIVERS)
        return case.reference


def _references(html: str) -> list[str]:
    found = re.search(r'<table id="case-queue".*?</table>', html, re.S)
    return re.findall(r'href="/staff/cases/(SXR-[^"]+)"', found.group(0)) if found else []


def test_the_case_row_keeps_what_the_queue_and_trends_show(database_url: str, tmp_path: Path) -> None:
    from sxr.cases.models import Case, CaseSearchIdentifier

    paid = _case_with(database_url, tmp_path, PAID_CHAT, age_band="13-15", platforms="Instagram")
    plain = case_with_chat(database_url, tmp_path)
    with session_scope(database_url) as session:
        case = session.scalar(select(Case).where(Case.reference == paid))
        assert case is not None
        assert (case.self_harm, case.paid, case.threat_after_minutes) == (True, True, 62)
        found = {
            tuple(r) for r in session.execute(select(CaseSearchIdentifier.kind, CaseSearchIdentifier.value))
        }
        assert {
            ("phone", "+447700900123"),
            ("snapchat_username", "jay_x_love22"),
            ("paypal_me", "jaypays22"),
            ("amount", "GBP:300"),
        } <= found
        other = session.get(Case, plain.case_id)
        assert other is not None and (other.self_harm, other.paid) == (False, False)


def test_queue_columns_filters_sort_and_search(database_url: str, tmp_path: Path) -> None:
    paid = _case_with(database_url, tmp_path, PAID_CHAT, age_band="13-15", platforms="Instagram")
    plain = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    sign_in(c, "officer@example.com")

    page = c.get("/staff/cases").text
    assert _references(page) == [plain.reference, paid]  # newest first
    row = re.search(rf"<tr>\s*<td[^>]*><a href=\"/staff/cases/{paid}\">.*?</tr>", page, re.S)
    assert row is not None
    cells = row.group(0)
    for shown in ("New", "13 to 15", "Mentioned", "Paid", "minutes ago"):
        assert shown in cells, shown

    assert _references(c.get("/staff/cases?self_harm=yes").text) == [paid]
    assert _references(c.get("/staff/cases?paid=no").text) == [plain.reference]
    assert _references(c.get("/staff/cases?age=13-15").text) == [paid]
    assert _references(c.get("/staff/cases?sort=oldest").text) == [paid, plain.reference]
    assert _references(c.get("/staff/cases?sort=risk").text)[0] == paid  # crisis before high

    # Search: an identifier as an officer types it, normalised as the analysis normalises it.
    for typed in ("07700900123", "+44 7700 900 123", "JAY_X_LOVE22", "@jay_x_love22", "paypal.me/jaypays22"):
        found = c.get("/staff/cases", params={"q": typed})
        assert _references(found.text) == [paid], typed
    assert _references(c.get("/staff/cases", params={"q": "lily_x09"}).text) == [plain.reference]
    assert _references(c.get("/staff/cases", params={"q": paid.lower()}).text) == [paid]
    nothing = c.get("/staff/cases", params={"q": "+447700900999"})
    assert _references(nothing.text) == [] and "There are no cases that match" in nothing.text
    # Filters and search together; nonsense is ignored, hostile text comes back as text.
    assert _references(c.get("/staff/cases", params={"q": "07700900123", "paid": "no"}).text) == []
    hostile = c.get("/staff/cases", params={"q": '<script>alert("q")</script>', "sort": "<b>"})
    assert hostile.status_code == 200 and '<script>alert("q")' not in hostile.text
    assert c.get("/staff/cases", params={"q": "x" * 201}).status_code == 422
    # The search is on the audit trail, as a look at the cases.
    assert any(a == "case_queue.view" for _who, a, _why in audit_actions(database_url)), (
        "the queue view was not audited"
    )


def test_case_page_sections_chat_and_words(database_url: str, tmp_path: Path) -> None:
    reference = _case_with(database_url, tmp_path, PAID_CHAT, age_band="13-15", platforms="Instagram")
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    page = c.get(f"/staff/cases/{reference}").text
    for section in ("overview", "conversation", "evidence", "details", "watchlist", "audit"):
        assert f'<section class="case-section" id="{section}"' in page, section
    # The linked-cases section waits for the linking package: no empty heading, no made-up links.
    assert 'id="linked"' not in page and "Linked cases" not in page
    assert 'id="next-steps"' in page and "crisis support first" in page
    # The chat: sides, times, stages in words, the offender's details marked with their kind, each
    # message with its place in the evidence.
    chat = re.search(r'<ol class="chat".*?</ol>', page, re.S)
    assert chat is not None
    text = chat.group(0)
    assert text.count("chat-message--offender") == 5 and text.count("chat-message--victim") == 3
    assert '<mark title="Snapchat name">jay_x_love22' in text
    assert '<mark title="Phone number">07700 900123' in text
    assert '<mark title="PayPal link">paypal.me/jaypays22' in text
    assert "move to another app" in text and "self-harm mentioned" in text
    assert "12 Mar 2026, 21:06" in text and "line 3" in text and 'href="#m-' in text
    assert "&lt;script&gt;alert(&#34;jay&#34;)&lt;/script&gt;" in text and "<script>alert" not in page
    # Status words: one vocabulary on the page and in the audit trail.
    assert 'id="case-status">New<' in page
    c.post(f"/staff/cases/{reference}/status", data={"csrf_token": csrf, "status": "triaged"})
    trail = re.search(r'<table id="audit-trail".*?</table>', c.get(f"/staff/cases/{reference}").text, re.S)
    assert trail is not None and "Changed the status: New -&gt; Triaged" in trail.group(0)
    assert "open -&gt;" not in trail.group(0) and "case.view" not in trail.group(0)


def test_a_reload_within_a_minute_is_one_view(database_url: str, tmp_path: Path) -> None:
    from sxr.audit.models import AuditEvent

    chat = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "analyst@example.com", "analyst")
    officer, analyst = client(), client()
    sign_in(officer, "officer@example.com")
    sign_in(analyst, "analyst@example.com")
    url = f"/staff/cases/{chat.reference}"
    for _ in range(3):
        assert officer.get(url).status_code == 200
    analyst.get(url)

    def views() -> list[str]:
        return [who for who, action, _ in audit_actions(database_url, chat.case_id) if action == "case.view"]

    assert views() == ["staff:officer@example.com", "staff:analyst@example.com"]
    with session_scope(database_url) as session:  # a minute and a second later
        for event in session.scalars(select(AuditEvent)):
            event.at = event.at - timedelta(seconds=61)
    officer.get(url)
    assert views() == ["staff:officer@example.com", "staff:analyst@example.com", "staff:officer@example.com"]


def test_a_case_reached_through_a_link_needs_a_reason(database_url: str, tmp_path: Path) -> None:
    from sxr.audit.models import AuditEvent

    first = case_with_chat(database_url, tmp_path)
    second = _case_with(database_url, tmp_path, PAID_CHAT, age_band=None, platforms="Snapchat")
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    sign_in(c, "officer@example.com")
    url = f"/staff/cases/{second}"
    asked = c.get(url, params={"linked_from": first.reference})
    assert (
        asked.status_code == 200 and 'id="linked-reason"' in asked.text and "jay_x_love22" not in asked.text
    )
    short = c.get(url, params={"linked_from": first.reference, "reason": "x"})
    assert short.status_code == 400 and "Please say why" in short.text
    assert c.get(url, params={"linked_from": "SXR-AAAA-AAAA", "reason": "same paypal"}).status_code == 404
    with session_scope(database_url) as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "case.view")) is None
    opened = c.get(url, params={"linked_from": first.reference, "reason": "same PayPal, crime 01/2345/26"})
    assert opened.status_code == 200 and "jay_x_love22" in opened.text
    c.get(url, params={"linked_from": first.reference, "reason": "same PayPal, crime 01/2345/26"})  # a reload
    c.get(url)  # the same case, not through a link: a view of its own
    with session_scope(database_url) as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "case.view")))
        assert [(e.subject, e.why) for e in events] == [
            (f"reached through a link from {first.reference}", "same PayPal, crime 01/2345/26"),
            (None, None),
        ]


def test_trends_page_and_csv_suppression(database_url: str, tmp_path: Path) -> None:
    from sxr.cases.services import create_case

    _case_with(database_url, tmp_path, PAID_CHAT, age_band="13-15", platforms="Instagram")
    with session_scope(database_url) as session:
        for n in range(6):
            case, _pin = create_case(session)
            case.age_band = "16-17"
            case.platforms = "Snapchat" if n else '=HYPERLINK("x")\n<svg onload=alert(1)>'
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "support@example.com", "support")
    c = client()
    sign_in(c, "officer@example.com")
    page = c.get("/staff/trends")
    assert page.status_code == 200
    assert 'id="chart-ages"' in page.text and 'id="chart-time-to-threat"' in page.text
    assert "fewer than 5" in page.text  # the page says what the downloads suppress
    assert "<svg onload" not in page.text and "&lt;svg onload=alert(1)&gt;" in page.text
    # Drawn by the server: no script for the charts, none from another host, the CSP as everywhere.
    # Every page's own scripts (quick exit, and left.js that keeps Back from showing the site after an
    # exit), the same as on the queue page: nothing added for the charts.
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == re.findall(r"<script[^>]*>", c.get("/staff/cases").text)
    assert all(re.fullmatch(r'<script src="/static/js/[\w-]+\.js"( defer)?>', s) for s in scripts), scripts
    assert "script-src 'self'" in page.headers["content-security-policy"]
    ages = list(csv.reader(io.StringIO(c.get("/staff/trends/ages.csv").text)))
    assert ["13 to 15", "fewer than 5"] in ages and ["16 to 17", "6"] in ages and ["Under 13", "0"] in ages
    threat = list(csv.reader(io.StringIO(c.get("/staff/trends/time-to-threat.csv").text)))
    assert ["1 to 6 hours", "fewer than 5"] in threat
    platforms = c.get("/staff/trends/platforms.csv")
    assert platforms.headers["content-disposition"].startswith("attachment")
    assert "'=HYPERLINK" in platforms.text and ",1\r" not in platforms.text
    assert c.get("/staff/trends/nothing.csv").status_code == 404
    assert ("staff:officer@example.com", "trends.export", None) in audit_actions(database_url)
    support = client()
    sign_in(support, "support@example.com")
    assert support.get("/staff/trends").status_code == 403
    assert support.get("/staff/trends/ages.csv").status_code == 403


def test_times_are_shown_in_the_deployments_zone(
    database_url: str, tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    from sxr.cases.models import Case
    from sxr.staff import words

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    chat = case_with_chat(database_url, tmp_path)
    with session_scope(database_url) as session:
        case = session.get(Case, chat.case_id)
        assert case is not None
        from datetime import UTC, datetime

        case.created_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setenv("SXR_TIMEZONE", "America/New_York")
    get_settings.cache_clear()
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    sign_in(c, "officer@example.com")
    assert "1 Jul 2026, 08:00 EDT" in c.get(f"/staff/cases/{chat.reference}").text
    assert words.local_time(datetime(2026, 1, 1, 12, 0, tzinfo=UTC), words.zone("Europe/London")) == (
        "1 Jan 2026, 12:00 GMT"
    )
    assert words.zone("Not/A_Zone").utcoffset(None) is None or str(words.zone("Not/A_Zone")) == "UTC"


def test_refresh_queue_reads_stored_analyses_again(database_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sxr.cases.models import Case, CaseSearchIdentifier
    from sxr.staff.cli import staff_app

    reference = _case_with(database_url, tmp_path, PAID_CHAT, age_band=None, platforms="Snapchat")
    with session_scope(database_url) as session:  # as a case analysed before the columns were kept
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        case.self_harm = case.paid = False
        case.threat_after_minutes = None
        for row in session.scalars(select(CaseSearchIdentifier)):
            session.delete(row)
    result = CliRunner().invoke(staff_app, ["refresh-queue"])
    assert result.exit_code == 0, result.output
    assert "1 cases read again; 0 problems" in result.output
    with session_scope(database_url) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None and (case.self_harm, case.paid, case.threat_after_minutes) == (True, True, 62)
        assert session.scalar(select(CaseSearchIdentifier).where(CaseSearchIdentifier.value == "jaypays22"))
