"""The importers' one table: a format registered once is sniffed, read by `sxr import` and named in the
supported list; the built-in ones are tried in the table's order."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sxr.cli import app
from sxr.conversations import importers
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import Importer, ImportRun, Item
from sxr.conversations.importers.decoding import text_lines
from sxr.conversations.importers.json_members import head_text
from sxr.conversations.importers.times import from_iso
from sxr.conversations.model import ExportError, Message

HEADER = "#pipechat v1"
EXPORT = f"""{HEADER}
2026-03-01T20:15:00+00:00|Kai|hey its jay_smith.22 add me on snap
2026-03-01T20:16:30+00:00|Lily|who is this?
"""


class PipeChat(Importer):
    """A made-up format, one message a line: time|sender|text, under a header line."""

    format = "pipechat"
    title = "PipeChat"
    reads = "pipechat.log"

    def find(self, files: ExportFiles) -> list[str]:
        return [name for name in files.names() if head_text(files, name, 64).startswith(HEADER)]

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = names[0]
        with run.files.open(name) as stream:
            for line_no, line in enumerate(text_lines(stream, run, name), start=1):
                if line_no == 1 or not line:
                    continue
                when, sender, text = line.split("|", 2)
                yield Message(
                    i=0,
                    sender=run.sender(sender),
                    text=text,
                    source=run.files.source(name, lines=(line_no, line_no)),
                    sent_at=from_iso(when, run),
                    sent_at_raw=when,
                )


@pytest.fixture
def pipechat() -> Iterator[PipeChat]:
    importer = importers.register(PipeChat())
    yield importer
    importers.unregister(importer)
    assert importer not in importers.importers()


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click 8.2 keeps stderr apart already
        return CliRunner()


def test_a_registered_format_is_sniffed_read_and_named(
    pipechat: PipeChat, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "pipechat.log"
    path.write_text(EXPORT)
    assert pipechat.sniff(path)
    assert importers.sniff_format(path) == "pipechat"
    assert "PipeChat (pipechat.log)" in importers.supported()

    result = runner.invoke(app, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "pipechat"
    assert [m["sender"] for m in doc["messages"]] == ["Kai", "Lily"]
    assert doc["messages"][1]["sent_at"] == "2026-03-01T20:16:30+00:00"

    # Tried before the catch-alls: without it, the same file would be read as pasted text.
    order = [importer.format for importer in importers.importers()]
    assert order.index("pipechat") < order.index("email") < order.index("plain")


def test_the_supported_list_names_a_registered_format_when_nothing_matches(
    pipechat: PipeChat, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ExportError, match=r"not a chat export sxr can read\. Supported: .*PipeChat"):
        importers.import_path(path)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 4 and "PipeChat (pipechat.log)" in result.stderr


def test_without_registering_the_format_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "pipechat.log"
    path.write_text(EXPORT)
    assert importers.sniff_format(path) == "plain"
    assert "PipeChat" not in importers.supported()


def test_a_format_is_registered_once(pipechat: PipeChat) -> None:
    assert importers.register(pipechat) is pipechat  # the same importer again: nothing changes
    with pytest.raises(ValueError, match="pipechat"):
        importers.register(PipeChat())
    with pytest.raises(ValueError, match="whatsapp"):

        class Copy(PipeChat):
            format = "whatsapp"

        importers.register(Copy())


def test_the_built_in_table_is_the_order_tried_and_the_supported_list() -> None:
    formats = [importer.format for importer in importers.importers()]
    assert formats == [
        "whatsapp",
        "messenger",
        "telegram",
        "discord",
        "snapchat",
        "skype",
        "signal",
        "googlechat",
        "discord_text",
        "email",
        "plain",
    ]
    assert len(formats) == len(importers.BUILT_IN)
    said = importers.supported()
    for importer in importers.importers():
        assert f"{importer.title} ({importer.reads})" in said


def test_a_built_in_format_is_imported_only_when_its_turn_comes(tmp_path: Path) -> None:
    # Importing every format costs more than reading a small export: a WhatsApp chat loads WhatsApp's only.
    path = tmp_path / "WhatsApp Chat with Kai.txt"
    path.write_text("3/1/26, 8:15 PM - Kai: hey its jay_smith.22 add me on snap\n")
    script = (
        "import sys\n"
        "from sxr.conversations.importers import import_path\n"
        f"assert import_path({str(path)!r}, date_order='MDY').format == 'whatsapp'\n"
        "prefix = 'sxr.conversations.importers.'\n"
        "print(sorted(m.removeprefix(prefix) for m in sys.modules if m.startswith(prefix)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "'whatsapp'" in loaded
    for later in ("meta", "telegram", "discord", "snapchat", "skype", "signal", "googlechat", "plaintext"):
        assert f"'{later}'" not in loaded
