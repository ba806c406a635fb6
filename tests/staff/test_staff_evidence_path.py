"""Staff see how an export's dates were read and which files could not be read: on the case page, as a
flag in the queue, and in the report pack (report.json and the PDF)."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import zipfile
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from sxr.cases.services import create_case, open_victim_session
from sxr.db import session_scope
from sxr.evidence.models import EvidenceItem
from sxr.reports.pdf import ZWSP

from .staff_helpers import add_user, client, sign_in

SAME_SITE = {"sec-fetch-site": "same-origin"}
AMBIGUOUS_CHAT = (
    "03/12/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "03/12/2026, 21:05 - Tom: yeah who is this\n"
    "04/12/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "05/12/2026, 21:30 - Lily: send £100 to sort code 20-29-59 account 63748472 "
    "or i send the video to everyone\n"
)
NOT_A_CHAT = '{"settings": {"theme": "dark", "notifications": true}}\n'


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _victim_uploads(database_url: str) -> tuple[str, str]:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        reference = case.reference
    victim = client()
    for name, body in (("WhatsApp Chat with Lily.txt", AMBIGUOUS_CHAT), ("settings.json", NOT_A_CHAT)):
        sent = victim.post(
            f"/case/{token}/evidence",
            files=[("files", (name, body.encode("utf-8"), "application/octet-stream"))],
            headers=SAME_SITE,
        )
        assert sent.status_code == 200, sent.text
    return reference, token


def test_staff_see_the_reading_and_the_files_not_read(database_url: str) -> None:
    reference, _token = _victim_uploads(database_url)
    add_user(database_url, "analyst@example.com", "analyst")
    c = client()
    sign_in(c, "analyst@example.com")
    queue = c.get("/staff/cases").text
    row = re.search(rf"<tr>\s*<td[^>]*><a href=\"/staff/cases/{reference}\">.*?</tr>", queue, re.S)
    assert row and "1 file could not be read" in _text(row.group(0))
    page = _text(c.get(f"/staff/cases/{reference}").text)
    assert "1 file could not be read." in page
    assert "settings.json: not read (not_a_chat)" in page
    assert "WhatsApp Chat with Lily.txt: day first (assumed: the custom in GB-ENG (day first)" in page
    assert "03/12/2026 read as 2026-12-03" in page
    assert "202959-63748472" in page


@pytest.mark.slow
def test_the_report_pack_states_the_reading_and_the_evidence_not_read(
    database_url: str, tmp_path: Path
) -> None:
    reference, token = _victim_uploads(database_url)
    with session_scope(database_url) as session:
        chat = session.scalars(select(EvidenceItem).where(EvidenceItem.original_name.like("WhatsApp%"))).one()
        chat_id = chat.id
    switched = client().post(
        f"/case/{token}/evidence/{chat_id}/dates",
        data={"order": "MDY"},
        headers=SAME_SITE,
        follow_redirects=False,
    )
    assert switched.status_code == 303
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    got = c.post(
        f"/staff/cases/{reference}/report-pack",
        data={"csrf_token": csrf, "reason": "request from DC Example"},
    )
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        report = json.loads(zf.read("report.json"))
        (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))
    schema = json.loads(resources.files("sxr.reports").joinpath("schema/report-1.0.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)

    [reading] = report["date_readings"]
    assert (reading["evidence_item"], reading["order"], reading["how"]) == (
        "WhatsApp Chat with Lily.txt",
        "MDY",
        "given",
    )
    assert (reading["example_raw"], reading["example"]) == ("03/12/2026", "2026-03-12")
    [not_read] = report["evidence_not_read"]
    assert (not_read["evidence_item"], not_read["state"]) == ("settings.json", "not_read")
    assert "Not recognised as a chat export" in not_read["what"]
    # The details came through, with the dates as the victim said: the sort code first seen on 12 May.
    bank = next(i for i in report["identifiers"] if i["kind"] == "uk_bank_account")
    assert bank["value"] == "202959-63748472" and bank["first_seen_at"].startswith("2026-05-12")

    text = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.replace(ZWSP + "\n", "").replace(ZWSP, "").split())
    assert "Evidence not read" in text and "settings.json" in text
    assert "How written dates were read" in text
    assert "03/12/2026 read as 2026-03-12" in text
    assert "said by the victim" in text
