"""Adding a region is one change in the guidance content (services.yaml: the region and its services, each
with source and date checked): the plan's question, `sxr plan`, every victim page's emergency number and the
quick exit all take it from there, with no code or template touched."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sxr.app import create_app
from sxr.cli import app as cli_app
from sxr.config import get_settings
from sxr.guidance import content as content_module
from sxr.guidance.content import CONTENT_DIR, default_content

# Test content only (never shown to anyone): a made-up region with its own numbers.
REGION = {
    "code": "XT",
    "name": "Testland",
    "country": "XT",
    "emergency": "emergency-xt",
    "police": "police-xt",
    "quick_exit": {
        "url": "https://weather.example.com/",
        "source": "https://weather.example.com/",
        "checked": "2026-12-07",
    },
}
SERVICES = [
    {
        "id": "emergency-xt",
        "name": "Testland emergency services",
        "kind": "emergency",
        "phone": "1 2 3",
        "why": "Call now if you are in danger, or you might hurt yourself.",
        "regions": ["XT"],
        "source": "https://emergency.example.com/",
        "checked": "2026-12-07",
    },
    {
        "id": "police-xt",
        "name": "Testland police",
        "kind": "police",
        "phone": "4 5 6",
        "url": "https://police.example.com/",
        "why": "Report it to the police. They take it seriously and will not judge you.",
        "regions": ["XT"],
        "source": "https://police.example.com/",
        "checked": "2026-12-07",
    },
]


@pytest.fixture
def testland(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[None]:
    """The shipped content with one region added to services.yaml, and a deployment in it."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    services = yaml.safe_load((folder / "services.yaml").read_text(encoding="utf-8"))
    services["regions"].append(REGION)
    services["services"].extend(SERVICES)
    (folder / "services.yaml").write_text(yaml.safe_dump(services, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(content_module.load_content, "__defaults__", (folder,))
    monkeypatch.setenv("SXR_REGION", "XT")
    default_content.cache_clear()
    get_settings.cache_clear()
    yield
    default_content.cache_clear()
    get_settings.cache_clear()


def test_a_region_added_to_the_content_is_offered_and_used_everywhere(testland: None) -> None:
    client = TestClient(create_app(get_settings()))
    about = client.get("/plan/about")
    assert about.status_code == 200
    assert re.search(r'value="XT"[^>]*>', about.text) and "Testland" in about.text
    for url in ("/", "/plan/about", "/report/start", "/protect"):
        html = client.get(url).text
        assert 'href="tel:123"' in html, url
        assert not re.search(r'href="tel:999"', html), url
        assert 'data-exit-url="https://weather.example.com/"' in html, url


def test_sxr_plan_knows_the_added_region(testland: None) -> None:
    result = CliRunner().invoke(cli_app, ["plan", "--region", "Testland", "--self-harm", "yes", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["region"] == "XT"
    phones = {s["phone"] for s in plan["support"]} | {
        s.get("phone") for s in plan["urgent"] if isinstance(s, dict)
    }
    assert {"1 2 3", "4 5 6"} <= phones
    assert all(s["source"] and s["checked"] for s in plan["support"])
