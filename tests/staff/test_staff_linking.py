"""Links in the staff portal, through the real pipeline (three victims of "Jess" linked exactly from their
chat exports, a look-alike suggested, an unrelated case alone; tests/linking's population), on SQLite and
PostgreSQL: the queue's "Linked cases" column in a fixed number of queries, the case page's linked section
(links through `?linked_from=`, decisions with CSRF and audit, common values with their reason), the
offender pages (every role sees every case; downloads audited and kept from support workers)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import stix2
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from linking.test_linking_pipeline import PAYPAL, PHONE, Population, _population
from sxr.audit.models import AuditEvent
from sxr.cases.services import create_case
from sxr.db import session_factory, session_scope
from sxr.linking import services
from sxr.linking.models import CaseObservable
from sxr.staff import linked

from .staff_helpers import HOSTILE, add_user, client, sign_in

# Five chats through the real importer, analysis and linking per test: about 10 s each.
pytestmark = pytest.mark.slow


def _setup(database_url: str, tmp_path: Path) -> Population:
    with session_factory(database_url)() as session:
        p = _population(session, tmp_path)
        p.a.platforms = f"Snapchat\n{HOSTILE}"
        session.commit()
        for case in (p.a, p.b, p.c, p.d, p.e):
            session.refresh(case)
        session.expunge_all()
    for email, role in (("officer@example.com", "officer"), ("support@example.com", "support")):
        add_user(database_url, email, role)
    return p


def _events(database_url: str, action: str) -> list[AuditEvent]:
    with session_scope(database_url) as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        session.expunge_all()
        return rows


def _row_of(html: str, reference: str) -> str:
    found = re.search(
        rf"<tr[^>]*>\s*<td data-label=\"Reference\"><a href=\"/staff/cases/{reference}\".*?</tr>", html, re.S
    )
    assert found, f"no queue row for {reference}"
    return found.group(0)


def test_queue_counts_links_in_a_fixed_number_of_queries(database_url: str, tmp_path: Path) -> None:
    p = _setup(database_url, tmp_path)
    c = client()
    sign_in(c, "officer@example.com")
    page = c.get("/staff/cases")
    assert page.status_code == 200
    assert '<th scope="col">Linked cases</th>' in page.text
    cell = re.compile(r'<td data-label="Linked cases">(.*?)</td>', re.S)
    assert cell.findall(_row_of(page.text, p.a.reference)) == ["<strong>2 exact</strong><br>1 suggested"]
    assert cell.findall(_row_of(page.text, p.d.reference)) == ["3 suggested"]
    assert cell.findall(_row_of(page.text, p.e.reference)) == ["none"]
    with session_factory(database_url)() as session:
        statements: list[str] = []
        engine = session.get_bind()

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            one = linked.link_counts(session, [p.a.id])
            after_one = len(statements)
            every = linked.link_counts(session, [p.a.id, p.b.id, p.c.id, p.d.id, p.e.id])
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert after_one == len(statements) - after_one == 3  # common values, shared values, suggestions
    assert one[p.a.id] == linked.LinkCount(2, 1)
    assert every[p.b.id] == linked.LinkCount(2, 1) and every[p.e.id] == linked.LinkCount(0, 0)


def test_case_page_lists_links_and_decides_suggestions(database_url: str, tmp_path: Path) -> None:
    p = _setup(database_url, tmp_path)
    c = client()
    csrf = sign_in(c, "officer@example.com")
    page = c.get(f"/staff/cases/{p.a.reference}")
    assert page.status_code == 200
    html = page.text
    assert '<a href="#linked">Linked cases and the offender</a>' in html
    section = html[html.index('id="linked"') :]
    section = section[: section.index("</section>")]
    for ref in (p.b.reference, p.c.reference, p.d.reference):
        assert f'href="/staff/cases/{ref}?linked_from={p.a.reference}"' in section
    assert p.e.reference not in section
    # Shared values in people's words, the score, the kind.
    assert f"Phone number: <code>{PHONE}</code>" in section
    assert f"<code>{PAYPAL}</code>" in section and "paypal_me" not in section
    assert "Handle written another way" in section and "jess_x_love22" in section
    assert section.count('<td data-label="Link">Exact</td>') == 2 and "Suggested" in section
    assert "1.00" in section and "See the offender" in section
    (suggestion,) = [s for s in services_suggestions(database_url) if p.d.id in s and p.a.id in s]
    sid = suggestion[2]
    action = f"/staff/cases/{p.a.reference}/links/{sid}"
    assert f'action="{action}"' in section
    # No CSRF token: refused, nothing decided.
    refused = c.post(action, data={"decision": "confirmed", "reason": "same handle"}, follow_redirects=False)
    assert refused.status_code == 403 and _events(database_url, "link.confirmed") == []
    # No reason: refused in words.
    short = c.post(action, data={"decision": "confirmed", "csrf_token": csrf}, follow_redirects=False)
    assert short.status_code == 400 and "why" in short.text
    done = c.post(
        action,
        data={"decision": "confirmed", "reason": "same snap handle written another way", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("#linked")
    events = _events(database_url, "link.confirmed")
    assert sorted(e.case_id for e in events) == sorted([p.a.id, p.d.id])
    assert all(e.why == "same snap handle written another way" and "officer" in e.actor for e in events)
    after = c.get(f"/staff/cases/{p.a.reference}").text
    assert "Suggested (confirmed)" in after and "4 reports" in after
    # A support worker sees the links but cannot decide.
    s = client()
    support_csrf = sign_in(s, "support@example.com")
    seen = s.get(f"/staff/cases/{p.b.reference}").text
    assert f"/staff/cases/{p.a.reference}?linked_from={p.b.reference}" in seen
    assert "/links/" not in seen
    other = [x for x in services_suggestions(database_url) if x[3] == "open"]
    if other:
        ref_case = p.b if p.b.id in other[0][:2] else p.c
        no = s.post(
            f"/staff/cases/{ref_case.reference}/links/{other[0][2]}",
            data={"decision": "rejected", "reason": "not the same person", "csrf_token": support_csrf},
            follow_redirects=False,
        )
        assert no.status_code == 403


def services_suggestions(database_url: str) -> list[tuple[int, int, int, str]]:
    with session_scope(database_url) as session:
        return [(s.case_a, s.case_b, s.id, s.status) for s in services.suggestions(session, status=None)]


def test_following_a_link_asks_for_a_reason_and_audits_it(database_url: str, tmp_path: Path) -> None:
    p = _setup(database_url, tmp_path)
    c = client()
    sign_in(c, "officer@example.com")
    asked = c.get(f"/staff/cases/{p.b.reference}?linked_from={p.a.reference}")
    assert asked.status_code == 200 and "Why open case" in asked.text
    opened = c.get(
        f"/staff/cases/{p.b.reference}",
        params={"linked_from": p.a.reference, "reason": "same phone, crime 01/2345/26"},
    )
    assert opened.status_code == 200
    views = [e for e in _events(database_url, "case.view") if e.case_id == p.b.id]
    assert any(e.why == "same phone, crime 01/2345/26" and p.a.reference in (e.subject or "") for e in views)


def test_common_values_are_shown_with_their_reason(database_url: str, tmp_path: Path) -> None:
    p = _setup(database_url, tmp_path)
    with session_scope(database_url) as session:
        # A support address in 30 otherwise unrelated cases (and in case a): too common to link.
        session.add(CaseObservable(case_id=p.a.id, kind="email", value="support@example.com"))
        for n in range(30):
            case, _pin = create_case(session)
            session.flush()
            session.add(CaseObservable(case_id=case.id, kind="email", value="support@example.com"))
            session.add(CaseObservable(case_id=case.id, kind="phone", value=f"+4477009005{n:02d}"))
    c = client()
    sign_in(c, "officer@example.com")
    html = c.get(f"/staff/cases/{p.a.reference}").text
    common = html[html.index('id="common-values"') :]
    common = common[: common.index("</ul>")]
    assert "E-mail address: <code>support@example.com</code>" in common or "support@example.com" in common
    assert "Seen in 31 cases that otherwise share little" in common
    queue = c.get("/staff/cases").text
    # The common value links nothing: case a still has its two exact links only.
    assert "<strong>2 exact</strong>" in _row_of(queue, p.a.reference)


def test_offender_pages_downloads_and_roles(database_url: str, tmp_path: Path) -> None:
    p = _setup(database_url, tmp_path)
    with session_scope(database_url) as session:
        (offender,) = services.offenders(session)
        oid = offender.id
    s = client()
    sign_in(s, "support@example.com")
    listing = s.get("/staff/offenders")
    assert listing.status_code == 200 and f'href="/staff/offenders/{oid}"' in listing.text
    page = s.get(f"/staff/offenders/{oid}")
    assert page.status_code == 200
    html = page.text
    # Every linked case, for every role (no case ownership in sxr: said on the page).
    for ref in (p.a.reference, p.b.reference, p.c.reference):
        assert f'href="/staff/cases/{ref}?linked_from=' in html
    assert p.e.reference not in html and p.d.reference not in html
    assert "does not assign cases to people" in html
    # The timeline from the stored analyses: first contact and threat per case (March 2026, as written).
    timeline = html[
        html.index('id="offender-cases"') : html.index("</table>", html.index('id="offender-cases"'))
    ]
    assert timeline.count("2026") >= 6 and "none found" in timeline  # no payment in Jess's chats
    assert PHONE in html and PAYPAL in html and "jess.x.love22" in html
    payments = html[html.index('id="offender-payments"') :]
    assert PAYPAL in payments[: payments.index("</ul>")]
    assert "Snapchat: 1 report" in html
    # The victim's hostile platform text is text.
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "download-stix" not in html and "does not take copies out" in html
    support_csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert support_csrf
    refused = s.post(f"/staff/offenders/{oid}/stix", data={"csrf_token": support_csrf.group(1)})
    assert refused.status_code == 403
    assert any("support" in e.actor for e in _events(database_url, "offender.view"))

    o = client()
    csrf = sign_in(o, "officer@example.com")
    assert 'id="download-stix"' in o.get(f"/staff/offenders/{oid}").text
    assert o.post(f"/staff/offenders/{oid}/stix", data={}).status_code == 403  # no CSRF token
    bundle = o.post(f"/staff/offenders/{oid}/stix", data={"csrf_token": csrf})
    assert bundle.status_code == 200 and "attachment" in bundle.headers["content-disposition"]
    parsed = stix2.parse(bundle.text, allow_custom=True)
    assert sum(1 for x in parsed.objects if x.type == "observed-data") == 3
    assert "+447700900999" not in bundle.text  # the victim's own number never leaves
    assert [e.subject for e in _events(database_url, "offender.stix")] == [f"offender {oid}"]
    graph = o.post("/staff/links/export", data={"csrf_token": csrf, "format": "graphml"})
    assert graph.status_code == 200
    root = ET.fromstring(graph.content)
    assert root.tag.endswith("graphml")
    edges = o.post("/staff/links/export", data={"csrf_token": csrf, "format": "csv"})
    rows = list(csv.reader(io.StringIO(edges.text)))
    assert len(rows) > 3
    assert o.post("/staff/links/export", data={"csrf_token": csrf, "format": "xlsx"}).status_code == 400
    assert len(_events(database_url, "links.export")) == 2
    assert o.get("/staff/offenders/999999").status_code == 404
    json.loads(bundle.text)  # plain JSON too


def test_no_linked_section_for_a_case_without_links(database_url: str, tmp_path: Path) -> None:
    p = _setup(database_url, tmp_path)
    c: TestClient = client()
    sign_in(c, "officer@example.com")
    html = c.get(f"/staff/cases/{p.e.reference}").text
    assert 'id="linked"' not in html and "#linked" not in html
