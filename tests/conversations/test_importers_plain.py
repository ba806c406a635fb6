"""The last resorts: e-mail (.eml and .txt) and pasted chats."""

from __future__ import annotations

from pathlib import Path

from sxr.conversations.importers import import_path, sniff_format

EMAIL = (
    "From: secure.mailer.7731@example.net\n"
    "To: d.whitfield@example.com\n"
    "Date: Tue, 13 Oct 2026 04:17:44 +0100\n"
    "Subject: Your account is hacked. Read this now!\n"
    "Message-ID: <7f3c2a91.4410@example.net>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: text/plain; charset="utf-8"\n'
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Hello!\n"
    "\n"
    "I recorded you. Pay $1450 in bit coin.\n"
)

HTML_EMAIL = (
    'From: "Support Desk" <desk@example.org>\n'
    "Subject: =?utf-8?q?Final_warning_=E2=9A=A0?=\n"
    "Date: Wed, 14 Oct 2026 10:00:00 +0000\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/alternative; boundary="b1"\n'
    "\n"
    "--b1\n"
    'Content-Type: text/html; charset="utf-8"\n'
    "\n"
    "<p>Pay &pound;400 <b>today</b></p>\n"
    "--b1--\n"
)

PASTED = (
    "Hinge chat with Kiara, copied from my phone\n"
    "\n"
    "Kiara: hey Jordan! ur dog is adorable\n"
    "Me: haha thanks\n"
    "Kiara: send me a pic of u?\n"
    "Me: [photo]\n"
    "Kiara: I found ur Facebook.\n"
    "everyone gets ur pic tonight unless u pay\n"
    "Sort code: 20-29-59\n"
    "Me: please stop\n"
)


def test_email_txt(tmp_path: Path) -> None:
    path = tmp_path / "email.txt"
    path.write_text(EMAIL)
    assert sniff_format(path) == "email"
    chat = import_path(path)
    assert chat.format == "plain" and len(chat.messages) == 1
    message = chat.messages[0]
    assert message.sender == "secure.mailer.7731@example.net"
    assert message.text.startswith("Hello!") and "$1450" in message.text
    assert message.sent_at is not None and message.sent_at.isoformat() == "2026-10-13T04:17:44+01:00"
    assert message.source.lines == (1, 12)
    assert chat.title == "Your account is hacked. Read this now!"


def test_email_eml_html_body_and_display_name(tmp_path: Path) -> None:
    path = tmp_path / "warning.eml"
    path.write_text(HTML_EMAIL)
    chat = import_path(path)
    message = chat.messages[0]
    assert message.sender == "Support Desk"
    assert message.text.strip() == "Pay £400 today"
    assert chat.participants[0].platform_id == "desk@example.org"
    assert chat.title == "Final warning ⚠"


def test_pasted_chat(tmp_path: Path) -> None:
    path = tmp_path / "Kiara chat copied.txt"
    path.write_text(PASTED)
    chat = import_path(path)
    assert chat.format == "plain"
    assert [m.sender for m in chat.messages] == ["Kiara", "Me", "Kiara", "Me", "Kiara", "Me"]
    assert chat.notices[0].text.startswith("Hinge chat with Kiara")
    threat = chat.messages[4]
    assert (
        threat.text == "I found ur Facebook.\neveryone gets ur pic tonight unless u pay\nSort code: 20-29-59"
    )
    assert threat.source.lines == (7, 9)
    assert chat.messages[3].text == "[photo]" and chat.messages[3].attachments
    assert chat.messages[0].sent_at is None
    assert any("pasted" in w for w in chat.warnings)


def test_text_without_names_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("someone sent me this and\nsaid they would post it\n")
    chat = import_path(path)
    assert len(chat.messages) == 1 and chat.messages[0].sender == "unknown sender"
    assert chat.messages[0].text == "someone sent me this and\nsaid they would post it"
    assert any("unknown sender" in w for w in chat.warnings)


def test_a_remembered_hash_is_used_only_for_the_same_unchanged_file(tmp_path: Path) -> None:
    import hashlib
    import os

    from sxr.conversations.importers.archive import ExportFiles, forget_sha256, remember_sha256

    path = tmp_path / "chat.txt"
    path.write_text("hello")
    remember_sha256(path, "a" * 64)
    try:
        assert ExportFiles(path).sha256() == "a" * 64
        path.write_text("hello again")  # changed: hashed afresh
        os.utime(path, ns=(1, 1))
        assert ExportFiles(path).sha256() == hashlib.sha256(b"hello again").hexdigest()
    finally:
        forget_sha256(path)
