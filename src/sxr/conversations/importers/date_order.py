"""The day/month order of written dates, decided on the export's own evidence and never in silence.

An importer that reads dates like `03/12/2026` feeds each one to a `DateEvidence` in the order the export
wrote them, then asks `decide` for the order and a `DateReading` that says how it was settled: given by
the user, inferred from the export (a day above 12, the messages' own order, dates that read the same
either way, a US-style clock), assumed from the deployment region's custom, or else DateOrderAmbiguous.
"""

from __future__ import annotations

from datetime import date

from sxr.conversations.model import DateOrderAmbiguous, DateReading, ExportError

# Regions whose custom writes the month first (ISO 3166 codes); most of the world writes the day first.
# Canada has no one custom: its phones (en-CA and fr-CA) write the year first (2026-03-12, never
# ambiguous), so a slashed date from a Canadian phone most often comes from one set to US English. A guess
# is always said to the victim with a one-tap switch, so a wrong guess costs one tap, never the evidence.
_MONTH_FIRST_REGIONS = frozenset({"US", "CA", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI"})
_FIRST = {"DMY": "day first", "MDY": "month first", "YMD": "year first"}


def region_date_order(region: str | None) -> str:
    """The usual order of written dates in a region ("GB-ENG" -> DMY, "US" -> MDY)."""
    country = (region or "").strip().upper().split("-")[0]
    return "MDY" if country in _MONTH_FIRST_REGIONS else "DMY"


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


class DateEvidence:
    """What an export's dates say about their order, gathered one date at a time in the export's order.

    `add(a, b, year)`: `a` and `b` are the two numbers that are the day and the month in some order, as
    written left to right; `year_first` dates (2018/06/13) settle the order by themselves.
    """

    __slots__ = (
        "_last",
        "_last_dmy",
        "_last_mdy",
        "back_dmy",
        "back_mdy",
        "count",
        "day_first",
        "day_first_raw",
        "dotted_raw",
        "first",
        "first_raw",
        "month_first",
        "month_first_raw",
        "same_either_way",
        "us_clock_raw",
        "year_first_raw",
    )

    def __init__(self) -> None:
        self.count = 0
        self.first: tuple[int, int, int] | None = None
        self.first_raw: str | None = None
        self.year_first_raw: str | None = None
        self.day_first_raw: str | None = None  # a date whose first number is above 12
        self.month_first_raw: str | None = None  # a date whose second number is above 12
        self.day_first = self.month_first = 0  # how many dates have a day above 12 first, second
        self.us_clock_raw: str | None = None  # "3/6/18, 1:55 PM": a 12-hour clock, AM/PM, two-digit year
        self.dotted_raw: str | None = None  # "10.12.2024": full stops between the numbers
        self.same_either_way = True
        self.back_dmy = self.back_mdy = 0  # how often the dates go backwards, read each way
        self._last: tuple[int, int, int] | None = None
        self._last_dmy: tuple[int, int, int] = (0, 0, 0)
        self._last_mdy: tuple[int, int, int] = (0, 0, 0)

    def add(self, a: int, b: int, year: int, raw: str) -> None:
        """One written date (call it for each message, in the export's order)."""
        key = (a, b, year)
        if key == self._last:
            return  # the usual case: another message on the same day
        self._last = key
        if self.first is None:
            self.first, self.first_raw = key, raw
        self.count += 1
        if a > 12:
            self.day_first += 1
            if self.day_first_raw is None:
                self.day_first_raw = raw
        if b > 12:
            self.month_first += 1
            if self.month_first_raw is None:
                self.month_first_raw = raw
        if a != b:
            self.same_either_way = False
        year = _year(year)
        dmy, mdy = (year, b, a), (year, a, b)
        if dmy < self._last_dmy:
            self.back_dmy += 1
        if mdy < self._last_mdy:
            self.back_mdy += 1
        self._last_dmy, self._last_mdy = dmy, mdy

    def year_first(self, raw: str, year: int, month: int, day: int) -> None:
        """A date written year first (2018/06/13): no order to infer."""
        if self.year_first_raw is None:
            self.year_first_raw = raw
            if self.first is None:
                self.first, self.first_raw = (day, month, year), raw

    def dotted(self, raw: str) -> None:
        """A date written with full stops (10.12.2024), as day-first languages write it."""
        if self.dotted_raw is None:
            self.dotted_raw = raw

    def us_clock(self, raw: str) -> None:
        """A stamp as US phones write it: a 12-hour clock with AM/PM and a two-digit year."""
        if self.us_clock_raw is None:
            self.us_clock_raw = raw


def decide(
    evidence: DateEvidence, given: str | None, fallback: str | None, where: str
) -> tuple[str, DateReading | None]:
    """The order to read the export's dates in and how it was settled (DateOrderAmbiguous if it cannot be)."""
    if given is not None:
        return given, _reading(evidence, given, "given", "the order you chose")
    if evidence.year_first_raw is not None and evidence.count == 0:
        return "YMD", _reading(
            evidence, "YMD", "inferred", f"the year is written first: {evidence.year_first_raw}"
        )
    if evidence.count == 0:
        return fallback or "DMY", None  # no written dates to read
    by_days = _by_days_above_12(evidence, where)
    if by_days is not None:
        return by_days
    in_order = "only this order keeps the messages in time order"
    if evidence.back_dmy == 0 < evidence.back_mdy:
        return "DMY", _reading(evidence, "DMY", "inferred", in_order)
    if evidence.back_mdy == 0 < evidence.back_dmy:
        return "MDY", _reading(evidence, "MDY", "inferred", in_order)
    if evidence.same_either_way:
        order = fallback if fallback in ("DMY", "MDY") else "DMY"
        return order, _reading(
            evidence, order, "inferred", f"every date reads the same either way: {evidence.first_raw}"
        )
    if evidence.us_clock_raw:
        return "MDY", _reading(
            evidence,
            "MDY",
            "inferred",
            "a 12-hour clock with AM/PM and two-digit years, as US phones write dates: "
            + evidence.us_clock_raw,
        )
    if evidence.dotted_raw:
        return "DMY", _reading(
            evidence,
            "DMY",
            "inferred",
            "dates written with full stops, as day-first languages (German, Russian, Finnish ...) write "
            f"them: {evidence.dotted_raw}",
        )
    if fallback in ("DMY", "MDY"):
        return fallback, _reading(
            evidence, fallback, "assumed", f"the usual order where this service runs ({_FIRST[fallback]})"
        )
    raise DateOrderAmbiguous(
        f"The dates in {where} could be day/month or month/day (no day is above 12, and the messages' "
        "order does not settle it). Say which with --date-order DMY (day first, as in the UK) "
        "or --date-order MDY (month first, as in the US)."
    )


def _by_days_above_12(evidence: DateEvidence, where: str) -> tuple[str, DateReading] | None:
    """The order that dates with a day above 12 show (the one most take, in an edited file), or None."""
    if evidence.day_first_raw and evidence.month_first_raw and evidence.day_first != evidence.month_first:
        # An edited or merged file: the order most dates take, and the lines that do not fit it are kept
        # without a time (each said by the importer).
        order = "DMY" if evidence.day_first > evidence.month_first else "MDY"
        most, few = sorted((evidence.day_first, evidence.month_first), reverse=True)
        example = evidence.day_first_raw if order == "DMY" else evidence.month_first_raw
        first = "day" if order == "DMY" else "month"
        return order, _reading(
            evidence,
            order,
            "inferred",
            f"most dates ({most}) have a day above 12 that puts the {first} first ({example}); "
            f"{few} {'does' if few == 1 else 'do'} not fit and "
            f"{'is' if few == 1 else 'are'} kept without a time",
        )
    if evidence.day_first_raw and evidence.month_first_raw:
        raise ExportError(
            f"{where} mixes day-first dates ({evidence.day_first_raw}) and month-first dates "
            f"({evidence.month_first_raw}); it may have been edited. Say which order to read with "
            "--date-order DMY or --date-order MDY."
        )
    if evidence.day_first_raw:
        return "DMY", _reading(evidence, "DMY", "inferred", f"a day above 12: {evidence.day_first_raw}")
    if evidence.month_first_raw:
        return "MDY", _reading(evidence, "MDY", "inferred", f"a day above 12: {evidence.month_first_raw}")
    return None


def _reading(evidence: DateEvidence, order: str, how: str, why: str) -> DateReading:
    example = None
    if evidence.first is not None:
        a, b, year = evidence.first
        day, month = (a, b) if order != "MDY" else (b, a)
        try:
            example = date(_year(year), month, day).isoformat()
        except ValueError:
            example = None
    return DateReading(order=order, how=how, why=why, example_raw=evidence.first_raw, example=example)


def written_in_words(reading: DateReading) -> str:
    """'03/12/2026 is read as 3 December 2026' for a reading with an example; else ''."""
    if not reading.example or not reading.example_raw:
        return ""
    when = date.fromisoformat(reading.example)
    return f"{reading.example_raw} is read as {when.day} {_MONTHS[when.month - 1]} {when.year}"


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def assumed_warning(reading: DateReading) -> str:
    """The warning an assumed reading gives: what was assumed, with the first date written out."""
    other = "month first" if reading.order == "DMY" else "day first"
    example = written_in_words(reading)
    return (
        "The dates in this export could be read day first or month first, and nothing in it settles which: "
        f"they were read {_FIRST.get(reading.order, reading.order)}, the usual order where this service runs"
        + (f" ({example})" if example else "")
        + f". If that is wrong, read them {other} instead."
    )
