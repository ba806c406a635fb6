"""Normalisation: disguises undone, and every normalised span maps back to the words as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sxr.analysis.normalize import normalize


@pytest.mark.parametrize(
    ("text", "normal", "target", "raw"),
    [
        ("s n a p: amelia.rse09 add me", "snap: amelia.rse09 add me", "snap", "s n a p"),
        ("call 0 7 7 0 0 9 0 0 5 4 1", "call 07700900541", "07700900541", "0 7 7 0 0 9 0 0 5 4 1"),
        ("it's maya dot t underscore 22 lol", "it's maya.t_22 lol", "maya.t_22", "maya dot t underscore 22"),
        ("@mila_\u200bx07 😘", "@mila_x07 😘", "mila_x07", "mila_\u200bx07"),
        ("\uff10\uff17\uff17\uff10\uff10 900318", "07700 900318", "07700", "\uff10\uff17\uff17\uff10\uff10"),
        ("joe [at] example [dot] com", "joe@example.com", "joe@example.com", "joe [at] example [dot] com"),
        ("mail joe at example dot com", "mail joe@example.com", "joe@example.com", "joe at example dot com"),
        ("$1450 in bit coin", "$1450 in bitcoin", "bitcoin", "bit coin"),
        ("my snap is li\u0455a_x09", "my snap is lisa_x09", "lisa_x09", "li\u0455a_x09"),
        ("\u202a+44 7700 900318\u202c", "+44 7700 900318", "+44 7700 900318", "+44 7700 900318"),
    ],
)
def test_disguises_are_undone_and_map_back(text: str, normal: str, target: str, raw: str) -> None:
    nt = normalize(text)
    assert nt.text == normal
    start = nt.text.index(target)
    assert nt.raw(start, start + len(target)) == raw


def test_ordinary_words_are_left_alone() -> None:
    for text in ("I am at home. See you at 5", "a dot on the map", "Привет, как дела"):
        assert normalize(text).text == text


@given(st.text(max_size=80))
def test_offsets_always_point_into_the_original(text: str) -> None:
    nt = normalize(text)
    assert len(nt.offsets) == len(nt.text)
    assert all(0 <= k < len(text) for k in nt.offsets)
    assert nt.offsets == sorted(nt.offsets)
