"""WhatsApp: notices holding ": ", a browser's "(1)" in the file name, localised titles, names with ": "."""

from __future__ import annotations

from pathlib import Path

import pytest
from conversation_builders import LRM, write_zip

from sxr.conversations.importers import import_path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


TRIP = """14/03/2025, 21:00 - Tom created group "Trip: Ibiza"
14/03/2025, 21:00 - Tom added Lily
14/03/2025, 21:01 - Tom changed the subject from "Trip: Ibiza" to "Trip: Mallorca"
14/03/2025, 21:02 - Lily: hi
14/03/2025, 21:02 - Tom added Mum: Work
14/03/2025, 21:03 - Max hat die Gruppe „Tour: Rom“ erstellt
14/03/2025, 21:04 - Lily left
"""


def test_android_notices_with_a_colon_invent_no_sender(tmp_path: Path) -> None:
    chat = import_path(_write(tmp_path, "WhatsApp Chat with Trip.txt", TRIP), date_order="DMY")
    assert [(m.sender, m.text) for m in chat.messages] == [("Lily", "hi")]
    assert [p.name for p in chat.participants] == ["Lily"]
    assert [n.text for n in chat.notices] == [
        'Tom created group "Trip: Ibiza"',
        "Tom added Lily",
        'Tom changed the subject from "Trip: Ibiza" to "Trip: Mallorca"',
        "Tom added Mum: Work",
        "Max hat die Gruppe „Tour: Rom“ erstellt",
        "Lily left",
    ]
    assert [n.source.lines for n in chat.notices] == [(1, 1), (2, 2), (3, 3), (5, 5), (6, 6), (7, 7)]


@pytest.mark.parametrize(
    "text",
    [
        'created group "Trip: Ibiza"',
        'changed the subject from "A: b" to "C: d"',
        "Lily added Ben",
        "Ben left",
        "Sam: Tom added Lily",
        "Messages and calls are end-to-end encrypted: no",
    ],
)
def test_real_messages_that_look_like_notices_stay_messages(tmp_path: Path, text: str) -> None:
    body = f"14/03/2025, 21:00 - Lily: {text}\n14/03/2025, 21:01 - Tom: ok\n"
    chat = import_path(_write(tmp_path, "WhatsApp Chat with Lily.txt", body), date_order="DMY")
    assert [(m.sender, m.text) for m in chat.messages] == [("Lily", text), ("Tom", "ok")]
    assert chat.notices == []


FRIENDS = f"""[14/03/2025, 21:00:01] Friends: {LRM}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
[14/03/2025, 21:00:02] Friends: {LRM}Tom created group “Friends”
[14/03/2025, 21:00:03] Friends: {LRM}Tom added Lily
[14/03/2025, 21:01:00] Lily: hi all
[14/03/2025, 21:01:30] Lily: {LRM}image omitted
[14/03/2025, 21:02:00] Friends: {LRM}Lily left
"""  # noqa: E501


@pytest.mark.parametrize(
    "name", ["WhatsApp Chat - Friends.zip", "WhatsApp Chat - Friends (1).zip", "chat.zip"]
)
def test_ios_group_notices_whatever_the_file_is_called(tmp_path: Path, name: str) -> None:
    chat = import_path(write_zip(tmp_path / name, {"_chat.txt": FRIENDS}), date_order="DMY")
    assert chat.title == ("Friends" if name.startswith("WhatsApp") else None)
    assert [(m.sender, m.text, list(m.attachments)) for m in chat.messages] == [
        ("Lily", "hi all", []),
        ("Lily", "", ["image omitted (not included in the export)"]),
    ]
    assert [n.text for n in chat.notices][1:] == [
        "Tom created group “Friends”",
        "Tom added Lily",
        "Lily left",
    ]
    assert [p.name for p in chat.participants] == ["Lily"]  # the group's name is no participant


def test_ios_group_name_with_a_colon(tmp_path: Path) -> None:
    text = (
        f"[14/03/2025, 21:00:02] Trip: Ibiza: {LRM}Tom created group “Trip: Ibiza”\n"
        "[14/03/2025, 21:01:00] Lily: hi\n"
        f"[14/03/2025, 21:02:00] Trip: Ibiza: {LRM}Lily left\n"
    )
    chat = import_path(write_zip(tmp_path / "chat.zip", {"_chat.txt": text}), date_order="DMY")
    assert [(m.sender, m.text) for m in chat.messages] == [("Lily", "hi")]
    assert [n.text for n in chat.notices] == ["Tom created group “Trip: Ibiza”", "Lily left"]
    assert [p.name for p in chat.participants] == ["Lily"]


@pytest.mark.parametrize(
    ("stem", "title"),
    [
        ("WhatsApp-Chat mit Lena", "Lena"),
        ("WhatsApp Chat with Lena", "Lena"),
        ("WhatsApp Chat with Lena (2)", "Lena"),
        ("Chat de WhatsApp con Lena", "Lena"),
        ("Chat WhatsApp avec Lena", "Lena"),
        ("Discussion WhatsApp avec Lena", "Lena"),
        ("Chat WhatsApp con Lena", "Lena"),
        ("Conversa do WhatsApp com Lena", "Lena"),
        ("WhatsApp Chat met Lena", "Lena"),
        ("WhatsApp-chat met Lena", "Lena"),
        ("WhatsApp Chat - Lena", "Lena"),
    ],
)
def test_title_from_localised_file_names(tmp_path: Path, stem: str, title: str) -> None:
    body = "31.12.25, 23:59 - Lena: Frohes neues!\n01.01.26, 00:01 - Max: danke\n"
    chat = import_path(_write(tmp_path, f"{stem}.txt", body))
    assert chat.title == title


def test_ios_name_with_a_colon_is_learnt_from_a_marked_line(tmp_path: Path) -> None:
    text = (
        f"[14/03/2025, 21:00:00] Mum: Work: {LRM}image omitted\n"
        "[14/03/2025, 21:00:30] Mum: Work: hello love\n"
        "[14/03/2025, 21:01:00] Tom: Mum: hi\n"
    )
    chat = import_path(write_zip(tmp_path / "chat.zip", {"_chat.txt": text}), date_order="DMY")
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("Mum: Work", ""),
        ("Mum: Work", "hello love"),
        ("Tom", "Mum: hi"),
    ]
    assert [p.name for p in chat.participants] == ["Mum: Work", "Tom"]


def test_name_with_a_colon_from_the_file_name(tmp_path: Path) -> None:
    body = "14/03/2025, 21:00 - Mum: Work: hello love\n14/03/2025, 21:01 - Tom: hi: mum\n"
    chat = import_path(_write(tmp_path, "WhatsApp Chat with Mum: Work.txt", body), date_order="DMY")
    assert [(m.sender, m.text) for m in chat.messages] == [("Mum: Work", "hello love"), ("Tom", "hi: mum")]


def test_name_with_a_colon_that_cannot_be_told_apart_splits_at_the_first(tmp_path: Path) -> None:
    body = "14/03/2025, 21:00 - Mum: Work: hello love\n14/03/2025, 21:01 - Tom: hi mum\n"
    chat = import_path(_write(tmp_path, "WhatsApp Chat with Colon.txt", body), date_order="DMY")
    assert [(m.sender, m.text) for m in chat.messages] == [("Mum", "Work: hello love"), ("Tom", "hi mum")]
