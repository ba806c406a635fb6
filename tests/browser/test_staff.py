"""In a real Chromium: a staff member signs in, opens a case from the queue and sees its evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

SLOW = 30_000
CHAT = (
    "13/03/2026, 21:06 - Lily: add me on snap lily_x09 "
    '<script>alert("x")</script><img src=x onerror=alert(1)> '
    + "x"
    * 300
    + "\n13/03/2026, 21:10 - Lily: send me a pic of u\n"
    "13/03/2026, 21:30 - Lily: send £400 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)


@pytest.mark.browser
def test_staff_sign_in_and_open_a_case(page: object, sqlite_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Dialog, Page, expect

    from sxr.accounts.staff_users import create_user
    from sxr.cases.services import create_case
    from sxr.config import get_settings
    from sxr.db import session_scope
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS

    assert isinstance(page, Page)
    export = tmp_path / "WhatsApp Chat with Lily.txt"
    export.write_text(CHAT, encoding="utf-8")
    with session_scope(sqlite_url) as session:
        create_user(session, "officer@example.com", "Ada Example", "officer", "correct horse battery staple")
        case, _pin = create_case(session)
        item = add_evidence(
            session, get_settings(), case, export, received_by="victim", derivers=DERIVERS
        ).item
        reference, sha256 = case.reference, item.sha256
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    page.goto("/staff/login")
    page.get_by_label("E-mail address").fill("officer@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-problem")).to_contain_text("not right", timeout=SLOW)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue", timeout=SLOW)
    cookie = next(c for c in page.context.cookies() if c["name"] == "sxr_staff")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/staff"

    page.get_by_role("link", name=reference).click()
    expect(page.locator("#case-reference")).to_have_text(reference, timeout=SLOW)
    expect(page.locator("#evidence-list")).to_contain_text(sha256)
    details = page.locator("#offender-details")
    expect(details).to_contain_text("lily_x09")
    expect(details).to_contain_text("202959-63748472")
    # The offender's markup is shown as text, runs nothing, and long words wrap on a phone.
    expect(details).to_contain_text('<script>alert("x")</script>')
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('#offender-details img').length") == 0
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, width

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in", timeout=SLOW)
