"""`sxr import --json` streamed: the same document as the conversation held whole, on every importer's
exports, a message's text exactly json.dumps's, and never more than one message held at a time."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conversation_builders import (
    ANDROID_GB,
    ANDROID_US,
    IOS_GB,
    discord_export,
    discord_message,
    meta_message,
    meta_thread,
    skype_export,
    skype_message,
    telegram_chat,
    telegram_message,
    write_zip,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sxr.cli import app
from sxr.conversations.importers import import_path, json_members, stream_path
from sxr.conversations.json_document import MessageText, write_items
from sxr.conversations.model import ExportError, Message, Notice, SourceRef

PEER_FORMATS = ("discord", "instagram", "messenger", "signal", "skype", "snapchat", "telegram", "whatsapp")


def _both(path: Path, **options: Any) -> tuple[dict[str, Any] | str, dict[str, Any] | str]:
    """The conversation held whole (to_json) and the streamed document (parsed), or each one's error."""
    try:
        whole: dict[str, Any] | str = import_path(path, **options).to_json()
    except ExportError as exc:
        whole = f"{type(exc).__name__}: {exc}"
    out = io.StringIO()
    try:
        with stream_path(path, **options) as (run, items):
            write_items(out, items, run)
        streamed: dict[str, Any] | str = json.loads(out.getvalue())
    except ExportError as exc:
        streamed = f"{type(exc).__name__}: {exc}"
    return whole, streamed


def _exports(root: Path) -> Iterator[Path]:
    for folder in PEER_FORMATS:
        for path in sorted((root / folder).iterdir()):
            if not path.name.endswith((".md", ".example", ".expected_md", ".py")):
                yield path


def test_streamed_document_equals_the_whole_one_on_every_peer_export(shared_data: Path) -> None:
    compared = 0
    for path in _exports(shared_data / "peers"):
        for order in ("DMY", "MDY"):
            whole, streamed = _both(path, fallback_date_order=order, tz="UTC")
            assert streamed == whole, path
            compared += isinstance(whole, dict)
    assert compared >= 40  # most of them import (a few hold several chats or nothing sxr reads)


def test_streamed_document_equals_the_whole_one_on_the_dev_corpus(shared_data: Path) -> None:
    folders = sorted(p for p in (shared_data / "conversations" / "dev").iterdir() if p.is_dir())
    assert folders
    for folder in folders:
        labels = json.loads((folder / "labels.json").read_text())
        order = (labels.get("locale_hint") or {}).get("date_order")
        whole, streamed = _both(folder / labels["export"], date_order=order)
        assert isinstance(whole, dict) and whole["messages"], folder
        assert streamed == whole, folder


def _synthetic_exports(tmp: Path) -> list[tuple[Path, dict[str, Any]]]:
    """An export of each importer built here, with what it needs to be read."""
    made: list[tuple[Path, dict[str, Any]]] = []
    for name, text, order in (("gb", ANDROID_GB, "DMY"), ("us", ANDROID_US, "MDY"), ("ios", IOS_GB, "DMY")):
        path = tmp / f"WhatsApp Chat with {name}.txt"
        path.write_text(text, encoding="utf-8")
        made.append((path, {"date_order": order, "tz": "Europe/London"}))
    made.append((write_zip(tmp / "ios.zip", {"_chat.txt": IOS_GB}), {"date_order": "DMY"}))
    thread = meta_thread(
        ["Ashley Monroe", "Sam"],
        [
            meta_message("Ashley Monroe", 1_700_000_060_000, "send £50 😂"),
            meta_message("Sam", 1_700_000_000_000, "no"),
        ],
        title="Ashley Monroe",
    )
    made.append((write_zip(tmp / "meta.zip", {"messages/inbox/ashley_1/message_1.json": thread}), {}))
    telegram = tmp / "result.json"
    telegram.write_text(
        json.dumps(
            telegram_chat(
                [
                    telegram_message(1, 1_700_000_000, "Ben", "user1", 'hi\n"there"'),
                    telegram_message(2, 1_700_000_060, "Sam", "user2", "who?"),
                ]
            )
        ),
        encoding="utf-8",
    )
    made.append((telegram, {}))
    discord = tmp / "discord.json"
    discord.write_text(
        discord_export([discord_message("1", "2026-03-06T20:41:00+00:00", ("111", "ben"), "pay up")]),
        encoding="utf-8",
    )
    made.append((discord, {}))
    skype = tmp / "messages.json"
    skype.write_text(
        skype_export([skype_message("2026-03-06T20:41:00.000Z", "Ben", "8:ben", "hello")]), encoding="utf-8"
    )
    made.append((skype, {}))
    pasted = tmp / "pasted.txt"
    pasted.write_text("Ben: hi\nSam: who is this\nBen: you know\n", encoding="utf-8")
    made.append((pasted, {}))
    return made


def test_streamed_document_equals_the_whole_one_on_exports_built_here(tmp_path: Path) -> None:
    for path, options in _synthetic_exports(tmp_path):
        whole, streamed = _both(path, **options)
        assert isinstance(whole, dict), (path, whole)
        assert streamed == whole, path


def test_the_cli_streams_the_same_document_with_the_messages_first(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Maya.txt"
    path.write_text(ANDROID_GB, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path), "--date-order", "DMY", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    whole = import_path(path, date_order="DMY", fallback_date_order="DMY").to_json()
    assert doc == whole
    assert list(doc) == ["format", "messages", "title", "date_reading", "participants", "notices", "warnings"]


# --- a message's text, exactly json.dumps's ---------------------------------------------------------

_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from('"\\\n\x00\x1f\x7f\u2028')
)
_zones = st.sampled_from([UTC, timezone(timedelta(hours=-4)), timezone(timedelta(hours=5, minutes=30))])


@st.composite
def _messages(draw: st.DrawFn) -> Message:
    source = SourceRef(
        draw(_text),
        draw(st.sampled_from(["ab" * 32, "cd" * 32])),
        draw(st.none() | st.tuples(st.integers(1, 10**6), st.integers(1, 10**6))),
        draw(st.none() | _text),
        member=draw(st.none() | st.just("chats/_chat.txt")),
        member_sha256=draw(st.none() | st.just("ef" * 32)),
    )
    when = draw(st.none() | st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1), timezones=_zones))
    return Message(
        draw(st.integers(0, 10**7)),
        draw(st.sampled_from(["Maya 🌸", "Ava", '"quoted"', "\u202a+44 7700 900123\u202c"])),
        draw(_text),
        source,
        sent_at=when,
        sent_at_raw=draw(st.none() | st.sampled_from(["4/9/26, 7:12\u202fPM", "06/03/2026, 20:41"])),
        attachments=draw(st.lists(_text, max_size=3)),
        edited=draw(st.booleans()),
        deleted=draw(st.booleans()),
        machine_read=draw(st.booleans()),
        pointer=draw(st.none() | st.sampled_from(["/messages/3", "/chats/list/0/messages/~1x"])),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_messages(), min_size=1, max_size=8))
def test_a_message_text_is_exactly_json_dumps(messages: list[Message]) -> None:
    text = MessageText()  # one writer for all, so what it keeps from one message meets the next
    for message in messages:
        assert text(message) == json.dumps(message.to_json(), ensure_ascii=False)


def test_screenshot_sources_are_written_as_json_dumps_writes_them() -> None:
    box = SourceRef("a.png", "ab" * 32, box=(1, 2, 30, 40), confidence=0.912345)
    message = Message(0, "Ava", "hi", box, sent_at=None, machine_read=True)
    assert MessageText()(message) == json.dumps(message.to_json(), ensure_ascii=False)


# --- memory: what the writer holds, and a big export's peak in a real process ---------------------------


class _Counted(Message):
    """A message that counts how many of its kind are alive."""

    __slots__ = ()
    alive = 0
    most = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Counted.alive += 1
        _Counted.most = max(_Counted.most, _Counted.alive)

    def __del__(self) -> None:
        _Counted.alive -= 1


class _Run:
    """What write_items reads of an ImportRun once the items are done."""

    def __init__(self) -> None:
        self.format = "whatsapp"
        self.title: str | None = None
        self.date_reading = None
        self.participants: dict[str, Any] = {}
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def test_the_writer_holds_no_message_once_written() -> None:
    source = SourceRef("chat.txt", "ab" * 32)
    _Counted.alive = _Counted.most = 0

    def items() -> Iterator[Message | Notice]:
        for i in range(20_000):
            yield _Counted(i, "Ava", f"message {i}", source, sent_at_raw=None)
            if i % 1000 == 0:
                yield Notice(f"notice {i}", source)

    out = io.StringIO()
    written = write_items(out, items(), _Run())  # type: ignore[arg-type]
    assert written == 20_000
    assert _Counted.most <= 2  # the one being written and, at most, the next one being made
    doc = json.loads(out.getvalue())
    assert [m["i"] for m in doc["messages"]] == list(range(20_000))
    assert len(doc["notices"]) == 20


def _whatsapp_export(path: Path, megabytes: int) -> int:
    count = 0
    start = datetime(2020, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < megabytes * 2**20:
            when = start + timedelta(minutes=3 * count)
            sender = "Ava" if count % 2 else "Maya"
            out.write(f"{when:%d/%m/%Y, %H:%M} - {sender}: message {count} with a few words 😂\n")
            count += 1
    return count


def _peak_rss_mb(path: Path, out: Path) -> float:
    """The peak RSS of `sxr import --json` on `path` in its own process."""
    script = (
        "import sys\nfrom sxr.cli import main\nsys.argv = ['sxr', 'import', sys.argv[1], '--json', "
        "'--date-order', 'DMY', '--tz', 'UTC']\nmain()\n"
    )
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(path)], stdout=sink, env=dict(os.environ)
        )
        _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20


@pytest.mark.slow
def test_memory_stays_flat_however_big_the_export(tmp_path: Path) -> None:
    small, big = tmp_path / "WhatsApp Chat with small.txt", tmp_path / "WhatsApp Chat with big.txt"
    _whatsapp_export(small, 1)
    count = _whatsapp_export(big, 40)
    at_small = _peak_rss_mb(small, tmp_path / "small.json")
    at_big = _peak_rss_mb(big, tmp_path / "big.json")
    with (tmp_path / "big.json").open("rb") as written:
        written.seek(-400, io.SEEK_END)
        assert b'"warnings"' in written.read()
    assert count > 400_000
    # 40 times the export, the same memory give or take (held whole, 400,000 messages need 300 MB more).
    assert at_big - at_small < 25, (at_small, at_big)


def test_an_export_found_damaged_part_way_through_is_said_and_the_exit_is_not_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 1024)  # read as a stream, as a big export is
    messages = [telegram_message(k, 1_700_000_000 + k, "Ben", "user1", f"message {k}") for k in range(2000)]
    whole = json.dumps(telegram_chat(messages))
    export = tmp_path / "result.json"
    export.write_text(whole[: len(whole) * 3 // 4], encoding="utf-8")  # cut off, as a broken download is
    result = CliRunner().invoke(app, ["import", str(export), "--json"])
    assert result.exit_code != 0
    assert "damaged or cut short" in result.stderr, result.stderr
    # The messages read before the damage showed were written; what stdout holds is no whole document.
    assert result.stdout.startswith('{"format": "telegram", "messages": [{"i": 0, ')
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
