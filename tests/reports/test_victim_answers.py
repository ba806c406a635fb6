"""The victim's answers on the real report form reach report.json and report.pdf: what they wrote, their
platforms and age band, and what their words say about paying (whether, how, how much), when and
self-harm. Nothing else may make "Paid: not said" out of "I paid £100 gift card"."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import get_settings
from sxr.reports.pdf import ZWSP

WORDS = "Someone on snap made me send a pic. I paid £100 gift card last night and now I want to die"


def _pack(client: TestClient, answers: dict[str, str | list[str]]) -> tuple[dict, str]:
    page = client.post("/report/start", data=answers)
    assert page.status_code == 200, page.text
    case_url = re.search(r'href="(/case/[^"]+)"', page.text)
    assert case_url
    got = client.get(f"{case_url.group(1)}/report")
    assert got.status_code == 200, got.text
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        report = json.loads(zf.read("report.json"))
        pdf = zf.read("report.pdf")
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, check=True, capture_output=True).stdout
    return report, " ".join(text.decode().replace(ZWSP + "\n", "").replace(ZWSP, "").split())


@pytest.mark.slow
def test_paid_how_when_and_self_harm_from_the_form_reach_the_pack(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    before = datetime.now(UTC).astimezone(ZoneInfo(get_settings().timezone)).date()
    report, text = _pack(
        client, {"age_band": "13-15", "platforms": ["Snapchat", "Instagram"], "what_happened": WORDS}
    )
    victim = report["victim"]
    assert victim["what_happened"] == WORDS
    assert victim["platforms"] == ["Snapchat", "Instagram"] and victim["age_band"] == "13-15"
    assert victim["paid"] is True and victim["how"] == ["gift card", "£100"]
    assert victim["when_written"] == "last night"
    # The day before the report, on the service's clock (the test may straddle midnight).
    assert victim["when"] in {(before - timedelta(days=d)).isoformat() for d in (0, 1)}
    assert victim["self_harm"] is True
    assert report["self_harm_mentioned"] is True and report["crisis_support"]

    assert "Paid yes" in text and "How gift card, £100" in text
    assert f"When {victim['when']} (the victim wrote “last night”)" in text
    assert "Crisis support: the victim mentioned suicide or self-harm." in text
    assert "Self-harm yes" in text and "Platforms Snapchat, Instagram" in text


@pytest.mark.slow
def test_what_the_words_do_not_say_stays_not_said(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    report, text = _pack(client, {"what_happened": "I did not pay him. It started on 3 December."})
    victim = report["victim"]
    assert victim["paid"] is False and victim["how"] == [] and victim["self_harm"] is False
    assert victim["when_written"] == "3 december" and victim["when"].endswith("-12-03")
    assert report["self_harm_mentioned"] is False and report["crisis_support"] == []
    assert "Paid no" in text and "How not said" in text

    empty, text = _pack(client, {})
    assert empty["victim"]["paid"] is None and empty["victim"]["when"] is None
    assert "Paid not said" in text and "When not said" in text


def test_report_json_schema_lists_the_victim_fields() -> None:
    schema = json.loads(
        (Path(__file__).parents[2] / "src/sxr/reports/schema/report-1.0.schema.json").read_text()
    )
    fields = set(schema["properties"]["victim"]["properties"])
    assert {"paid", "how", "when", "when_written", "self_harm", "reported_at"} <= fields
