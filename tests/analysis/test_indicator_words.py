"""Details given in words, on two lines, split over two messages or around an obfuscation (issue 19)."""

from __future__ import annotations

import pytest
from analysis_helpers import conversation

from sxr.analysis import analyze

WORDS = [
    # Snapchat names given in words, a few words after the platform's name.
    ("my snap is kaylaa_xo22 add me", {("snapchat_username", "kaylaa_xo22")}),
    ("add me on sc - jessx.4u , i dont like talking on here", {("snapchat_username", "jessx.4u")}),
    ("add me on snap btw, new acc: mikeyb.2", {("snapchat_username", "mikeyb.2")}),
    ("my snap got hacked, new one is priyaa.k_", {("snapchat_username", "priyaa.k_")}),
    ("my sc got banned so use my new one - tom.h_22", {("snapchat_username", "tom.h_22")}),
    ("snap: x_bella.rose_x", {("snapchat_username", "x_bella.rose_x")}),
    ("👻 jaylen.mx is my snap", {("snapchat_username", "jaylen.mx")}),
    ("snap: jo.b77 or insta jo.b77_", {("snapchat_username", "jo.b77"), ("instagram_username", "jo.b77_")}),
    # Sort code and account in the common writings.
    ("s/c 20-32-53 acc no 71552364", {("uk_bank_account", "203253-71552364")}),
    ("a/c 55779911 s/c 09-01-29", {("uk_bank_account", "090129-55779911")}),
    ("acc no 70872490 sort 40-11-62", {("uk_bank_account", "401162-70872490")}),
    ("Sort code 30 94 57 account number 43871265", {("uk_bank_account", "309457-43871265")}),
    ("sortcode 309634 acc 12873456", {("uk_bank_account", "309634-12873456")}),
    ("sort code 40-47-84\nacc 31926819\nname D Okoro", {("uk_bank_account", "404784-31926819")}),
    ("20-45-77\n83920174\nR Clarke", {("uk_bank_account", "204577-83920174")}),
    ("20-45-77 / 83920174", {("uk_bank_account", "204577-83920174")}),
    # E-mails around an obfuscation: the longest valid reading.
    ("jake dot p at example dot com", {("email", "jake.p@example.com")}),
    ("jake . p @ example . com", {("email", "jake.p@example.com")}),
    ("jake.p@ example.com", {("email", "jake.p@example.com")}),
    ("jake.p @ example dot com", {("email", "jake.p@example.com")}),
    ("insta @jay.beatz.uk", {("instagram_username", "jay.beatz.uk")}),
    ("jake.p(@)example.com", {("email", "jake.p@example.com")}),
    ("harry.cole88 [at] example [dot] com", {("email", "harry.cole88@example.com")}),
    ("payments.rk (at) example (dot) org", {("email", "payments.rk@example.org")}),
]

# Words that are not details.
NOT_DETAILS = [
    "snap me at 10.30pm",
    "add me on snap, it's my 2nd acc",
    "my snap is down. talk later",
    "i'm at work. co-workers are mad",
    "meet at 5. com",
]


@pytest.mark.parametrize(("text", "want"), WORDS, ids=[w[0][:40] for w in WORDS])
def test_detail_in_words(text: str, want: set[tuple[str, str]]) -> None:
    result = analyze(conversation([("A", "hi"), ("A", text)]))
    assert {(i.kind, i.value) for i in result.indicators if i.kind != "amount"} == want


@pytest.mark.parametrize("text", NOT_DETAILS)
def test_words_that_are_not_details(text: str) -> None:
    result = analyze(conversation([("A", "hi"), ("A", text)]))
    assert [(i.kind, i.value) for i in result.indicators] == []


def test_email_split_over_two_messages_is_one_address_not_a_handle() -> None:
    result = analyze(
        conversation(
            [("A", "i have ur fb friends"), ("A", "$800 zelle. email is madkins.pay"), ("A", "@example.com")]
        )
    )
    found = {(i.kind, i.value, i.first_i) for i in result.indicators if i.kind != "amount"}
    assert found == {("email", "madkins.pay@example.com", 1)}


def test_a_backup_account_named_after_blocking_is_on_this_app() -> None:
    result = analyze(
        conversation(
            [("A", "i'll send these to ur friends on insta"), ("A", "if u block me i have @chloe_backup99")],
            fmt="telegram",
        )
    )
    assert {(i.kind, i.value) for i in result.indicators if i.kind != "amount"} == {
        ("telegram_username", "chloe_backup99")
    }
