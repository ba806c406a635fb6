"""In a real Chromium: when a report has as many codes as it may, the protect page says so in words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.mark.browser
def test_protect_page_shows_the_quota_refusal_in_words(
    page: object, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import Page, expect

    from sxr.cases.services import create_case, open_victim_session
    from sxr.config import get_settings
    from sxr.db import session_scope
    from sxr.watchlist import services

    assert isinstance(page, Page)
    # The server reads the quota per request: one picture hash may wait for review.
    monkeypatch.setenv("SXR_WATCHLIST_CASE_PICTURES", "1")
    get_settings.cache_clear()
    services.reset_live_indexes()
    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        case_id = case.id
    rng = np.random.default_rng(5)
    picture = tmp_path / "holiday.png"
    pixels = (rng.random((40, 40, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).resize((300, 300), Image.Resampling.BICUBIC).save(picture)

    page.goto(f"/case/{token}/protect")
    page.wait_for_selector("#protect[data-ready=yes]")
    page.set_input_files("#protect-files", [str(picture)])
    page.click("#protect-start")
    page.wait_for_selector("#protect[data-state=hashed]", timeout=60_000)
    page.click("#protect-send")
    status = page.locator("#protect-status")
    expect(status).to_contain_text("We can keep 1 codes from your pictures")
    expect(status).to_contain_text("Nothing you sent before is lost")
    expect(page.locator("#protect-send")).to_be_enabled()
    with session_scope(sqlite_url) as session:
        assert services.entries_for_case(session, case_id) == []
