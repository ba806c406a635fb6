"""What the victim is told about their files: plain words (Flesch-Kincaid grade 6 or below), a next
step for every problem, and the region's date custom for exports that cannot tell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from sxr.conversations.importers.date_order import region_date_order
from sxr.evidence.models import EvidenceItem
from sxr.portal.readings import NO_CHAT_WORDS, PROBLEM_NEXT, PROBLEM_WORDS, date_note, long_date
from sxr.reports.facts import NOT_READ_WHAT


def _notes() -> dict[str, list[str]]:
    item = EvidenceItem(id=1, original_name="chat.txt")
    pieces = {
        problem: [PROBLEM_WORDS[problem].format(name="chat.txt"), PROBLEM_NEXT[problem]]
        for problem in PROBLEM_WORDS
    }
    pieces |= {f"no chat {key}": [words.format(name="chat.txt")] for key, words in NO_CHAT_WORDS.items()}
    for how in ("assumed", "given", "inferred"):
        note = date_note(
            item, {"order": "DMY", "how": how, "example_raw": "03/12/2026", "example": "2026-12-03"}
        )
        assert note is not None
        pieces[f"dates {how}"] = [note.text, *([note.switch.label] if note.switch else [])]
    return pieces


def test_every_problem_has_kind_words_and_a_next_step() -> None:
    assert set(PROBLEM_WORDS) == set(PROBLEM_NEXT)
    assert set(PROBLEM_WORDS) | {"no_messages", "no_chat"} <= set(NOT_READ_WHAT)
    for problem, words in PROBLEM_WORDS.items():
        if problem != "some_chats":
            assert "kept {name} safe" in words, problem
        assert "not your fault" in words, problem


def test_the_words_for_victims_are_plain(reading_grade: Callable[[list[str]], float]) -> None:
    grades = {name: reading_grade(texts) for name, texts in _notes().items()}
    assert {name: g for name, g in grades.items() if g > 6} == {}


def test_a_date_note_says_the_first_date_and_offers_the_other_reading() -> None:
    item = EvidenceItem(id=7, original_name="WhatsApp Chat with Lily.txt")
    reading = {"order": "DMY", "how": "assumed", "example_raw": "03/12/2026", "example": "2026-12-03"}
    note = date_note(item, reading)
    assert note is not None and note.switch is not None
    assert note.text.endswith("We read 03/12/2026 as 3 December 2026.")
    assert (note.switch.order, note.switch.label) == ("MDY", "No, it means 12 March 2026")
    # Settled by the export (a day above 12): said, with no switch to offer.
    inferred = date_note(
        item, {**reading, "how": "inferred", "example_raw": "25/03/2026", "example": "2026-03-25"}
    )
    assert inferred is not None and inferred.switch is None
    assert inferred.text == "We read 25/03/2026 as 25 March 2026 in WhatsApp Chat with Lily.txt."
    # A date that reads the same either way has nothing to switch to.
    same = date_note(item, {**reading, "example_raw": "05/05/2026", "example": "2026-05-05"})
    assert same is not None and same.switch is None
    assert long_date(date(2026, 3, 1)) == "1 March 2026"


@pytest.mark.parametrize(
    ("region", "order"),
    [
        ("GB-ENG", "DMY"),
        ("GB-SCT", "DMY"),
        ("AU", "DMY"),
        ("IE", "DMY"),
        ("US", "MDY"),
        ("us", "MDY"),
        ("CA", "MDY"),
    ],
)
def test_the_region_custom(region: str, order: str) -> None:
    assert region_date_order(region) == order
