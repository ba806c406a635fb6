"""Adding a kind of indicator is one change: register an `IndicatorKind` and it is labelled on the staff
page, can be confirmed by staff, reaches report.json and report.pdf, and is exported in STIX."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sxr.analysis import vocabulary
from sxr.analysis.vocabulary import Family, IndicatorKind
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.reports.pdf import ZWSP

from .staff_helpers import add_user, case_with_chat, client, sign_in

SIGNAL = IndicatorKind(
    "signal_username",
    "Signal name",
    "Signal username",
    Family.HANDLE,
    stix_observable="user-account",
    stix_account_type="signal",
    profile_url="https://signal.me/#u/{}",
)
REVOLUT = IndicatorKind("revolut_tag", "Revolut name", "Revolut @tag", Family.ACCOUNT)


@pytest.fixture
def new_kinds() -> Iterator[None]:
    """The one place a new kind is added: the vocabulary (a deployment registers its own the same way)."""
    vocabulary.register(SIGNAL)
    vocabulary.register(REVOLUT)
    yield
    vocabulary.unregister(SIGNAL.name)
    vocabulary.unregister(REVOLUT.name)


def _add_found(database_url: str, item_id: int) -> None:
    """Store an analysis that found the new kinds (as an extractor taught them would), beside the chat's."""
    from sxr.evidence.models import EvidenceItem
    from sxr.evidence.services import add_derived, list_derived, read_derived

    settings = get_settings()
    with session_scope(database_url) as session:
        item = session.get(EvidenceItem, item_id)
        assert item is not None
        derived = next(d for d in list_derived(session, item) if d.kind == "analysis")
        doc = json.loads(read_derived(settings, derived))
        doc["indicators"] += [
            {"kind": "signal_username", "value": "lily.09", "first_i": 2, "raw": "lily.09", "messages": [2]},
            {"kind": "revolut_tag", "value": "lilypays", "first_i": 4, "raw": "@lilypays", "messages": [4]},
        ]
        add_derived(
            session,
            settings,
            item,
            kind="analysis",
            media_type="application/json",
            data=json.dumps(doc).encode(),
            created_by="test",
        )
        session.commit()


@pytest.mark.slow
def test_a_registered_kind_is_labelled_reviewable_reported_and_exported(
    database_url: str, tmp_path: Path, new_kinds: None
) -> None:
    chat = case_with_chat(database_url, tmp_path)
    _add_found(database_url, chat.item_id)
    add_user(database_url, "officer@example.com", "officer")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    url = f"/staff/cases/{chat.reference}"

    page = c.get(url).text
    assert "Signal name" in page and "lily.09" in page and "Revolut name" in page

    for kind, value in (("signal_username", "lily.09"), ("revolut_tag", "lilypays")):
        done = c.post(
            f"{url}/details",
            data={"csrf_token": csrf, "kind": kind, "value": value, "decision": "confirmed"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
    assert "confirmed by staff:officer@example.com" in c.get(url).text

    got = c.post(f"{url}/report-pack", data={"csrf_token": csrf, "reason": "crime 12/3456/26"})
    assert got.status_code == 200, got.text
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        report = json.loads(zf.read("report.json"))
        stix = json.loads(zf.read("stix.json"))
        (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))

    found = {i["kind"]: i for i in report["identifiers"]}
    signal = found["signal_username"]
    assert signal["value"] == "lily.09" and signal["review"] == "confirmed"
    assert found["revolut_tag"]["review"] == "confirmed"
    # A money kind is a payment method: it is listed with the payments, with the sum asked for.
    assert ("revolut_tag", "lilypays", "GBP:400") in {
        (p["method"], p["reference"], p["amount"]) for p in report["payments"]
    }

    objects = stix["objects"]
    assert {"type": "user-account", "account_type": "signal", "account_login": "lily.09"}.items() <= next(
        o for o in objects if o.get("account_type") == "signal"
    ).items()
    assert any(o["type"] == "url" and o["value"] == "https://signal.me/#u/lily.09" for o in objects)
    assert any(
        o["type"] == "x-sxr-payment-account" and o["method"] == "revolut_tag" and o["value"] == "lilypays"
        for o in objects
    )

    text = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.replace(ZWSP + "\n", "").replace(ZWSP, "").split())
    assert "Signal username" in text and "lily.09" in text and "Revolut @tag" in text


def test_an_unregistered_kind_is_refused_at_review(database_url: str, tmp_path: Path) -> None:
    """The other side of the same table: a kind nobody registered cannot be confirmed."""
    from sxr.analysis.services import ReviewError, record_decision

    chat = case_with_chat(database_url, tmp_path)
    with session_scope(database_url) as session, pytest.raises(ReviewError):
        record_decision(session, chat.case_id, "signal_username", "lily.09", "confirmed", "victim")
