"""The last resorts: an e-mail (`.eml`, or a `.txt` that starts with mail headers) and a pasted chat."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sxr.conversations.importers import register
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import Importer, ImportRun, Item, html_to_text, strip_bidi, text_lines
from sxr.conversations.model import ExportError, Message, Notice, SourceRef

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

# "Name: text", optionally after a time ("[12:01] Name: text", "12:01 Name: text").
_SPEAKER = re.compile(
    r"^(?P<stamp>\[[^\]]{1,40}\]\s*|\d{1,2}[:.]\d{2}(?:\s?[AaPp][Mm])?\s+[-–]?\s*)?"
    r"(?P<name>[^:\n\[\]<>]{1,40}?)\s?:\s(?P<text>.*)$"
)
_NOT_NAMES = re.compile(r"https?|www\.|^\d+$", re.IGNORECASE)
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


class PlainChat(Importer):
    format = "plain"
    title = "pasted chat"

    def find(self, files: ExportFiles) -> list[str]:
        name = _single_text_file(files)
        if name is None or name.lower().endswith(".eml"):
            return []
        return [name] if _is_text(_head(files, name)) else []

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        name = names[0]
        speakers = self._speakers(run, name)
        run.warn(
            "This is pasted or typed text, not a platform's export: who wrote each line and when "
            "cannot be checked against the platform."
        )
        if not speakers:
            run.warn(
                "No 'Name: message' lines were found, so the whole text is one message of unknown sender."
            )
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
                    pending.lines.append(line)
                    pending.last = line_no
        if pending is not None:
            yield self._message(run, name, pending)

    def _speakers(self, run: ImportRun, name: str) -> set[str]:
        """Names that begin at least two lines (one-off 'Sort code: ...' lines are continuations)."""
        counts: Counter[str] = Counter()
        with run.files.open(name) as stream:
            for line in text_lines(stream):
                match = _speaker(line)
                if match is None:
                    continue
                key = strip_bidi(match["name"]).strip()
                if key in counts or len(counts) < MAX_CANDIDATES:
                    counts[key] += 1
        return {key for key, count in counts.items() if count >= 2}

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
            sent_at_raw=pending.stamp,
        )
        placeholder = text.strip().lower()
        if placeholder in ("[photo]", "[image]", "[video]", "[picture]", "<media omitted>", "[sticker]"):
            message.attach(placeholder.strip("[]<>") + " (not included)")
        return message


register(Email())
register(PlainChat())
