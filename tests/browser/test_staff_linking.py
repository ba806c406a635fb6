"""Linked cases in a real Chromium at 1280 px: the queue's column, the case page's linked section (a
suggested link confirmed with a reason), a linked case opened through its reason page, and the offender
page with its timeline and a STIX download; axe-core (WCAG 2.2 A/AA) clean on the linked section and the
offender page. Three victims of one offender from real chat exports (tests/linking's population)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from linking.test_linking_pipeline import _population

from .test_staff_workspace import PASSWORD, SLOW, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = '<img src=x onerror=alert(1)><script>alert("p")</script>'


@pytest.fixture
def desk(page: Page) -> Page:
    """An officer's screen: 1280 px wide."""
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def test_linked_cases_and_offender_at_1280(desk: Page, sqlite_url: str, tmp_path: Path) -> None:
    from sxr.accounts.staff_users import create_user
    from sxr.db import session_factory

    with session_factory(sqlite_url)() as session:
        p = _population(session, tmp_path)
        p.a.platforms = f"Snapchat\n{HOSTILE}"
        create_user(session, "officer@example.com", "Ada Example", "officer", PASSWORD)
        session.commit()
        a, b, d = p.a.reference, p.b.reference, p.d.reference
    dialogs: list[str] = []
    page = desk
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/staff/login")
    page.get_by_label("E-mail address").fill("officer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue", timeout=SLOW)
    row = page.locator("#case-queue tbody tr").filter(has_text=a)
    cell = row.locator('td[data-label="Linked cases"]')
    expect(cell).to_contain_text("2 exact")
    expect(cell).to_contain_text("1 suggested")

    row.get_by_role("link", name=a).click()
    expect(page.locator("#case-reference")).to_have_text(a, timeout=SLOW)
    page.locator("#case-sections").get_by_role("link", name="Linked cases and the offender").click()
    section = page.locator("#linked")
    expect(section.locator("#linked-cases tbody tr")).to_have_count(3)
    expect(section).to_contain_text("Phone number")
    expect(section).to_contain_text("Handle written another way")
    check_accessibility(page)

    # Confirm the suggested look-alike, with a reason.
    suggested = section.locator("tr.linked-suggested").filter(has_text=d)
    suggested.get_by_label("Reason").fill("same snap handle written another way")
    suggested.get_by_role("button", name="Confirm the link").click()
    expect(page.locator("#linked-offender")).to_contain_text("4 reports", timeout=SLOW)
    expect(page.locator("tr.linked-suggested").filter(has_text=d)).to_contain_text("confirmed")

    # Another victim's case opens only with a reason.
    page.locator("#linked-cases").get_by_role("link", name=b).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Why open case {b}", timeout=SLOW)
    page.get_by_label("Reason").fill("same phone, crime 01/2345/26")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator("#case-reference")).to_have_text(b, timeout=SLOW)

    # The offender page: every case on the timeline, identifiers, platforms, downloads.
    page.locator("#linked-offender").get_by_role("link", name="See the offender").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offender", timeout=SLOW)
    expect(page.locator("#offender-cases tbody tr")).to_have_count(4)
    expect(page.locator("#offender-identifiers")).to_contain_text("+447700900461")
    expect(page.locator("#offender-payments")).to_contain_text("jessxlove22")
    expect(page.locator("#offender-platforms")).to_contain_text(HOSTILE)
    assert page.evaluate("document.querySelectorAll('main img, main script').length") == 0
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, width
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="STIX bundle for this offender").click()
    bundle = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert bundle["type"] == "bundle"
    assert sum(1 for o in bundle["objects"] if o["type"] == "observed-data") == 4
    assert dialogs == []
