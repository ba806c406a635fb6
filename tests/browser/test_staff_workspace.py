"""An officer's workspace in a real Chromium at 1280 px: the queue sorted, filtered and searched by an
offender's identifier, the case page's chat with his details marked (his markup inert), the trends page
and its CSV download with small numbers suppressed; axe-core (WCAG 2.2 A/AA) on every staff page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Dialog, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLOW = 30_000
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "correct horse battery staple"
# One offender's chat: a Snapchat name, a phone written the UK way, a PayPal link, his markup.
CHAT = (
    "12/03/2026, 21:04 - Jay: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Sam: yeah who is this\n"
    "12/03/2026, 21:06 - Jay: add me on snap jay_x_love22 or text me 07700 900123 "
    '<img src=x onerror=alert(1)><script>alert("jay")</script>\n'
    "12/03/2026, 21:20 - Jay: send me a pic of u\n"
    "12/03/2026, 22:06 - Jay: pay £300 to paypal.me/jaypays22 or i send ur pic to all ur friends\n"
    "12/03/2026, 22:10 - Sam: ok i paid you the £300 please delete it\n"
)
OTHER = "13/03/2026, 10:00 - Lily: add me on snap lily_x09\n13/03/2026, 10:05 - Lily: send me a pic of u\n"

_axe = Axe()


def check_accessibility(page: Page) -> None:
    """Zero axe-core WCAG 2.2 A/AA violations on this page (as tests/browser/test_plan.py checks)."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def desk(page: Page) -> Page:
    """An officer's screen: 1280 px wide."""
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def _cases(sqlite_url: str, tmp_path: Path) -> tuple[str, str]:
    from sxr.accounts.staff_users import create_user
    from sxr.cases.services import create_case
    from sxr.config import get_settings
    from sxr.db import session_scope
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS

    references = []
    with session_scope(sqlite_url) as session:
        create_user(session, "officer@example.com", "Ada Example", "officer", PASSWORD)
        for name, text, age in (("Jay", CHAT, "13-15"), ("Lily", OTHER, "16-17")):
            export = tmp_path / f"WhatsApp Chat with {name}.txt"
            export.write_text(text, encoding="utf-8")
            case, _pin = create_case(session)
            case.age_band, case.platforms = age, "Snapchat"
            add_evidence(session, get_settings(), case, export, received_by="victim", derivers=DERIVERS)
            references.append(case.reference)
    return references[0], references[1]


def test_officer_workspace_at_1280(desk: Page, sqlite_url: str, tmp_path: Path) -> None:
    jay, lily = _cases(sqlite_url, tmp_path)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page = desk
    assert page.viewport_size == {"width": 1280, "height": 900}
    page.on("dialog", on_dialog)
    page.goto("/staff/login")
    page.get_by_label("E-mail address").fill("officer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue", timeout=SLOW)
    queue = page.locator("#case-queue tbody tr")
    expect(queue).to_have_count(2)
    expect(queue.first).to_contain_text(lily)  # newest first
    check_accessibility(page)

    # Sort by the oldest first, then filter by age, then search by the offender's phone as typed.
    page.get_by_label("Sort").select_option("oldest")
    page.get_by_role("button", name="Show").click()
    expect(queue.first).to_contain_text(jay, timeout=SLOW)
    page.get_by_label("Age").select_option("16-17")
    page.get_by_role("button", name="Show").click()
    expect(queue).to_have_count(1, timeout=SLOW)
    expect(queue.first).to_contain_text(lily)
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Reference or the offender's phone, name or payment details").fill("+44 7700 900123")
    page.get_by_role("button", name="Show").click()
    expect(queue).to_have_count(1, timeout=SLOW)
    expect(queue.first).to_contain_text(jay)
    expect(queue.first).to_contain_text("13 to 15")
    expect(queue.first).to_contain_text("Paid")
    expect(page.locator("#queue-searched")).to_contain_text("Phone number")
    check_accessibility(page)

    # The case: sections, the chat with his details marked, his markup shown as text.
    page.get_by_role("link", name=jay).click()
    expect(page.locator("#case-reference")).to_have_text(jay, timeout=SLOW)
    expect(page.locator("#next-steps")).to_be_visible()
    chat = page.locator("ol.chat")
    expect(chat.locator("li.chat-message--offender")).to_have_count(4)
    expect(chat.locator("li.chat-message--victim")).to_have_count(2)
    marks = chat.locator("mark")
    expect(marks.filter(has_text="jay_x_love22")).to_have_attribute("title", "Snapchat name")
    expect(marks.filter(has_text="07700 900123")).to_have_attribute("title", "Phone number")
    expect(marks.filter(has_text="paypal.me/jaypays22")).to_have_attribute("title", "PayPal link")
    expect(chat).to_contain_text('<script>alert("jay")</script>')
    assert page.evaluate("document.querySelectorAll('ol.chat img, ol.chat script').length") == 0
    expect(chat.locator(".stage").filter(has_text="move to another app")).to_have_count(1)
    # Each message links to its own place, and says where in the evidence it came from.
    first_mark = chat.locator("li").nth(2)
    expect(first_mark).to_contain_text("line 3")
    first_mark.get_by_role("link", name="Message 3").click()
    assert page.url.endswith(f"#{first_mark.get_attribute('id')}")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, width
    check_accessibility(page)

    # Trends: server-drawn charts; the CSV download suppresses counts under 5.
    page.get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trends", timeout=SLOW)
    expect(page.locator("#suppression-note")).to_contain_text("fewer than 5")
    expect(page.locator("svg#chart-ages rect")).to_have_count(7)
    check_accessibility(page)
    with page.expect_download() as download_info:
        page.locator("#csv-ages").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert ["13 to 15", "fewer than 5"] in rows and ["16 to 17", "fewer than 5"] in rows
    assert ["Under 13", "0"] in rows
    assert dialogs == []
