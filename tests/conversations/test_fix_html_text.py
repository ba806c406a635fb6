"""HTML to text: style sheets and scripts are not text; paragraphs, list items and rows are lines."""

from __future__ import annotations

from pathlib import Path

from sxr.conversations.importers import import_path
from sxr.conversations.importers.base import html_to_text

_SPAM = (
    "<html><head><style>body { font-family: Arial; color: #333; }</style></head><body>"
    "<p>Hello Tom.</p><p>I recorded you. Pay $1450 in bit coin.</p><p>bc1qexampleaddress0000</p>"
    "<div>Address above</div><script>track()</script><!-- id 77 --></body></html>"
)


def test_an_html_only_email_reads_as_lines_without_its_style_sheet(tmp_path: Path) -> None:
    path = tmp_path / "spam.eml"
    path.write_text(
        'From: "Security Team" <hacker@example.com>\nTo: tom@example.com\nSubject: I recorded you\n'
        "Date: Fri, 14 Mar 2025 21:00:00 +0000\nMIME-Version: 1.0\n"
        'Content-Type: text/html; charset="utf-8"\n\n' + _SPAM + "\n"
    )
    text = import_path(path).messages[0].text
    assert text == (
        "Hello Tom.\nI recorded you. Pay $1450 in bit coin.\nbc1qexampleaddress0000\nAddress above"
    )


def test_skype_style_fragments_read_as_before() -> None:
    assert html_to_text('hi <b>Tom</b> &amp; <a href="https://example.com/x">here</a><br>bye') == (
        "hi Tom & here (https://example.com/x)\nbye"
    )
    assert html_to_text("a<br><br>b &lt;3") == "a\n\nb <3"
    assert html_to_text('<ss type="smile">:)</ss> ok') == ":) ok"


def test_lists_rows_and_unclosed_elements() -> None:
    assert html_to_text("<ul><li>one</li><li>two</li></ul>end") == "one\ntwo\nend"
    assert html_to_text("<table><tr><td>a</td></tr><tr><td>b</td></tr></table>") == "a\nb"
    assert html_to_text("<style>never closed, kept") == "never closed, kept"  # nothing dropped unseen
    assert html_to_text("<!-- never closed") == "<!-- never closed"
    html_to_text("<style>" * 100_000 + "<!--" * 100_000)  # hostile input: linear time
