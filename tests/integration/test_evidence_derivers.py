"""Evidence that holds a chat becomes a conversation and an analysis, stored apart from the original."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import Session

from sxr.cases.services import create_case
from sxr.config import get_settings
from sxr.conversations.derivers import derive_conversation, install
from sxr.db import session_factory
from sxr.evidence import services as evidence
from sxr.evidence.services import DERIVERS

CHAT = (
    "12/03/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Tom: yeah who is this\n"
    "13/03/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "13/03/2026, 21:30 - Lily: send £400 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)


def _add(session: Session, case: object, path: Path) -> evidence.AddedEvidence:
    return evidence.add_evidence(session, get_settings(), case, path, received_by="cli")  # type: ignore[arg-type]


def _derived(session: Session, item: object) -> dict[str, dict[str, object]]:
    settings = get_settings()
    return {
        d.kind: json.loads(evidence.read_derived(settings, d))
        for d in evidence.list_derived(session, item)  # type: ignore[arg-type]
    }


def test_a_chat_export_is_imported_and_analysed_when_added(database_url: str, tmp_path: Path) -> None:
    install()
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
    install()
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
    install()
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
