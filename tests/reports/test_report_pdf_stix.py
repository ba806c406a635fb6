"""report.pdf shows the facts (identifiers found by pdftotext, hostile text inert); stix.json parses."""

from __future__ import annotations

import json
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from report_sample import IDENTIFIERS

from sxr.analysis.document import AnalysedChat
from sxr.reports.facts import ReportFacts, facts_from_analysis
from sxr.reports.pack import PackResult
from sxr.reports.pdf import BIDI_CONTROLS, LONG_RUN, ZWSP, display_text, render_pdf


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    # Long values are wrapped at invisible break points; join them back as a reader copying would.
    joined = out.stdout.replace(ZWSP + "\n", "").replace(ZWSP, "")
    return " ".join(joined.split())  # table cells wrap: compare words, not line breaks


def test_pdf_lists_every_identifier_and_renders_symbols(facts: ReportFacts, tmp_path: Path) -> None:
    text = _pdf_text(render_pdf(facts), tmp_path)
    for value in IDENTIFIERS.values():
        assert value in text, value
    for needle in ("SXR-7Q4K-2M9D", "£400", "₦50,000", "café", "Samaritans", "116 123", "GBP:400"):
        assert needle in text, needle
    assert "Snapchat username" in text and "Bitcoin address" in text


def test_hostile_text_is_shown_not_obeyed(facts: ReportFacts, tmp_path: Path) -> None:
    pdf = render_pdf(facts)
    text = _pdf_text(pdf, tmp_path)
    # The markup arrives on the page as the characters the offender typed.
    assert '#set page(fill: red) #panic("owned") *bold* _it_ $x^2$' in text
    assert "[U+202E]gpj.exe[U+202C]" in text  # the right-to-left override is named, not applied
    assert "\x00" not in text and "\x1b" not in text
    assert "W" * 16 in text  # the long run is there, wrapped rather than cut or overflowing
    # Had `#set page(fill: red)` been evaluated, the page would be red: it is white.
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "30",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "report.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    assert page.getpixel((2, 2)) == (255, 255, 255)
    assert page.getpixel((page.width - 3, page.height - 3)) == (255, 255, 255)


def test_the_emoji_font_is_embedded(facts: ReportFacts, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(facts))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "DejaVuSans" in fonts
    assert "no  " not in "".join(line[60:70] for line in fonts.splitlines()[2:])  # every font embedded


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\u202eb", "a[U+202E]b"),
        ("tab\there", "tab here"),
        ("bell\x07", "bell\ufffd"),
        ("x" * 40, "x" * 16 + ZWSP + "x" * 16 + ZWSP + "x" * 8),
        ("#emph[x]", "#emph[x]"),
    ],
)
def test_display_text(raw: str, shown: str) -> None:
    assert display_text(raw) == shown


def test_stix_bundle_parses_with_the_expected_objects(pack: PackResult) -> None:
    with zipfile.ZipFile(pack.path) as zf:
        doc = json.loads(zf.read("stix.json"))
    bundle = stix2.parse(doc, allow_custom=True)
    types = {o["type"] for o in bundle.objects}
    assert {
        "identity",
        "extension-definition",
        "user-account",
        "email-addr",
        "url",
        "observed-data",
        "x-sxr-payment-account",
        "x-sxr-payment",
    } <= types
    logins = {o.get("account_login") for o in bundle.objects if o["type"] == "user-account"}
    assert {"lily_x09", "lily.x09.real", "+447700900123"} <= logins
    accounts = {(o["method"], o["value"]) for o in bundle.objects if o["type"] == "x-sxr-payment-account"}
    assert ("btc_address", IDENTIFIERS["btc_address"]) in accounts
    ids = {o["id"] for o in bundle.objects}
    for observed in (o for o in bundle.objects if o["type"] == "observed-data"):
        assert set(observed["object_refs"]) <= ids
        assert observed["first_observed"] <= observed["last_observed"]
    payment = next(o for o in bundle.objects if o["type"] == "x-sxr-payment" and o["method"] == "btc_address")
    assert payment["amount"] == "GBP:400" and payment["collected"] is True


def test_facts_from_an_analysis_document() -> None:
    analysis = {
        "messages": [
            {
                "i": 0,
                "sender": "Lily",
                "sent_at": "2026-11-20T21:00:00+00:00",
                "text": "heyy",
                "stages": ["contact"],
            },
            {"i": 1, "sender": "Lily", "sent_at": None, "text": "add me on snap lily_x09", "stages": []},
            {
                "i": 2,
                "sender": "Lily",
                "sent_at": None,
                "text": "£400 to bc1q... or else",
                "stages": ["demand"],
            },
            {"i": 3, "sender": "Tom", "sent_at": None, "text": "i sent it", "stages": ["payment"]},
            {"i": 4, "sender": "Tom", "sent_at": None, "text": "i want to die", "stages": ["self_harm"]},
        ],
        "indicators": [
            {"kind": "snapchat_username", "value": "lily_x09", "first_i": 1, "raw": "lily_x09"},
            {"kind": "amount", "value": "GBP:400", "first_i": 2, "raw": "£400"},
            {"kind": "btc_address", "value": IDENTIFIERS["btc_address"], "first_i": 2, "raw": "bc1q"},
        ],
        "warnings": ["media omitted"],
    }
    found = facts_from_analysis(AnalysedChat.from_json(analysis), evidence_item="chat.txt")
    assert [(i.kind, i.first_i) for i in found.identifiers] == [
        ("snapchat_username", 1),
        ("amount", 2),
        ("btc_address", 2),
    ]
    assert [(p.method, p.amount, p.collected) for p in found.payments] == [("btc_address", "GBP:400", True)]
    assert [t.i for t in found.timeline] == [0, 2, 3, 4]
    assert found.warnings == ["media omitted"] and found.self_harm is True


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_display_text_never_lets_controls_or_bidi_overrides_through(raw: str) -> None:
    shown = display_text(raw)
    for ch in shown:
        assert ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
        assert ch not in BIDI_CONTROLS
    assert all(len(run) <= LONG_RUN for word in shown.split() for run in word.split(ZWSP))
