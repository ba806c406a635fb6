"""report.pdf, typeset by Typst from the facts passed in as JSON (never spliced into markup)."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import typst

from sxr.analysis.vocabulary import CURRENCY_SYMBOLS, kind_report_label, money_text, stage_label
from sxr.reports.facts import UNKNOWN_METHOD, ReportFacts

FONT_DIRS = [Path("/usr/share/fonts")]  # Debian fonts: DejaVu (text, £, ₦, accents), Noto Color Emoji
# Characters that reorder or hide text (the "RLO" trick that disguises names and links): shown, not obeyed.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZWSP = "\u200b"
# Runs without a space longer than this get invisible break opportunities, so a table can wrap them.
LONG_RUN = 32
BREAK_EVERY = 16
_LONG_RUN_RE = re.compile(rf"\S{{{LONG_RUN + 1},}}")


# typst's stubs leave compile()'s input type open; one typed alias keeps mypy quiet about it.
_compile: Any = typst.compile


DATE_ORDER_LABELS = {"DMY": "day first", "MDY": "month first", "YMD": "year first"}
DATE_HOW_LABELS = {
    "given": "said by the victim",
    "inferred": "settled by the export itself",
    "assumed": "assumed (the export cannot tell)",
}
TEXT_READ_LABELS = {
    "machine": "read by machine (OCR), not checked by a person",
    "victim": "read by machine, then checked against the picture and confirmed by the victim",
    "staff": "read by machine, then checked against the picture and confirmed by staff",
}
NOT_READ_LABELS = {"not_read": "not read", "partly_read": "partly read", "no_chat": "no chat found"}


def amount_text(value: str | None) -> str | None:
    """`GBP:400` as `£400 (GBP:400)`; other currencies as written."""
    if not value or ":" not in value:
        return value
    currency = value.split(":", 1)[0]
    return f"{money_text(value)} ({value})" if currency in CURRENCY_SYMBOLS else value


class PdfError(Exception):
    """Typst could not typeset the report."""


def display_text(value: str) -> str:
    """Text safe to show: controls made visible, bidi overrides named, long runs made breakable."""
    out: list[str] = []
    for ch in value:
        if ch in BIDI_CONTROLS:
            out.append(f"[U+{ord(ch):04X}]")
        elif ch in "\n\t":
            out.append(" " if ch == "\t" else "\n")
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch == "\ufeff":
            out.append("\ufffd")
        else:
            out.append(ch)
    text = "".join(out)
    return _LONG_RUN_RE.sub(lambda m: _breakable(m.group(0)), text)


def _breakable(run: str) -> str:
    return ZWSP.join(run[i : i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY))


def when_text(value: str | None) -> str | None:
    """An ISO 8601 time as `2026-11-20 21:14 +00:00` (short enough for a table cell)."""
    if not value:
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    out = parsed.strftime("%Y-%m-%d %H:%M")
    if parsed.second:
        out = parsed.strftime("%Y-%m-%d %H:%M:%S")
    offset = parsed.strftime("%z")
    return out + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return display_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _size_label(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def typst_input(facts: ReportFacts) -> dict[str, Any]:
    """The document Typst reads: the facts, cleaned for display, with labels worked out."""
    doc = facts.to_json()
    # Sums are listed with the payments; the identifiers table is for who the offender appears to be.
    doc["amounts"] = [
        {"amount": amount_text(x["value"]), "first_i": x["first_i"], "evidence_item": x["evidence_item"]}
        for x in doc["identifiers"]
        if x["kind"] == "amount"
    ]
    doc["identifiers"] = [x for x in doc["identifiers"] if x["kind"] != "amount"]
    for x in doc["identifiers"]:
        x["kind_label"] = kind_report_label(x["kind"])
        where = f"message {x['first_i']}" if x["first_i"] is not None else "—"
        x["first_seen"] = where + (f", {when_text(x['first_seen_at'])}" if x["first_seen_at"] else "")
    for p in doc["payments"]:
        p["method_label"] = "Not said" if p["method"] == UNKNOWN_METHOD else kind_report_label(p["method"])
        p["amount"] = amount_text(p["amount"])
        p["collected_label"] = {True: "yes, the chat says so", False: "no"}.get(p["collected"], "not known")
    for t in doc["timeline"]:
        t["stage_label"] = ", ".join(stage_label(s) for s in t["stages"])
        t["at"] = when_text(t["at"])
    for e in doc["evidence"]:
        e["size_label"] = _size_label(int(e["size"]))
        e["received_at"] = when_text(e["received_at"])
    for r in doc["date_readings"]:
        r["order_label"] = DATE_ORDER_LABELS.get(r["order"], r["order"])
        r["how_label"] = DATE_HOW_LABELS.get(r["how"], r["how"])
    for x in doc["text_readings"]:
        x["read_by_label"] = TEXT_READ_LABELS.get(x["read_by"], x["read_by"])
        x["confirmed_at"] = when_text(x["confirmed_at"]) if x["confirmed_at"] else None
    for x in doc["evidence_not_read"]:
        x["state_label"] = NOT_READ_LABELS.get(x["state"], x["state"])
    doc["production"]["produced_at"] = when_text(doc["production"]["produced_at"])
    doc["victim"]["reported_at"] = when_text(doc["victim"]["reported_at"])
    cleaned: dict[str, Any] = _clean(doc)
    return cleaned


def render_pdf(facts: ReportFacts) -> bytes:
    """Typeset report.pdf for `facts`."""
    template = resources.files("sxr.reports").joinpath("typst/report.typ").read_bytes()
    font_paths = [str(d) for d in FONT_DIRS if d.is_dir()]
    try:
        pdf = _compile(
            template,
            font_paths=font_paths,
            sys_inputs={"facts": json.dumps(typst_input(facts), ensure_ascii=False)},
        )
    except typst.TypstError as exc:
        raise PdfError(f"the report could not be typeset: {exc}") from exc
    if not isinstance(pdf, bytes):
        raise PdfError("Typst returned no PDF")
    return pdf
