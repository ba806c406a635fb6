"""Text in exports made plain: bidi marks, Meta's mojibake, HTML, JSON values and pointers."""

from __future__ import annotations

import html
import re
from typing import Any

# Bidi controls WhatsApp and others wrap around names and numbers; they are not part of what was said.
BIDI_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_STRIP_BIDI = str.maketrans("", "", BIDI_MARKS)


_HAS_BIDI = re.compile(f"[{BIDI_MARKS}]")


def strip_bidi(text: str) -> str:
    if text.isascii():  # most text, and none of the marks is ASCII: a look at a flag, no search
        return text
    return text.translate(_STRIP_BIDI) if _HAS_BIDI.search(text) else text


_MOJIBAKE_RUN = re.compile("[\u0080-\u00ff]+")


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return run.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return run


def repair_mojibake(text: str) -> str:
    """Undo Meta's export bug (UTF-8 bytes written as \\u00XX); text that is already right is left alone."""
    if not text or text.isascii():
        return text
    try:
        # The usual case: the whole string is mojibake (one fast C round trip).
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    # Only runs of U+0080..U+00FF that decode as UTF-8 are repaired, so "café" (a lone é) stays "café".
    return _MOJIBAKE_RUN.sub(_repair_run, text)


_TAG = re.compile(r"<[^>]{0,2000}>")
_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
# Elements whose content is not text a person reads: style sheets, scripts, the page's head.
_HIDDEN_OPEN = re.compile(r"<(style|script|head)\b[^>]{0,2000}>", re.IGNORECASE)
_HIDDEN_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in ("style", "script", "head")}
# Tags that start or end a block (paragraph, line, list item, table row, heading): a line break.
_BLOCK = re.compile(
    r"</?(?:p|div|li|ul|ol|tr|table|h[1-6]|blockquote|pre|hr|section|article|header|footer)\b[^>]{0,2000}>",
    re.IGNORECASE,
)
_BREAK = "\x00"
_BREAKS = re.compile(r"\s*\x00[\s\x00]*")


def _drop_hidden(text: str) -> str:
    """The text without <style>, <script> and <head> elements and HTML comments (linear time)."""
    parts: list[str] = []
    at = 0
    while True:
        comment = text.find("<!--", at)
        hidden = _HIDDEN_OPEN.search(text, at)
        if comment < 0 and hidden is None:
            break
        if hidden is None or 0 <= comment < hidden.start():
            close = text.find("-->", comment + 4)
            if close < 0:
                break  # an unclosed comment: keep the rest as it is (tags still go below)
            parts.append(text[at:comment])
            at = close + 3
            continue
        closing = _HIDDEN_CLOSE[hidden.group(1).lower()].search(text, hidden.end())
        if closing is None:
            break  # an unclosed element: keep the rest as it is (tags still go below)
        parts.append(text[at : hidden.start()])
        at = closing.end()
    if not parts:
        return text
    parts.append(text[at:])
    return "".join(parts)


def html_to_text(text: str) -> str:
    """Text of HTML (a Skype message, an HTML-only e-mail): links keep their address, tags go, entities
    are decoded; style sheets and scripts are dropped and paragraphs, list items and rows are lines."""

    def link(match: re.Match[str]) -> str:
        href, label = html.unescape(match.group(1)), _TAG.sub("", match.group(2))
        label = html.unescape(label)
        return label if label.strip() == href.strip() or not href else f"{label} ({href})"

    if "<!--" in text or _HIDDEN_OPEN.search(text):
        text = _drop_hidden(text)
    text = _LINK.sub(link, text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    if _BLOCK.search(text):
        text = _TAG.sub("", _BLOCK.sub(_BREAK, text.replace(_BREAK, "")))
        return html.unescape(_BREAKS.sub("\n", text.strip().strip(_BREAK).strip()))
    return html.unescape(_TAG.sub("", text))


def as_text(value: Any) -> str:
    """A JSON value that should be text, as text ("" for null)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


def pointer_escape(key: str) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
