"""In a real Chromium: /api/docs renders the platform API's documentation under the app's own CSP."""

from __future__ import annotations

import pytest


@pytest.mark.browser
def test_api_docs_render_with_no_csp_violation(page: object) -> None:
    from playwright.sync_api import ConsoleMessage, Page, Request, expect

    assert isinstance(page, Page)
    console: list[str] = []
    requested: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        console.append(message.text)

    def on_request(request: Request) -> None:
        requested.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    response = page.goto("/api/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    expect(page.get_by_role("heading", name="sxr platform API", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="POST /api/v1/match", exact=True)).to_be_visible()
    expect(page.locator("#schema-MatchRequest")).to_contain_text("min_trust")
    expect(page.locator("#schema-MatchOut")).to_contain_text("trust")
    expect(page.locator("h3", has_text="/staff/")).to_have_count(0)
    # Nothing blocked by the CSP, nothing fetched from another host (the old page used a CDN).
    assert not [line for line in console if "Content Security Policy" in line or "Refused" in line], console
    assert requested and all(url.startswith("http://127.0.0.1:") for url in requested), requested
    page.get_by_role("link", name="/api/openapi.json").click()
    page.wait_for_url("**/api/openapi.json")
