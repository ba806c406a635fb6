"""The question pages over HTTP: one question a page, answers in the query string, errors, the plan."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings

CHILD_AT_RISK = "age=13-15&safe=harm&where=GB-ENG&paid=yes&how=gift-card&shared=no&app=instagram"


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def _submit(client: TestClient, question: str, query: str) -> str:
    response = client.get(f"/plan/{question}?{query}&submitted=1", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_start_page_links_to_the_first_question(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/plan/age"' in response.text
    assert "<title>Help and advice</title>" in response.text
    assert "set-cookie" not in response.headers


def test_walk_in_order_carrying_answers_in_the_query_string(client: TestClient) -> None:
    assert _submit(client, "age", "age=13-15") == "/plan/safe?age=13-15"
    assert _submit(client, "safe", "age=13-15&safe=safe") == "/plan/where?age=13-15&safe=safe"
    assert _submit(client, "where", "age=13-15&safe=safe&where=GB-SCT").startswith("/plan/paid?")
    # "How did you pay?" only follows a yes.
    assert _submit(client, "paid", "age=13-15&safe=safe&where=GB-SCT&paid=no").startswith("/plan/shared?")
    assert _submit(client, "paid", "age=13-15&safe=safe&where=GB-SCT&paid=yes").startswith("/plan/how?")
    location = _submit(client, "apps", "age=13-15&safe=safe&where=GB-SCT&paid=no&shared=no&app=x&app=discord")
    assert location.startswith("/plan/check?")
    assert parse_qs(urlsplit(location).query)["app"] == ["x", "discord"]


def test_missing_answer_shows_the_error_summary(client: TestClient) -> None:
    response = client.get("/plan/age?submitted=1")
    assert response.status_code == 200
    assert "<title>Error: Help and advice</title>" in response.text
    assert 'class="error-summary"' in response.text and "There is a problem" in response.text
    assert '<a href="#age-1">Select how old you are</a>' in response.text
    assert 'id="age-error"' in response.text


def test_unknown_values_are_not_answers_and_are_never_echoed(client: TestClient) -> None:
    response = client.get("/plan/age?submitted=1&age=%3Cscript%3Ealert(1)%3C/script%3E")
    assert response.status_code == 200 and "There is a problem" in response.text
    assert "<script>alert" not in response.text and "alert(1)" not in response.text
    hostile = client.get('/plan/safe?age=13-15&x="><script>alert(2)</script>')
    assert "alert(2)" not in hostile.text


def test_skipping_ahead_goes_back_to_the_first_unanswered_question(client: TestClient) -> None:
    response = client.get("/plan/shared?age=18-plus", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/plan/safe?age=18-plus"
    plan = client.get("/plan/your-plan?age=18-plus&safe=safe", follow_redirects=False)
    assert plan.headers["location"].startswith("/plan/where?")


def test_at_risk_sees_999_and_crisis_lines_first_on_every_later_page(client: TestClient) -> None:
    pages = [
        "/plan/where?age=13-15&safe=harm",
        "/plan/paid?age=13-15&safe=harm&where=GB-ENG",
        f"/plan/check?{CHILD_AT_RISK}",
        f"/plan/your-plan?{CHILD_AT_RISK}",
    ]
    for url in pages:
        html = client.get(url).text
        main = html[html.index('<main id="main"') :]
        first = re.search(r"<(section|h1|a|div|form|fieldset)\b[^>]*>", main[main.index(">") + 1 :])
        assert first and 'class="urgent"' in first.group(0), url
        urgent = main[: main.index("</section>")]
        for needle in ('href="tel:999"', "Childline", "Samaritans", "PAPYRUS HOPELINE247", "116 123"):
            assert needle in urgent, (url, needle)
    assert 'class="urgent"' not in client.get("/plan/where?age=13-15&safe=safe").text


def test_check_answers_lists_every_answer_with_a_change_link(client: TestClient) -> None:
    html = client.get(f"/plan/check?{CHILD_AT_RISK}").text
    for label, answer in [("Age", "13 to 15"), ("How you paid", "Gift cards"), ("Apps", "Instagram")]:
        assert f"<dt>{label}</dt>" in html and f"<dd>{answer}</dd>" in html
    assert html.count(">Change<") == 7
    change = client.get(
        "/plan/paid?" + CHILD_AT_RISK.replace("&paid=yes", "") + "&paid=no&back=check&submitted=1",
        follow_redirects=False,
    )
    assert change.headers["location"].startswith("/plan/check?")
    assert "how=" not in change.headers["location"]


def test_plan_page_has_the_steps_services_and_the_report_link(client: TestClient) -> None:
    response = client.get(f"/plan/your-plan?{CHILD_AT_RISK}")
    html = response.text
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    for title in (
        "Get help right now",
        "Tell an adult you trust",
        "Instagram: report them and pause your account",
        "If you paid with gift cards",
        "Staying safe next time",
    ):
        assert title in html
    assert 'href="/report/start"' in html and "Start a confidential report" in html
    assert "Report Remove" in html and "Revenge Porn Helpline" not in html
    assert "<title>Help and advice</title>" in html


def test_somewhere_else_uses_the_deployment_region(client: TestClient) -> None:
    html = client.get(
        "/plan/your-plan?age=18-plus&safe=safe&where=elsewhere&paid=no&shared=no&app=other"
    ).text
    assert "Police (England and Wales)" in html
    assert "The help on this page is for England." in html


def test_unknown_question_is_a_404_page(client: TestClient) -> None:
    assert client.get("/plan/nothing-here").status_code == 404
