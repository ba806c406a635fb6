"""In a real Chromium: a victim uploads a chat whose dates could be read two ways, is told how we read
them, and switches the reading in one tap; the details' dates follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from sxr.cases.services import create_case, open_victim_session
from sxr.db import session_factory

from .test_report import SLOW, check_accessibility

# Every day is 12 or below: 03/12/2026 is 3 December (UK) or 12 March (US).
CHAT = (
    "03/12/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "03/12/2026, 21:05 - Tom: yeah who is this\n"
    "04/12/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "05/12/2026, 21:30 - Lily: send £100 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)


@pytest.mark.browser
def test_the_victim_switches_how_dates_are_read(page: object, sqlite_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
    chat = tmp_path / "WhatsApp Chat with Lily.txt"
    chat.write_text(CHAT, encoding="utf-8")
    unreadable = tmp_path / "settings.json"
    unreadable.write_text('{"settings": {"theme": "dark"}}\n', encoding="utf-8")

    page.goto(f"/case/{token}")
    page.locator("#files").set_input_files([str(chat), str(unreadable)])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-saved")).to_contain_text(
        "We saved 2 files, but we could not read one of them", timeout=SLOW
    )
    notes = page.locator("#file-notes")
    expect(notes).to_contain_text("We read 03/12/2026 as 3 December 2026.")
    expect(notes).to_contain_text("we could not read the chat in it")
    check_accessibility(page)

    page.get_by_role("button", name="No, it means 12 March 2026").click()
    expect(notes).to_contain_text("We read 03/12/2026 as 12 March 2026.", timeout=SLOW)
    expect(page.get_by_role("button", name="No, it means 3 December 2026")).to_be_visible()
    check_accessibility(page)

    page.locator("#check-details").click()
    expect(page.locator("#details-undecided")).to_contain_text("12 April 2026, 21:06", timeout=SLOW)
    expect(page.locator("#details-undecided")).to_contain_text("202959-63748472")
    check_accessibility(page)
    # Back again, from the details page: the dates follow, and the page stays where it was.
    page.get_by_role("button", name="No, it means 3 December 2026").click()
    expect(page.locator("#details-undecided")).to_contain_text("4 December 2026, 21:06", timeout=SLOW)
    assert page.context.cookies() == []
