"""Issue 17: one start makes one report. The start form's one-time token is recorded when the case is made;
a second press (after Back, a double tap, a resent POST) finds the first report, even when two posts race."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.cases import services
from sxr.cases.models import Case, ReportStart
from sxr.clock import utcnow
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.portal.starts import Started, new_start_token, open_start_token, start_report


def _cases(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Case)) or 0)


def _start_token(page_text: str) -> str:
    found = re.search(r'name="start" value="([^"]+)"', page_text)
    assert found, "the start form carries a one-time start token"
    return found.group(1)


def _shown(page_text: str) -> tuple[str, str]:
    reference = re.search(r'id="reference">([^<]+)<', page_text)
    pin = re.search(r'id="pin">([^<]+)<', page_text)
    assert reference and pin
    return reference.group(1), pin.group(1)


def test_pressing_start_again_shows_the_same_report(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    form = client.get("/report/start")
    start = _start_token(form.text)
    data = {"age_band": "13-15", "platforms": ["Snapchat"], "start": start}
    first = client.post("/report/start", data=data)
    assert first.status_code == 200 and urlsplit(str(first.url)).path.startswith("/report/made/")
    again = client.post("/report/start", data=data)
    assert again.status_code == 200
    assert _shown(again.text) == _shown(first.text)
    assert _cases(database_url) == 1
    # The PIN shown the second time opens the report.
    reference, pin = _shown(again.text)
    opened = client.post("/report/return", data={"reference": reference, "pin": pin}, follow_redirects=False)
    assert opened.status_code == 303
    # A fresh form is a fresh start.
    other = client.post("/report/start", data={"start": _start_token(client.get("/report/start").text)})
    assert _shown(other.text)[0] != reference
    assert _cases(database_url) == 2


def test_pressing_start_after_the_page_closed_says_come_back(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    start = _start_token(client.get("/report/start").text)
    client.post("/report/start", data={"start": start})
    with session_scope(database_url) as session:
        session.execute(sa.update(ReportStart).values(made_at=utcnow() - timedelta(minutes=16)))
    late = client.post("/report/start", data={"start": start})
    assert late.status_code == 410
    assert "Come back to your report" in late.text and "We did not make a new report" in late.text
    assert _cases(database_url) == 1


def test_a_forged_or_missing_start_token_still_makes_a_report(database_url: str) -> None:
    """A token that does not open is not an error for the victim: the report is made (one per post)."""
    settings = get_settings()
    assert open_start_token(settings, "not-a-token") is None
    assert open_start_token(settings, None) is None
    assert open_start_token(settings, new_start_token(settings)) is not None
    client = TestClient(create_app(settings))
    made = client.post("/report/start", data={"start": "x" * 200})
    assert made.status_code == 200 and _shown(made.text)
    assert _cases(database_url) == 1


def test_two_racing_posts_with_one_token_make_one_case(database_url: str) -> None:
    settings = get_settings()
    nonce = open_start_token(settings, new_start_token(settings))
    assert nonce is not None
    barrier = threading.Barrier(2)
    results: list[Started] = []
    references: list[str] = []
    errors: list[Exception] = []

    def press() -> None:
        try:
            with session_scope(database_url) as session:
                barrier.wait(timeout=30)
                started = start_report(session, settings, nonce, services.NewCaseAnswers())
                results.append(started)
                references.append(started.case.reference)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == 2
    assert sorted(r.new for r in results) == [False, True]
    assert references[0] == references[1]
    assert results[0].pin == results[1].pin is not None
    assert _cases(database_url) == 1
