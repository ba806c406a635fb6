"""In a real Chromium: start a report, save reference and PIN, come back with them, upload evidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageDraw

# Argon2 and uploads on a busy 2-core machine can take several seconds.
SLOW = 30_000
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def check_accessibility(page: object) -> None:
    """Zero axe-core WCAG 2.2 A/AA violations on the current page."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
def test_start_a_report_come_back_and_upload_evidence(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    screenshot = tmp_path / "Screenshot 2025-03-12 at 21.16.png"
    image = Image.new("RGB", (390, 300), "white")
    ImageDraw.Draw(image).text((10, 10), "Alex: send a pic or else", fill="black")
    image.save(screenshot, format="PNG")
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(
        "12/03/2025, 21:14 - Alex: hey, send a pic\n12/03/2025, 21:16 - Alex: pay £200 or I share it\n",
        encoding="utf-8",
    )

    page.goto("/report/start")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a private report")
    check_accessibility(page)
    page.get_by_label("16 or 17").check()
    page.get_by_label("Snapchat").check()
    page.get_by_role("button", name="Start my report").click()
    expect(page.get_by_role("heading", name="Your report is saved")).to_be_visible(timeout=SLOW)
    reference = page.locator("#reference").inner_text().strip()
    pin = page.locator("#pin").inner_text().strip()
    assert re.fullmatch(r"SXR-[0-9A-Z]{4}-[0-9A-Z]{4}", reference) and re.fullmatch(r"\d{6}", pin)
    check_accessibility(page)

    # Leave and come back later with only the reference and PIN.
    page.goto("/report/return")
    check_accessibility(page)
    page.get_by_label("Reference").fill(reference.lower())
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Open my report").click()
    expect(page).to_have_url(re.compile(r"/case/[A-Za-z0-9_-]{20,}$"), timeout=SLOW)
    expect(page.locator("#case-reference")).to_have_text(reference)
    expect(page.locator("#no-evidence")).to_be_visible()

    page.locator("#files").set_input_files([str(screenshot), str(chat)])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-saved")).to_contain_text("Saved 2 files", timeout=SLOW)
    rows = page.locator("#evidence-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(screenshot.name)
    expect(rows.nth(0)).to_contain_text("Picture")
    expect(rows.nth(1)).to_contain_text(chat.name)
    expect(rows.nth(1)).to_contain_text("Chat")
    check_accessibility(page)
    assert page.context.cookies() == []


def _case_count() -> int:
    import sqlalchemy as sa

    from sxr.cases.models import Case
    from sxr.config import get_settings
    from sxr.db import session_scope

    url = get_settings().resolved_database_url
    with session_scope(url) as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Case)) or 0)


@pytest.mark.browser
def test_one_start_makes_one_report_whatever_reload_back_and_forward_do(page: object) -> None:
    """Issue 17: the reference and PIN page comes after a POST-redirect-GET; reloading it, or Back then
    Forward, shows the same report and never makes another; once the page has closed it says how to come
    back to the report."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/report/start")
    page.get_by_role("button", name="Start my report").click()
    expect(page.get_by_role("heading", name="Your report is saved")).to_be_visible(timeout=SLOW)
    assert "/report/made/" in page.url
    reference = page.locator("#reference").inner_text().strip()
    pin = page.locator("#pin").inner_text().strip()
    assert _case_count() == 1
    page.reload()
    expect(page.locator("#reference")).to_have_text(reference)
    expect(page.locator("#pin")).to_have_text(pin)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a private report")
    page.go_forward()
    expect(page.locator("#reference")).to_have_text(reference)
    assert _case_count() == 1
    check_accessibility(page)
    # A page whose few minutes are over (or a made-up one): "Come back to your report", no new report.
    page.goto("/report/made/not-a-real-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Come back to your report")
    expect(page.get_by_role("link", name="Go back to your report")).to_have_attribute(
        "href", "/report/return"
    )
    check_accessibility(page)
    assert _case_count() == 1


@pytest.mark.browser
def test_pressing_start_again_after_back_makes_no_second_report(page: object) -> None:
    """Issue 17: Start, the reference page, Back, then "Start my report" pressed again: the same report (the
    form's one-time start token), and one case in the database."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/report/start")
    page.get_by_label("13 to 15").check()
    page.get_by_role("button", name="Start my report").click()
    expect(page.get_by_role("heading", name="Your report is saved")).to_be_visible(timeout=SLOW)
    reference = page.locator("#reference").inner_text().strip()
    pin = page.locator("#pin").inner_text().strip()
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a private report")
    page.get_by_role("button", name="Start my report").click()
    expect(page.get_by_role("heading", name="Your report is saved")).to_be_visible(timeout=SLOW)
    expect(page.locator("#reference")).to_have_text(reference)
    expect(page.locator("#pin")).to_have_text(pin)
    # A double tap: two presses as fast as the page allows.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a private report")
    page.locator("#start-report").dblclick()
    expect(page.get_by_role("heading", name="Your report is saved")).to_be_visible(timeout=SLOW)
    expect(page.locator("#reference")).to_have_text(reference)
    assert _case_count() == 1
