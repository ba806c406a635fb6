"""A case made of a dev-set export and a generated screenshot -> `sxr report build` -> `sxr report verify`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from sxr.cli import app
from sxr.config import Settings, get_settings
from sxr.db import session_scope
from sxr.reports.pdf import ZWSP

EXPORT = "conversations/dev/wa-android-001/WhatsApp Chat with +44 7700 900318.txt"
SCREEN_CHAT: list[tuple[str, ...]] = [
    ("left", "hey its jay_smith.22 add me on snap", "21:04"),
    ("left", "I have your pics. Pay £500 or I send them to everyone", "21:06"),
    ("left", "or cashapp $LilyPays09 now", "21:09"),
]


@pytest.fixture(scope="module")
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated phone screenshot and the analysis of what OCR reads in it (made once: OCR is slow)."""
    from chat_render import render_chat
    from sxr.analysis import analyze
    from sxr.conversations.screenshots import read_screenshots

    shot = tmp_path_factory.mktemp("shot") / "screenshot.png"
    render_chat(SCREEN_CHAT, size=(1080, 2400), style="whatsapp-light")[0].image.save(shot)
    return shot, analyze(read_screenshots([shot])).to_json()


def _make_case(
    url: str, settings: Settings, shared_data: Path, screenshot: tuple[Path, dict]
) -> tuple[str, list[dict]]:
    from sxr.analysis import analyze
    from sxr.cases.services import create_case
    from sxr.conversations.importers import import_path
    from sxr.evidence.services import add_derived, add_evidence, list_derived
    from sxr.pipeline.derivers import DERIVERS

    export = shared_data / EXPORT
    shot, shot_analysis = screenshot
    analysis = analyze(import_path(export, date_order="DMY", tz="Europe/London")).to_json()
    with session_scope(url) as session:
        case, _pin = create_case(session)
        session.commit()
        items = [
            add_evidence(session, settings, case, export, received_by="victim", derivers=DERIVERS).item,
            add_evidence(session, settings, case, shot, received_by="victim", derivers=DERIVERS).item,
        ]
        # What the lead's derivers will do on upload: store each item's analysis beside it.
        for item, doc in zip(items, (analysis, shot_analysis), strict=True):
            if not any(d.kind == "analysis" for d in list_derived(session, item)):
                add_derived(
                    session,
                    settings,
                    item,
                    kind="analysis",
                    media_type="application/json",
                    data=json.dumps(doc).encode(),
                    created_by="test",
                )
        reference = case.reference
    return reference, analysis["indicators"] + shot_analysis["indicators"]


@pytest.mark.slow
def test_build_then_verify_a_real_case(
    database_url: str, settings: Settings, shared_data: Path, screenshot: tuple[Path, dict], tmp_path: Path
) -> None:
    settings = get_settings()
    reference, indicators = _make_case(database_url, settings, shared_data, screenshot)
    assert indicators, "the analysis found no identifiers in the dev export"
    runner = CliRunner()
    out = tmp_path / "pack.zip"

    built = runner.invoke(app, ["report", "build", reference, "--out", str(out), "--json"])
    assert built.exit_code == 0, built.output
    doc = json.loads(built.stdout)
    assert doc["case_reference"] == reference and doc["files"] == 5

    key_file = settings.data_dir / "keys" / "report-signing.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    public = runner.invoke(app, ["report", "public-key"])
    assert public.exit_code == 0 and public.stdout.strip() == doc["public_key"]

    verified = runner.invoke(app, ["report", "verify", str(out), "--public-key", doc["public_key"]])
    assert verified.exit_code == 0, verified.output
    assert "intact and signed" in verified.stdout

    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        report = json.loads(zf.read("report.json"))
        (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))
        originals = [n for n in names if n.startswith("evidence/")]
        assert zf.read(originals[0]) == (shared_data / EXPORT).read_bytes()
    schema_text = (Path(__file__).parents[2] / "src/sxr/reports/schema/report-1.0.schema.json").read_text()
    jsonschema.Draft202012Validator(json.loads(schema_text)).validate(report)
    assert {i["kind"] for i in report["identifiers"]} == {i["kind"] for i in indicators}
    # The cashtag OCR read from the screenshot is credited to the screenshot.
    cashtag = next(i for i in report["identifiers"] if i["kind"] == "cashapp_cashtag")
    assert (cashtag["value"], cashtag["evidence_item"]) == ("lilypays09", "screenshot.png")
    assert report["self_harm_mentioned"] is True and report["crisis_support"]
    assert [e["type"] for e in report["evidence"]] and len(report["evidence"]) == 2

    text = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.replace(ZWSP + "\n", "").replace(ZWSP, "").split())
    for indicator in indicators:
        if indicator["kind"] != "amount":
            assert indicator["value"] in text, indicator

    # The build is on the case's evidence ledger, and the ledger still walks.
    from sxr.cases.services import get_case_by_reference
    from sxr.evidence import ledger
    from sxr.evidence.services import verify as verify_locker

    with session_scope(database_url) as session:
        case = get_case_by_reference(session, reference)
        assert case is not None
        last = ledger.entries(session, case.id)[-1]
        assert last.action == "exported" and json.loads(last.details)["report_pack"] == doc["merkle_root"]
        assert report["production"]["ledger_seq"] == last.seq - 1
        assert verify_locker(session, settings, case, record=False).intact

    # One changed byte in each member in turn: verify exits 1 and names the member.
    raw = out.read_bytes()
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
    for info in infos:
        start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
        damaged = bytearray(raw)
        damaged[start + info.compress_size // 2] ^= 0x01
        bad = tmp_path / "bad.zip"
        bad.write_bytes(bytes(damaged))
        result = runner.invoke(app, ["report", "verify", str(bad)])
        assert result.exit_code == 1
        assert info.filename in result.stderr, (info.filename, result.stderr)


def test_build_for_an_unknown_reference_fails_clearly(sqlite_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "build", "SXR-0000-0000", "--out", str(tmp_path / "p.zip")])
    assert result.exit_code == 3
    assert "no case has the reference" in result.stderr
    assert not (tmp_path / "p.zip").exists()


def test_public_key_comes_from_the_environment_when_set(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    seed = base64.b64encode(bytes(range(32))).decode()
    monkeypatch.setenv("SXR_SIGNING_KEY", seed)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["report", "public-key", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["algorithm"] == "ed25519" and doc["fingerprint"].startswith("SHA256:")
    assert not (settings.data_dir / "keys").exists()
    monkeypatch.setenv("SXR_SIGNING_KEY", "not a key")
    get_settings.cache_clear()
    bad = CliRunner().invoke(app, ["report", "public-key"])
    assert bad.exit_code == 5 and "signing key" in bad.stderr


def test_the_victim_downloads_a_verifiable_pack(sqlite_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from sxr.app import create_app
    from sxr.cases.services import create_case, open_victim_session
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS
    from sxr.reports.pack import verify_pack

    settings = get_settings()
    chat = tmp_path / "chat.txt"
    chat.write_text("20/11/2026, 21:04 - Lily: hey add me on snap lily_x09\n", encoding="utf-8")
    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
        add_evidence(session, settings, case, chat, received_by="victim", derivers=DERIVERS)
        reference = case.reference
    client = TestClient(create_app(settings))
    response = client.get(f"/case/{token}/report")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f"report-pack-{reference}.zip" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    pack = tmp_path / "download.zip"
    pack.write_bytes(response.content)
    assert verify_pack(pack).ok
    with zipfile.ZipFile(pack) as zf:
        assert chat.read_bytes() in [zf.read(n) for n in zf.namelist() if n.startswith("evidence/")]
    assert not list(settings.data_dir.glob("sxr-download-*"))  # the temporary copy is gone
    assert client.get("/case/not-a-token/report").status_code == 404
