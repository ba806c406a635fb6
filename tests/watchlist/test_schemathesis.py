"""Schemathesis against the platform API on a real server: generated requests, valid and not, get no 5xx
and every answer is what the OpenAPI document says (status, content type, body)."""

from __future__ import annotations

from typing import Any

import pytest

from sxr.accounts.services import create_api_key
from sxr.cases.services import create_case
from sxr.config import Settings, get_settings
from sxr.db import session_scope
from sxr.watchlist import services

MAX_EXAMPLES = 50


@pytest.fixture
def lifted_limits(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits answer 429 (documented); lifted before the server starts (it reads its settings once),
    so that valid requests reach the watchlist."""
    monkeypatch.setenv("SXR_API_RATE", "1000000")
    monkeypatch.setenv("SXR_API_BURST", "1000000")
    get_settings.cache_clear()


@pytest.mark.slow
def test_platform_api_holds_against_schemathesis(
    lifted_limits: None, live_server: Any, sqlite_url: str
) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    services.reset_live_indexes()
    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(
            session,
            case.id,
            [{"type": "md5", "value": "9e107d9d372bb6826bd81d3542a419d6"}],
            "victim",
        )
        key = create_api_key(session, "ExampleChat")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    auth = {"Authorization": f"Bearer {key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/api/v1/match", "/api/v1/matches/{match_id}/feedback"}
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    for operation in operations:
        for mode in modes:
            _run(operation.as_strategy(generation_mode=mode), live_server.url, auth)


def _run(strategy: Any, base_url: str, auth: dict[str, str]) -> None:
    from hypothesis import HealthCheck, given, settings

    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call_and_validate(base_url=base_url, headers=auth)
        assert response.status_code < 500

    check()
