"""/readyz, /metrics (and who may read it), and the JSON log lines' rules."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import get_settings
from sxr.db import session_scope


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    from sxr.watchlist.services import reset_live_indexes

    reset_live_indexes()


def test_readyz_checks_database_blob_store_and_index(database_url: str) -> None:
    from sxr.cases.services import create_case
    from sxr.watchlist.services import bank_hashes

    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        bank_hashes(
            session, case.id, [{"type": "md5", "value": "9e107d9d372bb6826bd81d3542a419d6"}], "victim"
        )
    c = TestClient(create_app(get_settings()))
    answer = c.get("/readyz")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["database"]["schema"]
    assert body["checks"]["blob_store"] == {"ok": True}
    index = body["checks"]["watchlist_index"]
    assert index["ok"] and index["entries_loaded"] == 1 and index["changes_behind"] == 0
    queue = body["checks"]["job_queue"]
    assert (queue["ok"], queue["present"], queue["queue"]) == (True, True, "immediate")
    assert queue["jobs"] == {"queued": 0, "running": 0, "done": 0, "failed": 0}
    assert c.get("/healthz").json() == {"status": "ok"}


def test_readyz_says_not_ready_when_the_blob_store_has_another_key(database_url: str) -> None:
    settings = get_settings()
    blobs = settings.data_dir / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    (blobs / "key-id").write_text("0000000000000000\n", encoding="ascii")
    answer = TestClient(create_app(settings)).get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not_ready" and body["checks"]["database"]["ok"]
    assert body["checks"]["blob_store"] == {
        "ok": False,
        "detail": "blob store not available (WrongMasterKey)",
    }
    assert str(settings.data_dir) not in answer.text


def test_readyz_says_not_ready_without_a_database(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # A PostgreSQL database that does not exist (or an unreachable server): not ready, in words.
    monkeypatch.setenv("SXR_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/sxr_no_such_db")
    get_settings.cache_clear()
    answer = TestClient(create_app(get_settings())).get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"]["ok"] is False


def test_metrics_are_refused_off_loopback_and_need_the_token_when_set(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test client's address is not a loopback address.
    assert TestClient(create_app(get_settings())).get("/metrics").status_code == 403
    monkeypatch.setenv("SXR_METRICS_TOKEN", "scrape-token-for-tests-only")
    get_settings.cache_clear()
    c = TestClient(create_app(get_settings()))
    assert c.get("/metrics").status_code == 403
    assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = c.get("/metrics", headers={"Authorization": "Bearer scrape-token-for-tests-only"})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")


def _sample(text: str, name: str, **labels: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise AssertionError(f"no sample {name} {labels}")


def test_metrics_on_a_real_server_from_loopback(live_server: object, sqlite_url: str, tmp_path: Path) -> None:
    from sxr.cases.services import create_case
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS
    from sxr.ratelimits.services import REPORT_START, RateLimited, hit
    from sxr.watchlist.services import bank_hashes

    settings = get_settings()
    note = tmp_path / "note.txt"
    note.write_text("hello\n", encoding="utf-8")
    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        add_evidence(session, settings, case, note, received_by="victim", derivers=DERIVERS)
        bank_hashes(
            session, case.id, [{"type": "md5", "value": "9e107d9d372bb6826bd81d3542a419d6"}], "victim"
        )
        closed, _pin = create_case(session)
        closed.status = "closed"
        for _ in range(REPORT_START.per_address + 1):
            with contextlib.suppress(RateLimited):
                hit(session, REPORT_START, "192.0.2.7")
    base = live_server.url  # type: ignore[attr-defined]
    with httpx.Client(base_url=base) as client:
        assert client.get("/case/not-a-real-token").status_code == 404
        text = client.get("/metrics").text
    assert _sample(text, "sxr_cases", status="open") == 1
    assert _sample(text, "sxr_cases", status="closed") == 1
    assert _sample(text, "sxr_evidence_items") == 1
    assert _sample(text, "sxr_watchlist_entries", type="md5") == 1
    assert _sample(text, "sxr_watchlist_index_loaded", type="md5") == 1
    assert _sample(text, "sxr_rate_limit_refusals_total", limit="report_start", scope="address") >= 1
    assert _sample(text, "sxr_http_requests_total", method="GET", route="/case/{token}", status="404") >= 1
    assert _sample(text, "sxr_http_request_duration_seconds_count", method="GET", route="/case/{token}") >= 1
    assert "not-a-real-token" not in text


def test_log_lines_are_json_and_scrubbed() -> None:
    from sxr.monitoring.logs import JsonFormatter

    formatter = JsonFormatter()
    record = logging.LogRecord(
        "uvicorn.error", logging.WARNING, __file__, 1,
        "GET /case/abcDEF123_-xyz?x=1 ref SXR-7K2M-9QPD pin 482913 sha "
        "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22 key sxr_live_aaaaaaaaaaaaaaaaaaaa",
        None, None,
    )  # fmt: skip
    record.route = "/case/{token}"
    record.name_hint = "holiday.png"  # not an allowed field: dropped
    line = json.loads(formatter.format(record))
    assert line["route"] == "/case/{token}" and "name_hint" not in line
    for secret in ("abcDEF123", "7K2M", "482913", "f8f8f0ce", "aaaaaaaaaaaa"):
        assert secret not in line["msg"]
    try:
        raise ValueError("could not read 'my secret picture.png'")
    except ValueError:
        failed = logging.LogRecord("sxr", logging.ERROR, __file__, 1, "deriver failed", None, sys.exc_info())
    line = json.loads(formatter.format(failed))
    assert line["exception"] == "ValueError" and line["stack"]
    assert "secret picture" not in json.dumps(line)
