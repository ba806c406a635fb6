"""In a real Chromium: after an upload the case page says each file is waiting, and when a real worker has
read it the page updates by itself (no reload): the file's state, then what we found in it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs.jobs_helpers import CHAT, worker_process
from sxr.cases.services import create_case, open_victim_session
from sxr.config import Settings, get_settings
from sxr.db import session_factory

from .test_report import SLOW


@pytest.fixture
def embedded_queue(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The live server queues jobs on the embedded queue (not at once): a worker has to read them."""
    monkeypatch.setenv("SXR_QUEUE_URL", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.browser
@pytest.mark.slow
def test_the_case_page_updates_without_a_reload(
    embedded_queue: None, page: object, sqlite_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    assert os.environ["SXR_QUEUE_URL"] == ""
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
    chat = tmp_path / "WhatsApp Chat with Lily.txt"
    chat.write_text(CHAT, encoding="utf-8")

    page.goto(f"/case/{token}")
    page.locator("#files").set_input_files([str(chat)])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#reading-now")).to_contain_text("We are reading your chat: this can take a minute.")
    cell = page.locator("#evidence-list td.reading-progress").first
    expect(cell).to_contain_text("Waiting to be read.")
    expect(page.locator("#file-notes")).to_have_count(0)
    # A mark on this very document: a reload (or the meta refresh) would wipe it.
    page.evaluate("window.sxrSamePage = 'yes'")

    with worker_process(tmp_path / "worker.log"):
        expect(cell).to_contain_text("Read.", timeout=SLOW * 4)
        expect(page.locator("#file-notes")).to_contain_text(
            "We read 03/12/2026 as 3 December 2026.", timeout=SLOW
        )
    expect(page.locator("#reading-pending")).to_contain_text("We have finished reading your files.")
    assert page.evaluate("window.sxrSamePage") == "yes"
