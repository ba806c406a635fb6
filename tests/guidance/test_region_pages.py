"""A deployment's region decides the emergency number and the quick-exit page on every victim page: both
come from the guidance content (with source and date checked), never from a template."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cases.test_cases_views import start_report
from sxr.app import create_app
from sxr.config import get_settings
from sxr.guidance.content import default_content

from .test_views import walk

SRC = Path(__file__).resolve().parents[2] / "src" / "sxr"
US_AT_RISK = {"age": "13-15", "safe": "harm", "where": "US"}


@pytest.fixture
def us_client(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[TestClient]:
    monkeypatch.setenv("SXR_REGION", "US")
    get_settings.cache_clear()
    yield TestClient(create_app(get_settings()))
    get_settings.cache_clear()


def _victim_pages(client: TestClient) -> list[str]:
    _reference, _pin, case_url = start_report(client)
    return [
        "/",
        "/plan/about",
        walk(client, US_AT_RISK, {"app": ["instagram"]}).replace("your-plan", "apps"),
        walk(client, US_AT_RISK, {"app": ["instagram"]}),
        walk(client, {"age": "18-plus", "safe": "safe", "where": "elsewhere"}, {"app": ["other"]}),
        "/report/start",
        "/report/return",
        "/protect",
        "/plan/nothing-here",
        case_url,
        f"{case_url}/details",
        f"{case_url}/protect",
        f"{case_url}/your-data",
    ]


def _dialled(html: str) -> set[str]:
    """Every number a victim could tap or read as a number to call (tel: links and their text)."""
    return {m.replace(" ", "").replace("-", "") for m in re.findall(r'href="tel:([^"]+)"', html)}


def test_a_us_deployment_shows_911_and_never_999(us_client: TestClient) -> None:
    content = default_content()
    us = content.region_page("US")
    others = {content.region_page(r.code).emergency_phone for r in content.regions} - {"911"}
    assert others == {"999", "000"}  # a test that could not fail would prove nothing
    for url in _victim_pages(us_client):
        response = us_client.get(url)
        html = response.text
        assert response.status_code in (200, 404), (url, response.status_code)
        assert "911" in _dialled(html), url
        assert not others & _dialled(html), (url, others & _dialled(html))
        assert not re.search(r"(?<![\w-])999(?![\w-])", html), url
        assert f'data-exit-url="{us.region.quick_exit.url}"' in html, url
        assert f'id="exit-this-page" href="{us.region.quick_exit.url}"' in html, url


def test_the_default_region_still_shows_999(settings: object, sqlite_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    html = client.get("/").text
    assert "999" in _dialled(html) and "911" not in _dialled(html)
    assert 'data-exit-url="https://www.bbc.co.uk/weather"' in html


def test_no_template_or_script_types_a_number_or_an_exit_page() -> None:
    typed = []
    for path in [*SRC.rglob("*.html"), *SRC.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        for needle in ("tel:9", "tel:0", "bbc.co.uk", ">999<", ">911<", ">000<", "weather.gov"):
            if needle in text:
                typed.append(f"{path.relative_to(SRC)}: {needle}")
    assert typed == []


def test_every_region_has_an_emergency_number_and_a_quick_exit_with_source_and_checked() -> None:
    content = default_content()
    expected = {"GB-ENG": "999", "GB-WLS": "999", "GB-SCT": "999", "GB-NIR": "999"}
    expected |= {"US": "911", "CA": "911", "AU": "000"}
    assert {r.code: content.region_page(r.code).emergency_phone for r in content.regions} == expected
    for region in content.regions:
        page = content.region_page(region.code)
        assert page.emergency.source.startswith("https://") and page.emergency.checked
        assert region.quick_exit.url.startswith("https://") and region.quick_exit.checked
