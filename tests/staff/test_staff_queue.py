"""The case queue survives a flood of empty reports: paging, filters, counts, real reports first."""

from __future__ import annotations

import re
import time
from pathlib import Path

from sxr.cases.services import create_case
from sxr.db import session_scope

from .staff_helpers import add_user, case_with_chat, client, sign_in

FLOOD = 151


def test_a_flood_of_empty_reports_does_not_hide_a_real_one(database_url: str, tmp_path: Path) -> None:
    real = case_with_chat(database_url, tmp_path)
    with session_scope(database_url) as session:
        for _ in range(FLOOD):
            create_case(session)  # what an empty POST to /report/start makes
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    sign_in(c, "officer@example.com")
    started = time.monotonic()
    page = c.get("/staff/cases")
    took = time.monotonic() - started
    assert page.status_code == 200
    references = re.findall(r'href="/staff/cases/(SXR-[^"]+)"', page.text)
    # The real report comes first, although every empty one is newer; a page holds 50.
    assert references[0] == real.reference and len(references) == 50
    assert f"{FLOOD + 1} cases" in page.text and f"{FLOOD} of them have nothing in them" in page.text
    assert "Page 1 of 4" in page.text and 'id="next-page"' in page.text
    assert took < 5, f"the queue took {took:.1f} s"
    # Filters: only reports with something in them; then the last page of the empty ones.
    with_content = c.get("/staff/cases?content=with")
    assert re.findall(r'href="/staff/cases/(SXR-[^"]+)"', with_content.text) == [real.reference]
    last = c.get("/staff/cases?content=empty&page=4")
    assert "Page 4 of 4" in last.text
    assert len(re.findall(r'href="/staff/cases/(SXR-[^"]+)"', last.text)) == FLOOD - 150
    risky = c.get("/staff/cases?risk=high")
    found = re.findall(r'href="/staff/cases/(SXR-[^"]+)"', risky.text)
    assert found in ([real.reference], [])  # the sample chat's own level decides; never an empty report
    # Nonsense in the query is ignored or refused in words, never a server error.
    assert c.get("/staff/cases?page=99999999999").status_code == 422
    assert c.get("/staff/cases?status=<script>&risk=x").status_code == 200


def test_a_huge_evidence_id_is_refused_cleanly(database_url: str, tmp_path: Path) -> None:
    real = case_with_chat(database_url, tmp_path)
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    token = sign_in(c, "officer@example.com")
    answer = c.post(
        f"/staff/cases/{real.reference}/evidence/{2**70}/download",
        data={"csrf_token": token, "reason": "police request 42"},
    )
    assert answer.status_code == 422
