"""Trends for the force: reports per week, ages, platforms, payment methods, amounts, and the time from
first contact to a threat; as bars the server draws (inline SVG) and as CSV with small numbers suppressed.

Read from columns kept on the case rows and the identifiers index (never a blob decrypted). The figures a
page shows are exact; anything exported replaces a count from 1 to 4 with "fewer than 5", so that no one
victim can be picked out of a table that leaves the portal.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sxr.analysis.vocabulary import CURRENCY_SYMBOLS, indicator_kinds, kind_label
from sxr.cases.models import Case, CaseSearchIdentifier
from sxr.clock import as_utc, utcnow
from sxr.staff.words import AGE_BAND_LABELS

SUPPRESS_BELOW = 5
SUPPRESSED = "fewer than 5"
WEEKS = 26
PLATFORMS_SHOWN = 12
# Sums demanded or paid, banded (in the currency they were written in).
AMOUNT_BANDS = ((0, 100), (100, 500), (500, 1000), (1000, 5000), (5000, None))
# Time from the first message to the first threat.
THREAT_BANDS = (
    (0, 60, "Under an hour"),
    (60, 6 * 60, "1 to 6 hours"),
    (6 * 60, 24 * 60, "6 to 24 hours"),
    (24 * 60, 7 * 24 * 60, "1 to 7 days"),
    (7 * 24 * 60, None, "Over a week"),
)
CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH, BAR_GAP = 640, 22, 200, 6


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its count, and where the server drew it."""

    label: str
    count: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """One chart of the trends page, and its CSV download's name."""

    name: str  # "weeks", "ages", ... (the CSV is /staff/trends/<name>.csv)
    title: str
    what: str  # what a bar counts, in words
    rows: list[tuple[str, int]]
    note: str | None = None

    @property
    def bars(self) -> list[Bar]:
        """The bars, scaled to the longest."""
        top = max((n for _label, n in self.rows), default=0) or 1
        room = CHART_WIDTH - LABEL_WIDTH - 60
        return [
            Bar(label, n, i * (BAR_HEIGHT + BAR_GAP), round(room * n / top))
            for i, (label, n) in enumerate(self.rows)
        ]

    @property
    def height(self) -> int:
        """The drawing's height in pixels."""
        return max(1, len(self.rows)) * (BAR_HEIGHT + BAR_GAP)

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.rows)


def _weeks(session: Session, now: datetime) -> list[tuple[str, int]]:
    monday = (as_utc(now) - timedelta(days=as_utc(now).weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = monday - timedelta(weeks=WEEKS - 1)
    counts: Counter[int] = Counter()
    for (created,) in session.execute(select(Case.created_at).where(Case.created_at >= start)):
        counts[(as_utc(created) - start).days // 7] += 1
    return [(f"Week of {(start + timedelta(weeks=w)):%d %b %Y}", counts.get(w, 0)) for w in range(WEEKS)]


def _ages(session: Session) -> list[tuple[str, int]]:
    query = select(Case.age_band, func.count()).group_by(Case.age_band)
    counts: dict[str | None, int] = {band: int(n) for band, n in session.execute(query)}
    rows = [(label, int(counts.get(band, 0))) for band, label in AGE_BAND_LABELS.items()]
    rows.append(("Not given", int(counts.get(None, 0))))
    return rows


def _platforms(session: Session) -> tuple[list[tuple[str, int]], str | None]:
    counts: Counter[str] = Counter()
    for (text,) in session.execute(select(Case.platforms).where(Case.platforms.is_not(None))):
        for name in {p.strip()[:60] for p in str(text).split("\n") if p.strip()}:
            counts[name] += 1
    shown = counts.most_common(PLATFORMS_SHOWN)
    rest = sum(counts.values()) - sum(n for _name, n in shown)
    note = f"{len(counts) - len(shown)} other platforms, {rest} mentions, are not drawn." if rest else None
    return shown, note


def _payment_methods(session: Session) -> list[tuple[str, int]]:
    methods = [k.name for k in indicator_kinds() if k.is_payment_method]
    query = (
        select(CaseSearchIdentifier.kind, func.count(func.distinct(CaseSearchIdentifier.case_id)))
        .where(CaseSearchIdentifier.kind.in_(methods))
        .group_by(CaseSearchIdentifier.kind)
    )
    counts = {str(kind): int(n) for kind, n in session.execute(query)}
    rows = [(kind_label(name), int(counts.get(name, 0))) for name in methods]
    return sorted((r for r in rows if r[1]), key=lambda r: -r[1])


def _band_label(currency: str, low: int, high: int | None) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)

    def money(n: int) -> str:
        return f"{symbol}{n:,}" if symbol else f"{currency} {n:,}"

    return f"{money(low)} or more" if high is None else f"{money(low)} to {money(high - 1)}"


def _amounts(session: Session) -> list[tuple[str, int]]:
    counts: Counter[tuple[str, int]] = Counter()
    query = select(CaseSearchIdentifier.value).where(CaseSearchIdentifier.kind == "amount")
    for (value,) in session.execute(query):
        currency, _sep, number = str(value).partition(":")
        try:
            amount = float(number)
        except ValueError:
            continue
        for b, (low, high) in enumerate(AMOUNT_BANDS):
            if amount >= low and (high is None or amount < high):
                counts[(currency[:8], b)] += 1
    return [
        (_band_label(currency, *AMOUNT_BANDS[b]), counts[(currency, b)])
        for currency, b in sorted(counts, key=lambda k: (k[0] != "GBP", k[0], k[1]))
    ]


def _threat_times(session: Session) -> list[tuple[str, int]]:
    counts: Counter[int] = Counter()
    query = select(Case.threat_after_minutes).where(Case.threat_after_minutes.is_not(None))
    for minutes in session.scalars(query):
        if minutes is None:
            continue
        for b, (low, high, _label) in enumerate(THREAT_BANDS):
            if minutes >= low and (high is None or minutes < high):
                counts[b] += 1
    return [(label, counts.get(b, 0)) for b, (_low, _high, label) in enumerate(THREAT_BANDS)]


def force_trends(session: Session, now: datetime | None = None) -> list[Chart]:
    """Every chart of the trends page."""
    platforms, platforms_note = _platforms(session)
    return [
        Chart(
            "weeks", f"Reports per week (the last {WEEKS} weeks)", "reports", _weeks(session, now or utcnow())
        ),
        Chart("ages", "Victims' ages", "reports", _ages(session)),
        Chart("platforms", "Platforms", "reports naming the platform", platforms, platforms_note),
        Chart("payment-methods", "Payment methods the offenders gave", "cases", _payment_methods(session)),
        Chart(
            "amounts",
            "Sums demanded or paid",
            "sums found in the chats",
            _amounts(session),
            "Each sum is counted in the currency it was written in.",
        ),
        Chart(
            "time-to-threat",
            "Time from first contact to the first threat",
            "cases with dated messages",
            _threat_times(session),
        ),
    ]


def suppressed(count: int) -> str:
    """A count as it may leave the portal: 1 to 4 become "fewer than 5" (0 stays 0)."""
    return SUPPRESSED if 0 < count < SUPPRESS_BELOW else str(count)


def chart_csv(chart: Chart) -> str:
    """A chart as CSV (label, count) with small numbers suppressed, and no total (a total would give
    the suppressed counts back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([chart.title, chart.what])
    for label, count in chart.rows:
        # A label a spreadsheet would run as a formula is written as text.
        safe = "'" + label if label[:1] in ("=", "+", "-", "@", "\t", "\r") else label
        writer.writerow([safe, suppressed(count)])
    return out.getvalue()
