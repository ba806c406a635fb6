"""In a real Chromium: the victim downloads a copy of everything, then deletes the report after confirming."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from sxr.db import session_scope

from .test_report import SLOW, check_accessibility


@pytest.mark.browser
def test_download_a_copy_then_delete_the_report(page: object, sqlite_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    from sxr.cases.services import NewCaseAnswers, create_case
    from sxr.config import get_settings
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS

    assert isinstance(page, Page)
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text("12/03/2025, 21:14 - Alex: hey, send a pic\n", encoding="utf-8")
    with session_scope(sqlite_url) as session:
        case, pin = create_case(session, NewCaseAnswers(what_happened="he scared me"), get_settings())
        add_evidence(session, get_settings(), case, chat, received_by="victim", derivers=DERIVERS)
        reference = case.reference

    page.goto("/report/return")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Open my report").click()
    expect(page).to_have_url(re.compile(r"/case/[A-Za-z0-9_-]{20,}$"), timeout=SLOW)
    case_url = page.url
    page.get_by_role("link", name="Get a copy of everything, or delete your report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your files and your report")
    check_accessibility(page)

    with page.expect_download(timeout=SLOW) as download_info:
        page.get_by_role("link", name="Download a copy").click()
    download = download_info.value
    assert download.suggested_filename == "my-files.zip"
    saved = tmp_path / "copy.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as zf:
        assert json.loads(zf.read("your-answers.json"))["what_happened"] == "he scared me"
        assert any(n.endswith("WhatsApp Chat with Alex.txt") for n in zf.namelist())

    page.get_by_role("link", name="Delete my report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to delete your report?")
    expect(page.locator("#what-deleting-means")).to_contain_text("We cannot undo this.")
    check_accessibility(page)
    # Changing one's mind goes back, untouched.
    page.get_by_role("link", name="No, keep my report").click()
    expect(page.locator("#case-reference")).to_have_text(reference)
    page.goto(f"{case_url}/delete")
    page.get_by_role("button", name="Yes, delete my report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report is deleted", timeout=SLOW)
    check_accessibility(page)
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Your report")
    assert page.context.cookies() == []
