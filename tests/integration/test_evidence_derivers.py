"""Evidence that holds a chat becomes a conversation and an analysis, stored apart from the original."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sxr.cases.services import create_case
from sxr.cli import app as cli_app
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence import ledger
from sxr.evidence import services as evidence
from sxr.pipeline.derivers import DERIVERS, derive_conversation

CHAT = (
    "12/03/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Tom: yeah who is this\n"
    "13/03/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "13/03/2026, 21:30 - Lily: send £400 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)


def _add(session: Session, case: object, path: Path) -> evidence.AddedEvidence:
    return evidence.add_evidence(session, get_settings(), case, path, received_by="cli", derivers=DERIVERS)  # type: ignore[arg-type]


def _derived(session: Session, item: object) -> dict[str, dict[str, object]]:
    settings = get_settings()
    return {
        d.kind: json.loads(evidence.read_derived(settings, d))
        for d in evidence.list_derived(session, item)  # type: ignore[arg-type]
    }


def test_a_chat_export_is_imported_and_analysed_when_added(database_url: str, tmp_path: Path) -> None:
    assert DERIVERS.count(derive_conversation) == 1
    export = tmp_path / "WhatsApp Chat with Lily.txt"
    export.write_text(CHAT, encoding="utf-8")
    with session_factory(database_url)() as session:
        case, _pin = create_case(session)
        added = _add(session, case, export)
        assert added.warnings == []
        derived = _derived(session, added.item)
    assert set(derived) == {"conversation", "analysis"}
    conversation = derived["conversation"]
    assert [m["sender"] for m in conversation["messages"]] == ["Lily", "Tom", "Lily", "Lily"]  # type: ignore[index]
    assert conversation["messages"][0]["source"]["sha256"] == added.item.sha256  # type: ignore[index]
    found = {(i["kind"], i["value"]) for i in derived["analysis"]["indicators"]}  # type: ignore[index]
    assert ("snapchat_username", "lily_x09") in found
    assert ("uk_bank_account", "202959-63748472") in found
    # The ledger names each derived item, and the locker still verifies.
    with session_factory(database_url)() as session:
        assert evidence.verify(session, get_settings()).intact


def test_a_photo_or_a_zip_without_a_chat_derives_nothing_and_warns_of_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 64), (30, 120, 200)).save(photo)
    archive = tmp_path / "photos.zip"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(buffer, "PNG")
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("IMG_0001.png", buffer.getvalue())
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        for path in (photo, archive):
            added = _add(session, case, path)
            assert added.warnings == []
            assert evidence.list_derived(session, added.item) == []


def test_a_damaged_export_is_kept_and_the_problem_is_on_the_ledger(sqlite_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "message_1.json"
    broken.write_text(
        '{"participants": [{"name": "A"}], "messages": [{"sender_name": "A", "timestamp_ms": ', "utf-8"
    )
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        try:
            added = _add(session, case, broken)
        except evidence.EvidenceRejected:
            return  # refusing truncated JSON at the door is also a clear outcome
        assert added.warnings, "a chat that cannot be read must be reported, not silently skipped"
        assert evidence.read_original(get_settings(), added.item) == broken.read_bytes()


def _meta_thread(title: str, sender: str, text: str, ms: int) -> str:
    return json.dumps(
        {
            "participants": [{"name": sender}, {"name": "Sam"}],
            "messages": [{"sender_name": sender, "timestamp_ms": ms, "content": text}],
            "title": title,
        }
    )


def test_a_whole_instagram_download_yields_every_chat(database_url: str, tmp_path: Path) -> None:
    download = tmp_path / "instagram-sam-2026-03-14.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr(
            "your_instagram_activity/messages/inbox/lily_123/message_1.json",
            _meta_thread("Lily", "Lily", "add me on snap lily_x09", 1_773_400_000_000),
        )
        zf.writestr(
            "your_instagram_activity/messages/inbox/gran_456/message_1.json",
            _meta_thread("Gran", "Gran", "see you sunday love", 1_773_300_000_000),
        )
    with session_factory(database_url)() as session:
        case, _pin = create_case(session)
        added = _add(session, case, download)
        assert added.warnings == []
        settings = get_settings()
        derived = [
            (d.kind, json.loads(evidence.read_derived(settings, d)))
            for d in evidence.list_derived(session, added.item)
        ]
    assert [kind for kind, _doc in derived] == ["conversation", "analysis"] * 2
    conversations = [doc for kind, doc in derived if kind == "conversation"]
    assert sorted(c["title"] for c in conversations) == ["Gran", "Lily"]
    by_title = {c["title"]: c for c in conversations}
    assert by_title["Lily"]["messages"][0]["text"] == "add me on snap lily_x09"
    assert by_title["Lily"]["format"] == "instagram"
    lily_analysis = derived[[c["title"] for c in conversations].index("Lily") * 2 + 1][1]
    assert ("snapchat_username", "lily_x09") in {(i["kind"], i["value"]) for i in lily_analysis["indicators"]}
    with session_factory(database_url)() as session:
        assert evidence.verify(session, get_settings()).intact


def test_a_telegram_full_export_yields_every_chat_and_the_cli_still_asks(
    sqlite_url: str, tmp_path: Path
) -> None:
    def chat(name: str, chat_id: int, text: str) -> dict[str, object]:
        message = {
            "id": 1,
            "type": "message",
            "date": "2026-03-12T21:04:00",
            "date_unixtime": "1773349440",
            "from": name,
            "from_id": f"user{chat_id}",
            "text": text,
        }
        return {"name": name, "type": "personal_chat", "id": chat_id, "messages": [message]}

    export = tmp_path / "result.json"
    export.write_text(
        json.dumps(
            {
                "about": "Here is the data you requested.",
                "personal_information": {"user_id": 1, "first_name": "Sam"},
                "chats": {
                    "about": "This page lists all chats from this export.",
                    "list": [chat("Ann", 11, "hi"), chat("Ann", 12, "other ann"), chat("Max", 13, "yo")],
                },
            }
        ),
        encoding="utf-8",
    )
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        added = _add(session, case, export)
        assert added.warnings == []
        settings = get_settings()
        docs = [
            json.loads(evidence.read_derived(settings, d))
            for d in evidence.list_derived(session, added.item)
            if d.kind == "conversation"
        ]
    assert [(d["title"], d["messages"][0]["text"]) for d in docs] == [
        ("Ann", "hi"),
        ("Ann", "other ann"),
        ("Max", "yo"),
    ]
    result = CliRunner().invoke(cli_app, ["import", str(export), "--json"])
    assert result.exit_code != 0
    assert "--chat" in result.stderr and "Max" in result.stderr
    picked = CliRunner().invoke(cli_app, ["import", str(export), "--chat", "12", "--json"])
    assert picked.exit_code == 0, picked.stderr
    assert json.loads(picked.stdout)["messages"][0]["text"] == "other ann"


def test_one_damaged_chat_costs_only_itself_and_is_on_the_ledger(sqlite_url: str, tmp_path: Path) -> None:
    download = tmp_path / "facebook-sam.zip"
    damaged = _meta_thread("Max", "Max", "yo", 1_773_300_000_000)[:-30]
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr(
            "messages/inbox/lily_1/message_1.json", _meta_thread("Lily", "Lily", "hi", 1_773_400_000_000)
        )
        zf.writestr("messages/inbox/max_2/message_1.json", damaged)
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        added = _add(session, case, download)
        kinds = [d.kind for d in evidence.list_derived(session, added.item)]
        warnings = [json.loads(e.details) for e in ledger.entries(session, case.id) if e.action == "warning"]
    assert kinds == ["conversation", "analysis"]
    assert len(warnings) == 1 and "max_2" in warnings[0]["error"] and "damaged" in warnings[0]["error"]
