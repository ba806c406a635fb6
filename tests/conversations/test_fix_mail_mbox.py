"""An e-mail saved with an mbox "From " separator line, and an mbox file holding several e-mails."""

from __future__ import annotations

from pathlib import Path

from sxr.conversations.importers import import_path, sniff_format

ONE = """From hacker@example.com Fri Mar 14 21:00:00 2025
From: hacker@example.com
To: tom@example.com
Subject: hi
Date: Fri, 14 Mar 2025 21:00:00 +0000

Pay me.
"""

TWO = (
    ONE
    + """
From other@example.com Sat Mar 15 09:30:00 2025
From: Support <other@example.com>
To: tom@example.com
Subject: last chance
Date: Sat, 15 Mar 2025 09:30:00 +0000

>From now on I will tell your friends.
Send it today.
"""
)


def test_leading_mbox_line_is_an_email(tmp_path: Path) -> None:
    path = tmp_path / "mbox-style.eml"
    path.write_text(ONE)
    assert sniff_format(path) == "email"
    chat = import_path(path)
    assert chat.title == "hi"
    assert [(m.sender, m.text) for m in chat.messages] == [("hacker@example.com", "Pay me.")]
    assert chat.messages[0].source.lines == (1, 7)
    assert chat.messages[0].sent_at is not None and chat.messages[0].sent_at.isoformat() == (
        "2025-03-14T21:00:00+00:00"
    )
    assert not any("e-mails" in w for w in chat.warnings)


def test_every_email_of_an_mbox_file_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "inbox.eml"
    path.write_text(TWO)
    chat = import_path(path)
    assert chat.title == "hi"
    assert [m.sender for m in chat.messages] == ["hacker@example.com", "Support"]
    assert chat.messages[1].text == ">From now on I will tell your friends.\nSend it today."
    assert [m.source.lines for m in chat.messages] == [(1, 7), (9, 16)]
    assert [p.platform_id for p in chat.participants] == ["hacker@example.com", "other@example.com"]
    assert any("holds 2 e-mails" in w for w in chat.warnings)


def test_a_from_line_inside_a_body_does_not_split(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_text(ONE.replace("Pay me.\n", "Pay me.\nFrom Monday 2 I will post it.\n"))
    chat = import_path(path)
    assert [m.text for m in chat.messages] == ["Pay me.\nFrom Monday 2 I will post it."]
