"""`sxr hash` and `sxr scan`: JSON contract, zip archives (safely), resuming, watchlist matches."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sxr.cli import app
from sxr.config import Settings
from sxr.media.scan import ScanLimits, iter_scan_items, scan_folder

runner = CliRunner()
BRIDGE = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def folder(tmp_path: Path, shared_data: Path) -> Path:
    images = shared_data / "pdq" / "images"
    root = tmp_path / "phone"
    (root / "DCIM" / "deep").mkdir(parents=True)
    shutil.copy(images / "bridge-mods" / "aaa-orig.jpg", root / "DCIM" / "a.jpg")
    shutil.copy(images / "misc" / "wee.jpg", root / "DCIM" / "deep" / "wee.jpg")
    shutil.copy(shared_data / "vpdq" / "videos" / "pattern-sd-grey-bar.mp4", root / "clip.mp4")
    (root / "notes.txt").write_text("send a pic\n")
    (root / "empty.jpg").write_bytes(b"")
    with zipfile.ZipFile(root / "export.zip", "w") as archive:
        archive.write(images / "labelme-subset" / "q0122.jpg", "media/q0122.jpg")
        archive.writestr("../../outside.jpg", b"not really")
        archive.writestr("/etc/passwd", b"x")
        archive.writestr("bomb.bin", b"\0" * 5_000_000, compress_type=zipfile.ZIP_DEFLATED)
    (root / "broken.zip").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    os.symlink("/etc/hostname", root / "link.jpg")
    return root


def test_hash_json_is_one_document(shared_data: Path, tmp_path: Path, settings: Settings) -> None:
    image = shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg"
    result = _run("hash", str(image), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    (entry,) = document["files"]
    assert set(entry) == {"path", "md5", "sha256", "pdq", "vpdq", "error"}
    assert entry["pdq"] == {"hash": BRIDGE, "quality": 100}


def test_hash_reports_bad_files_with_a_non_zero_exit(tmp_path: Path, settings: Settings) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    result = _run("hash", str(empty), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["error"] == "the file is empty"
    assert "Could not hash" in result.stderr and "Traceback" not in result.stderr
    assert _run("hash", str(empty), "--fps", "0").exit_code == 2


def _by_path(document: dict[str, Any], root: Path) -> dict[str, dict[str, Any]]:
    return {entry["path"].removeprefix(str(root) + "/"): entry for entry in document["files"]}


def test_scan_hashes_everything_including_zip_members(folder: Path, settings: Settings) -> None:
    result = _run("scan", str(folder), "--workers", "2", "--json", "--fps", "1")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    entries = _by_path(document, folder)
    assert entries["DCIM/a.jpg"]["pdq"]["hash"] == BRIDGE
    assert entries["DCIM/deep/wee.jpg"]["pdq"]["quality"] == 100
    assert len(entries["clip.mp4"]["vpdq"]["frames"]) == 7
    assert entries["notes.txt"]["error"] is None and entries["notes.txt"]["md5"]
    assert entries["empty.jpg"]["error"] == "the file is empty"
    assert entries["export.zip!/media/q0122.jpg"]["pdq"]["quality"] == 100
    assert "path traversal" in entries["export.zip!/../../outside.jpg"]["error"]
    assert "absolute path" in entries["export.zip!//etc/passwd"]["error"]
    assert "zip bomb" in entries["export.zip!/bomb.bin"]["error"]
    assert "could not be opened" in entries["broken.zip!/"]["error"]
    assert "symbolic link" in entries["link.jpg"]["error"]
    assert document["summary"]["images"] == 3 and document["summary"]["videos"] == 1
    assert not (folder.parent / "outside.jpg").exists()
    # The scanned folder is evidence: the scan never writes into it.
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["DCIM", "clip.mp4", "notes.txt", "empty.jpg", "export.zip", "broken.zip", "link.jpg"]
    )


def test_zip_limits_refuse_oversized_members(folder: Path) -> None:
    items = list(iter_scan_items(folder, ScanLimits(max_member_bytes=1000)))
    member = next(i for i in items if i.member == "media/q0122.jpg")
    assert member.refusal is not None and "too large" in member.refusal


def test_scan_resumes_after_an_interruption(folder: Path, tmp_path: Path, settings: Settings) -> None:
    state = tmp_path / "state.jsonl"
    first, resumed = scan_folder(folder, state_path=state, workers=1, video_frames_per_second=1)
    assert resumed == 0
    lines = state.read_text().splitlines()
    # An interruption: only three items were recorded, and the last line was cut short.
    state.write_text("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2])
    again, resumed = scan_folder(folder, state_path=state, workers=2, video_frames_per_second=1)
    assert resumed == 3
    assert again == first
    # A changed file is hashed again; the rest come from the state file.
    changed = folder / "notes.txt"
    changed.write_text("changed\n")
    third, resumed = scan_folder(folder, state_path=state, workers=1, video_frames_per_second=1)
    assert resumed == len(first) - 1
    assert (
        next(e for e in third if e["path"].endswith("notes.txt"))["md5"]
        != next(e for e in first if e["path"].endswith("notes.txt"))["md5"]
    )


def test_scan_cli_resume_and_fresh(folder: Path, tmp_path: Path, settings: Settings) -> None:
    state = tmp_path / "state.jsonl"
    _run("scan", str(folder), "--state", str(state), "--json", "--fps", "1")
    second = json.loads(_run("scan", str(folder), "--state", str(state), "--json", "--fps", "1").stdout)
    assert second["summary"]["resumed"] == second["summary"]["files"]
    fresh = json.loads(
        _run("scan", str(folder), "--state", str(state), "--json", "--fresh", "--fps", "1").stdout
    )
    assert fresh["summary"]["resumed"] == 0
    default = _run("scan", str(folder), "--fps", "1")
    assert default.exit_code == 0 and "files:" in default.stdout
    assert list((settings.data_dir / "scans").glob("*.jsonl"))


def test_scan_with_watchlist(folder: Path, tmp_path: Path, settings: Settings) -> None:
    near = format(int(BRIDGE, 16) ^ 0b1011, "064x")  # three bits away
    watchlist = tmp_path / "watchlist.csv"
    watchlist.write_text(
        "signal_type,signal,id\n"
        f"pdq,{near},case-17-image-1\n"
        "md5,8bbbaa9540800e378beadc8bbef7bb32,case-17-image-2\n"
        "tmk,ignored,other\n"
    )
    result = _run("scan", str(folder), "--watchlist", str(watchlist), "--json", "--fps", "1")
    assert result.exit_code == 0, result.output
    entries = _by_path(json.loads(result.stdout), folder)
    assert entries["DCIM/a.jpg"]["matches"] == [{"entry_id": "case-17-image-1", "type": "pdq", "distance": 3}]
    assert entries["DCIM/deep/wee.jpg"]["matches"] == [
        {"entry_id": "case-17-image-2", "type": "md5", "distance": 0}
    ]
    assert entries["clip.mp4"]["matches"] == []


def test_scan_errors_are_clear(tmp_path: Path, settings: Settings) -> None:
    missing = _run("scan", str(tmp_path / "nowhere"))
    assert missing.exit_code == 3 and "not a folder" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("colour,size\nred,1\n")
    result = _run("scan", str(tmp_path), "--watchlist", str(bad))
    assert result.exit_code == 4 and "hash type column" in result.stderr
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("type,hash\npdq,abc\n")
    result = _run("scan", str(tmp_path), "--watchlist", str(wrong))
    assert result.exit_code == 4 and "line 2" in result.stderr
    assert _run("scan", str(tmp_path), "--workers", "0").exit_code == 2
