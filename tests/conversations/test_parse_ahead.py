"""Parse ahead: a big Meta download read with a helper process gives exactly what one process gives."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from conversation_builders import meta_message, meta_thread, mojibake, write_zip

from sxr.conversations import parse_ahead
from sxr.conversations.importers import import_path, json_members, stream_path
from sxr.conversations.importers.meta import Meta
from sxr.conversations.model import ExportError, Message, SourceRef
from sxr.conversations.parse_ahead import SKIP, Helper, Request, free_cores, meta_columns, read_meta_file

THREAD = "your_facebook_activity/messages/inbox/kaimercer_10160000000000001"
BASE = 1_768_621_000_000
PEOPLE = ["Kai Mercer", "Jordan Ellis"]


def _rows(number: int, count: int) -> list[dict[str, Any]]:
    """File `number` of a thread, newest first, with every kind of row now and then."""
    rows = []
    for k in range(count - 1, -1, -1):
        ms = BASE + (number * count + k) * 1000
        sender = PEOPLE[k % 2]
        if k % 97 == 5:
            rows.append(meta_message(sender, ms, None, photos=[{"uri": f"{THREAD}/photos/{k}_n.jpg"}]))
        elif k % 89 == 7:
            rows.append(meta_message(sender, ms, "The video chat ended.", call_duration=61))
        elif k % 83 == 3:
            rows.append(meta_message(sender, ms, "", is_unsent=True))
        elif k % 79 == 2:
            rows.append(meta_message(sender, ms, "pay £50 now 😡 or everyone sees it"))
        else:
            rows.append(meta_message(sender, ms, f"message {number}-{k} send a pic"))
    return rows


def _thread(files: int, count: int) -> dict[str, str]:
    """A thread of `files` message files (message_1.json the newest), as Meta splits them."""
    return {f"{THREAD}/message_{files - n}.json": meta_thread(PEOPLE, _rows(n, count)) for n in range(files)}


def _write_folder(root: Path, members: dict[str, str]) -> Path:
    for name, text in members.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def always_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the helper for any download, however small (the tests' exports are small)."""
    monkeypatch.setattr(parse_ahead, "MIN_AHEAD_BYTES", 0)
    monkeypatch.setattr(parse_ahead, "helper_allowed", lambda: True)


@pytest.fixture
def helpers_started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many files each helper started was for (so a test knows the helper really ran);
    afterwards, that every helper was stopped and waited for."""
    started: list[int] = []
    helpers: list[Helper] = []
    original = Helper.start.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Helper], requests: list[Request]) -> Helper | None:
        helper: Helper | None = original(cls, requests)
        if helper is not None:
            started.append(len(requests))
            helpers.append(helper)
        return helper

    monkeypatch.setattr(Helper, "start", classmethod(counting))
    yield started
    assert all(helper._process is None for helper in helpers), "a helper process was left running"


def _one_process(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(parse_ahead, "helper_allowed", lambda: False)
        return import_path(path).to_json()


@pytest.mark.usefixtures("always_ahead")
def test_folder_with_a_helper_is_the_same_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers_started: list[int]
) -> None:
    folder = _write_folder(tmp_path / "facebook-kai", _thread(files=4, count=300))
    with_helper = import_path(folder).to_json()
    assert helpers_started == [3]
    alone = _one_process(folder, monkeypatch)
    assert with_helper == alone
    messages = with_helper["messages"]
    assert [m["i"] for m in messages] == list(range(len(messages)))
    assert len(messages) > 1000 and with_helper["notices"]  # calls are notices
    assert any(m["attachments"] for m in messages) and any(m["deleted"] for m in messages)
    assert "pay £50 now 😡 or everyone sees it" in {m["text"] for m in messages}
    stamps = [m["sent_at"] for m in messages]
    assert stamps == sorted(stamps)
    # Each message points at its own row of its own file.
    first = messages[0]["source"]
    assert first["member"].endswith("message_4.json") and first["pointer"] == "/messages/299"


@pytest.mark.usefixtures("always_ahead")
def test_zip_with_a_helper_is_the_same_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers_started: list[int]
) -> None:
    path = write_zip(tmp_path / "facebook-kai.zip", _thread(files=3, count=200))
    with_helper = import_path(path).to_json()
    assert helpers_started == [2]
    assert with_helper == _one_process(path, monkeypatch)
    # The member hashes the helper sent are the members' own.
    with_helper_refs = {m["source"]["member"]: m["source"]["member_sha256"] for m in with_helper["messages"]}
    with zipfile.ZipFile(path) as archive:
        for member, sha256 in with_helper_refs.items():
            assert hashlib.sha256(archive.read(member)).hexdigest() == sha256


@pytest.mark.usefixtures("always_ahead")
def test_streamed_with_a_helper_is_the_same(tmp_path: Path, helpers_started: list[int]) -> None:
    folder = _write_folder(tmp_path / "facebook-kai", _thread(files=3, count=150))
    whole = import_path(folder)
    with stream_path(folder) as (_run, items):
        streamed = [item for item in items if isinstance(item, Message)]
    assert helpers_started == [2, 2]
    assert [m.to_json() for m in streamed] == [m.to_json() for m in whole.messages]


@pytest.mark.usefixtures("always_ahead")
def test_a_damaged_file_is_still_a_clear_error(tmp_path: Path, helpers_started: list[int]) -> None:
    members = _thread(files=3, count=100)
    damaged = f"{THREAD}/message_2.json"
    members[damaged] = members[damaged][: len(members[damaged]) // 2]  # cut short
    folder = _write_folder(tmp_path / "facebook-kai", members)
    with pytest.raises(ExportError, match=r"message_2\.json.*damaged or cut short"):
        import_path(folder)
    assert helpers_started == [2]


@pytest.mark.usefixtures("always_ahead")
def test_unusual_files_are_read_here_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members = _thread(files=3, count=50)
    # Seconds instead of milliseconds (the oldest downloads), text in two encodings, a NUL in a text,
    # and a file out of order: the helper sends each back for this process's row-by-row rules.
    old = json.loads(members[f"{THREAD}/message_3.json"])
    for row in old["messages"]:
        row["timestamp"] = row.pop("timestamp_ms") // 1000
    members[f"{THREAD}/message_3.json"] = json.dumps(old)
    mixed = json.loads(members[f"{THREAD}/message_2.json"])
    mixed["messages"][0]["content"] = mojibake("café") + " and café"
    mixed["messages"][1]["content"] = "a\x00b"
    mixed["messages"].reverse()
    members[f"{THREAD}/message_2.json"] = json.dumps(mixed)
    folder = _write_folder(tmp_path / "facebook-kai", members)
    with_helper = import_path(folder).to_json()
    assert with_helper == _one_process(folder, monkeypatch)
    texts = [m["text"] for m in with_helper["messages"]]
    assert "café and café" in texts and "a\x00b" in texts
    stamps = [m["sent_at"] for m in with_helper["messages"]]
    assert stamps == sorted(stamps)


@pytest.mark.usefixtures("always_ahead")
def test_a_file_too_big_to_hold_is_streamed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers_started: list[int]
) -> None:
    members = _thread(files=3, count=100)
    folder = _write_folder(tmp_path / "facebook-kai", members)
    alone = _one_process(folder, monkeypatch)
    sizes = {name.rsplit("/", 1)[1]: len(text.encode()) for name, text in members.items()}
    monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", sizes["message_2.json"] - 1)
    asked: list[Request] = []
    start = Helper.start.__func__  # type: ignore[attr-defined]

    def recording(cls: type[Helper], requests: list[Request]) -> Helper | None:
        asked.extend(requests)
        return start(cls, requests)

    monkeypatch.setattr(Helper, "start", classmethod(recording))
    assert import_path(folder).to_json() == alone
    assert helpers_started == [2]
    # The helper is never asked to hold a file bigger than this process would hold.
    skipped = [Path(path).name for path, _member, size, _hash in asked if size == SKIP]
    assert skipped == [
        name for name in ("message_2.json", "message_1.json") if sizes[name] > sizes["message_2.json"] - 1
    ]


@pytest.mark.usefixtures("always_ahead")
def test_a_slow_helper_leaves_files_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers_started: list[int]
) -> None:
    folder = _write_folder(tmp_path / "facebook-kai", _thread(files=7, count=120))
    alone = _one_process(folder, monkeypatch)
    read_here: list[str] = []
    original = Meta._read_here

    def counting(run: Any, member: str) -> Any:
        read_here.append(Path(member).name)
        return original(run, member)

    monkeypatch.setattr(Meta, "_read_here", staticmethod(counting))
    monkeypatch.setattr(Helper, "ready", lambda self: False)  # never an answer in time
    assert import_path(folder).to_json() == alone
    assert helpers_started == [6]
    # The first file, and files nobody had asked the helper for while it was busy, were read here.
    assert read_here[0] == "message_7.json" and len(read_here) >= 3
    assert len(read_here) == len(set(read_here))  # none read twice


@pytest.mark.usefixtures("always_ahead")
def test_a_file_read_ahead_fails_in_its_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers_started: list[int]
) -> None:
    members = _thread(files=6, count=50)
    damaged = f"{THREAD}/message_2.json"  # the fifth file in time order
    members[damaged] = members[damaged][:-40]
    folder = _write_folder(tmp_path / "facebook-kai", members)
    monkeypatch.setattr(Helper, "ready", lambda self: False)
    delivered = 0
    with (
        pytest.raises(ExportError, match=r"message_2\.json.*damaged or cut short"),
        stream_path(folder) as (_run, items),
    ):
        for item in items:
            delivered += isinstance(item, Message)
    assert delivered >= 4 * 45  # the four files before it came first
    assert helpers_started == [5]


def test_the_helper_reads_a_file_as_this_process_does(tmp_path: Path) -> None:
    data = meta_thread(PEOPLE, _rows(0, 120)).encode()
    found = read_meta_file(data)
    assert found.columns is not None and found.sha256 == hashlib.sha256(data).hexdigest()
    assert found.columns == meta_columns(orjson.loads(data)["messages"], None)
    assert found.people == [{"name": name} for name in PEOPLE]
    path = tmp_path / "message_1.json"
    path.write_bytes(data)
    with Helper() as helper:
        assert helper.next_file() is None  # asked for nothing: nothing to wait for
        helper.ask((str(path), None, len(data), False))
        helper.ask((str(path), None, len(data), True))
        helper.ask((str(path), None, len(data) + 1, True))
        helper.ask((str(path), None, SKIP, True))
        assert helper.next_file() == found._replace(sha256=None)  # not asked to hash it
        assert helper.next_file() == found
        assert helper.next_file() is None  # the size changed since the scan: read it here
        assert helper.next_file() is None  # too big to hold: not read at all
        assert helper.asked == 0 and helper.next_file() is None


def test_a_helper_that_stops_leaves_the_rest_to_this_process(tmp_path: Path) -> None:
    path = tmp_path / "message_1.json"
    data = meta_thread(PEOPLE, _rows(0, 10)).encode()
    path.write_bytes(data)
    helper = Helper()
    for _ in range(3):
        helper.ask((str(path), None, len(data), True))
    process = helper._process
    assert process is not None
    process.kill()
    process.wait()
    assert helper.next_file() is None
    assert helper._process is None  # closed: nothing left running
    assert helper.ready() and helper.next_file() is None and helper.next_file() is None


def test_message_keeps_a_shared_file_ref_and_its_own_pointer() -> None:
    ref = SourceRef("facebook.zip", "ab" * 32, member="inbox/x/message_1.json", member_sha256="cd" * 32)
    message = Message(3, "Kai", "hi", ref, None, pointer="/messages/7")
    assert message.source.pointer == "/messages/7" and message.source.member == ref.member
    assert ref.pointer is None  # the shared ref is not changed
    assert message.to_json()["source"] == {**ref.to_json(), "pointer": "/messages/7"}
    assert message == Message(3, "Kai", "hi", ref.at("/messages/7"))
    assert message.attachments == ()
    message.attach("photos/1.jpg")
    message.attach("photos/2.jpg", "video (not included in the export)")
    assert message.attachments == ["photos/1.jpg", "photos/2.jpg", "video (not included in the export)"]
    other = Message(3, "Kai", "hi", ref.at("/messages/7"))
    assert other.attachments == () and message != other
    message.source = ref
    assert message.source is ref


def test_a_helper_starts_only_where_a_core_is_free() -> None:
    idle = "0.52 0.40 0.31 1/310 4242\n"
    busy = "2.10 1.80 1.20 3/312 4243\n"
    assert free_cores(2, [idle, idle, idle]) == 1
    assert free_cores(2, [busy, idle, busy]) == 1  # one look with only this task running is enough
    assert free_cores(2, [busy, busy, busy]) <= 0
    assert free_cores(1, [idle]) == 0  # one core: never a helper
    assert free_cores(8, ["0.1 0.1 0.1 2/100 1"]) == 6
    assert free_cores(2, []) == 1  # no /proc/loadavg: assume the other core is free
    assert free_cores(2, ["garbage"]) == 1


def test_switched_off_means_no_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sxr.config", raising=False)
    monkeypatch.setenv("SXR_IMPORT_HELPER", "false")
    assert parse_ahead.helper_allowed() is False
    assert Helper.start([("/nowhere", None, 10 * parse_ahead.MIN_AHEAD_BYTES, True)]) is None
