"""What the victim is told about each file: read or not (and what to do), and how its dates were read.

The words are for a frightened child on a phone: short, kind, never blaming, each with a next step.
"""

from __future__ import annotations

import json
from collections.abc import Set
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.evidence import services as evidence_services
from sxr.evidence.models import NO_CHAT, NOT_READ_STATES, PARTLY_READ, EvidenceItem, EvidenceReading
from sxr.jobs.models import PENDING_STATES, RUNNING, Job

# What went wrong (EvidenceReading.problem), for the victim. {name} is the file's name.
PROBLEM_WORDS = {
    "not_a_chat": (
        "We kept {name} safe, but we could not read the chat in it. This is not your fault. "
        "Some apps save chats in a way we do not know yet."
    ),
    "unreadable": (
        "We kept {name} safe, but we could not read it. This is not your fault. "
        "The file may be cut short, or saved in a way we do not know yet."
    ),
    "failed": (
        "We kept {name} safe, but something went wrong on our side when we tried to read it. "
        "This is not your fault. Our team can see it too."
    ),
    "some_chats": (
        "We read most of {name}, but a few chats in it did not work. This is not your fault. "
        "Our team can see which ones."
    ),
    "picture": (
        "We kept {name} safe, but we could not read the words in this picture. This is not your fault."
    ),
}
# What to do next, for each problem.
PROBLEM_NEXT = {
    "not_a_chat": (
        "You can try again: in the app, open the chat, choose Export chat and pick Without media. "
        "Or take screenshots of the messages and add them here."
    ),
    "unreadable": (
        "You can try to export the chat again and add the new file. Or take screenshots of the messages "
        "and add them here."
    ),
    "failed": "You do not need to do anything. If you like, you can add screenshots of the messages too.",
    "some_chats": "If a chat with the other person is missing, take screenshots of it and add them here.",
    "picture": "If it is a screenshot of a chat, you can take a new screenshot and add it here.",
}
NO_CHAT_WORDS = {
    "no_messages": (
        "We did not find chat messages in {name}. That is fine if it is not a chat. "
        "If it is a screenshot of a chat, a clearer screenshot may help."
    ),
    None: "We did not find a chat in {name}. That is fine if it only holds pictures.",
}


@dataclass(frozen=True)
class DateSwitch:
    """The one-tap choice to read a file's dates the other way."""

    order: str  # what to switch to: DMY or MDY
    label: str  # "It means 12 March 2026"


@dataclass(frozen=True)
class FileNote:
    """One thing to tell the victim about one file."""

    item_id: int
    name: str
    not_read: bool  # a failure (shown as a warning), or just a note
    text: str
    next_step: str | None = None
    switch: DateSwitch | None = None


def long_date(day: date) -> str:
    """3 December 2026 (no leading zero, the month in words: never ambiguous)."""
    return f"{day.day} {day:%B %Y}"


def _swapped(day: date) -> date | None:
    try:
        return date(day.year, day.day, day.month)
    except ValueError:
        return None


def _date_reading(session: Session, settings: Settings, item: EvidenceItem) -> dict[str, Any] | None:
    # The first chat's reading, from the derived conversation (stored there, encrypted, with its messages).
    for derived in evidence_services.list_derived(session, item):
        if derived.kind != "conversation":
            continue
        try:
            document = json.loads(evidence_services.read_derived(settings, derived))
        except (ValueError, OSError):
            return None
        reading = document.get("date_reading") if isinstance(document, dict) else None
        return reading if isinstance(reading, dict) else None
    return None


def date_note(item: EvidenceItem, reading: dict[str, Any]) -> FileNote | None:
    """How a file's dates were read, in words, with the switch where the file itself could not tell."""
    order, how = str(reading.get("order") or ""), str(reading.get("how") or "")
    try:
        example = date.fromisoformat(str(reading.get("example")))
    except ValueError:
        return None
    raw = reading.get("example_raw")
    read_as = (
        f"We read {raw} as {long_date(example)}."
        if raw
        else (f"We read the first date as {long_date(example)}.")
    )
    name = item.original_name
    if how == "given":
        text = f"You told us how the dates in {name} are written. {read_as}"
    elif how == "assumed":
        text = f"The dates in {name} could be read two ways. {read_as}"
    else:
        text = f"{read_as[:-1]} in {name}."
    switch = None
    other = {"DMY": "MDY", "MDY": "DMY"}.get(order)
    swapped = _swapped(example)
    if how in ("given", "assumed") and other and swapped is not None and swapped != example:
        switch = DateSwitch(other, f"No, it means {long_date(swapped)}")
    return FileNote(item.id, item.original_name, False, text, switch=switch)


def problem_note(item: EvidenceItem, reading: EvidenceReading) -> FileNote | None:
    """What could not be read in a file, and what the victim can do."""
    name = item.original_name
    if reading.state in NOT_READ_STATES:
        problem = reading.problem if reading.problem in PROBLEM_WORDS else "unreadable"
        return FileNote(item.id, name, True, PROBLEM_WORDS[problem].format(name=name), PROBLEM_NEXT[problem])
    if reading.state == NO_CHAT:
        words = NO_CHAT_WORDS.get(reading.problem, NO_CHAT_WORDS[None])
        return FileNote(item.id, name, False, words.format(name=name))
    return None


def file_notes(
    session: Session, settings: Settings, items: list[EvidenceItem], pending: Set[int] = frozenset()
) -> list[FileNote]:
    """Everything to tell the victim about their files, problems first (none yet for `pending` items,
    which are still being read)."""
    if not items:
        return []
    readings = evidence_services.readings_of(session, items[0].case_id)
    problems: list[FileNote] = []
    notes: list[FileNote] = []
    for item in items:
        reading = readings.get(item.id)
        if reading is None or item.id in pending:
            continue
        note = problem_note(item, reading)
        if note is not None:
            (problems if note.not_read else notes).append(note)
        if reading.date_how is not None:
            date_reading = _date_reading(session, settings, item)
            dated = date_note(item, date_reading) if date_reading else None
            if dated is not None:
                notes.append(dated)
    return problems + notes


def not_read_names(session: Session, items: list[EvidenceItem], pending: Set[int] = frozenset()) -> list[str]:
    """The names of those of `items` that could not be read (in full); `pending` ones are still being read."""
    if not items:
        return []
    readings = evidence_services.readings_of(session, items[0].case_id)
    return [
        item.original_name
        for item in items
        if item.id not in pending and (r := readings.get(item.id)) is not None and r.state in NOT_READ_STATES
    ]


# Where reading each file has got to, in the victim's words (the page's "Reading" column, and the JSON
# its script polls). "waiting" and "reading" are pending: the page asks again until none is left.
PROGRESS_WORDS = {
    "waiting": "Waiting to be read. This can take a minute.",
    "reading": "We are reading this file now. This can take a minute.",
    "retrying": "Reading this file is taking longer. We will keep trying.",
    "read": "Read.",
    "partly_read": "Partly read. See below.",
    "not_read": "We could not read this. See below.",
    "no_chat": "Kept safe. No chat found in it.",
    "kept": "Kept safe.",
}
PENDING_PROGRESS = frozenset({"waiting", "reading", "retrying"})


def progress_of(job: Job | None, reading: EvidenceReading | None) -> str:
    """Where reading one file has got to: a key of PROGRESS_WORDS."""
    if job is not None and job.state in PENDING_STATES:
        if job.state == RUNNING:
            return "reading"
        return "retrying" if job.attempts > 0 else "waiting"
    if reading is None:
        return "kept"  # a photo, a video, a PDF: nothing to read in it
    if reading.state in NOT_READ_STATES:
        return "partly_read" if reading.state == PARTLY_READ else "not_read"
    if reading.state == NO_CHAT:
        return "no_chat"
    return "read"
