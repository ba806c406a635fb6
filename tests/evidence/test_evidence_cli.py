"""`sxr case new`, `sxr evidence add | list | verify | export` as real processes, on both databases."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from evidence_samples import CHAT, make_pdf, make_txt

from sxr.audit.models import AuditEvent
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence.store import BlobStore

SXR = [str(Path(sys.executable).parent / "sxr")]


def sxr(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `sxr ARGS` as a real process (slow to start: used where a real process matters)."""
    done = subprocess.run([*SXR, *args], capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def sxr_in_process(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `sxr ARGS` through Click's test runner: the same commands, without a new interpreter."""
    from typer.testing import CliRunner

    from sxr.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    if check:
        assert result.exit_code == 0, result.stderr
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def new_case() -> str:
    done = sxr("case", "new", "--json")
    document = json.loads(done.stdout)
    assert set(document) == {"reference", "pin"} and len(document["pin"]) == 6
    return str(document["reference"])


def test_the_cli_round_trip(database_url: str, samples: Path, tmp_path: Path) -> None:
    reference = new_case()  # a real process: the console script prints one JSON document
    # A PDF rather than a screenshot: the app's OCR deriver would only make this test slower.
    pdf, txt = make_pdf(samples / "bank letter.pdf"), make_txt(samples / "chat.txt")
    added = json.loads(sxr_in_process("evidence", "add", reference, str(pdf), str(txt), "--json").stdout)
    assert [(i["name"], i["kind"]) for i in added["items"]] == [
        ("bank letter.pdf", "pdf"),
        ("chat.txt", "chat_export"),
    ]
    assert all(set(i) == {"id", "sha256", "kind", "name"} for i in added["items"])
    listed = json.loads(sxr_in_process("evidence", "list", reference.lower(), "--json").stdout)
    assert [i["sha256"] for i in listed["items"]] == [i["sha256"] for i in added["items"]]

    assert sxr_in_process("evidence", "verify", reference).returncode == 0

    bad = samples / "photo.png"
    bad.write_bytes(b"\x7fELF" + bytes(range(256)) * 4)
    done = sxr_in_process(
        "evidence",
        "add",
        reference,
        str(bad),
        str(make_txt(samples / "other.txt", "hi")),
        "--json",
        check=False,
    )
    assert done.returncode != 0 and done.stdout == ""
    assert "cannot keep this kind of file" in done.stderr and "Traceback" not in done.stderr
    missing = sxr_in_process("evidence", "list", "SXR-2222-2222", check=False)
    assert missing.returncode == 3 and "no case has the reference" in missing.stderr
    out = tmp_path / "export"
    sxr_in_process("evidence", "export", reference, str(out), "--why", "police request 42")
    with session_factory(database_url)() as session:
        whys = session.scalars(sa.select(AuditEvent.why).where(AuditEvent.action == "evidence.export")).all()
        assert whys == ["police request 42"]
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == 2

    blobs = Path(os.environ["SXR_DATA_DIR"]) / "blobs"
    # Blob names are keyed by the master key: the plain SHA-256 names no file.
    assert not list(blobs.rglob(added["items"][1]["sha256"]))
    blob = BlobStore.for_settings(get_settings()).path_for(added["items"][1]["sha256"])
    data = bytearray(blob.read_bytes())
    data[-3] ^= 1
    blob.write_bytes(bytes(data))
    broken = sxr_in_process("evidence", "verify", check=False)
    assert broken.returncode == 1
    assert f"evidence item {added['items'][1]['id']} (chat.txt)" in broken.stderr
    assert "Traceback" not in broken.stderr


@pytest.mark.slow
def test_killing_the_process_mid_add_loses_nothing_reported(database_url: str, samples: Path) -> None:
    reference = new_case()
    rng = random.Random(7)
    reported: dict[str, str] = {}
    per_round: list[int] = []
    for round_ in range(3):
        files = [
            make_txt(
                samples / f"r{round_}-{i}.txt",
                f"{CHAT}round {round_} file {i}\n" + "x" * rng.randrange(10, 400_000),
            )
            for i in range(40)
        ]
        process = subprocess.Popen(
            [*SXR, "evidence", "add", reference, *map(str, files)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=os.environ.copy(),
        )
        assert process.stdout is not None
        lines = [process.stdout.readline()]  # wait until it is busy adding, then kill at a random moment
        time.sleep(rng.uniform(0.0, 0.8))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        done = [line for line in [*lines, *out.splitlines()] if line.strip()]
        per_round.append(len(done))
        for line in done:
            _added, item_id, sha256, _kind, _name = line.split(" ", 4)
            reported[item_id] = sha256
    # The kill must have landed mid-way at least once, or this test proved nothing.
    assert any(0 < count < 40 for count in per_round), per_round
    verify = sxr_in_process("evidence", "verify", reference, check=False)
    assert verify.returncode == 0, verify.stderr
    everything = json.loads(sxr_in_process("evidence", "verify", "--json").stdout)
    assert everything["intact"] and everything["problems"] == []
    listed = {
        str(i["id"]): i["sha256"]
        for i in json.loads(sxr_in_process("evidence", "list", reference, "--json").stdout)["items"]
    }
    for item_id, sha256 in reported.items():
        assert listed.get(item_id) == sha256
