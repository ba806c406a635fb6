"""The victim's own account: what they wrote when starting a report, read for the facts a report states.

The report form asks "What happened?" in the victim's own words. A victim who writes "I paid £100 in
gift cards last night and I want to die" has said whether they paid, how, how much, when, and that
they are at risk: this module reads those out with the same lexicon and indicator rules as the chats.
It never guesses beyond the words: what is not said stays None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sxr.analysis.indicators import extract_indicators
from sxr.analysis.normalize import normalize
from sxr.analysis.stages import message_cues
from sxr.analysis.vocabulary import money_text

VICTIM = "victim"

# "I didn't pay", "I have not paid yet", "never sent anything": said plainly, so "no".
_NOT_PAID = re.compile(
    r"\b(?:i|we)\s+(?:did\s*n[o']?t|didnt|have\s*n[o']?t|havent|haven't|never|have\s+not|did\s+not|"
    r"won'?t|will\s+not|am\s+not\s+going\s+to)\s+(?:yet\s+)?(?:pay|paid|send|sent|give|given)\b"
    r"|\bnot\s+paid\b"
)
# How money went, in the words people use (kept as written, so the report quotes the victim).
_METHODS = re.compile(
    r"\b(?:(?:apple|itunes|steam|google\s?play|amazon|razer(?:\s?gold)?|sephora)\s+)?gift\s?cards?\b"
    r"|\b(?:itunes|steam|amazon|google\s?play)\s+cards?\b"
    r"|\bbank\s+transfer\b|\bbank\b|\bsort\s?code\b"
    r"|\bbitcoin\b|\bbtc\b|\bcrypto\b|\busdt\b|\bethereum\b"
    r"|\bpaypal\b|\bcash\s?app\b|\bwestern\s+union\b|\bmoney\s?gram\b|\bvenmo\b|\bzelle\b|\bremitly\b"
)
_MONTHS = {
    m: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b(?:,?\s+(\d{{4}}))?")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")
_DAYS_AGO = re.compile(r"\b(\d{1,3}|a|one|two|three|four|five|six|seven)\s+(days?|weeks?)\s+ago\b")
_RELATIVE = (
    (re.compile(r"\b(?:today|this\s+morning|this\s+afternoon|this\s+evening|tonight)\b"), 0),
    (re.compile(r"\b(?:yesterday|last\s+night)\b"), 1),
)
_SMALL = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@dataclass(frozen=True, slots=True)
class VictimAccount:
    """What the victim's own words say: paid or not, how, how much, when, and any words of self-harm."""

    paid: bool | None = None
    how: tuple[str, ...] = ()  # payment methods as written ("gift card", "bank transfer")
    amounts: tuple[str, ...] = ()  # sums as people write them ("£100")
    when: date | None = None  # the day it happened, where the words tell it
    when_written: str | None = None  # the words that told it ("last night", "3 December")
    self_harm: bool = False
    self_harm_words: str | None = None


def read_account(words: str, *, reported_on: date, phone_region: str = "GB") -> VictimAccount:
    """Read the victim's own account; `reported_on` is the day they wrote it (for "yesterday")."""
    nt = normalize(words)
    lower = nt.text.lower()
    if not lower.strip():
        return VictimAccount()
    cues = message_cues(lower)
    indicators = extract_indicators([nt], [VICTIM], phone_region=phone_region)
    amounts = tuple(money_text(i.value) for i in indicators if i.kind == "amount")
    how = tuple(dict.fromkeys(" ".join(m.group(0).split()) for m in _METHODS.finditer(lower)))
    paid: bool | None = None
    if _NOT_PAID.search(lower):
        paid = False
    elif cues.has("payment", "sent"):
        paid = True
    harm = cues.cues.get("self_harm")
    self_harm = harm is not None and not cues.reported
    when, when_written = _when(lower, reported_on)
    return VictimAccount(
        paid=paid,
        how=how,
        amounts=amounts,
        when=when,
        when_written=when_written,
        self_harm=self_harm,
        self_harm_words=harm.words if harm is not None and self_harm else None,
    )


def _when(lower: str, reported_on: date) -> tuple[date | None, str | None]:
    """The first day the words name, with the words; a date after the report is read as last year's."""
    for pattern, days in _RELATIVE:
        m = pattern.search(lower)
        if m is not None:
            return reported_on - timedelta(days=days), m.group(0)
    m = _DAYS_AGO.search(lower)
    if m is not None:
        count = int(m.group(1)) if m.group(1).isdigit() else _SMALL[m.group(1)]
        days = count * (7 if m.group(2).startswith("week") else 1)
        return reported_on - timedelta(days=days), m.group(0)
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        m = pattern.search(lower)
        if m is None:
            continue
        year = int(m.group(3)) if m.group(3) else reported_on.year
        try:
            day = date(year, _MONTHS[m.group(month_at)], int(m.group(day_at)))
        except ValueError:
            continue
        if m.group(3) is None and day > reported_on:
            day = day.replace(year=year - 1) if not (day.month == 2 and day.day == 29) else day
        return day, m.group(0).strip()
    return None, None
