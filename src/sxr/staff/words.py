"""The staff portal's words, in one place: a case's status, what an audit event says, age bands, and
times in the deployment's zone. Pages, the queue, the audit trail and the trends read these tables, so the
status a page shows ("New") is the status the audit trail shows ("New -> Triaged")."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sxr.analysis.vocabulary import kind_label
from sxr.clock import as_utc

# Stored values of `Case.status` ("open" is what a new case starts with) and how staff see them.
STATUS_LABELS = {"open": "New", "triaged": "Triaged", "with_police": "With police", "closed": "Closed"}

AGE_BAND_LABELS = {
    "under-13": "Under 13",
    "13-15": "13 to 15",
    "16-17": "16 to 17",
    "18-24": "18 to 24",
    "25-plus": "25 or over",
    "prefer-not-to-say": "Preferred not to say",
}

# What each audit event means, in words (an action the table does not know is shown as stored).
ACTION_LABELS = {
    "case.view": "Viewed the case",
    "case.status": "Changed the status",
    "case.hold": "Put the case on hold",
    "case.hold_lifted": "Lifted a hold",
    "case.erased": "Erased the case",
    "case_queue.view": "Viewed the case queue",
    "trends.view": "Viewed the trends",
    "trends.export": "Downloaded trend figures",
    "audit.view": "Viewed the audit trail",
    "detail.confirmed": "Confirmed a detail",
    "detail.rejected": "Rejected a detail",
    "evidence.download": "Downloaded an original",
    "evidence.view": "Looked at an original",
    "evidence.export": "Exported evidence",
    "evidence.reading.view": "Viewed a screenshot's reading",
    "evidence.reading.confirm": "Confirmed a screenshot's reading",
    "report_pack.build": "Built a report pack",
    "retention.run": "Ran retention",
    "staff.login": "Signed in",
    "staff.login_failed": "Failed to sign in",
    "staff.logout": "Signed out",
    "staff.password_changed": "Changed their password",
    "watchlist.view": "Viewed the watchlist",
    "watchlist.quota_reached": "Reached the watchlist quota",
}

_STATUS_CHANGE = re.compile(r"^([a-z_]+) -> ([a-z_]+)$")


def status_label(value: str | None) -> str:
    """A status in words ("open" -> "New"); one the table does not know is shown as stored."""
    return "" if value is None else STATUS_LABELS.get(value, value)


def action_label(action: str) -> str:
    """An audit event's action in words."""
    return ACTION_LABELS.get(action, action)


def event_subject(action: str, subject: str | None) -> str:
    """An audit event's subject in words: a status change reads "New -> Triaged", a reviewed detail
    "Snapchat name: lily_x09"."""
    if not subject:
        return ""
    if action == "case.status" and (m := _STATUS_CHANGE.match(subject)):
        return f"{status_label(m.group(1))} -> {status_label(m.group(2))}"
    if action.startswith("detail.") and ": " in subject:
        kind, value = subject.split(": ", 1)
        return f"{kind_label(kind)}: {value}"
    return subject


def age_band_label(value: str | None) -> str:
    """An age band in words ("13-15" -> "13 to 15"), or "not given"."""
    return "not given" if not value else AGE_BAND_LABELS.get(value, value)


def zone(name: str) -> tzinfo:
    """The deployment's time zone (settings.timezone); UTC when the name is unknown here."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, where: tzinfo, *, with_zone: bool = True) -> str:
    """`moment` in the deployment's zone, as "7 Dec 2026, 21:06 GMT" ("" for None)."""
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(where)
    text = f"{local.day} {local:%b %Y, %H:%M}"
    return f"{text} {local.tzname()}" if with_zone else text


def written_time(iso: str | None) -> str:
    """A message's time as the export wrote it (the sender's phone clock: no zone is claimed)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:40]
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def message_time(iso: str | None, written: bool, where: tzinfo) -> str:
    """A message's time: as written when the export wrote it out (its zone unknown), else a platform's
    own timestamp (UTC) in the deployment's zone."""
    if written or not iso:
        return written_time(iso)
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:40]
    return local_time(moment, where)


def age_in_words(since: datetime, now: datetime) -> str:
    """How long ago `since` was: "3 hours", "2 days", "5 weeks"."""
    seconds = max(0, int((as_utc(now) - as_utc(since)).total_seconds()))
    for size, one, many in ((7 * 86400, "week", "weeks"), (86400, "day", "days"), (3600, "hour", "hours")):
        if seconds >= size * (2 if size > 3600 else 1):
            n = seconds // size
            return f"{n} {one if n == 1 else many}"
    minutes = seconds // 60
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
