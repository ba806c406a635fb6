"""The last resorts: an e-mail (`.eml`, or a `.txt` that starts with mail headers) and a pasted chat."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import Importer, ImportRun, Item
from sxr.conversations.importers.date_order import DateEvidence, assumed_warning, decide
from sxr.conversations.importers.decoding import text_lines
from sxr.conversations.importers.text import html_to_text, strip_bidi
from sxr.conversations.model import DateOrderAmbiguous, ExportError, Message, Notice, SourceRef

if TYPE_CHECKING:
    from email.headerregistry import Address
    from email.message import EmailMessage

MAX_EMAIL_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".text", ".log", ".md", ".eml", "")
_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9-]{1,40}):[ \t]?(?P<value>.*)$")
# mbox's separator line before each e-mail: "From sender@example.com Fri Mar 14 21:00:00 2025".
_MBOX_FROM = re.compile(r"^From \S+ .*\d")
_MBOX_FROM_BYTES = re.compile(rb"^From \S+ .*\d")
_MAIL_KEYS = {
    "from",
    "to",
    "subject",
    "date",
    "received",
    "return-path",
    "message-id",
    "mime-version",
    "delivered-to",
    "reply-to",
    "cc",
    "content-type",
    "x-mailer",
    "sender",
}


def _is_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") + sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    return bad <= max(2, len(text) // 200)


def _head(files: ExportFiles, name: str, size: int = 16384) -> bytes:
    with files.open(name) as stream:
        return stream.read(size)


def _decode(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _single_text_file(files: ExportFiles) -> str | None:
    if files.kind != "file":
        return None
    name = files.names()[0]
    if PurePosixPath(name).suffix.lower() not in TEXT_SUFFIXES:
        return None
    with files.open(name) as stream:
        start = stream.read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        return None  # JSON that no format recognised is not a pasted chat
    return name


class Email(Importer):
    format = "email"
    title = "e-mail"
    reads = ".eml or mbox"

    def find(self, files: ExportFiles) -> list[str]:
        name = _single_text_file(files)
        if name is None:
            return []
        head = _head(files, name)
        if not _is_text(head):
            return []
        keys = set()
        lines = _decode(head).splitlines()
        if lines and _MBOX_FROM.match(lines[0]):
            lines = lines[1:]  # an mbox file's "From " separator line, before the first e-mail's headers
        for line in lines:
            if not line.strip():
                break
            if line[:1] in " \t":
                continue  # a folded header line
            match = _HEADER.match(line)
            if match is None:
                return []
            keys.add(match["key"].lower())
        if "from" in keys and len(keys & _MAIL_KEYS) >= 2:
            return [name]
        return []

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = names[0]
        run.format = "plain"
        if run.files.size(name) > MAX_EMAIL_BYTES:
            raise ExportError(f"{name} is larger than any e-mail sxr reads ({MAX_EMAIL_BYTES // 2**20} MB).")
        # The e-mail package costs more to import than most exports take to read: only e-mail pays it.
        from email import policy
        from email.message import EmailMessage
        from email.parser import BytesParser

        with run.files.open(name) as stream:
            data = stream.read()
        mails = _mbox_split(data)
        if len(mails) > 1:
            run.warn(
                f"This file holds {len(mails)} e-mails (an mbox file): each is one message, "
                "in the order the file keeps them."
            )
        run.warn("An e-mail's From address is easily forged; the headers are kept in the original file.")
        for first, last, chunk in mails:
            try:
                mail = BytesParser(policy=policy.default).parsebytes(chunk)
            except Exception as exc:  # the stdlib parser is lenient; anything it raises means a broken file
                raise ExportError(f"{name} is not a readable e-mail ({exc}).") from exc
            assert isinstance(mail, EmailMessage)
            yield self._message(run, mail, run.files.source(name, lines=(first, last)))

    def _message(self, run: ImportRun, mail: EmailMessage, source: SourceRef) -> Message:
        from email.utils import parsedate_to_datetime

        sender, address = _from(mail)
        subject = str(mail.get("subject", "") or "")
        if run.title is None:
            run.title = subject or None
        sent_at = None
        raw_date = str(mail.get("date", "") or "")
        if raw_date:
            try:
                sent_at = parsedate_to_datetime(raw_date)
            except (TypeError, ValueError):
                run.warn(f"The e-mail's Date header ({raw_date!r}) could not be read.")
            if sent_at is not None and sent_at.tzinfo is None:
                sent_at = run.local(sent_at)
        body = _body(mail)
        run.sender(sender, address or None)
        message = Message(
            i=0, sender=sender, text=body, source=source, sent_at=sent_at, sent_at_raw=raw_date or None
        )
        for part in mail.iter_attachments():
            message.attach(str(part.get_filename() or part.get_content_type()))
        return message


def _mbox_split(data: bytes) -> list[tuple[int, int, bytes]]:
    """The e-mails in a file with their first and last line: one, or each after an mbox "From " line."""
    lines = data.splitlines(keepends=True)
    if not lines or not _MBOX_FROM_BYTES.match(lines[0]):
        return [(1, max(len(lines), 1), data)]
    mails: list[tuple[int, int, bytes]] = []
    start = 0
    for n in range(1, len(lines) + 1):
        # mbox writes ">From " for a body line that starts with "From ": a bare one after a blank line is
        # the next e-mail's separator.
        if n == len(lines) or (_MBOX_FROM_BYTES.match(lines[n]) and not lines[n - 1].strip()):
            end = n
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1  # the blank line before the next separator belongs to no e-mail
            mails.append((start + 1, end, b"".join(lines[start:end])))
            start = n
    return mails


def _from(mail: EmailMessage) -> tuple[str, str]:
    header = mail.get("from")
    addresses: tuple[Address, ...] = getattr(header, "addresses", ()) if header is not None else ()
    if addresses:
        first = addresses[0]
        address = first.addr_spec if first.username else ""
        return (first.display_name or address or str(header)).strip(), address
    text = str(header or "").strip()
    return text or "unknown sender", ""


def _body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    text = str(content)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.strip("\n")


# --- a pasted chat --------------------------------------------------------------------------------

_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?"
_DATE_GAP = r"(?:,\s*|\s*[-–]\s*|\s+)"
# "Name: text", optionally after a time and date ("[12:01] Name: text", "14/03/2025 21:00 Name: text").
_SPEAKER = re.compile(
    rf"^(?P<stamp>\[[^\]]{{1,40}}\]\s*|(?:{_DATE}{_DATE_GAP})?{_TIME}\s*[-–]?\s+)?"
    r"(?P<name>[^:\n\[\]<>]{1,40}?)\s?:\s(?P<text>.*)$"
)
# A stamp's parts, once the brackets and dashes around it are gone.
_STAMP = re.compile(
    r"^(?:(?P<date>(?P<d1>\d{1,4})[/.-](?P<d2>\d{1,2})[/.-](?P<d3>\d{2,4}))" + _DATE_GAP + r")?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?\s?(?P<ampm>(?P<half>[AaPp])\.?[Mm]\.?)?$"
)
_NOT_NAMES = re.compile(r"https?|www\.|^\d+$", re.IGNORECASE)
# Words before ": " that label a detail inside a message rather than name who wrote it.
_LABELS = frozenset(
    """sort code|account|account number|account no|acc|acct|ref|reference|amount|address|note|notes|nb|ps|p.s|
    re|fwd|fw|subject|http|https|from|to|date|time|cc|bcc|tel|phone|mobile|number|email|e-mail|iban|bic|swift|
    bank|payee|name|total|price|cost|btc|bitcoin|wallet|paypal|cash app|cashapp|venmo|card|pin|password|
    username|user|link|url|id|code|edit|update|warning|important|reply|attachment|location|postcode|
    order|deadline|step 1|step 2|step 3|q|a|question|answer|tip|info|p.p.s|pps""".replace("\n", "").split("|")
)
MAX_CANDIDATES = 10_000


@dataclass(slots=True)
class _Pending:
    sender: str
    stamp: str | None
    first: int
    last: int
    lines: list[str] = field(default_factory=list)


def _speaker(line: str) -> re.Match[str] | None:
    match = _SPEAKER.match(strip_bidi(line))
    if match is None or _NOT_NAMES.search(match["name"]) or len(match["name"].split()) > 4:
        return None
    return match


def _looks_like_a_name(name: str) -> bool:
    """Whether a one-off 'Name: ' could be someone writing (not 'Sort code: ...' inside a message)."""
    key = " ".join(name.split()).strip(" .").casefold()
    return bool(key) and key not in _LABELS and len(key) <= 30 and len(key.split()) <= 3


class PlainChat(Importer):
    format = "plain"
    title = "pasted chat"
    reads = "a .txt file"

    def find(self, files: ExportFiles) -> list[str]:
        name = _single_text_file(files)
        if name is None or name.lower().endswith(".eml"):
            return []
        return [name] if _is_text(_head(files, name)) else []

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = names[0]
        speakers, self._order = self._speakers(run, name)
        self._dated = False
        run.warn(
            "This is pasted or typed text, not a platform's export: who wrote each line and when "
            "cannot be checked against the platform."
        )
        if not speakers:
            run.warn(
                "No 'Name: message' lines were found, so the whole text is one message of unknown sender."
            )
        kept: list[int] = []  # "Name: " lines kept inside the message before them
        pending: _Pending | None = None
        with run.files.open(name) as stream:
            for line_no, line in enumerate(text_lines(stream, run, name), start=1):
                match = _speaker(line) if speakers else None
                if match is not None and strip_bidi(match["name"]).strip() in speakers:
                    if pending is not None:
                        yield self._message(run, name, pending)
                    stamp = (match["stamp"] or "").strip(" []-–") or None
                    pending = _Pending(
                        strip_bidi(match["name"]).strip(), stamp, line_no, line_no, [match["text"]]
                    )
                elif pending is None and speakers:
                    if line.strip():
                        yield Notice(
                            text=line.strip(), source=run.files.source(name, lines=(line_no, line_no))
                        )
                elif pending is None:
                    pending = _Pending("unknown sender", None, line_no, line_no, [line])
                else:
                    if match is not None:
                        kept.append(line_no)
                    pending.lines.append(line)
                    pending.last = line_no
        if pending is not None:
            yield self._message(run, name, pending)
        if kept:
            where = ", ".join(str(n) for n in kept[:10]) + (", ..." if len(kept) > 10 else "")
            run.warn(
                f"{len(kept)} line{'s' if len(kept) > 1 else ''} that look like 'Name: message' "
                f"(line {where}) {'were' if len(kept) > 1 else 'was'} kept as part of the message "
                "before, because the word before ':' looks like a label (like 'Sort code') and not a "
                "person. Please check them in the original text."
            )
        if self._dated:
            run.warn(
                "Pasted text gives local times without a zone: times are read in the "
                f"{run.options.tz} zone (use --tz to change it)."
            )

    def _speakers(self, run: ImportRun, name: str) -> tuple[set[str], str | None]:
        """Who writes in the text, and the order of its dates (DMY, MDY, YMD, or None when unknown).

        A name that begins at least two lines writes. Once two people write, a one-off name writes too
        unless it looks like a label inside a message ('Sort code: ...').
        """
        counts: Counter[str] = Counter()
        evidence = DateEvidence()
        with run.files.open(name) as stream:
            for line in text_lines(stream):
                match = _speaker(line)
                if match is None:
                    continue
                key = strip_bidi(match["name"]).strip()
                if key in counts or len(counts) < MAX_CANDIDATES:
                    counts[key] += 1
                stamp = _STAMP.match((match["stamp"] or "").strip(" []-–"))
                if stamp is not None and stamp["date"]:
                    d1, d2, d3 = int(stamp["d1"]), int(stamp["d2"]), int(stamp["d3"])
                    if len(stamp["d1"]) == 4:  # ISO needs no order
                        evidence.year_first(stamp["date"], d1, d2, d3)
                    else:
                        evidence.add(d1, d2, d3, stamp["date"])
                        if "." in stamp["date"]:
                            evidence.dotted(stamp["date"])
                        padded = stamp["d1"].startswith("0") or stamp["d2"].startswith(
                            "0"
                        )  # India: day first
                        if len(stamp["d3"]) == 2 and not padded and stamp["ampm"] in ("AM", "PM"):
                            evidence.us_clock((match["stamp"] or "").strip(" []-–"))
        speakers = {key for key, count in counts.items() if count >= 2}
        named = speakers | {key for key, count in counts.items() if count == 1 and _looks_like_a_name(key)}
        if len(named) >= 2:
            speakers = named
        order: str | None = run.options.date_order
        if order is None and evidence.day_first_raw and evidence.month_first_raw:
            run.warn(
                "The dates in this text mix day-first and month-first, so message times are left empty "
                "(the written times are kept)."
            )
            return speakers, None
        try:
            order, run.date_reading = decide(
                evidence, run.options.date_order, run.options.fallback_date_order, run.files.display
            )
        except DateOrderAmbiguous:
            # Pasted text keeps every line: without an order its times are left empty, and said (_sent_at).
            return speakers, None
        if run.date_reading is not None and run.date_reading.how == "assumed":
            run.warn(assumed_warning(run.date_reading))
        return speakers, order

    def _sent_at(self, run: ImportRun, raw: str | None) -> datetime | None:
        """The time a stamp writes, when it writes a full date whose order is known; else None."""
        stamp = _STAMP.match(raw or "")
        if stamp is None or not stamp["date"]:
            return None
        d1, d2, d3 = int(stamp["d1"]), int(stamp["d2"]), int(stamp["d3"])
        if len(stamp["d1"]) == 4:
            year, month, day = d1, d2, d3
        elif self._order is None:
            run.warn(
                "The dates in this text could be day/month or month/day (no day is above 12), so message "
                "times are left empty (the written times are kept). Say which with --date-order DMY (day "
                "first, as in the UK) or --date-order MDY (month first, as in the US)."
            )
            return None
        elif self._order == "MDY":
            month, day, year = d1, d2, d3
        else:
            day, month, year = d1, d2, d3
        if year < 100:
            year += 2000
        hour, minute, second = int(stamp["hour"]), int(stamp["minute"]), int(stamp["second"] or 0)
        if stamp["half"] and 1 <= hour <= 12:
            hour = hour % 12 + (12 if stamp["half"] in "Pp" else 0)
        elif stamp["half"]:
            hour = 24  # "0:30 PM" or "13:00 AM": not a time
        try:
            naive = datetime(year, month, day, hour, minute, second)
        except ValueError:
            run.warn(f"The time {raw!r} in this text is not a real date and time, so its time is left empty.")
            return None
        self._dated = True
        return run.local(naive)

    def _message(self, run: ImportRun, name: str, pending: _Pending) -> Message:
        while len(pending.lines) > 1 and not pending.lines[-1].strip():
            pending.lines.pop()
            pending.last -= 1
        text = "\n".join(pending.lines)
        run.sender(pending.sender)
        message = Message(
            i=0,
            sender=pending.sender,
            text=text,
            source=run.files.source(name, lines=(pending.first, pending.last)),
            sent_at=self._sent_at(run, pending.stamp),
            sent_at_raw=pending.stamp,
        )
        placeholder = text.strip().lower()
        if placeholder in ("[photo]", "[image]", "[video]", "[picture]", "<media omitted>", "[sticker]"):
            message.attach(placeholder.strip("[]<>") + " (not included)")
        return message
