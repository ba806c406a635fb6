"""In a real Chromium: a victim opens a screenshot beside the messages read from it, fixes a side and a
word, confirms, and finds the fixed detail on the details page."""

from __future__ import annotations

from pathlib import Path

import pytest

from sxr.cases.services import create_case, open_victim_session
from sxr.db import session_factory

from .test_report import SLOW, check_accessibility

CHAT: list[tuple[str, ...]] = [
    ("left", "add me on snap lily_x09", "21:04"),
    ("right", "who is this", "21:05"),
    ("left", "send £100 or I send them to everyone", "21:06"),
]


def screenshot(folder: Path) -> Path:
    """A generated phone screenshot of CHAT (read by OCR when it is uploaded)."""
    from chat_render import render_chat

    shot = folder / "Screenshot_chat.png"
    render_chat(CHAT, size=(720, 1600), style="whatsapp-light")[0].image.save(shot)
    return shot


@pytest.mark.browser
@pytest.mark.slow
def test_the_victim_fixes_and_confirms_a_screenshot_reading(
    page: object, sqlite_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()

    page.goto(f"/case/{token}")
    page.locator("#files").set_input_files([str(screenshot(tmp_path))])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-saved")).to_contain_text("Saved 1 file.", timeout=SLOW)
    page.get_by_role("link", name="Check the messages we read").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the messages we read")
    picture = page.locator("#reading-picture")
    expect(picture).to_be_visible()
    assert page.evaluate("document.getElementById('reading-picture').naturalWidth") > 0  # the image loads
    expect(page.locator("#text-1")).to_have_value("add me on snap lily_x09")
    expect(page.locator("#side-2")).to_have_value("right")
    check_accessibility(page)

    page.locator("#text-1").fill("add me on snap lily_x10")
    page.get_by_label("Who sent it").nth(1).select_option("left")
    page.get_by_role("button", name="These are right").click()
    expect(page.locator("#reading-saved")).to_contain_text("We saved the messages", timeout=SLOW)
    expect(page.locator("#text-1")).to_have_value("add me on snap lily_x10")
    expect(page.locator("#side-2")).to_have_value("left")
    expect(page.locator("#reading-confirmed")).to_contain_text("You have checked these messages")
    check_accessibility(page)

    page.goto(f"/case/{token}/details")
    expect(page.locator("#details-undecided")).to_contain_text("lily_x10", timeout=SLOW)
    expect(page.locator("#details-undecided")).not_to_contain_text("lily_x09")
    assert page.context.cookies() == []
