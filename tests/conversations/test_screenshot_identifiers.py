"""Identifiers read off screenshots: look-alike readings checked against each kind's rules, doubts shown."""

from __future__ import annotations

import pytest

from sxr.conversations.screenshot_identifiers import doubts, readings


def test_readings_start_with_the_token_as_read_and_swap_look_alikes() -> None:
    found = list(readings("rnIO"))
    assert found[0] == "rnIO"
    assert "mlO" in found and "rn10" in found and "m1o" not in found  # o is only a reading of 0
    assert len(set(found)) == len(found)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("docs at core.teleqram.org/api", '"core.telegram.org/api"'),
        ("mail me: lily.pays@gmai1.com", '"lily.pays@gmail.com"'),
        ("send to www.paypa1.me/jay", '"www.paypal.me/jay"'),
        # An Ethereum address whose mixed-case checksum fails as read, and fits with O read as 0.
        ("0x52908400098527886E0F7O30069857D2E4169EE7", '"0x52908400098527886E0F7030069857D2E4169EE7"'),
        ("IBAN GB82WESTl2345698765432", '"GB82WEST12345698765432"'),
    ],
)
def test_a_reading_that_fits_the_rules_better_is_shown_not_swapped(text: str, hint: str) -> None:
    notes = doubts(text, 0.99)
    assert len(notes) == 1 and hint in notes[0] and "check it on the screenshot" in notes[0]


@pytest.mark.parametrize(
    "text",
    [
        "docs at core.telegram.org/api",
        "mail me: lily.pays@gmail.com",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "IBAN GB82WEST12345698765432",
        "hello there, I only have £40",
    ],
)
def test_identifiers_that_fit_raise_no_doubt(text: str) -> None:
    assert doubts(text, 0.99) == []


def test_a_handle_read_with_low_confidence_gets_its_look_alike_readings() -> None:
    assert doubts("add @jay.srnith_22", 0.99) == []  # sure, and handles have no rule to check
    notes = doubts("add @jay.srnith_22", 0.6)
    assert notes and '"@jay.smith_22"' in notes[0]


def test_a_wallet_whose_checksum_fits_no_reading_is_still_flagged() -> None:
    notes = doubts("0x52908400098527886E0F7030069857d2E4169EE7", 0.99)  # d was D
    assert notes and "checksum does not fit" in notes[0]


def test_a_cashtag_whose_dollar_was_read_as_s_is_pointed_out() -> None:
    notes = doubts("or cashapp SLilyPays09 now", 0.99)
    assert notes and '"$LilyPays09"' in notes[0]
    assert doubts("my cashapp name is Sarah", 0.99) == []
    assert doubts("or cashapp $LilyPays09 now", 0.99) == []
