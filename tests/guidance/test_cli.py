"""`sxr plan`: the DESIGN.md contract, and every point of the advice for a child and for an adult."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from sxr.cli import app
from sxr.config import Settings

from .advice import ADULT, CHILD, EVERY_PLAN, IF_PAID, missing_points

runner = CliRunner()
SXR = str(Path(sys.executable).with_name("sxr"))


def _plan(*args: str) -> dict:
    result = runner.invoke(app, ["plan", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_child_at_risk_who_paid(settings: Settings) -> None:
    plan = _plan("--age", "15", "--paid", "yes", "--self-harm", "yes")
    text = json.dumps(plan, ensure_ascii=False)
    assert missing_points(text, EVERY_PLAN | IF_PAID | CHILD) == []
    assert missing_points(text, ADULT) == list(ADULT)
    assert plan["urgent"][0]["phone"] == "999"
    assert {"Childline", "Samaritans", "PAPYRUS HOPELINE247"} <= {s["name"] for s in plan["urgent"]}
    assert plan["steps"][0]["id"] == "safe-now"


def test_adult_equivalent(settings: Settings) -> None:
    plan = _plan("--age", "30", "--paid", "yes", "--self-harm", "yes")
    text = json.dumps(plan, ensure_ascii=False)
    assert missing_points(text, EVERY_PLAN | IF_PAID | ADULT) == []
    assert set(missing_points(text, CHILD)) >= {"Childline", "Report Remove", "CEOP"}
    assert plan["urgent"][0]["phone"] == "999"


def test_adult_who_has_not_paid_and_is_safe(settings: Settings) -> None:
    plan = _plan(
        "--age",
        "40",
        "--paid",
        "no",
        "--self-harm",
        "no",
        "--shared",
        "no",
        "--platform",
        "facebook",
        "--region",
        "GB-NIR",
    )
    assert plan["urgent"] == []
    assert plan["region"] == "GB-NIR"
    ids = [s["id"] for s in plan["steps"]]
    assert "dont-pay" in ids and "you-paid" not in ids and "platform-facebook" in ids
    assert "Police Service of Northern Ireland (PSNI)" in [s["name"] for s in plan["support"]]


def test_region_defaults_to_sxr_region(settings: Settings, monkeypatch) -> None:
    monkeypatch.setenv("SXR_REGION", "GB-SCT")
    from sxr.config import get_settings

    get_settings.cache_clear()
    assert _plan("--age", "20")["region"] == "GB-SCT"


def test_readable_output_without_json(settings: Settings) -> None:
    result = runner.invoke(app, ["plan", "--age", "14", "--self-harm", "yes", "--platform", "tiktok"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Plan for region GB-ENG")
    assert "URGENT" in result.stdout and "999" in result.stdout
    assert "TikTok: report them and pause your account" in result.stdout
    assert "checked 2026-11-28" in result.stdout


def test_errors_go_to_stderr_with_a_clear_sentence(settings: Settings) -> None:
    proc = subprocess.run(
        [SXR, "plan", "--region", "atlantis", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "unknown region 'atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_json_output_is_one_document_in_a_subprocess(settings: Settings) -> None:
    proc = subprocess.run(
        [SXR, "plan", "--age", "15", "--paid", "yes", "--self-harm", "yes", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout)["urgent"]
    assert "plan" in subprocess.run([SXR, "--help"], capture_output=True, text=True, check=True).stdout


def test_unknown_payment_method_and_bad_yes_no_are_refused(settings: Settings) -> None:
    result = runner.invoke(app, ["plan", "--paid", "yes", "--payment", "cheque", "--json"])
    assert result.exit_code == 2
    assert "unknown payment method 'cheque'" in result.stderr
    assert result.stdout == ""
    assert runner.invoke(app, ["plan", "--paid", "maybe"]).exit_code != 0


def test_payment_method_adds_its_own_step(settings: Settings) -> None:
    plan = _plan("--age", "22", "--paid", "yes", "--payment", "money-transfer", "--payment", "crypto")
    ids = [s["id"] for s in plan["steps"]]
    assert "paid-money-transfer" in ids and "paid-crypto" in ids
