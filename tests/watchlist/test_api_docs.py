"""The platform API's description: only /api/v1 in the OpenAPI document, error bodies as it says, and a
docs page made on the server with no script of its own and nothing from another host."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings


def test_openapi_lists_only_the_platform_api(settings: Settings) -> None:
    doc = TestClient(create_app(settings)).get("/api/openapi.json").json()
    assert set(doc["paths"]) == {"/api/v1/match", "/api/v1/matches/{match_id}/feedback"}
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    schemas = doc["components"]["schemas"]
    # No staff or victim models leak in through shared components.
    assert not [name for name in schemas if "Bank" in name or "Staff" in name]
    match = doc["paths"]["/api/v1/match"]["post"]
    for status in ("400", "401", "403", "413", "422", "429"):
        body = match["responses"][status]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorBody"}, status
    assert "trust" in schemas["MatchOut"]["required"]
    assert schemas["MatchRequest"]["properties"]["min_trust"]["default"] == "victim"


def test_api_docs_page_is_plain_html_from_this_host(settings: Settings) -> None:
    response = TestClient(create_app(settings)).get("/api/docs")
    assert response.status_code == 200
    page = response.text
    assert "POST /api/v1/match" in page and "min_trust" in page and "ErrorBody" in page
    assert "/staff/" not in page and "/case/" not in page
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert all('src="/static/' in tag for tag in scripts), scripts  # no inline script
    assert " style=" not in page and "<style" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another host
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
