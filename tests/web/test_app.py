"""The app factory: security headers on every response, errors as pages, health check."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings


def test_every_response_has_a_strict_csp_without_inline_script(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    for path in ("/healthz", "/static/css/sxr.css", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in response.headers


def test_unknown_page_is_a_page_with_the_exit_button(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'id="exit-this-page"' in response.text
    assert response.headers["cache-control"] == "no-store"


def test_api_errors_are_json(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_pages_name_direction_overrides_instead_of_obeying_them(settings: Settings) -> None:
    from sxr.web.templating import environment

    page = environment.from_string("<p>{{ words }}</p>").render(words="pay \u202egpj.exe\u2066 \x07now")
    assert page == "<p>pay [U+202E]gpj.exe[U+2066] \ufffdnow</p>"


def test_every_response_asks_for_https_from_now_on(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    assert client.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_a_request_that_fails_validation_never_echoes_its_input(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    hostile = "<script>alert(1)</script>"
    page = client.get(f"/staff/cases?page={hostile}")
    assert page.status_code in (303, 422) and hostile not in page.text
    answer = client.post(
        "/api/v1/match",
        content=b'{"hashes": [{"type": "pdq", "value": NaN}], "x": "' + hostile.encode() + b'"}',
        headers={"Content-Type": "application/json", "Authorization": "Bearer nope"},
    )
    assert answer.status_code in (401, 422) and hostile not in answer.text
