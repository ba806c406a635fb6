"""The evidence path never fails in silence: an export whose dates could be read two ways reaches the
details, the staff case page and the report pack with its reading said and switchable; a file that
cannot be read is told to the victim (kindly), flagged to staff and listed in the report pack."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.app import create_app
from sxr.cases.services import create_case, open_victim_session
from sxr.config import Settings, get_settings
from sxr.conversations.importers import import_path
from sxr.conversations.model import Conversation, DateOrderAmbiguous, DateReading
from sxr.db import session_factory
from sxr.evidence import services as evidence
from sxr.evidence.models import DerivedItem, EvidenceReading, LedgerEntry
from sxr.pipeline.derivers import read_chat

SAME_SITE = {"sec-fetch-site": "same-origin"}
# Every day is 12 or below, and the messages run in order either way: the export cannot tell.
AMBIGUOUS_CHAT = (
    "03/12/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "03/12/2026, 21:05 - Tom: yeah who is this\n"
    "04/12/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "05/12/2026, 21:30 - Lily: send £100 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)
# A JSON file, but no chat export: what a victim's phone gives when "export" meant the app's settings.
NOT_A_CHAT = '{"settings": {"theme": "dark", "notifications": true}}\n'


def _case(url: str) -> tuple[str, str]:
    with session_factory(url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
        return case.reference, token


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _upload(client: TestClient, token: str, name: str, body: str) -> str:
    page = client.post(
        f"/case/{token}/evidence",
        files=[("files", (name, body.encode("utf-8"), "application/octet-stream"))],
        headers=SAME_SITE,
    )
    assert page.status_code == 200, page.text
    return _text(page.text)


def test_an_ambiguous_export_is_read_said_and_switched(database_url: str) -> None:
    reference, token = _case(database_url)
    client = TestClient(create_app(get_settings()))
    page = _upload(client, token, "WhatsApp Chat with Lily.txt", AMBIGUOUS_CHAT)
    assert "Saved 1 file." in page
    assert "We read 03/12/2026 as 3 December 2026." in page
    assert "No, it means 12 March 2026" in page

    details = _text(client.get(f"/case/{token}/details").text)
    assert "202959-63748472" in details and "lily_x09" in details
    assert "GBP 100" in details or "£100" in details
    assert "4 December 2026, 21:06" in details  # the Snapchat name, first seen
    assert "We read 03/12/2026 as 3 December 2026." in details

    with session_factory(database_url)() as session:
        item = session.scalars(select(evidence.EvidenceItem)).one()
        reading = session.scalars(select(EvidenceReading)).one()
        assert (reading.state, reading.date_order, reading.date_how) == ("read", "DMY", "assumed")
        item_id = item.id
        before = [d.id for d in evidence.list_derived(session, item)]
        stored = json.loads(evidence.read_derived(get_settings(), evidence.list_derived(session, item)[0]))
        assert stored["date_reading"]["how"] == "assumed" and stored["date_reading"]["order"] == "DMY"

    # Another site cannot switch it.
    refused = client.post(
        f"/case/{token}/evidence/{item_id}/dates",
        data={"order": "MDY"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert refused.status_code == 403

    for _twice in range(2):  # the second tap (or a resent form) changes nothing
        switched = client.post(
            f"/case/{token}/evidence/{item_id}/dates",
            data={"order": "MDY", "back": "details"},
            headers=SAME_SITE,
            follow_redirects=False,
        )
        assert switched.status_code == 303
        assert switched.headers["location"].startswith(f"/case/{token}/details")
    details = _text(client.get(f"/case/{token}/details").text)
    assert "12 April 2026, 21:06" in details
    assert "4 December 2026" not in details
    assert "You told us how the dates in WhatsApp Chat with Lily.txt are written." in details
    assert "We read 03/12/2026 as 12 March 2026." in details
    assert "No, it means 3 December 2026" in details

    with session_factory(database_url)() as session:
        item = session.get(evidence.EvidenceItem, item_id)
        assert item is not None
        current = evidence.list_derived(session, item)
        assert sorted(d.kind for d in current) == ["analysis", "conversation"]
        assert not {d.id for d in current} & set(before)
        every = evidence.list_derived(session, item, superseded=True)
        assert len(every) == 4  # switched once, not twice
        superseded = session.scalars(select(LedgerEntry).where(LedgerEntry.action == "superseded")).all()
        assert len(superseded) == 1
        assert json.loads(superseded[0].details)["derived_item_ids"] == before
        assert session.scalars(select(DerivedItem).where(DerivedItem.superseded_at.is_not(None))).all()
        assert evidence.verify(session, get_settings(), record=False).intact
        reading = session.scalars(select(EvidenceReading)).one()
        assert (reading.date_order, reading.date_how, reading.date_choice) == ("MDY", "given", "MDY")
    assert reference


def test_a_file_that_cannot_be_read_is_told_kindly(database_url: str) -> None:
    _reference, token = _case(database_url)
    client = TestClient(create_app(get_settings()))
    page = _upload(client, token, "chat.json", NOT_A_CHAT)
    assert "You did well" not in page
    assert "We saved 1 file, but we could not read it." in page
    assert "This is not your fault." in page
    assert "take screenshots of the messages" in page
    again = _text(client.get(f"/case/{token}").text)  # and afterwards, not only once
    assert "we could not read the chat in it" in again
    with session_factory(database_url)() as session:
        reading = session.scalars(select(EvidenceReading)).one()
        assert (reading.state, reading.problem) == ("not_read", "not_a_chat")
        assert evidence.not_read_counts(session, [reading.case_id]) == {reading.case_id: 1}
        item_id = reading.evidence_item_id
    # Nothing to switch in a file with no dates read: refused, and nothing is derived again.
    refused = client.post(f"/case/{token}/evidence/{item_id}/dates", data={"order": "MDY"}, headers=SAME_SITE)
    assert refused.status_code == 400
    with session_factory(database_url)() as session:
        assert not session.scalars(select(LedgerEntry).where(LedgerEntry.action == "superseded")).all()


def test_a_deriver_that_breaks_is_told_too(database_url: str) -> None:
    def broken(
        session: Session, settings: Settings, item: evidence.EvidenceItem
    ) -> list[evidence.DerivedContent]:
        raise RuntimeError("a bug in a deriver")

    _reference, token = _case(database_url)
    client = TestClient(create_app(get_settings(), derivers=[broken]))
    page = _upload(client, token, "WhatsApp Chat with Lily.txt", AMBIGUOUS_CHAT)
    assert "We saved 1 file, but we could not read it." in page
    assert "something went wrong on our side" in page
    with session_factory(database_url)() as session:
        reading = session.scalars(select(EvidenceReading)).one()
        assert (reading.state, reading.problem) == ("not_read", "failed")
        assert "a bug in a deriver" in (reading.detail or "")
        actions = [e.action for e in session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
        assert actions == ["received", "warning"]


def _import_that_falls_back(
    path: Path, *, fallback_date_order: str | None = None, **options: Any
) -> Conversation:
    """import_path as the importers will take the region's custom themselves (their own branch)."""
    try:
        return import_path(path, **options)
    except DateOrderAmbiguous:
        if fallback_date_order is None:
            raise
    conversation = import_path(path, **{**options, "date_order": fallback_date_order})
    conversation.date_reading = DateReading(fallback_date_order, "assumed", "", "03/12/2026, 21:04", None)
    return conversation


@pytest.mark.parametrize(
    ("region", "order", "first"), [("GB-ENG", "DMY", "2026-12-03"), ("US", "MDY", "2026-03-12")]
)
def test_the_deriver_reads_by_the_region_and_says_so(
    region: str, order: str, first: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SXR_REGION", region)
    get_settings.cache_clear()
    export = tmp_path / "WhatsApp Chat with Lily.txt"
    export.write_text(AMBIGUOUS_CHAT, encoding="utf-8")
    with pytest.raises(DateOrderAmbiguous):
        import_path(export)  # the importer alone refuses to guess
    conversation = read_chat(import_path, export, settings=get_settings())
    assert conversation.date_reading is not None
    reading = conversation.date_reading
    assert (reading.order, reading.how, reading.example_raw, reading.example) == (
        order,
        "assumed",
        "03/12/2026",
        first,
    )
    assert region in reading.why
    assert conversation.messages[0].sent_at is not None
    assert conversation.messages[0].sent_at.date().isoformat() == first
    # Once the importers take the region's custom themselves, the deriver passes it and keeps their words.
    if order == "DMY":
        passed = read_chat(_import_that_falls_back, export, settings=get_settings())
        assert passed.date_reading is not None
        assert (passed.date_reading.order, passed.date_reading.how) == ("DMY", "assumed")
        assert "GB-ENG" in passed.date_reading.why
        assert (passed.date_reading.example_raw, passed.date_reading.example) == ("03/12/2026", "2026-12-03")
    # The victim's choice comes first, whatever the region.
    chosen = read_chat(import_path, export, settings=get_settings(), date_choice="MDY")
    assert chosen.date_reading is not None
    assert (chosen.date_reading.order, chosen.date_reading.how) == ("MDY", "given")
    assert chosen.date_reading.example == "2026-03-12"
    get_settings.cache_clear()
