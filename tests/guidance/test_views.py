"""The plan over HTTP: two short question pages, answers in POST bodies and a sealed token, the plan."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings
from sxr.guidance.views import ANSWERS_MAX_AGE, TOKEN_PURPOSE, read_answers
from sxr.web.sealed import open_token, seal_token

ABOUT_AT_RISK = {"age": "13-15", "safe": "harm", "where": "GB-SCT"}
APPS = {"app": ["instagram", "snapchat"]}


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def _post(client: TestClient, url: str, data: dict[str, object]) -> str:
    response = client.post(url, data=data, follow_redirects=False)  # type: ignore[arg-type]
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


def _token(location: str) -> str:
    return parse_qs(urlsplit(location).query)["t"][0]


def walk(client: TestClient, about: dict[str, str], apps: dict[str, list[str]]) -> str:
    """Answer both pages; the plan's address."""
    to_apps = _post(client, "/plan/about", about)
    assert to_apps.startswith("/plan/apps?t=")
    to_plan = _post(client, "/plan/apps", {**apps, "t": _token(to_apps)})
    assert to_plan.startswith("/plan/your-plan?t=")
    return to_plan


def test_home_page_says_what_this_is_and_offers_every_way_in(client: TestClient) -> None:
    response = client.get("/")
    html = response.text
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert 'href="/plan/about"' in html and "<title>Help and advice</title>" in html
    assert 'href="/report/return"' in html and "Go back to your report" in html
    assert 'href="/protect"' in html and "Protect my pictures" in html
    assert "This service is run by the team that runs this service" in html
    assert "does not go to the police" in html
    assert 'href="tel:999"' in html


def test_home_page_names_the_operator_and_says_reports_reach_the_police(settings: Settings) -> None:
    configured = settings.model_copy(update={"operator_name": "Example Trust", "reports_reach_police": True})
    html = TestClient(create_app(configured)).get("/").text
    assert "run by Example Trust" in html and "we pass it to the police" in html


def test_no_answer_is_ever_readable_in_an_address(client: TestClient, settings: Settings) -> None:
    to_apps = _post(client, "/plan/about", ABOUT_AT_RISK)
    to_plan = _post(client, "/plan/apps", {**APPS, "t": _token(to_apps)})
    for location in (to_apps, to_plan):
        for secret in ("harm", "13-15", "GB-SCT", "instagram", "safe=", "age="):
            assert secret not in location, (location, secret)
    answers, expired = read_answers(settings, _token(to_plan))
    assert not expired
    assert answers == {
        "age": ["13-15"],
        "safe": ["harm"],
        "where": ["GB-SCT"],
        "app": ["instagram", "snapchat"],
    }
    page = client.get(to_plan)
    assert page.status_code == 200 and "set-cookie" not in page.headers
    # The page's own links carry only the sealed token, never an answer.
    for href in re.findall(r'href="(/[^"]*)"', page.text):
        assert "harm" not in href and "age=" not in href, href


def test_a_token_opens_only_for_its_purpose_and_only_for_a_few_hours(settings: Settings) -> None:
    token = seal_token(settings, TOKEN_PURPOSE, {"age": ["13-15"]}, now=1_000_000)
    assert open_token(settings, TOKEN_PURPOSE, token, max_age=ANSWERS_MAX_AGE, now=1_000_100) == {
        "age": ["13-15"]
    }
    assert (
        open_token(settings, TOKEN_PURPOSE, token, max_age=ANSWERS_MAX_AGE, now=1_000_000 + 5 * 3600) is None
    )
    assert open_token(settings, "report created", token, max_age=ANSWERS_MAX_AGE, now=1_000_100) is None
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert open_token(settings, TOKEN_PURPOSE, forged, max_age=ANSWERS_MAX_AGE, now=1_000_100) is None
    assert open_token(settings, TOKEN_PURPOSE, "x" * 10_000, max_age=ANSWERS_MAX_AGE) is None


def test_an_old_plan_link_asks_again_and_says_why(client: TestClient, settings: Settings) -> None:
    old = seal_token(settings, TOKEN_PURPOSE, {**{k: [v] for k, v in ABOUT_AT_RISK.items()}, **APPS}, now=1)
    page = client.get(f"/plan/your-plan?t={old}")
    assert page.status_code == 200
    assert "we forget them after a few hours" in page.text and "How old are you?" in page.text


def test_missing_answers_show_one_error_summary_for_the_page(client: TestClient) -> None:
    response = client.post("/plan/about", data={"age": "13-15"})
    html = response.text
    assert response.status_code == 200
    assert "<title>Error: Help and advice</title>" in html and "There is a problem" in html
    assert '<a href="#safe-1">Select if you are safe right now</a>' in html
    assert '<a href="#where-1">Select where you live</a>' in html
    assert 'id="age-error"' not in html and 'value="13-15" checked' in html


def test_unknown_values_are_not_answers_and_are_never_echoed(client: TestClient) -> None:
    response = client.post(
        "/plan/about", data={"age": "<script>alert(1)</script>", "safe": "safe", "where": "US"}
    )
    assert response.status_code == 200 and "There is a problem" in response.text
    assert "alert(1)" not in response.text
    assert client.get("/plan/about?t=%22%3E%3Cscript%3Ealert(2)%3C/script%3E").status_code == 200


def test_skipping_ahead_goes_back_to_the_first_unanswered_page(client: TestClient) -> None:
    assert client.get("/plan/apps", follow_redirects=False).headers["location"] == "/plan/about"
    to_apps = _post(client, "/plan/about", ABOUT_AT_RISK)
    plan = client.get(f"/plan/your-plan?t={_token(to_apps)}", follow_redirects=False)
    assert plan.status_code == 303 and plan.headers["location"].startswith("/plan/apps?t=")
    # The old one-question-a-page addresses lead to the start, and carry nothing on.
    old = client.get("/plan/age?age=13-15&safe=harm", follow_redirects=False)
    assert old.headers["location"] == "/plan/about"


def test_at_risk_sees_the_crisis_lines_first_on_every_later_page(client: TestClient) -> None:
    to_apps = _post(client, "/plan/about", ABOUT_AT_RISK)
    to_plan = _post(client, "/plan/apps", {**APPS, "t": _token(to_apps)})
    for url in (to_apps, to_plan):
        html = client.get(url).text
        main = html[html.index('<main id="main"') :]
        first = re.search(r"<(section|h1|a|div|form|fieldset|p)\b[^>]*>", main[main.index(">") + 1 :])
        assert first and 'class="urgent"' in first.group(0), url
        urgent = main[: main.index("</section>")]
        for needle in (
            'href="tel:999"',
            "Childline",
            "Samaritans",
            "Shout",
            'href="sms:85258?&amp;body=SHOUT"',
        ):
            assert needle in urgent, (url, needle)
        assert 'href="https://www.childline.org.uk/get-support/1-2-1-counsellor-chat/"' in urgent
        assert "Breathing Space" in urgent  # Scotland
    safe = _post(client, "/plan/about", {**ABOUT_AT_RISK, "safe": "safe"})
    assert 'class="urgent"' not in client.get(safe).text


def test_plan_page_folds_the_steps_under_the_lines_to_do_now(client: TestClient) -> None:
    response = client.get(walk(client, ABOUT_AT_RISK, APPS))
    html = response.text
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert "Do this now" in html and "Stop replying." in html and "Do not pay them." in html
    steps = re.findall(r'<details class="plan-step" id="step-([\w-]+)">', html)
    assert "platform-instagram" in steps and "platform-snapchat" in steps
    assert "platform-facebook" not in steps and "Facebook" not in html
    assert "safe-now" not in steps  # the crisis lines are shown once, at the top
    assert html.count('href="tel:116123"') == 1
    assert "internet service provider" not in html and "think before you share" not in html
    assert "MTCN" not in html and "wallet" not in html  # they did not say they paid that way
    assert 'href="/report/start?t=' in html and "Start a private report" in html
    assert "Where these numbers come from" in html


def test_have_you_paid_changes_the_plan_in_place(client: TestClient) -> None:
    plan_url = walk(client, ABOUT_AT_RISK, APPS)
    refined = _post(
        client, "/plan/your-plan", {"t": _token(plan_url), "paid": "yes", "how": "money-transfer"}
    )
    assert refined.startswith("/plan/your-plan?t=") and refined.endswith("#main")
    html = client.get(refined.split("#")[0]).text
    assert "Do not pay them again" in html and "If you paid by Western Union or MoneyGram" in html
    assert "That is the tracking number on a Western Union or MoneyGram receipt" in html
    assert 'value="yes" checked' in html
    # "No" drops the payment steps again.
    back = _post(client, "/plan/your-plan", {"t": _token(refined), "paid": "no"})
    assert "If you paid by Western Union" not in client.get(back.split("#")[0]).text


def test_somewhere_else_uses_the_deployment_region(client: TestClient) -> None:
    html = client.get(
        walk(client, {"age": "18-plus", "safe": "safe", "where": "elsewhere"}, {"app": ["other"]})
    ).text
    assert "Police (England and Wales)" in html
    assert "The help on this page is for England." in html


def test_unknown_page_is_a_404_page(client: TestClient) -> None:
    assert client.get("/plan/nothing-here").status_code == 404
    assert client.post("/plan/nothing-here", data={}).status_code == 404


def test_the_plans_answers_are_carried_into_the_report_form(client: TestClient) -> None:
    html = client.get(walk(client, ABOUT_AT_RISK, APPS)).text
    report_url = re.search(r'href="(/report/start\?t=[^"]+)"', html)
    assert report_url
    form = client.get(report_url.group(1).replace("&amp;", "&")).text
    assert 'value="13-15" checked' in form
    assert 'value="Instagram" checked' in form and 'value="Snapchat" checked' in form
    assert 'value="TikTok" checked' not in form
    assert "checked" not in client.get("/report/start").text


def test_the_reference_and_pin_page_closes_after_a_few_minutes(
    client: TestClient, settings: Settings
) -> None:
    from sxr.portal.views import CREATED_PURPOSE

    old = seal_token(settings, CREATED_PURPOSE, {"r": "SXR-AAAA-BBBB", "p": "123456", "s": "x"}, now=1)
    page = client.get(f"/report/made/{old}")
    assert page.status_code == 410 and "Come back to your report" in page.text
    assert "123456" not in page.text and "SXR-AAAA-BBBB" not in page.text
