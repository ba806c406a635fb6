"""The victim's guided plan in a real Chromium at phone size: three walks to a plan, the quick exit,
no cookies or storage, no JavaScript needed, axe-core (WCAG 2.2 A/AA) and readability on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import textstat
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

EXIT_URL = "https://www.bbc.co.uk/weather"
ELSEWHERE_URL = "https://elsewhere.example/"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
MAX_GRADE = 6.0

_axe = Axe()


def _neutral(route: Route) -> None:
    # The network is closed in tests: the neutral sites answer locally so navigation completes.
    route.fulfill(
        status=200,
        content_type="text/html",
        body="<!doctype html><html lang='en'><title>Elsewhere</title><p>Another site</p></html>",
    )


@pytest.fixture(autouse=True)
def _syllables_without_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """textstat looks words up in NLTK's CMU dictionary, which it would download at run time: nothing may be
    downloaded, so it counts every word's syllables with Pyphen (its own fallback, installed with it)."""
    try:
        import textstat.backend.counts._count_syllables as count_syllables
    except ImportError:  # an older textstat counts with Pyphen only
        return
    monkeypatch.setattr(count_syllables, "get_cmudict", lambda lang: None)


@pytest.fixture
def phone(page: Page) -> Iterator[Page]:
    page.route("https://www.bbc.co.uk/**", _neutral)
    page.route("https://elsewhere.example/**", _neutral)
    yield page


def check_accessibility(page: Page) -> None:
    """Zero axe-core WCAG 2.2 A/AA violations on this page."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


_VISIBLE_TEXT = """() => {
  const blocks = 'h1, h2, h3, p, li, label, legend, dt, dd, a.button, button';
  const seen = [];
  for (const el of document.querySelectorAll(blocks)) {
    if (el.querySelector(blocks) || !el.checkVisibility()) { continue; }
    const text = el.innerText.trim();
    if (text) { seen.push(text); }
  }
  return seen;
}"""


def reading_grade(page: Page) -> float:
    """Flesch-Kincaid grade of the page's visible text; each block is read as at least one sentence."""
    blocks: list[str] = page.evaluate(_VISIBLE_TEXT)
    sentences = []
    for block in blocks:
        # Phone numbers and web addresses are read, not sounded out: leave them out of the score.
        text = re.sub(r"https?://\S+|\+?\d[\d \-]{1,}\d", " ", block).strip()
        text = " ".join(text.split())
        if not text:
            continue
        sentences.append(text if text[-1] in ".!?" else f"{text}.")
    prose = " ".join(sentences)
    assert len(prose.split()) >= 5, f"{page.url}: no text found"
    return float(textstat.flesch_kincaid_grade(prose))


def check_page(page: Page, *, axe: bool = True) -> None:
    """What every victim page must be: neutral title, exit button, readable, accessible."""
    assert page.title() in ("Help and advice", "Error: Help and advice")
    expect(page.locator("#exit-this-page")).to_be_visible()
    grade = reading_grade(page)
    assert grade <= MAX_GRADE, f"{page.url}: Flesch-Kincaid grade {grade}"
    if axe:
        check_accessibility(page)


def heading(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def answer(page: Page, question: str, *labels: str, axe: bool = True) -> None:
    """Answer the question on this page and press Continue."""
    expect(page.locator("h1")).to_have_text(question)
    check_page(page, axe=axe)
    for label in labels:
        page.get_by_label(label, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def start(page: Page, *, axe: bool = True) -> None:
    page.goto("/")
    check_page(page, axe=axe)
    with page.expect_navigation():
        page.get_by_role("link", name="Start now").click()


def see_plan(page: Page, *, axe: bool = True) -> None:
    expect(page.locator("h1")).to_have_text("Check your answers")
    check_page(page, axe=axe)
    with page.expect_navigation():
        page.get_by_role("link", name="See your plan").click()
    expect(page.locator("h1")).to_have_text("Your plan")
    check_page(page, axe=axe)


def step_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".plan-step h2").all_inner_texts()]


def services(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".service h3").all_inner_texts()]


def test_fifteen_year_old_who_paid_with_gift_cards(phone: Page) -> None:
    page = phone
    start(page)
    answer(page, "How old are you?", "13 to 15")
    answer(page, "Are you safe right now?", "Yes, I am safe right now")
    answer(page, "Where do you live?", "England")
    answer(page, "Have you paid them any money?", "Yes")
    answer(page, "How did you pay?", "Gift cards")
    answer(page, "Have they shared your pictures or videos yet?", "No")
    answer(page, "Which apps or sites did they contact you on?", "Instagram", "Snapchat")
    see_plan(page)

    assert page.locator(".urgent").count() == 0
    titles = step_titles(page)
    for title in (
        "Don't panic",
        "Tell an adult you trust",
        "Stop all contact",
        "Instagram: report them and pause your account",
        "Snapchat: report them and pause your account",
        "You have paid: what to do now",
        "If you paid with gift cards",
        "Keep proof of what happened",
        "Report it to the police",
        "Get the pictures blocked",
        "Staying safe next time",
    ):
        assert title in titles
    assert "Don't pay" not in titles
    found = services(page)
    for name in (
        "Childline",
        "Report Remove (Childline and the IWF)",
        "CEOP (National Crime Agency)",
        "Samaritans",
        "PAPYRUS HOPELINE247",
        "Victim Support",
        "Thinkuknow",
        "Get Safe Online",
    ):
        assert name in found
    assert "Revenge Porn Helpline" not in found and "StopNCII.org" not in found
    text = page.locator("main").inner_text()
    assert "Write down every gift card code." in text
    assert "Call Police (England and Wales) on 101. In an emergency, call 999." in text
    expect(page.get_by_role("link", name="Call 0800 1111")).to_have_attribute("href", "tel:08001111")
    expect(page.get_by_role("link", name="Start a confidential report")).to_have_attribute(
        "href", "/report/start"
    )
    # Nothing was kept on the device.
    assert page.context.cookies() == []
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0


def test_adult_who_has_not_paid(phone: Page) -> None:
    page = phone
    start(page, axe=False)
    answer(page, "How old are you?", "18 or over", axe=False)
    answer(page, "Are you safe right now?", "Yes, I am safe right now", axe=False)
    answer(page, "Where do you live?", "Scotland", axe=False)
    answer(page, "Have you paid them any money?", "No", axe=False)
    # No payment: the "How did you pay?" page is skipped.
    answer(page, "Have they shared your pictures or videos yet?", "I do not know", axe=False)
    answer(page, "Which apps or sites did they contact you on?", "WhatsApp", axe=False)
    see_plan(page)

    titles = step_titles(page)
    assert "Don't pay" in titles and "You have paid: what to do now" not in titles
    assert "Tell an adult you trust" not in titles
    assert "WhatsApp: report them and pause your account" in titles
    found = services(page)
    for name in (
        "Police Scotland",
        "Revenge Porn Helpline",
        "StopNCII.org",
        "Victim Support Scotland",
        "Samaritans",
    ):
        assert name in found
    assert "Childline" not in found and "Report Remove (Childline and the IWF)" not in found
    assert "Call Police Scotland on 101." in page.locator("main").inner_text()


def _urgent_is_first(page: Page) -> None:
    first = page.locator("main > *").first
    expect(first).to_have_class("urgent")
    text = first.inner_text()
    for needle in (
        "999",
        "Childline",
        "0800 1111",
        "Samaritans",
        "116 123",
        "PAPYRUS HOPELINE247",
        "0800 068 4141",
    ):
        assert needle in text, needle
    expect(first.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    # The urgent box comes before anything else the page asks or says.
    box = first.bounding_box()
    h1 = page.locator("h1").bounding_box()
    assert box and h1 and box["y"] < h1["y"]


def test_someone_thinking_of_harming_themselves_sees_999_and_crisis_lines_first(phone: Page) -> None:
    page = phone
    start(page, axe=False)
    answer(page, "How old are you?", "16 or 17", axe=False)
    assert page.locator(".urgent").count() == 0
    answer(page, "Are you safe right now?", "I am thinking of harming myself", axe=False)
    _urgent_is_first(page)
    check_accessibility(page)
    answer(page, "Where do you live?", "Northern Ireland", axe=False)
    _urgent_is_first(page)
    answer(page, "Have you paid them any money?", "No", axe=False)
    _urgent_is_first(page)
    answer(page, "Have they shared your pictures or videos yet?", "Yes", axe=False)
    _urgent_is_first(page)
    answer(page, "Which apps or sites did they contact you on?", "Another app or site", axe=False)
    _urgent_is_first(page)
    see_plan(page)
    _urgent_is_first(page)
    assert step_titles(page)[0] == "Get help right now"
    assert "Police Service of Northern Ireland (PSNI)" in services(page)


def test_missing_answer_shows_the_error_summary(phone: Page) -> None:
    page = phone
    page.goto("/plan/age")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.title() == "Error: Help and advice"
    check_page(page)
    # The summary's link moves to the first option without leaving the page.
    url = page.url
    page.get_by_role("link", name="Select how old you are").click()
    expect(page.locator("#age-1")).to_be_focused()
    assert page.url.split("#")[0] == url.split("#")[0]
    page.get_by_label("Under 13", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Are you safe right now?")


def test_back_link_and_change_answers_keep_the_answers(phone: Page) -> None:
    page = phone
    page.goto("/plan/age")
    answer(page, "How old are you?", "18 or over", axe=False)
    with page.expect_navigation():
        page.get_by_role("link", name="Back").click()
    expect(page.get_by_label("18 or over", exact=True)).to_be_checked()
    page.goto("/plan/check?age=18-plus&safe=safe&where=GB-ENG&paid=no&shared=no&app=discord")
    with page.expect_navigation():
        page.get_by_role("link", name="Change paid them").click()
    answer(page, "Have you paid them any money?", "Yes", axe=False)
    # A new "yes" opens the payment question, then returns to the check page.
    answer(page, "How did you pay?", "Crypto (like Bitcoin)", axe=False)
    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.locator("main")).to_contain_text("Crypto (like Bitcoin)")


def _walk_part_way(page: Page) -> int:
    """Come to the site from another site and answer two questions; the history length on arrival."""
    page.goto(ELSEWHERE_URL)
    page.goto("/")
    on_arrival: int = page.evaluate("() => history.length")
    with page.expect_navigation():
        page.get_by_role("link", name="Start now").click()
    answer(page, "How old are you?", "13 to 15", axe=False)
    answer(page, "Are you safe right now?", "Yes, I am safe right now", axe=False)
    expect(page.locator("h1")).to_have_text("Where do you live?")
    # Moving through the site replaced its one history entry instead of adding three.
    assert page.evaluate("() => history.length") == on_arrival
    return on_arrival


def _left_without_trace(page: Page, on_arrival: int) -> None:
    page.wait_for_url(EXIT_URL)
    assert page.evaluate("() => history.length") == on_arrival  # replaced, not added
    page.go_back()
    page.wait_for_load_state()
    assert page.url == ELSEWHERE_URL  # going back skips the site entirely
    page.go_forward()
    page.wait_for_load_state()
    assert page.url == EXIT_URL


def test_quick_exit_button_leaves_nothing_in_history(phone: Page) -> None:
    page = phone
    on_arrival = _walk_part_way(page)
    page.get_by_role("link", name="Exit this page").click()
    _left_without_trace(page, on_arrival)


def test_quick_exit_by_pressing_shift_three_times(phone: Page) -> None:
    page = phone
    on_arrival = _walk_part_way(page)
    for _ in range(3):
        page.keyboard.press("Shift")
    _left_without_trace(page, on_arrival)


def test_two_shift_presses_do_not_leave(phone: Page) -> None:
    page = phone
    page.goto("/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(1200)  # the presses are forgotten after a second
    page.keyboard.press("Shift")
    page.wait_for_timeout(200)
    assert page.url.endswith("/")
    expect(page.locator("h1")).to_be_visible()


def test_typing_capital_letters_does_not_leave(phone: Page) -> None:
    page = phone
    page.goto("/")
    for letter in "ABC":
        page.keyboard.press(f"Shift+{letter}")
    page.wait_for_timeout(300)
    assert page.url.endswith("/")
    expect(page.locator("h1")).to_be_visible()


def test_the_plan_works_without_javascript(chromium_browser: Any, live_server: Any) -> None:
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Start now").click()
        answer(page, "How old are you?", "Under 13", axe=False)
        answer(page, "Are you safe right now?", "No, I am in danger", axe=False)
        answer(page, "Where do you live?", "Wales", axe=False)
        answer(page, "Have you paid them any money?", "Yes", axe=False)
        answer(page, "How did you pay?", "Bank transfer", "PayPal or Cash App", axe=False)
        answer(page, "Have they shared your pictures or videos yet?", "Yes", axe=False)
        answer(page, "Which apps or sites did they contact you on?", "Discord", "Telegram", axe=False)
        see_plan(page, axe=False)
        titles = step_titles(page)
        assert titles[0] == "Get help right now"
        assert "If you paid by bank transfer" in titles and "If you paid by PayPal or Cash App" in titles
        assert page.locator("main > *").first.get_attribute("class") == "urgent"
        # Without JavaScript the Exit button is still a plain link to the neutral site.
        expect(page.get_by_role("link", name="Exit this page")).to_have_attribute("href", EXIT_URL)
    finally:
        context.close()
