"""`sxr import`: the JSON document on stdout, errors on stderr with a non-zero exit."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conversation_builders import ANDROID_US
from typer.testing import CliRunner

from sxr.cli import app
from sxr.conversations.cli import write_json
from sxr.conversations.model import Conversation, Message, Notice, Participant, SourceRef


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click 8.2 keeps stderr apart already
        return CliRunner()


def test_import_json(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Maya.txt"
    path.write_text(ANDROID_US)
    result = runner.invoke(
        app, ["import", str(path), "--date-order", "MDY", "--tz", "America/New_York", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "whatsapp"
    assert [m["sender"] for m in doc["messages"]] == ["Ava", "Maya", "Ava"]
    assert doc["messages"][0]["sent_at"] == "2026-04-09T19:12:00-04:00"
    assert doc["messages"][0]["source"]["lines"] == [2, 2]
    assert {"id", "name", "platform_id"} <= set(doc["participants"][0])
    assert doc["notices"] and doc["warnings"]


def test_import_summary_and_errors(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Maya.txt"
    path.write_text(ANDROID_US)
    # A US phone's stamps (4/9/26, 7:12 PM) settle the order; the summary says how the dates were read.
    inferred = runner.invoke(app, ["import", str(path)])
    assert inferred.exit_code == 0 and "messages: 3" in inferred.stdout
    assert "dates: month first (MDY), inferred: a 12-hour clock" in inferred.stdout
    assert "4/9/26 is read as 9 April 2026" in inferred.stdout
    summary = runner.invoke(app, ["import", str(path), "--date-order", "MDY"])
    assert summary.exit_code == 0 and "messages: 3" in summary.stdout
    assert "dates: month first (MDY), given: the order you chose" in summary.stdout
    garbage = tmp_path / "x.bin"
    garbage.write_bytes(b"\x00\x01" * 100)
    failed = runner.invoke(app, ["import", str(garbage), "--json"])
    assert failed.exit_code == 4 and "not a chat export" in failed.stderr
    two = runner.invoke(app, ["import", str(path), str(garbage)])
    assert two.exit_code == 4 and "one chat export" in two.stderr
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.zip")])
    assert missing.exit_code == 3 and "does not exist" in missing.stderr


@pytest.mark.parametrize("messages", [0, 1, 3])
def test_json_is_written_a_message_at_a_time_as_json_dumps_writes_each(messages: int) -> None:
    ref = SourceRef("WhatsApp Chat with Maya.txt", "ab" * 32)
    conversation = Conversation(
        format="whatsapp",
        participants=[Participant("p1", "Maya 🌸", "+447700900123")],
        messages=[Message(k, "Maya 🌸", f'say "{k}" \\ £5 😂\n', ref.at(f"/{k}")) for k in range(messages)],
        notices=[Notice("Messages are end-to-end encrypted.", ref)],
        warnings=["one", "two"],
        title=None,
    )
    out = io.StringIO()
    write_json(conversation, out)
    written = out.getvalue()
    assert json.loads(written) == conversation.to_json() and written.endswith("}\n")
    # The messages come first (each written as it is read), exactly as json.dumps writes them.
    doc = conversation.to_json()
    assert written.startswith(
        f'{{"format": "whatsapp", "messages": {json.dumps(doc["messages"], ensure_ascii=False)}, '
    )
