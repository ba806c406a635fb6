"""The victim's guided plan in a real Chromium at phone size (issue 17): the plan in at most 8 taps, its
first screen, no answer in any address the browser keeps, Back inside the plan, the quick exit and Back
after it, no cookies or storage, no JavaScript needed, axe-core (WCAG 2.2 A/AA) at 390 and 320 px and
readability on every page. Screenshots of each journey are kept under tests/browser/artefacts/ (or
$SXR_TEST_ARTEFACTS) for a person to look at."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
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
ARTEFACTS = Path(os.environ.get("SXR_TEST_ARTEFACTS") or Path(__file__).parent / "artefacts")
PHONE_SCREEN = 844  # px: the first screen of a 390 x 844 phone
MAX_VISIBLE_WORDS = 700


def keep_screenshot(page: Page, name: str) -> None:
    """A full-page screenshot kept as a test artefact (the folder is git-ignored; CI uploads it)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


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


@pytest.fixture
def touch_phone(chromium_browser: Any, live_server: Any) -> Iterator[Page]:
    """A phone with a touch screen and no keyboard, 390 x 844, as the first screen is measured on."""
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": PHONE_SCREEN},
        base_url=live_server.url,
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    page.route("https://www.bbc.co.uk/**", _neutral)
    yield page
    context.close()


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


class Taps:
    """Every tap a person makes, counted: each choice ticked and each link or button pressed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0
        self.addresses: list[str] = []
        page.on(
            "framenavigated",
            lambda frame: self.addresses.append(frame.url) if frame == page.main_frame else None,
        )

    def choose(self, *labels: str) -> None:
        for label in labels:
            self.page.get_by_label(label, exact=True).check()
            self.count += 1

    def press(self, role: str, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]
        self.count += 1


def visible_words(page: Page) -> int:
    """Words a person sees on the whole page before opening anything (innerText leaves out what is folded)."""
    text: str = page.evaluate("() => document.body.innerText")
    return len(text.split())


def check_both_widths(page: Page) -> None:
    """axe at 390 px and at 320 px (the narrowest phone, and 400% zoom of a 1280 px screen)."""
    check_accessibility(page)
    page.set_viewport_size({"width": 320, "height": 640})
    check_accessibility(page)
    page.set_viewport_size({"width": 390, "height": PHONE_SCREEN})


def walk_scotland_at_risk(page: Page) -> Taps:
    """The 15-year-old of issue 17: Scotland, Instagram and Snapchat, thinking of harming themselves."""
    taps = Taps(page)
    page.goto("/")
    check_page(page)
    taps.press("link", "Start now")
    expect(page.locator("h1")).to_have_text("About you")
    check_page(page)
    taps.choose("13 to 15", "I am thinking of harming myself", "Scotland")
    taps.press("button", "Continue")
    expect(page.locator("h1")).to_have_text("Which apps or sites did they contact you on?")
    check_page(page)
    taps.choose("Instagram", "Snapchat")
    taps.press("button", "See your plan")
    expect(page.locator("h1")).to_have_text("Your plan")
    return taps


def test_fifteen_year_old_in_scotland_reaches_the_plan_in_eight_taps(touch_phone: Page) -> None:
    page = touch_phone
    taps = walk_scotland_at_risk(page)
    assert taps.count <= 8, taps.count
    check_page(page)
    keep_screenshot(page, "plan-scotland-at-risk")

    # The first phone screen: crisis help first, then what to do right now.
    page.evaluate("() => window.scrollTo(0, 0)")
    urgent = page.locator(".urgent")
    expect(page.locator("main > *").first).to_have_class("urgent")
    expect(urgent.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(urgent.get_by_role("link", name="Text SHOUT to 85258")).to_have_attribute(
        "href", "sms:85258?&body=SHOUT"
    )
    expect(urgent.get_by_role("link", name="Chat online").first).to_have_attribute(
        "href", "https://www.childline.org.uk/get-support/1-2-1-counsellor-chat/"
    )
    now = page.locator(".do-now li")
    expect(now).to_have_count(4)
    box = page.locator(".do-now").bounding_box()
    assert box and box["y"] + box["height"] <= PHONE_SCREEN, box
    words = visible_words(page)
    print(
        f"\nplan reached in {taps.count} taps; do-now ends at {box['y'] + box['height']:.0f} px; "
        f"{words} words"
    )
    assert words <= MAX_VISIBLE_WORDS, words

    # Every step is folded, and opens with a tap.
    steps = page.locator("details.plan-step")
    assert steps.count() >= 8
    titles = [t.strip() for t in page.locator("details.plan-step summary").all_inner_texts()]
    assert "Instagram: report them and pause your account" in titles
    assert "Snapchat: report them and pause your account" in titles
    assert not any("Facebook" in t for t in titles) and "Get help right now" not in titles
    first = page.locator("#step-stop-contact")
    first.locator("summary").click()
    expect(first.get_by_text("Do not reply, and do not argue.")).to_be_visible()
    # The crisis lines are once, at the top; sources in one list at the end.
    assert page.locator('a[href="tel:116123"]').count() == 1
    assert page.get_by_text("where we found this").count() == page.locator("#sources li").count()
    check_both_widths(page)

    # Nothing kept on the device, and no address the browser saw holds an answer.
    assert page.context.cookies() == []
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    for address in [*taps.addresses, page.url]:
        for answer in ("harm", "13-15", "GB-SCT", "instagram", "snapchat", "age=", "safe="):
            assert answer not in address, (address, answer)


def test_have_you_paid_changes_the_plan_in_place(phone: Page) -> None:
    page = phone
    walk_scotland_at_risk(page)
    titles = [t.strip() for t in page.locator("details.plan-step summary").all_inner_texts()]
    assert "Don't pay" in titles and "You have paid: what to do now" not in titles
    page.locator("#paid-1").check()  # "Have you paid them any money?" Yes
    page.locator("details.more summary", has_text="How did you pay?").click()
    page.get_by_label("Gift cards", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Update my plan").click()
    expect(page.locator(".do-now")).to_contain_text("Do not pay them again")
    titles = [t.strip() for t in page.locator("details.plan-step summary").all_inner_texts()]
    assert "You have paid: what to do now" in titles and "If you paid with gift cards" in titles
    check_page(page)
    keep_screenshot(page, "plan-paid-gift-cards")


def test_back_inside_the_plan_goes_to_the_previous_question(phone: Page) -> None:
    page = phone
    walk_scotland_at_risk(page)
    page.go_back()
    expect(page.locator("h1")).to_have_text("Which apps or sites did they contact you on?")
    expect(page.get_by_label("Instagram", exact=True)).to_be_checked()
    page.go_back()
    expect(page.locator("h1")).to_have_text("About you")
    expect(page.get_by_label("Scotland", exact=True)).to_be_checked()
    expect(page.locator(".urgent")).to_have_count(0)  # nothing about the answers shows before "About you"


def test_adult_who_has_not_paid(phone: Page) -> None:
    page = phone
    taps = Taps(page)
    page.goto("/")
    taps.press("link", "Start now")
    taps.choose("18 or over", "Yes, I am safe right now", "England")
    taps.press("button", "Continue")
    taps.choose("WhatsApp")
    taps.press("button", "See your plan")
    assert taps.count <= 8
    check_page(page)
    expect(page.locator(".urgent")).to_have_count(0)
    titles = [t.strip() for t in page.locator("details.plan-step summary").all_inner_texts()]
    assert "Don't pay" in titles and "Tell an adult you trust" not in titles
    assert "WhatsApp: report them and pause your account" in titles
    expect(page.locator(".do-now")).to_contain_text("Tell someone you trust")
    keep_screenshot(page, "plan-adult")


def test_missing_answers_show_the_error_summary(phone: Page) -> None:
    page = phone
    page.goto("/plan/about")
    page.get_by_label("16 or 17", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.title() == "Error: Help and advice"
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.get_by_label("16 or 17", exact=True)).to_be_checked()
    check_page(page)
    keep_screenshot(page, "about-error")


def _walk_part_way(page: Page) -> None:
    page.goto(ELSEWHERE_URL)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Start now").click()
    page.get_by_label("13 to 15", exact=True).check()
    page.get_by_label("Yes, I am safe right now", exact=True).check()
    page.get_by_label("Wales", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Which apps or sites did they contact you on?")


def _left_without_trace(page: Page) -> None:
    page.wait_for_url(EXIT_URL)
    # Back never shows a page of this site again: each is replaced by the neutral page before it paints.
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state()
        assert (
            "127.0.0.1" not in page.url
            or page.locator("main").count() == 0
            or not page.locator("main").is_visible()
        ), page.url
        if page.url == ELSEWHERE_URL:
            break
        page.wait_for_url(lambda url: "127.0.0.1" not in url)


def test_quick_exit_button_then_back_shows_nothing_of_the_site(phone: Page) -> None:
    page = phone
    _walk_part_way(page)
    page.get_by_role("link", name="Exit this page").click()
    _left_without_trace(page)


def test_quick_exit_by_pressing_shift_three_times(phone: Page) -> None:
    page = phone
    _walk_part_way(page)
    for _ in range(3):
        page.keyboard.press("Shift")
    _left_without_trace(page)


def test_shift_three_times_is_mentioned_only_where_there_is_a_keyboard(
    chromium_browser: Any, live_server: Any
) -> None:
    for touch, shown in ((True, False), (False, True)):
        context = chromium_browser.new_context(
            viewport={"width": 390, "height": PHONE_SCREEN},
            base_url=live_server.url,
            has_touch=touch,
            is_mobile=touch,
        )
        try:
            page = context.new_page()
            page.goto("/")
            assert page.locator(".exit-hint").is_visible() is shown
            expect(page.locator(".browsing-tip summary")).to_have_text("Browsing safely")
        finally:
            context.close()


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
        viewport={"width": 390, "height": PHONE_SCREEN}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Start now").click()
        page.get_by_label("Under 13", exact=True).check()
        page.get_by_label("No, I am in danger", exact=True).check()
        page.get_by_label("Wales", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Discord", exact=True).check()
        page.get_by_role("button", name="See your plan").click()
        expect(page.locator("h1")).to_have_text("Your plan")
        assert page.locator("main > *").first.get_attribute("class") == "urgent"
        page.locator("#step-stop-contact summary").click()
        expect(page.locator("#step-stop-contact")).to_contain_text("Do not reply")
        # Without JavaScript the Exit button is still a plain link to the neutral site.
        expect(page.get_by_role("link", name="Exit this page")).to_have_attribute("href", EXIT_URL)
    finally:
        context.close()
