"""A person confirms what was read from a screenshot: the corrected reading is a new derived item with its
own ledger entry, the machine's reading is kept (superseded), and the report pack says who read the text."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sxr.app import create_app
from sxr.cases.models import Case
from sxr.cases.services import create_case, open_victim_session
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence import services as evidence
from sxr.evidence.models import DerivedItem, LedgerEntry
from sxr.pipeline.confirm import CorrectedRow, ReadingRefused, confirm_reading, current_reading
from sxr.pipeline.derivers import DERIVERS
from sxr.reports.facts import collect_facts
from sxr.reports.pdf import ZWSP, render_pdf

SAME_SITE = {"sec-fetch-site": "same-origin"}
CHAT: list[tuple[str, ...]] = [
    ("left", "add me on snap lily_x09", "21:04"),
    ("right", "who is this", "21:05"),
    ("left", "send £100 or I send them to everyone", "21:06"),
]
# What the person says the screenshot shows: a word fixed, a side fixed, a bubble split, two merged.
CORRECTED = [
    CorrectedRow("left", "add me on snap lily_x10", "21:04"),
    CorrectedRow("left", "who is this\n\nreally", "21:05"),
    CorrectedRow("left", "send £100 or I send them to everyone", "", merge_up=True),
]


def screenshot(folder: Path) -> Path:
    """A generated phone screenshot of CHAT (drawn, then read by OCR when it is added)."""
    from chat_render import render_chat

    shot = folder / "Screenshot_chat.png"
    render_chat(CHAT, size=(720, 1600), style="whatsapp-light")[0].image.save(shot)
    return shot


def _schema() -> dict[str, object]:
    path = Path(__file__).parents[2] / "src/sxr/reports/schema/report-1.0.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.slow
def test_a_confirmed_reading_supersedes_the_machines(database_url: str, tmp_path: Path) -> None:
    settings = get_settings()
    with session_factory(database_url)() as session:
        case, _pin = create_case(session)
        item = evidence.add_evidence(
            session, settings, case, screenshot(tmp_path), received_by="victim", derivers=DERIVERS
        ).item
        machine = current_reading(session, settings, item)
        assert machine is not None and machine.confirmed_by is None
        assert len(machine.messages) == len(CORRECTED), machine.messages  # the OCR found each bubble
        assert all(m["machine_read"] for m in machine.messages)
        facts = collect_facts(session, settings, case)
        assert [(r.read_by, r.messages) for r in facts.text_readings] == [("machine", 3)]
        old_ids = sorted(d.id for d in evidence.list_derived(session, item))

        assert confirm_reading(session, settings, item, CORRECTED, actor="victim") is True

        current = {d.kind: d for d in evidence.list_derived(session, item)}
        assert set(current) == {"conversation", "analysis"}
        assert sorted(d.id for d in current.values()) != old_ids
        kept = session.scalars(select(DerivedItem).where(DerivedItem.id.in_(old_ids))).all()
        assert len(kept) == 2 and all(d.superseded_at is not None for d in kept)  # kept, not deleted
        conversation = json.loads(evidence.read_derived(settings, current["conversation"]))
        messages = conversation["messages"]
        assert [(m["sender"], m["text"]) for m in messages] == [
            ("left", "add me on snap lily_x10"),
            ("left", "who is this"),
            ("left", "really\nsend £100 or I send them to everyone"),
        ]
        assert [m["sent_at_raw"] for m in messages] == ["21:04", "21:05", "21:05"]
        assert all(m["machine_read"] is False and m["confirmed_by"] == "victim" for m in messages)
        assert conversation["confirmed"]["by"] == "victim"
        # The merged bubble's box holds both bubbles the machine read.
        boxes = [m["source"]["box"] for m in machine.messages]
        assert messages[2]["source"]["box"] == [
            min(boxes[1][0], boxes[2][0]),
            boxes[1][1],
            max(boxes[1][2], boxes[2][2]),
            boxes[2][3],
        ]
        analysis = json.loads(evidence.read_derived(settings, current["analysis"]))
        found = {(i["kind"], i["value"]) for i in analysis["indicators"]}
        assert ("snapchat_username", "lily_x10") in found
        assert ("snapchat_username", "lily_x09") not in found

        entry = session.scalars(select(LedgerEntry).where(LedgerEntry.action == "confirmed")).one()
        details = json.loads(entry.details)
        assert (entry.actor, entry.evidence_item_id) == ("victim", item.id)
        assert sorted(details["replaced_derived_item_ids"]) == old_ids
        assert sorted(details["derived_item_ids"]) == sorted(d.id for d in current.values())

        # A second submit of the same form changes nothing.
        assert confirm_reading(session, settings, item, CORRECTED, actor="victim") is False
        assert len(evidence.list_derived(session, item, superseded=True)) == 4

        facts = collect_facts(session, settings, case)
        assert [(r.read_by, r.messages) for r in facts.text_readings] == [("victim", 3)]
        jsonschema.validate(facts.to_json(), _schema())

        with pytest.raises(ReadingRefused):
            confirm_reading(session, settings, item, CORRECTED[:2], actor="victim")
        with pytest.raises(ReadingRefused):
            confirm_reading(session, settings, item, [CorrectedRow("up", "x", "")] * 3, actor="victim")
    with session_factory(database_url)() as session:
        assert evidence.verify(session, settings).intact


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.slow
def test_the_victim_confirms_a_reading_through_the_web(sqlite_url: str, tmp_path: Path) -> None:
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
        case_id = case.id
    client = TestClient(create_app(get_settings()))
    shot = screenshot(tmp_path)
    page = client.post(
        f"/case/{token}/evidence",
        files=[("files", (shot.name, shot.read_bytes(), "image/png"))],
        headers=SAME_SITE,
    )
    assert page.status_code == 200, page.text
    link = re.search(r'href="(/case/[^"]+/evidence/(\d+)/reading)"', page.text)
    assert link is not None and "Check the messages we read" in page.text
    url, item_id = link.group(1), link.group(2)

    shown = client.get(url)
    assert shown.status_code == 200
    assert "lily_x09" in shown.text and "These are right" in shown.text
    picture = client.get(f"/case/{token}/evidence/{item_id}/picture")
    assert picture.status_code == 200 and picture.content == shot.read_bytes()
    assert picture.headers["content-type"] == "image/png"
    assert picture.headers["cache-control"] == "no-store"
    assert client.get(f"/case/not-a-token/evidence/{item_id}/picture").status_code in (403, 404)
    assert client.get(f"/case/{token}/evidence/{int(item_id) + 99}/picture").status_code == 404

    form = {
        "side": ["left", "left", "left"],
        "text": ["add me on snap lily_x10", "who is this", "send £100 or I send them"],
        "time": ["21:04", "21:05", "21:06"],
    }
    assert client.post(url, data=form, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    too_long = client.post(url, data=form | {"text": ["x" * 5001, "a", "b"]}, headers=SAME_SITE)
    assert too_long.status_code == 400 and "too long" in _text(too_long.text)
    short = client.post(url, data=form | {"side": ["left"]}, headers=SAME_SITE)
    assert short.status_code == 400 and "missing" in _text(short.text)

    done = client.post(url, data=form, headers=SAME_SITE, follow_redirects=False)
    assert done.status_code == 303
    again = client.post(url, data=form, headers=SAME_SITE, follow_redirects=False)
    assert again.status_code == 303
    saved = _text(client.get(done.headers["location"]).text)
    assert "We saved the messages as you checked them" in saved
    assert "You have checked these messages" in saved
    details = _text(client.get(f"/case/{token}/details").text)
    assert "lily_x10" in details and "lily_x09" not in details
    with session_factory(sqlite_url)() as session:
        confirmed = session.scalars(select(LedgerEntry).where(LedgerEntry.action == "confirmed")).all()
        assert len(confirmed) == 1  # the double submit did not pile up
        assert evidence.verify(session, get_settings()).intact
        case = session.get(Case, case_id)
        facts = collect_facts(session, get_settings(), case)
    # The report's PDF says whose reading the screenshot's text is.
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(facts))
    words = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True)
    said = " ".join(words.stdout.replace(ZWSP, "").split())
    assert "Text read from screenshots" in said
    assert "checked against the picture and confirmed by the victim" in said


def test_the_confirm_page_speaks_plainly(reading_grade: Callable[[list[str]], float]) -> None:
    """The page's own words (not the messages) read at Flesch-Kincaid grade 6 or below."""
    from types import SimpleNamespace

    from sxr.guidance.content import default_content
    from sxr.web.templating import templates

    html = templates.env.get_template("cases/reading.html").render(
        region_page=default_content().region_page("GB-ENG"),
        token="t",
        item=SimpleNamespace(id=1, original_name="Screenshot.png"),
        rows=[{"side": "left", "text": "", "time": "", "pictures": 0}] * 2,
        confirmed_by="victim",
        problem=None,
        saved=True,
    )
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main is not None
    page_text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " . ", main.group(0))))
    sentences = [s.strip(" .") for s in page_text.split(" . ") if len(s.strip(" .").split()) > 1]
    assert "These are right" in sentences and len(sentences) > 10
    assert reading_grade(sentences) <= 6


def test_a_heic_screenshot_is_shown_as_a_png_copy(sqlite_url: str) -> None:
    import io

    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(heic, format="HEIF")
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
    client = TestClient(create_app(get_settings()))
    page = client.post(
        f"/case/{token}/evidence",
        files=[("files", ("IMG_0001.HEIC", heic.getvalue(), "image/heic"))],
        headers=SAME_SITE,
    )
    assert page.status_code == 200, page.text
    with session_factory(sqlite_url)() as session:
        item = session.scalars(select(evidence.EvidenceItem)).one()
        assert item.media_type == "image/heic"
    shown = client.get(f"/case/{token}/evidence/{item.id}/picture")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(shown.content)) as image:
        assert image.size == (64, 48) and image.format == "PNG"
    # A picture without messages read has nothing to check, and says so.
    assert "nothing to check" in _text(client.get(f"/case/{token}/evidence/{item.id}/reading").text)
