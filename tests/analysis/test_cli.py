"""`sxr analyze` follows DESIGN.md's CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SXR = [str(Path(sys.executable).parent / "sxr")]

CHAT = """Kiara: hey! saw u on quick add, ur so cute 😍
Me: haha thanks
Kiara: I barely use this app, text me instead? (404) 555-0173
Kiara: send me a pic, u first 🙈
Me: [photo]
Kiara: I screen recorded it. $400 on cash app to $Kiara4RealLuv or ur family sees it
Me: done. sent $400
Kiara: received. now $300 more
"""


def _run(args: list[str], env_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SXR_DATA_DIR=str(env_dir), SXR_PHONE_REGION="US")
    return subprocess.run([*SXR, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
def test_analyze_json_contract(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    done = _run(["analyze", str(chat), "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)  # one JSON document and nothing else on stdout
    assert doc["is_sextortion"] is True
    kinds = {(i["kind"], i["value"]) for i in doc["indicators"]}
    assert ("phone", "+14045550173") in kinds
    assert ("cashapp_cashtag", "kiara4realluv") in kinds
    assert doc["risk"]["first_warning_i"] is not None and doc["risk"]["first_warning_i"] < 5
    assert [m["i"] for m in doc["messages"]] == list(range(len(doc["messages"])))
    assert "threat" in doc["messages"][5]["stages"] and doc["messages"][5]["why"]["threat"]

    human = _run(["analyze", str(chat)], tmp_path)
    assert human.returncode == 0 and "risk:" in human.stdout


def test_analyze_errors_go_to_stderr(tmp_path: Path) -> None:
    done = _run(["analyze", str(tmp_path / "missing.txt"), "--json"], tmp_path)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "sxr analyze:" in done.stderr and "Traceback" not in done.stderr
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    done = _run(["analyze", str(chat), "--date-order", "YMD", "--json"], tmp_path)
    assert done.returncode != 0 and done.stdout == "" and "DMY or MDY" in done.stderr
