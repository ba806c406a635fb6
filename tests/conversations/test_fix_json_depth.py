"""Hostile JSON: nesting deeper than any export fails fast, in one line and little memory; so does damage."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from conversation_builders import (
    discord_export,
    discord_message,
    skype_export,
    skype_message,
    telegram_chat,
    telegram_message,
)

from sxr.conversations.cli import read_failure
from sxr.conversations.importers import import_path
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import MAX_JSON_DEPTH, json_head_items, json_kvitems, json_top_keys
from sxr.conversations.model import ExportError

DEEP = 20_000


def _deep() -> list:
    """A marker that `_write` replaces with lists nested many levels deep."""
    return ["@@DEEP@@"]


def _write(path: Path, document: dict, levels: int = DEEP) -> Path:
    text = json.dumps(document).replace('["@@DEEP@@"]', "[" * levels + "]" * levels)
    path.write_text(text)
    return path


def _telegram(tmp_path: Path, levels: int = DEEP) -> Path:
    message = telegram_message(1, 1778274631, "Mila", "user1", _deep())
    return _write(tmp_path / "result.json", telegram_chat([message]), levels)


def _discord(tmp_path: Path) -> Path:
    message = discord_message("1", "2026-02-21T16:20:05.955+00:00", ("1", "ellie"), "hi")
    message["embeds"] = _deep()
    document = json.loads(discord_export([message]))
    return _write(tmp_path / "chat.json", document)


def _full_telegram(tmp_path: Path) -> Path:
    message = telegram_message(1, 1778274631, "Mila", "user1", _deep())
    full = {"about": "x", "personal_information": {}, "chats": {"list": [telegram_chat([message])]}}
    return _write(tmp_path / "result.json", full)


def _meta(tmp_path: Path) -> Path:
    folder = tmp_path / "messages" / "inbox" / "mila_1"
    folder.mkdir(parents=True)
    thread = {
        "participants": [{"name": "Mila"}, {"name": "Tom"}],
        "messages": [{"sender_name": "Mila", "timestamp_ms": 1778274631000, "content": _deep()}],
    }
    _write(folder / "message_1.json", thread)
    return tmp_path


def _skype(tmp_path: Path) -> Path:
    message = skype_message("2025-03-14T21:00:00.000Z", "Kayla", "8:kayla", "hi")
    document = json.loads(skype_export([message]))
    document["conversations"][1]["properties"] = {"deep": _deep()}
    return _write(tmp_path / "messages.json", document)


def _google_chat(tmp_path: Path) -> Path:
    folder = tmp_path / "Google Chat" / "Groups" / "DM abc"
    folder.mkdir(parents=True)
    message = {
        "creator": {"name": "Alex Example", "email": "alex@example.com"},
        "created_date": "Monday, January 6, 2025 at 12:00:05 PM UTC",
        "text": "hi",
        "annotations": _deep(),
    }
    _write(folder / "messages.json", {"messages": [message]})
    return tmp_path


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("build", [_telegram, _discord, _full_telegram, _meta, _skype, _google_chat])
def test_deep_json_is_refused_in_one_line_with_little_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build, streamed: bool
) -> None:
    from sxr.conversations.importers import json_members

    path = build(tmp_path)
    if streamed:
        monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)  # every file now counts as too big to hold
    tracemalloc.start()
    try:
        with pytest.raises(ExportError) as caught:
            import_path(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in message
    assert "\n" not in message
    assert peak < 64 * 1024 * 1024  # 20,000 levels took 1.1 GB in ijson's prefixes before


def test_nesting_as_deep_as_a_real_export_goes_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sxr.conversations.importers import json_members

    path = _telegram(tmp_path, levels=50)
    assert import_path(path).messages[0].sender == "Mila"
    monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)
    assert import_path(path).messages[0].sender == "Mila"


def test_the_head_helpers_refuse_a_deep_head(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"name": "x", "messages": ' + "[" * 60_000)  # cut short and deep: 64 KB of head
    files = ExportFiles(path)
    try:
        with pytest.raises(ExportError, match="levels deep"):
            json_head_items(files, "deep.json", "name")
        with pytest.raises(ExportError, match="levels deep"):
            json_top_keys(files, "deep.json")
    finally:
        files.close()


@pytest.mark.parametrize("streamed", [False, True])
def test_damaged_json_is_one_short_line_that_names_the_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    from sxr.conversations.importers import json_members

    chat = telegram_chat([telegram_message(1, 1778274631, "Mila", "user1", "hi " * 200)])
    path = tmp_path / "truncated_result.json"
    path.write_text(json.dumps(chat)[:-300])
    if streamed:
        monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)
    with pytest.raises(ExportError) as caught:
        import_path(path)
    message = str(caught.value)
    assert message.startswith("truncated_result.json is damaged or cut short")
    assert message.count("truncated_result.json") == 1
    assert "\n" not in message and "right here" not in message and len(message) < 300


def test_damage_inside_a_folder_names_the_member_and_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2026-05-10"
    folder.mkdir()
    chat = telegram_chat([telegram_message(1, 1778274631, "Mila", "user1", "hi")])
    (folder / "result.json").write_text(json.dumps(chat)[:-20])
    with pytest.raises(ExportError, match=r"^result\.json in ChatExport_2026-05-10 is damaged"):
        import_path(folder)


def test_an_error_without_words_still_gets_a_clear_line() -> None:
    assert "more memory" in read_failure(MemoryError())
    assert read_failure(OSError()) == "the export could not be read (OSError)."
    assert read_failure(OSError("disk\n  gone")) == "the export could not be read (disk gone)."


def test_streamed_key_value_pairs_are_guarded_too(tmp_path: Path) -> None:
    path = _write(tmp_path / "chat_history.json", {"lily": [{"From": "lily"}], "tom": _deep()})
    files = ExportFiles(path)
    try:
        pairs = json_kvitems(files, "chat_history.json", "")
        assert next(pairs) == ("lily", [{"From": "lily"}])
        with pytest.raises(ExportError, match="levels deep"):
            next(pairs)
    finally:
        files.close()
