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
    # YMD is taken as `sxr import` takes it (issue 15); an order that is none of the three is refused.
    done = _run(["analyze", str(chat), "--date-order", "YMD", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    done = _run(["analyze", str(chat), "--date-order", "DYM", "--json"], tmp_path)
    assert done.returncode != 0 and done.stdout == "" and "DMY, MDY or YMD" in done.stderr


@pytest.mark.slow
def test_analyze_screenshots(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    shot = tmp_path / "shot.png"
    image = Image.new("RGB", (390, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((10, 20, 300, 60), 10, fill=(230, 230, 230))
    draw.text((20, 32), "add me on snap: lily_x09", fill="black")
    draw.rounded_rectangle((90, 90, 380, 130), 10, fill=(0, 120, 255))
    draw.text((100, 102), "ok who is this", fill="white")
    image.save(shot)
    done = _run(["analyze", str(shot), "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["format"] == "screenshot"
    assert ("snapchat_username", "lily_x09") in {(i["kind"], i["value"]) for i in doc["indicators"]}
