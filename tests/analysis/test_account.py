"""The victim's own account read for paid, how, how much, when and self-harm (never guessed)."""

from __future__ import annotations

from datetime import date

import pytest

from sxr.analysis.account import VictimAccount, read_account

ON = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("words", "paid", "how", "when", "written"),
    [
        ("I paid £100 gift card last night", True, ("gift card", "£100"), date(2026, 12, 4), "last night"),
        ("i sent him $50 by cash app yesterday", True, ("cash app", "$50"), date(2026, 12, 4), "yesterday"),
        ("He wants £500 in bitcoin. I didn't pay", False, ("bitcoin", "£500"), None, None),
        ("I haven't sent anything. it began 2 weeks ago", False, (), date(2026, 11, 21), "2 weeks ago"),
        ("she messaged me on 28th November 2026", None, (), date(2026, 11, 28), "28th november 2026"),
        ("it was on dec 20", None, (), date(2025, 12, 20), "dec 20"),  # after the report: last year
        ("someone asked me for pics", None, (), None, None),
    ],
)
def test_reads_paid_how_and_when(
    words: str, paid: bool | None, how: tuple[str, ...], when: date | None, written: str | None
) -> None:
    account = read_account(words, reported_on=ON)
    assert account.paid is paid
    assert (*account.how, *account.amounts) == how
    assert (account.when, account.when_written) == (when, written)


def test_self_harm_in_the_victims_words() -> None:
    assert read_account("I want to die", reported_on=ON).self_harm
    assert not read_account("he said he would kill himself lol", reported_on=ON).self_harm
    assert read_account("", reported_on=ON) == VictimAccount()
