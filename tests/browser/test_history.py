"""Issue 17: what Chromium's own History database holds after a frightened visit and the quick exit.

A persistent profile (as a phone's browser keeps one), the plan walked with answers that call for crisis help
(13 to 15, thinking of harming themselves, Scotland), a report started from the plan, then Exit. The browser
is closed and <profile>/Default/History is read with sqlite3: no address or title in it may reveal an answer,
the reference or the PIN.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXIT_URL = "https://www.bbc.co.uk/weather"
SLOW = 60_000
# Words that would tell someone reading the history what was answered.
TELLING = (
    "harm",
    "safe=",
    "age=",
    "where=",
    "app=",
    "13-15",
    "13 to 15",
    "gb-sct",
    "scotland",
    "instagram",
    "snapchat",
    "self",
    "suicid",
    "sextort",
    "nude",
    "blackmail",
)


def _neutral(route: Any) -> None:
    route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Sunny</p>"
    )


def _chromium() -> str:
    found = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    if found is None:
        pytest.skip("Chromium is not installed")
    return found


def test_history_database_reveals_no_answer_after_exit(
    chromium_browser: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    profile = tmp_path / "profile"
    context = chromium_browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=_chromium(),
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.route("https://www.bbc.co.uk/**", _neutral)
        page.goto("/")
        with page.expect_navigation():
            page.get_by_role("link", name="Start now").click()
        for label in ("13 to 15", "I am thinking of harming myself", "Scotland"):
            page.get_by_label(label, exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        for label in ("Instagram", "Snapchat"):
            page.get_by_label(label, exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="See your plan").click()
        expect(page.locator("h1")).to_have_text("Your plan")
        with page.expect_navigation():
            page.get_by_role("link", name="Start a private report").click()
        with page.expect_navigation(timeout=SLOW):
            page.get_by_role("button", name="Start my report").click()
        expect(page.get_by_role("heading", name="Your report is saved")).to_be_visible(timeout=SLOW)
        reference = page.locator("#reference").inner_text().strip()
        pin = page.locator("#pin").inner_text().strip()
        page.get_by_role("link", name="Exit this page").click()
        page.wait_for_url(EXIT_URL)
    finally:
        context.close()

    history = profile / "Default" / "History"
    assert history.exists(), sorted(p.name for p in (profile / "Default").iterdir())
    copy = tmp_path / "History.copy"
    shutil.copyfile(history, copy)
    with sqlite3.connect(copy) as db:
        urls = db.execute("SELECT url, title FROM urls").fetchall()
        terms = db.execute("SELECT term FROM keyword_search_terms").fetchall()
    print("History after Exit:\n" + "\n".join(f"  {title!r} {url}" for url, title in urls))
    ours = [(url, title) for url, title in urls if url.startswith(live_server.url)]
    assert ours, "the visit was recorded (else this test would prove nothing)"
    assert any(url == EXIT_URL for url, _title in urls)
    assert terms == []
    for url, title in urls:
        text = f"{url} {title}".lower()
        for word in TELLING:
            assert word not in text, (word, url, title)
        assert reference.lower() not in text and not re.search(rf"(?<!\d){pin}(?!\d)", text), (url, title)
    # Every page of this site has the same neutral title (Chromium gives the page that Exit replaced the
    # neutral site's title); answers ride only in opaque sealed tokens.
    assert {title for _url, title in ours} <= {"Help and advice", "Weather", ""}
    # What the design promises: Back never shows these pages again after Exit (tests/browser/test_plan.py),
    # and the reference-and-PIN page recorded here stops opening after a few minutes. It is in History:
    made = [url for url, _title in ours if "/report/made/" in url]
    assert all(re.fullmatch(r".*/report/made/[A-Za-z0-9_-]{40,}", url) for url in made), made
