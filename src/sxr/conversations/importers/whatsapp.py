"""WhatsApp "Export chat": Android `.txt` and iOS `.zip` (`_chat.txt`), any locale's date order and clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers import whatsapp_words as words
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.date_order import DateEvidence, assumed_warning, decide
from sxr.conversations.importers.decoding import text_lines
from sxr.conversations.importers.text import BIDI_MARKS, strip_bidi
from sxr.conversations.model import ExportError, Message, Notice, SourceRef

_SPACE = r"[ \t\u00a0\u202f]"
# The day, month and year in some order; the year may sit in the middle ("06/2018/13"); Croatian ends the
# date with a full stop ("13. 6. 2018.").
_DATE = (
    r"(?P<d1>\d{1,4})(?P<sep>[./-])"
    + _SPACE
    + r"?(?P<d2>\d{1,2}|\d{4})(?P=sep)"
    + _SPACE
    + r"?(?P<d3>\d{2,4})(?P<ydot>\.)?"
)
_TIME = (
    r"(?P<pre>오전|오후|上午|下午|午前|午後)?" + _SPACE + r"?"
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:" + _SPACE + r"{0,2}(?P<ampm>[AaPp]\.?" + _SPACE + r"?[Mm]\.?))?"
)
# A short word may join the date and the time ("13.6.2018 klo 21.25", "31/12/2025 à 23:59", "um", "at").
_JOIN = r",?" + _SPACE + r"+(?:[^\W\d_]{1,4}\.?" + _SPACE + r")?"
# What ends the stamp: " - " (Android), ": " (Finnish "13.06.18 21.25.15: Name: text"), or after a date
# that ends with a full stop, a space alone (Croatian "13. 6. 2018. 21:25:15 Name: text").
_AFTER = r"(?:" + _SPACE + r"*[-–]" + _SPACE + r"|:" + _SPACE + r"|(?(ydot)" + _SPACE + r"|(?!)))"
# Android: "31/12/2025, 23:59 - Name: text"; iOS: "[31/12/2025, 23:59:59] Name: text".
ANDROID = re.compile(r"(?P<stamp>" + _DATE + _JOIN + _TIME + r")" + _AFTER + r"(?P<rest>.*)")
IOS = re.compile(r"\[(?P<stamp>" + _DATE + _JOIN + _TIME + r")\]" + _SPACE + r"?(?P<rest>.*)")

_PM = {"오후", "下午", "午後"}
_AM = {"오전", "上午", "午前"}
# What is not part of an am/pm marker's letters: "p. m.", "p.\u00a0m.", "PM" all say pm.
_AMPM_NOISE = str.maketrans("", "", ". \t\u00a0\u202f")


def _alternatives(table: dict[str, tuple[str, ...]]) -> str:
    """One regex alternation of every language's literal words in a table (longest first)."""
    every = sorted({word for entries in table.values() for word in entries}, key=len, reverse=True)
    return "|".join(re.escape(word) for word in every)


def _patterns(table: dict[str, tuple[str, ...]]) -> str:
    return "|".join(f"(?:{pattern})" for entries in table.values() for pattern in entries)


# Placeholders for media that the export left out, in the languages of words.py.
_OMITTED = re.compile(
    r"^(?:" + _alternatives(words.MEDIA_OMITTED) + "|" + _alternatives(words.MEDIA_KIND_OMITTED) + r"|"
    r"<[^<>]{0,40}(?:" + "|".join(map(re.escape, words.MEDIA_WORDS)) + r")[^<>]{0,40}>)$",
    re.IGNORECASE,
)
_ATTACHED_IOS = re.compile(
    r"^<(?:" + "|".join(map(re.escape, words.ATTACHED_IOS)) + r"):\s*(?P<file>[^>]+)>$", re.IGNORECASE
)
_ATTACHED_ANDROID = re.compile(
    r"^(?P<file>(?:\S.*?)?\.\w{2,5})\s\((?:" + _alternatives(words.FILE_ATTACHED) + r")\)"
    r"(?:\n(?P<caption>.*))?$",
    re.DOTALL | re.IGNORECASE,
)
_DELETED = re.compile(r"^(?:" + _alternatives(words.DELETED) + r")\.?$", re.IGNORECASE)
_EDITED = re.compile(r"\s*<(?:" + _alternatives(words.EDITED) + r")\.?>$", re.IGNORECASE)
# The encryption banner, known by its words wherever it is (with a sender's name or not, marked or not).
# Its first sentence must end where the words end: "Messages and calls are end-to-end encrypted: no" is
# something a person typed.
_BANNER = re.compile(r"^(?:" + _alternatives(words.ENCRYPTION_BANNER) + r")(?=[.。۔]|$)", re.IGNORECASE)
_BANNER_STARTS = frozenset(
    banner[:6].lower() for entries in words.ENCRYPTION_BANNER.values() for banner in entries
)
# "X created group ...", whose "sender" (a name some copies put before it) is no one who wrote.
_CREATED = re.compile(r"^(?:" + _patterns(words.GROUP_CREATED) + r")$", re.IGNORECASE)
# Notices iOS attributes to the chat's name (and Android writes without a name).
_NOTICE_TEXT = re.compile(
    r"^(?:Messages and calls are end-to-end encrypted|Messages to this (?:chat|group) and calls are now "
    r"secured|You blocked this contact|You unblocked this contact|Missed (?:voice|video|group voice|"
    r"group video) call|This chat is with a business account|Your security code with|"
    r"Disappearing messages|.* changed (?:their phone number|the subject|this group's icon|the group)|"
    + _alternatives(words.ENCRYPTION_BANNER)
    + r")",
    re.IGNORECASE,
)
_FIXED_NOTICE = re.compile(
    r"^(?:Messages and calls are end-to-end encrypted\. No one outside|Messages to this (?:chat|group) and "
    r"calls are now secured|You blocked this contact\. Tap to unblock|You unblocked this contact\.?$|"
    r"Your security code with .* changed)"
)
# What iOS marks with U+200E but a person sent: media, deleted messages, locations, polls.
_IOS_CONTENT = re.compile(
    r"^(?:<[^>]+>|.* omitted|.* weggelassen|.* omitid[oa]|.* omis|This message was deleted|You deleted|"
    r"Location:|POLL:|Waiting for this message|Live location shared|"
    + _alternatives(words.MEDIA_KIND_OMITTED)
    + "|"
    + _alternatives(words.DELETED)
    + r")",
    re.IGNORECASE,
)
# A cheap first look: every placeholder above starts with "<", holds a bracket, or ends in one of the last
# words of the tables' "left out" and "deleted" notes; ordinary messages rarely do, so most skip the
# detailed patterns.
_PLACEHOLDER_LAST_WORDS = frozenset(
    word.lower().rstrip(".").split()[-1]
    for table in (words.MEDIA_KIND_OMITTED, words.DELETED)
    for entries in table.values()
    for word in entries
)


def _maybe_placeholder(text: str) -> bool:
    """A cheap first look: placeholders start with "<", hold a bracket or end in one of a few words."""
    if not text:
        return False
    if text[0] == "<" or ")" in text:
        return True
    return text[-24:].lower().rstrip(".").rpartition(" ")[2] in _PLACEHOLDER_LAST_WORDS


_PHONE_NAME = re.compile(r"^\+?[\d\s().-]{7,20}$")
# "WhatsApp Chat with X" in the languages WhatsApp names its exports in (iOS: "WhatsApp Chat - X").
_TITLE_LOCALISED = re.compile(
    r"^(?:WhatsApp[ -]Chat (?:with|mit|met|con|com|avec)|Chat de WhatsApp con|Chat WhatsApp (?:avec|con|com)|"
    r"Discussion WhatsApp avec|Conversa do WhatsApp com|WhatsApp[ -]Chat -)\s+(?P<title>.+?)\s*$",
    re.IGNORECASE,
)
_TITLE = re.compile(r"^WhatsApp(?: Chat)?(?: with| - | mit | con | avec | met | com )?\s*(?P<title>.+?)\s*$")
# A browser saving the same download twice names the second "... (1)".
_DOWNLOAD_COPY = re.compile(r"\s\(\d{1,3}\)$")
# Group notices Android writes without a name, whose words can hold ": " (in a group's or a person's
# name), so that splitting "Name: text" would invent a sender. English; other languages are caught by
# the unclosed quote mark rule in `_not_a_sender`.
_GROUP_NOTICE = re.compile(
    r"^(?:.+ created group [\"“].*[\"”]|.+ created this group|"
    r".+ changed the subject (?:from [\"“].*[\"”] )?to [\"“].*[\"”]|"
    r".+ changed (?:this group's|the group) (?:icon|description|settings|name)\b.*|"
    r".+ deleted this group's icon|.+ (?:added|removed) .+|.+ left|.+ joined using this group's invite link|"
    r".+ was (?:added|removed)|"
    r".+ changed their phone number\b.*|.+ changed to .+|Your security code with .+ changed\b.*|"
    r".+ turned (?:on|off) disappearing messages\b.*|.+ pinned a message|You were added\b.*)$"
)
# The fixed words of those notices: a "sender" holding one of them is no person's name.
_NOTICE_WORDS = re.compile(
    r" (?:created (?:group|this group)|changed (?:the subject|this group's|the group|their phone number|to)|"
    r"deleted this group's|added|removed|left|joined using|was (?:added|removed)|turned (?:on|off)|"
    r"pinned a message)(?: |$)"
)
# The group notices of iOS (marked with U+200E, "sent" by the group's name): who joined, left, was added.
_IOS_GROUP_NOTICE = re.compile(
    r"^(?:.+ created group [\"“].*[\"”]|.+ created this group|.+ (?:added|removed) .+|.+ left|"
    r".+ joined using this group's invite link|.+ (?:was|were) (?:added|removed)|"
    r".+ changed (?:this group's|the group) (?:icon|description|settings|name)\b.*|"
    r".+ deleted this group's icon|.+ changed to .+|.+ turned (?:on|off) disappearing messages\b.*|"
    r".+ pinned a message|You were added\b.*)$"
)
# Notices only the chat itself "sends" on iOS: their sender is the chat's (or group's) name.
_CHAT_NAME_NOTICE = re.compile(
    r"^(?:Messages and calls are end-to-end encrypted|Messages to this (?:chat|group) and calls are now "
    r"secured|.+ created group [\"“]|" + _alternatives(words.ENCRYPTION_BANNER) + r")",
    re.IGNORECASE,
)
_OPEN_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "「": "」", "‹": "›"}


def _not_a_sender(sender: str, rest: str, text: str) -> bool:
    """Whether a first-seen "Name" of "Name: text" is really part of a notice that holds ": "."""
    if _NOTICE_WORDS.search(sender) and _GROUP_NOTICE.match(rest):
        return True
    # 'Tom hat die Gruppe „Trip: Ibiza“ erstellt': a quote mark opened in the "name" and closed in the text.
    for opening, closing in _OPEN_QUOTES.items():
        at = sender.find(" " + opening)
        if at >= 0 and closing not in sender[at + 2 :] and closing in text:
            return True
    return False


def _by_words_a_notice(text: str, first_seen: bool, raw_sender: str) -> bool:
    """Whether a "Name: text" line is WhatsApp's notice by its words: the encryption banner (whoever the
    line names, marked or not), or "X created group ..." under a system's name that has sent no message
    (a person's "I created this group" stays their message)."""
    if len(text) < 12:
        return False
    start = text.lstrip(BIDI_MARKS) if text[0] in BIDI_MARKS else text
    if start[:6].lower() in _BANNER_STARTS and _BANNER.match(start) is not None:
        return True
    return (
        first_seen
        and strip_bidi(raw_sender).strip().casefold() in words.SYSTEM_NAMES
        and _CREATED.match(strip_bidi(start).strip()) is not None
    )


def _title(stem: str) -> str | None:
    """The chat's name from the export's file name, without a browser's " (1)"."""
    match = _TITLE_LOCALISED.match(stem)
    if match is None and stem.lower().startswith("whatsapp"):
        match = _TITLE.match(stem)
    if match is None:
        return None
    return _DOWNLOAD_COPY.sub("", match["title"]).strip() or None


class _Pending:
    """A message line read, with the lines that continue it (most messages have none: no list then)."""

    __slots__ = ("end", "line", "match", "more")

    def __init__(self, match: re.Match[str], line: int) -> None:
        self.match = match
        self.line = self.end = line
        self.more: list[str] | None = None


def _match(line: str) -> re.Match[str] | None:
    if line and line[0] == "[":
        return IOS.match(line)
    return ANDROID.match(line) or IOS.match(line)


def _first_line(files: ExportFiles, name: str) -> str:
    with files.open(name) as raw:
        head = raw.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            return line.lstrip(BIDI_MARKS)
    return ""


def _clock(match: re.Match[str], line_no: int) -> tuple[int, int, int]:
    hour, minute = int(match["h"]), int(match["mi"])
    second = int(match["s"]) if match["s"] else 0
    ampm = (match["ampm"] or "").lower().translate(_AMPM_NOISE)
    pre = match["pre"]
    pm = ampm == "pm" or pre in _PM
    am = ampm == "am" or pre in _AM
    if pm or am:
        # "00:08 a. m." (some Spanish-language phones) is eight minutes past midnight, as written.
        if not (1 <= hour <= 12 or (am and hour == 0)):
            raise ExportError(f"Line {line_no}: {hour} is not an hour on a 12-hour clock.")
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ExportError(f"Line {line_no}: {match['stamp']!r} is not a time of day.")
    return hour, minute, second


class WhatsApp(Importer):
    format = "whatsapp"
    title = "WhatsApp"
    reads = "_chat.txt"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            lower = name.lower()
            if not lower.endswith(".txt"):
                continue
            if files.kind != "file" and PurePosixPath(lower).name != "_chat.txt" and "whatsapp" not in lower:
                # Inside archives and folders only WhatsApp's own file names are read.
                continue
            first = _first_line(files, name)
            if first and _match(first) is not None:
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = _choose(run, names)
        stem = PurePosixPath(run.files.display if run.files.kind != "folder" else name).stem
        run.title = _title(stem)
        where = run.files.display if run.files.kind == "file" else f"{run.files.display} ({name})"
        evidence = _date_evidence(run.files, name, first_only=run.options.date_order is not None)
        order, run.date_reading = decide(
            evidence, run.options.date_order, run.options.fallback_date_order, where
        )
        if run.date_reading is not None and run.date_reading.how == "assumed":
            run.warn(assumed_warning(run.date_reading))
        run.warn(
            "WhatsApp exports give local times without a zone: times are read in the "
            f"{run.options.tz} zone (use --tz to change it)."
        )
        run.warn("View-once photos and videos are never included in a WhatsApp export.")
        yield from self._parse(run, name, order)

    def _parse(self, run: ImportRun, name: str, order: str) -> Iterator[Item]:
        files = run.files
        # Per-import caches (an importer object is shared, so they are reset here).
        self._senders: dict[str, str] = {}  # only senders of messages: notices register no one
        self._chat_names: set[str] = {run.title} if run.title else set()
        # Names holding ": " that a line showed (or the file name gave), by their part before it.
        self._colon_names: dict[str, list[str]] = {}
        if run.title and ": " in run.title:
            self._learn_colon_name(run.title)
        self._last_stamp: str | None = None
        self._last_sent_at: datetime | None = None
        self._source = files.source(name)  # the file's names and hashes, shared by every message's source
        self._clocks: dict[tuple[str | Any, ...], tuple[int, int, int]] = {}
        dates: dict[tuple[str, str, str], tuple[int, int, int]] = {}
        pending: _Pending | None = None
        line_no = 0
        with files.open(name) as raw:
            for line in text_lines(raw, run, name):
                line_no += 1
                stripped = line.lstrip(BIDI_MARKS) if line and line[0] in BIDI_MARKS else line
                first = stripped[:1]
                # Only "[" starts an iOS line (IOS.match), only a digit an Android one (ANDROID.match).
                if first == "[":
                    match = IOS.match(stripped)
                else:
                    match = ANDROID.match(stripped) if first.isdigit() else None
                if match is None:
                    if pending is None:
                        if line.strip():
                            raise ExportError(
                                f"{name} line {line_no} is not a WhatsApp message line; "
                                "is this a WhatsApp export?"
                            )
                        continue
                    if pending.more is None:
                        pending.more = [line]
                    else:
                        pending.more.append(line)
                    pending.end = line_no
                    continue
                if pending is not None:
                    yield self._item(run, name, pending, dates, order)
                pending = _Pending(match, line_no)
        if pending is not None:
            yield self._item(run, name, pending, dates, order)
        elif line_no == 0:
            raise ExportError(f"{name} is empty.")

    def _item(
        self,
        run: ImportRun,
        name: str,
        pending: _Pending,
        dates: dict[tuple[str, str, str], tuple[int, int, int]],
        order: str,
    ) -> Item:
        stamp, rest = pending.match.group("stamp", "rest")
        sent_at = self._sent_at(run, name, pending, stamp, dates, order)
        more = pending.more
        if more is not None:
            # Trailing blank lines belong to no message: keep the line range honest.
            while more and not more[-1].strip():
                more.pop()
                pending.end -= 1
            if more:
                rest = "\n".join([rest, *more])
        ids = self._source
        source = SourceRef(
            ids.file, ids.sha256, (pending.line, pending.end), None, None, None, ids.member, ids.member_sha256
        )
        raw_sender, sep, text = self._split_sender(rest)
        known = self._senders.get(raw_sender) if sep else None
        if (
            sep
            and (known is None or text[:1] in BIDI_MARKS or text[:6].lower() in _BANNER_STARTS)
            and _by_words_a_notice(text, known is None, raw_sender)
        ):
            return Notice(text=strip_bidi(text).strip(), source=source, sent_at=sent_at)
        platform_id = None
        if known is None:
            sender = strip_bidi(raw_sender).strip()
            if (
                not sep
                or not sender
                or len(sender) > 80
                or "\n" in sender
                or (sender not in self._chat_names and _not_a_sender(sender, rest, text))
            ):
                return Notice(text=strip_bidi(rest).strip(), source=source, sent_at=sent_at)
            if sender.startswith("+") and _PHONE_NAME.match(sender):
                platform_id = "+" + re.sub(r"\D", "", sender)
        else:
            sender = known
        marked = text.startswith("\u200e")
        body = strip_bidi(text)
        if (marked or sender in self._chat_names) and self._chat_notice(sender, body.strip(), marked):
            # iOS writes its system notices as if sent by the chat's name, marked with U+200E.
            return Notice(text=body.strip(), source=source, sent_at=sent_at)
        if known is None:
            # A participant is recorded only once one of their lines is known to be a message.
            run.sender(sender, platform_id)
            if len(self._senders) < 10_000:
                self._senders[raw_sender] = sender
        message = Message(0, sender, body, source, sent_at, stamp)
        _read_markers(message)
        return message

    def _sent_at(
        self,
        run: ImportRun,
        name: str,
        pending: _Pending,
        stamp: str,
        dates: dict[tuple[str, str, str], tuple[int, int, int]],
        order: str,
    ) -> datetime | None:
        """When a line was sent (None, and a warning, where its stamp cannot be read)."""
        if stamp == self._last_stamp and self._last_sent_at is not None:
            return self._last_sent_at  # consecutive messages in one minute share a stamp
        match = pending.match
        parts = match.group("d1", "d2", "d3", "h", "mi", "s", "ampm", "pre")
        date: tuple[str, str, str] = parts[:3]  # type: ignore[assignment]  # three groups, always set
        sent_at: datetime | None
        try:
            ymd = dates.get(date)
            if ymd is None:
                ymd = _resolve_date(date, order, pending.line)
                if len(dates) < 100_000:
                    dates[date] = ymd
            clock_key = parts[3:]
            clock = self._clocks.get(clock_key)
            if clock is None:
                clock = _clock(match, pending.line)
                if len(self._clocks) < 200_000:
                    self._clocks[clock_key] = clock
            sent_at = run.local_at(ymd, clock)
        except (ValueError, ExportError) as exc:
            # One bad stamp loses nothing: the line is read, without a time, and said.
            sent_at = None
            self._unreadable_stamp(run, name, pending.line, stamp, exc)
        self._last_stamp, self._last_sent_at = stamp, sent_at
        return sent_at

    def _split_sender(self, rest: str) -> tuple[str, str, str]:
        """A line's "Name: text" as (name, ": " or "", text), for names holding ": " too."""
        raw_sender, sep, text = rest.partition(": ")
        if sep and "\u200e" in text and text[0] != "\u200e":
            # iOS marks what WhatsApp wrote right after "Name: ": a later ": \u200e" ends a name holding ": ".
            at = rest.find(": \u200e")
            if at > 0 and "\n" not in rest[:at]:
                raw_sender, text = rest[:at], rest[at + 2 :]
                self._learn_colon_name(raw_sender)
        if self._colon_names and sep:
            raw_sender, text = self._longest_name(raw_sender, text, rest)
        return raw_sender, sep, text

    def _chat_notice(self, sender: str, stripped: str, marked: bool) -> bool:
        """Whether words "sent" by the chat's name (or marked by iOS) are WhatsApp's notice."""
        if marked and _CHAT_NAME_NOTICE.match(stripped) and len(self._chat_names) < 100:
            self._chat_names.add(sender)  # iOS "sends" these as the chat (or group) itself
        ios_notice = marked and sender in self._chat_names and not _IOS_CONTENT.match(stripped)
        # Unmarked text from the chat's name is a notice only if it is WhatsApp's own fixed words:
        # "... changed the subject" could be something the person typed.
        if marked:
            notice = _NOTICE_TEXT.match(stripped) or _IOS_GROUP_NOTICE.match(stripped)
        else:
            notice = _FIXED_NOTICE.match(stripped)
        return bool(ios_notice or notice)

    def _unreadable_stamp(self, run: ImportRun, name: str, line: int, stamp: str, exc: Exception) -> None:
        """A warning naming the line whose date or time could not be read (the line itself is kept)."""
        self._bad_stamps = getattr(self, "_bad_stamps", 0) + 1
        if self._bad_stamps <= 20:
            why = str(exc) if isinstance(exc, ExportError) else "it is not a real date"
            run.warn(
                f"{name} line {line}: the date and time {stamp!r} could not be read ({why}), so that "
                "line is kept without a time."
            )
        elif self._bad_stamps == 21:
            run.warn(
                f"{name}: more lines have a date or time that could not be read; each is kept without a time."
            )

    def _learn_colon_name(self, name: str) -> None:
        """Remember a name holding ": " so that later "Name: with: colon: text" lines split after it."""
        first = name.partition(": ")[0]
        names = self._colon_names.setdefault(first, [])
        if name not in names and len(self._colon_names) < 1000:
            names.append(name)
            names.sort(key=len, reverse=True)

    def _longest_name(self, raw_sender: str, text: str, rest: str) -> tuple[str, str]:
        """The longest name already seen that this line starts with, and the text after it."""
        for name in self._colon_names.get(raw_sender, ()):
            if rest.startswith(name + ": "):
                return name, rest[len(name) + 2 :]
        return raw_sender, text


def _read_markers(message: Message) -> None:
    """Edited/deleted flags and attachments from WhatsApp's placeholder text."""
    text = message.text
    if text.endswith(">"):
        edited = _EDITED.search(text)
        if edited:
            message.edited = True
            text = text[: edited.start()]
    stripped = text.strip()
    if not _maybe_placeholder(stripped):
        message.text = text  # the common case: ordinary words, no placeholder to read
        return
    if _DELETED.match(stripped):
        message.deleted = True
    elif _OMITTED.match(stripped):
        message.attach(stripped.strip("<>") + " (not included in the export)")
        text = ""
    elif (attached := _ATTACHED_IOS.match(stripped)) is not None:
        message.attach(attached["file"].strip())
        text = ""
    elif (attached := _ATTACHED_ANDROID.match(stripped)) is not None:
        message.attach(attached["file"].strip())
        text = attached["caption"] or ""
    message.text = text


def _resolve_date(parts: tuple[str, str, str], order: str, line_no: int) -> tuple[int, int, int]:
    a, b, c = parts
    if len(b) == 4:
        b, c = c, b  # "06/2018/13": the year in the middle, read as if it were last
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif order == "MDY":
        month, day, year = int(a), int(b), int(c)
    else:
        day, month, year = int(a), int(b), int(c)
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise ExportError(
            f"Line {line_no}: {'/'.join(parts)} has no month {month}; the date order {order} does not fit "
            "this export. Try the other --date-order."
        )
    return year, month, day


def _date_evidence(files: ExportFiles, name: str, first_only: bool = False) -> DateEvidence:
    """What the file's dates say about their order (only the first date when the order is given)."""
    evidence = DateEvidence()
    with files.open(name) as raw:
        for line in text_lines(raw):
            stripped = line.lstrip(BIDI_MARKS)
            if not stripped[:1].isdigit() and stripped[:1] != "[":
                continue
            match = _match(stripped)
            if match is None:
                continue
            d1, d2, d3 = match["d1"], match["d2"], match["d3"]
            if len(d1) == 4:
                evidence.year_first(_written_date(match), int(d1), int(d2), int(d3))
            else:
                if len(d2) == 4:
                    d2, d3 = d3, d2
                evidence.add(int(d1), int(d2), int(d3), _written_date(match))
                if match["sep"] == "." and evidence.dotted_raw is None:
                    evidence.dotted(_written_date(match))
                # US phones write "3/6/18, 1:55 PM"; India's "03/06/18, 1:55 PM" is day first, and its
                # zero-padding tells it apart.
                unpadded = not (d1.startswith("0") or d2.startswith("0"))
                if (
                    evidence.us_clock_raw is None
                    and len(d3) == 2
                    and unpadded
                    and match["ampm"] in ("AM", "PM")
                ):
                    evidence.us_clock(match["stamp"])
            if first_only:
                break
    return evidence


def _written_date(match: re.Match[str]) -> str:
    """The date as the line wrote it ("03/12/2026")."""
    return match.string[match.start("d1") : match.end("d3")]


def _choose(run: ImportRun, names: list[str]) -> str:
    choices = [ChatChoice(PurePosixPath(n).name, n, n) for n in names]
    return str(choose_chat(run, choices, run.files.display, "WhatsApp chats").value)
