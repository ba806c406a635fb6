"""Pasted chats: one-off names start messages once two people write; stamps with dates give times."""

from __future__ import annotations

from pathlib import Path

from sxr.conversations.importers import import_path


def _chat(tmp_path: Path, text: str, **options: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "chat.txt"
    path.write_text(text, encoding="utf-8")
    return import_path(path, **options)


def test_a_name_that_writes_once_starts_its_own_message(tmp_path: Path) -> None:
    chat = _chat(tmp_path, "Lily: hi\nTom: hello\nLily: send a pic\n")
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("Lily", "hi"),
        ("Tom", "hello"),
        ("Lily", "send a pic"),
    ]
    assert {p.name for p in chat.participants} == {"Lily", "Tom"}


def test_a_label_line_stays_in_the_message_and_the_run_says_so(tmp_path: Path) -> None:
    chat = _chat(
        tmp_path, "Lily: my bank details\nSort code: 12-34-56\nAccount: 12345678\nTom: ok\nLily: pay\n"
    )
    assert chat.messages[0].text == "my bank details\nSort code: 12-34-56\nAccount: 12345678"
    assert [m.sender for m in chat.messages] == ["Lily", "Tom", "Lily"]
    assert any("line 2, 3" in w and "kept as part of the message" in w for w in chat.warnings)


def test_a_date_and_time_before_the_name_give_the_time(tmp_path: Path) -> None:
    chat = _chat(tmp_path, "14/03/2025 21:00 Lily: hi\n14/03/2025 21:01:30 Tom: hello\n")
    assert [m.sender for m in chat.messages] == ["Lily", "Tom"]
    assert chat.messages[0].sent_at_raw == "14/03/2025 21:00"
    assert [m.sent_at.isoformat() for m in chat.messages if m.sent_at] == [
        "2025-03-14T21:00:00+00:00",
        "2025-03-14T21:01:30+00:00",
    ]
    assert any("Europe/London" in w for w in chat.warnings)


def test_iso_dates_in_the_hour_the_clocks_go_back_keep_time_going_forward(tmp_path: Path) -> None:
    chat = _chat(tmp_path, "2025-10-26 01:30 Lily: first\n2025-10-26 01:10 Tom: second\n")
    first, second = (m.sent_at for m in chat.messages)
    assert first is not None and second is not None and second > first


def test_times_without_a_date_keep_only_the_written_time(tmp_path: Path) -> None:
    chat = _chat(tmp_path, "21:00:15 Lily: hi\n9:01 PM - Tom: hello\n[21:02] Lily: ok\n")
    assert [(m.sender, m.sent_at, m.sent_at_raw) for m in chat.messages] == [
        ("Lily", None, "21:00:15"),
        ("Tom", None, "9:01 PM"),
        ("Lily", None, "21:02"),
    ]


def test_dates_that_could_be_either_order_are_not_guessed(tmp_path: Path) -> None:
    plain = _chat(tmp_path, "03/04/2025 21:00 Lily: hi\n03/04/2025 21:01 Tom: hello\n")
    assert all(m.sent_at is None and m.sent_at_raw for m in plain.messages)
    assert any("--date-order" in w for w in plain.warnings)
    us = _chat(tmp_path, "03/04/2025 21:00 Lily: hi\n03/04/2025 21:01 Tom: hello\n", date_order="MDY")
    assert (
        us.messages[0].sent_at is not None
        and us.messages[0].sent_at.isoformat() == "2025-03-04T21:00:00+00:00"
    )
