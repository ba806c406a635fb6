"""A whole-account download holds the victim's other chats too: only the chats the analysis flags feed
the offender's details (review page, staff page, report pack); friends' details stay out."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import select

from sxr.analysis.services import case_analyses, found_details
from sxr.cases.models import CaseSearchIdentifier
from sxr.cases.services import create_case
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence.services import add_evidence
from sxr.pipeline.derivers import DERIVERS
from sxr.reports.facts import collect_facts

START = 1_773_300_000_000  # March 2026, in milliseconds


def _thread(title: str, lines: list[tuple[str, str]]) -> str:
    messages = [
        {"sender_name": who, "timestamp_ms": START + 60_000 * n, "content": text}
        for n, (who, text) in enumerate(lines)
    ]
    return json.dumps(
        {"participants": [{"name": title}, {"name": "Sam"}], "messages": messages[::-1], "title": title}
    )


OFFENDER = [
    ("Lily", "hey cutie u go to st marys? saw u on the football page"),
    ("Sam", "yeah who is this"),
    ("Lily", "ur so fit, add me on snap lily_x09"),
    ("Lily", "send me a pic of u, u go first babe"),
    ("Sam", "ok"),
    ("Lily", "i recorded everything. pay £400 or i send it to all your followers and your family"),
    ("Lily", "paypal.me/lilypays09 you have 1 hour"),
]
FRIEND = [
    ("Jo", "my new number is 07700 900123, add me on snap jo_b77"),
    ("Sam", "done, see you at practice"),
]


def test_only_flagged_chats_of_a_download_feed_the_offender_details(
    database_url: str, tmp_path: Path
) -> None:
    download = tmp_path / "instagram-sam-2026-03-14.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("your_instagram_activity/messages/inbox/lily_1/message_1.json", _thread("Lily", OFFENDER))
        zf.writestr("your_instagram_activity/messages/inbox/jo_2/message_1.json", _thread("Jo", FRIEND))
    settings = get_settings()
    with session_factory(database_url)() as session:
        case, _pin = create_case(session)
        add_evidence(session, settings, case, download, received_by="victim", derivers=DERIVERS)
        analyses, problems = case_analyses(session, settings, case)
        found = {(i.kind, i.value) for i in found_details(session, settings, case)}
        facts = collect_facts(session, settings, case)
        searchable = set(
            session.execute(
                select(CaseSearchIdentifier.kind, CaseSearchIdentifier.value).where(
                    CaseSearchIdentifier.case_id == case.id
                )
            ).all()
        )
    assert sorted(a.relevant for a in analyses) == [False, True]
    # The staff queue's identifier search holds the offender's details, never the friend's.
    assert ("paypal_me", "lilypays09") in searchable
    assert not {("snapchat_username", "jo_b77"), ("phone", "+447700900123")} & searchable
    assert any("left out of the offender's details" in p for p in problems)
    assert ("snapchat_username", "lily_x09") in found
    assert ("paypal_me", "lilypays09") in found
    assert not {("snapchat_username", "jo_b77"), ("phone", "+447700900123")} & found
    in_pack = {(i.kind, i.value) for i in facts.identifiers}
    assert ("snapchat_username", "lily_x09") in in_pack
    assert ("phone", "+447700900123") not in in_pack


def test_a_single_chat_is_always_about_the_offender(sqlite_url: str, tmp_path: Path) -> None:
    export = tmp_path / "message_1.json"
    export.write_text(_thread("Jo", FRIEND), encoding="utf-8")
    settings = get_settings()
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        add_evidence(session, settings, case, export, received_by="victim", derivers=DERIVERS)
        found = {(i.kind, i.value) for i in found_details(session, settings, case)}
    # Detection may miss an extortion; a chat the victim chose to upload alone is never dropped.
    assert ("phone", "+447700900123") in found
