"""WhatsApp exports as phones write them: more layouts and languages; one bad line never ends a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sxr.conversations.importers import import_path
from sxr.conversations.model import Conversation

NBSP, NNBSP, LRM = "\u00a0", "\u202f", "\u200e"


def _read(
    tmp_path: Path, body: str, name: str = "WhatsApp Chat with Lily.txt", **options: str
) -> Conversation:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return import_path(path, **options)  # type: ignore[arg-type]


def _wall(chat: Conversation) -> list[str | None]:
    return [m.sent_at.replace(tzinfo=None).isoformat() if m.sent_at else None for m in chat.messages]


def test_pm_with_a_no_break_space_inside_is_afternoon(tmp_path: Path) -> None:
    chat = _read(tmp_path, f"4/7/2025 9:41 p.{NBSP}m. - Lily: are you there\n", date_order="DMY")
    assert _wall(chat) == ["2025-07-04T21:41:00"]


def test_midnight_written_as_zero_am_is_read(tmp_path: Path) -> None:
    body = (
        "07/21/2025, 11:58 p. m. - Lily: still up?\n"
        '07/22/2025, 00:08 a. m. - +44 7700 900111 created group "Trip"\n'
        "07/22/2025, 00:09 a. m. - Tom: yes\n"
    )
    chat = _read(tmp_path, body)
    assert _wall(chat) == ["2025-07-21T23:58:00", "2025-07-22T00:09:00"]
    assert [n.text for n in chat.notices] == ['+44 7700 900111 created group "Trip"']


def test_a_line_with_an_unreadable_time_is_a_warning_on_that_line_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    body = (
        "21/07/2025, 11:58 p. m. - Lily: still up?\n"
        "22/07/2025, 13:08 a. m. - Tom: this stamp cannot be\n"
        "22/07/2025, 12:09 a. m. - Tom: send a pic\n"
    )
    chat = _read(tmp_path, body)
    assert [m.text for m in chat.messages] == ["still up?", "this stamp cannot be", "send a pic"]
    assert _wall(chat) == ["2025-07-21T23:58:00", None, "2025-07-22T00:09:00"]
    assert chat.messages[1].sent_at_raw == "22/07/2025, 13:08 a. m."
    bad = [w for w in chat.warnings if "line 2" in w]
    assert len(bad) == 1 and "13 is not an hour on a 12-hour clock" in bad[0]


def test_finnish_stamps_with_a_colon_after_the_time(tmp_path: Path) -> None:
    body = (
        "14.2.2025 klo 20.01.05 - Aino: moi\n"
        "14.02.25 20.02.40: Laura: lähetä kuva\n"
        "14.02.2025, 20.03 - Aino: en lähetä\n"
    )
    chat = _read(tmp_path, body)
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("Aino", "moi"),
        ("Laura", "lähetä kuva"),
        ("Aino", "en lähetä"),
    ]
    assert _wall(chat) == ["2025-02-14T20:01:05", "2025-02-14T20:02:40", "2025-02-14T20:03:00"]


def test_croatian_stamps_with_a_full_stop_after_the_year_and_no_dash(tmp_path: Path) -> None:
    body = "19. 4. 2025. 18:30:12 Ivana: bok\n19. 4. 2025. 18:31:00 Marko: pošalji sliku\n"
    chat = _read(tmp_path, body)
    assert [(m.sender, m.text) for m in chat.messages] == [("Ivana", "bok"), ("Marko", "pošalji sliku")]
    assert _wall(chat) == ["2025-04-19T18:30:12", "2025-04-19T18:31:00"]


def test_the_year_in_the_middle(tmp_path: Path) -> None:
    body = "[09/2025/21, 08:15:00] Lily: morning\n[09/2025/22, 08:15:00] Tom: pay now\n"
    chat = _read(tmp_path, body)
    assert _wall(chat) == ["2025-09-21T08:15:00", "2025-09-22T08:15:00"]
    assert chat.date_reading is not None and chat.date_reading.example == "2025-09-21"


@pytest.mark.parametrize(
    "banner",
    [
        "Messages and calls are end-to-end encrypted. No one outside of this chat can read them.",
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand sonst.",
        "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie más.",
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta. Ninguém mais.",
        "Les messages et les appels sont chiffrés de bout en bout. Personne en dehors de cette discussion.",
        "I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat.",
        "Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat.",
        "Wiadomości i połączenia są szyfrowane end-to-end. Nikt spoza tego czatu.",
        "Mesajlar ve aramalar uçtan uca şifrelidir. Bu sohbetin dışındaki hiç kimse.",
        "Pesan dan panggilan terenkripsi secara end-to-end. Tidak ada orang di luar chat ini.",
        "Сообщения и звонки защищены сквозным шифрованием. Никто за пределами этого чата.",
        "الرسائل والمكالمات مشفرة تمامًا بين الطرفين. لا أحد خارج هذه الدردشة.",
        "संदेश और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं. इस चैट के बाहर कोई नहीं.",
        "Viestit ja puhelut ovat päästä päähän salattuja. Kukaan tämän keskustelun ulkopuolella.",
        "Poruke i pozivi su sveobuhvatno šifrirani. Nitko izvan ovog razgovora.",
    ],
)
def test_the_encryption_banner_is_known_by_its_words_even_with_a_sender_name(
    tmp_path: Path, banner: str
) -> None:
    body = f"[21/07/2025, 20:00:00] Tom: {banner}\n[21/07/2025, 20:00:05] Tom: hi\n"
    chat = _read(tmp_path, body)
    assert [(m.sender, m.text) for m in chat.messages] == [("Tom", "hi")]
    assert [n.text for n in chat.notices] == [banner]


def test_a_person_typing_the_banners_first_words_stays_a_message(tmp_path: Path) -> None:
    body = "21/07/2025, 20:00 - Lily: Messages and calls are end-to-end encrypted? really?\n"
    chat = _read(tmp_path, body)
    assert [m.text for m in chat.messages] == ["Messages and calls are end-to-end encrypted? really?"]


def test_german_media_markers_and_a_group_notice_with_a_name(tmp_path: Path) -> None:
    body = (
        "21.07.2025, 20:00 - System: Jonas hat die Gruppe „Ausflug“ erstellt\n"
        "21.07.2025, 20:01 - Jonas: Hallo\n"
        "21.07.2025, 20:02 - Jonas: <Medien ausgelassen>\n"
        "21.07.2025, 20:03 - Mia: IMG-20250721-WA0004.jpg (Datei angehängt)\n"
        "21.07.2025, 20:04 - Mia: .jpg (Datei angehängt)\n"
    )
    chat = _read(tmp_path, body)
    assert [n.text for n in chat.notices] == ["Jonas hat die Gruppe „Ausflug“ erstellt"]
    assert [(m.sender, m.text, list(m.attachments)) for m in chat.messages] == [
        ("Jonas", "Hallo", []),
        ("Jonas", "", ["Medien ausgelassen (not included in the export)"]),
        ("Mia", "", ["IMG-20250721-WA0004.jpg"]),
        ("Mia", "", [".jpg"]),
    ]
    assert {p.name for p in chat.participants} == {"Jonas", "Mia"}


@pytest.mark.parametrize(
    ("placeholder", "deleted"),
    [
        ("<Multimedia omitido>", False),
        ("<Mídia oculta>", False),
        ("<Médias omis>", False),
        ("<Media omessi>", False),
        ("<Media weggelaten>", False),
        ("<Pominięto multimedia>", False),
        ("<Medya dahil edilmedi>", False),
        ("<Media tidak disertakan>", False),
        ("<Без медиафайлов>", False),
        ("<تم استبعاد الوسائط>", False),
        ("<मीडिया के बिना>", False),
        ("<Media jätetty pois>", False),
        ("<Medijski zapis izostavljen>", False),
        ("Bu mesaj silindi", True),
        ("Данное сообщение удалено", True),
        ("Tämä viesti poistettiin", True),
        ("Ova poruka je izbrisana", True),
        ("Pesan ini telah dihapus", True),
    ],
)
def test_media_and_deleted_markers_in_many_languages(tmp_path: Path, placeholder: str, deleted: bool) -> None:
    chat = _read(tmp_path, f"21/07/2025, 20:00 - Tom: {placeholder}\n")
    message = chat.messages[0]
    assert message.deleted is deleted
    assert bool(message.attachments) is not deleted
    if not deleted:
        assert message.text == ""


def test_an_edited_marker_in_turkish(tmp_path: Path) -> None:
    chat = _read(tmp_path, "21/07/2025, 20:00 - Tom: 100 sterlin gönder <Bu mesaj düzenlendi>\n")
    assert chat.messages[0].edited and chat.messages[0].text == "100 sterlin gönder"


def test_a_person_saying_they_created_the_group_stays_a_message(tmp_path: Path) -> None:
    body = "21/07/2025, 20:00 - Tom: I created this group\n21/07/2025, 20:01 - Lily: ok\n"
    chat = _read(tmp_path, body)
    assert [(m.sender, m.text) for m in chat.messages] == [("Tom", "I created this group"), ("Lily", "ok")]
