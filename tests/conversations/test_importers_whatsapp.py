"""WhatsApp: Android and iOS layouts, locales, clocks, marks, placeholders, notices, date orders."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
from conversation_builders import ANDROID_GB, ANDROID_US, IOS_GB, LRM, NNBSP, write_zip

from sxr.conversations.importers import import_path, sniff_format
from sxr.conversations.importers.whatsapp import WhatsApp
from sxr.conversations.model import ExportError


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_android_uk_export(tmp_path: Path) -> None:
    path = _write(tmp_path, "WhatsApp Chat with +44 7700 900123.txt", ANDROID_GB)
    chat = import_path(path, tz="Europe/London")
    assert chat.format == "whatsapp"
    assert chat.title == "+44 7700 900123"
    senders = [m.sender for m in chat.messages]
    assert senders == [
        "+44 7700 900123",
        "Sam",
        "+44 7700 900123",
        "+44 7700 900123",
        "Sam",
        "+44 7700 900123",
    ]
    assert [n.text[:20] for n in chat.notices] == ["Messages and calls a", "You blocked this con"]
    first = chat.messages[0]
    assert first.text.startswith("Hi Sam, it's Jess")
    assert first.sent_at is not None and first.sent_at.isoformat() == "2026-03-06T20:41:00+00:00"
    assert first.sent_at_raw == "06/03/2026, 20:41"
    # Multi-line message: continuation lines joined, the line range covers them.
    threat = chat.messages[3]
    assert threat.text == "I have your friends list. Look\nAnna - sister\nBen - work"
    assert threat.source.lines == (5, 7)
    assert chat.messages[2].attachments and chat.messages[2].text == ""
    assert chat.messages[4].deleted
    assert chat.messages[5].edited and chat.messages[5].text == "1 hour left"
    # The unsaved contact keeps its number as a stable id, bidi marks removed.
    ids = {p.name: p.platform_id for p in chat.participants}
    assert ids == {"+44 7700 900123": "+447700900123", "Sam": None}
    assert first.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [m.i for m in chat.messages] == list(range(6))


def test_us_twelve_hour_clock_with_two_digit_years_reads_month_first(tmp_path: Path) -> None:
    path = _write(tmp_path, "WhatsApp Chat with Maya.txt", ANDROID_US)
    inferred = import_path(path)
    assert inferred.date_reading is not None
    assert (inferred.date_reading.order, inferred.date_reading.how) == ("MDY", "inferred")
    assert "12-hour clock" in inferred.date_reading.why
    assert (inferred.date_reading.example_raw, inferred.date_reading.example) == ("4/9/26", "2026-04-09")
    chat = import_path(path, date_order="MDY", tz="America/New_York")
    assert chat.date_reading is not None and chat.date_reading.how == "given"
    assert [m.sender for m in chat.messages] == ["Ava", "Maya", "Ava"]
    assert chat.messages[0].sent_at is not None
    assert chat.messages[0].sent_at.isoformat() == "2026-04-09T19:12:00-04:00"
    assert chat.messages[1].sent_at is not None and chat.messages[1].sent_at.hour == 0  # 12:05 AM
    assert chat.messages[1].attachments == ["IMG-20260409-WA0003.jpg"]
    assert chat.messages[2].sent_at is not None and chat.messages[2].sent_at.day == 10
    assert chat.messages[0].sent_at_raw == f"4/9/26, 7:12{NNBSP}PM"
    # The same file read day-first gives other (wrong, but asked-for) dates: 4 September.
    dmy = import_path(path, date_order="DMY", tz="America/New_York")
    assert dmy.messages[0].sent_at is not None and dmy.messages[0].sent_at.month == 9


def test_date_order_read_from_the_file(tmp_path: Path) -> None:
    mdy = _write(tmp_path, "us.txt", "12/31/25, 11:59 PM - Ava: new year\n1/2/26, 9:00 AM - Maya: hi\n")
    chat = import_path(mdy)
    assert chat.messages[0].sent_at is not None and (
        chat.messages[0].sent_at.month,
        chat.messages[0].sent_at.day,
    ) == (12, 31)
    assert chat.messages[1].sent_at is not None and (
        chat.messages[1].sent_at.month,
        chat.messages[1].sent_at.day,
    ) == (1, 2)
    wrong = _write(tmp_path, "wrong.txt", "31/12/2025, 23:59 - Ava: hi\n")
    # An order that does not fit loses nothing: the line is kept without a time, and said.
    misread = import_path(wrong, date_order="MDY")
    assert [(m.text, m.sent_at) for m in misread.messages] == [("hi", None)]
    assert any("line 1" in w and "other --date-order" in w for w in misread.warnings)
    mixed = _write(tmp_path, "mixed.txt", "31/12/2025, 23:59 - Ava: hi\n12/31/2025, 23:59 - Ava: hi\n")
    with pytest.raises(ExportError, match="mixes"):
        import_path(mixed)
    # An edited file: most dates settle the order, and the line that does not fit keeps its words.
    edited = _write(
        tmp_path,
        "edited.txt",
        "30/12/2025, 23:59 - Ava: hi\n31/12/2025, 23:59 - Ava: hi\n12/31/2025, 23:59 - Ava: pay\n",
    )
    chat = import_path(edited)
    assert chat.date_reading is not None and chat.date_reading.order == "DMY"
    assert "most dates (2)" in chat.date_reading.why
    assert [m.sent_at is None for m in chat.messages] == [False, False, True]
    assert any("line 3" in w for w in chat.warnings)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("31.12.25, 23:59 - Jonas: Frohes neues Jahr", (2025, 12, 31, 23, 59)),
        ("[31.12.25, 23:59:07] Jonas: hallo", (2025, 12, 31, 23, 59)),
        ("2025-12-31, 23:59 - Erik: gott nytt år", (2025, 12, 31, 23, 59)),
        ("31/12/2025 à 23:59 - Léa: bonne année", (2025, 12, 31, 23, 59)),
        (f"[31/12/2025, 11:59:00{NNBSP}PM] Ava: bracketed twelve-hour", (2025, 12, 31, 23, 59)),
        ("31/12/2025, 11:59 p. m. - Lucía: feliz año", (2025, 12, 31, 23, 59)),
        ("31/12/2025 23:59 - Tom: no comma", (2025, 12, 31, 23, 59)),
    ],
)
def test_locale_variants(tmp_path: Path, line: str, expected: tuple[int, ...]) -> None:
    path = _write(tmp_path, "chat.txt", line + "\n")
    chat = import_path(path, tz="UTC")
    when = chat.messages[0].sent_at
    assert when is not None
    assert (when.year, when.month, when.day, when.hour, when.minute) == expected
    assert chat.messages[0].text == line.split(": ", 1)[1]


def test_ios_zip_crlf_marks_and_notices(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "WhatsApp Chat - Mum.zip",
        {"_chat.txt": IOS_GB, "00000009-PHOTO-2026-06-13-18-05-40.jpg": b"\xff\xd8\xff"},
    )
    chat = import_path(path, date_order="DMY")
    assert chat.title == "Mum"
    assert [n.text.split(".")[0] for n in chat.notices] == [
        "Messages and calls are end-to-end encrypted",
        "You blocked this contact",
    ]
    texts = [m.text for m in chat.messages]
    assert texts == ["Good evening my son", "", "", "You deleted this message.", "first line\nsecond line"]
    assert all(LRM not in t and "\r" not in t for t in texts)
    assert chat.messages[1].attachments == ["00000009-PHOTO-2026-06-13-18-05-40.jpg"]
    assert chat.messages[2].attachments == ["image omitted (not included in the export)"]
    assert chat.messages[3].deleted
    source = chat.messages[0].source
    assert source.member == "_chat.txt" and source.file == "WhatsApp Chat - Mum.zip"
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.member_sha256 == hashlib.sha256(IOS_GB.encode()).hexdigest()
    assert (
        chat.messages[0].sent_at is not None
        and chat.messages[0].sent_at.isoformat() == "2026-06-13T18:02:51+01:00"
    )


def test_utf16_and_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, "chat.txt", "\ufeff" + ANDROID_GB, encoding="utf-16")
    chat = import_path(path)
    assert len(chat.messages) == 6
    bom = _write(tmp_path, "bom.txt", "\ufeff" + ANDROID_GB)
    assert import_path(bom).messages[0].sender == "+44 7700 900123"


def test_warnings_and_time_zone(tmp_path: Path) -> None:
    path = _write(tmp_path, "WhatsApp Chat with Ava.txt", ANDROID_GB)
    chat = import_path(path, tz="America/Chicago")
    assert chat.messages[0].sent_at is not None and chat.messages[0].sent_at.utcoffset() is not None
    assert chat.messages[0].sent_at.isoformat().endswith("-06:00")
    assert any("View-once" in w for w in chat.warnings)
    assert any("America/Chicago" in w for w in chat.warnings)
    with pytest.raises(ExportError, match="time zone"):
        import_path(path, tz="Mars/Olympus")
    with pytest.raises(ExportError, match="DMY, MDY or YMD"):
        import_path(path, date_order="YDM")


def test_sniff_and_plugin_shape(tmp_path: Path) -> None:
    path = _write(tmp_path, "WhatsApp Chat with Ava.txt", ANDROID_GB)
    assert WhatsApp().sniff(path)
    assert sniff_format(path) == "whatsapp"
    assert WhatsApp().parse(path).messages[1].sender == "Sam"
    other = _write(tmp_path, "notes.txt", "shopping: milk\nbread\n")
    assert not WhatsApp().sniff(other)


def test_not_a_whatsapp_line_after_the_first(tmp_path: Path) -> None:
    # A continuation that looks like a date but is not a header stays part of the message.
    path = _write(tmp_path, "chat.txt", "13/03/2026, 21:30 - Sam: see you on\n14/03 at noon\n")
    chat = import_path(path)
    assert chat.messages[0].text == "see you on\n14/03 at noon"


def test_typed_words_like_a_notice_stay_a_message(tmp_path: Path) -> None:
    text = (
        "[13/06/2026, 18:02:51] Mum: lol you changed the subject\r\n"
        f"[13/06/2026, 18:03:00] Mum: {LRM}Missed voice call\r\n"
        "[13/06/2026, 18:04:00] Tobi: Missed voice call from you, sorry\r\n"
    )
    chat = import_path(write_zip(tmp_path / "WhatsApp Chat - Mum.zip", {"_chat.txt": text}), date_order="DMY")
    assert [m.text for m in chat.messages] == [
        "lol you changed the subject",
        "Missed voice call from you, sorry",
    ]
    assert [n.text for n in chat.notices] == ["Missed voice call"]


def test_times_where_the_clocks_change_keep_going_forward(tmp_path: Path) -> None:
    text = (
        "30/03/2025, 00:50 - Maya: before the clocks go forward\n"
        "30/03/2025, 01:30 - Maya: a time that never was\n"
        "26/10/2025, 01:30 - Sam: first time round\n"
        "26/10/2025, 01:10 - Maya: second time round\n"
        "26/10/2025, 02:05 - Sam: after\n"
    )
    chat = import_path(_write(tmp_path, "WhatsApp Chat with Maya.txt", text), tz="Europe/London")
    stamps = [m.sent_at for m in chat.messages if m.sent_at is not None]
    assert [s.isoformat() for s in stamps] == [
        "2025-03-30T00:50:00+00:00",
        "2025-03-30T02:30:00+01:00",
        "2025-10-26T01:30:00+01:00",
        "2025-10-26T01:10:00+00:00",
        "2025-10-26T02:05:00+00:00",
    ]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert [m.sent_at_raw for m in chat.messages][1] == "30/03/2025, 01:30"
    assert any("clock" in w for w in chat.warnings)


def test_a_windows_ansi_export_keeps_every_character(tmp_path: Path) -> None:
    text = "12/04/2026, 21:40 - Maya: café £50 now\n13/04/2026, 08:00 - Sam: no\n"
    chat = import_path(_write(tmp_path, "WhatsApp Chat with Maya.txt", text, "cp1252"), tz="Europe/London")
    assert chat.messages[0].text == "café £50 now"
    assert any("Windows-1252" in w for w in chat.warnings)
