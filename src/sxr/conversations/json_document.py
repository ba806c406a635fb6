"""The Conversation JSON of `sxr import --json`, written as the export is read (DESIGN.md's contract).

A message is written the moment the importer yields it, so memory stays flat whatever the export's size.
What is known only once every message has been read (the participants, the chat's title where an export
names it after its messages, the date reading, the warnings) follows the messages; the notices, kept in
a spool that moves to disk past a few megabytes, follow them too. The document is the same as
`Conversation.to_json()`, key for key and value for value; only the top level's keys come in another
order ("format", "messages", then the rest), which JSON readers do not see.

Each message's text is exactly `json.dumps(message.to_json(), ensure_ascii=False)`, made without the dict:
`json.encoder.encode_basestring` (the C function json.dumps itself calls for a string) quotes the strings,
and what most messages share (the sender, the source file's name and hash, a minute's time stamp) is
quoted once.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from json.encoder import encode_basestring
from typing import IO, TYPE_CHECKING, Any, TextIO

from sxr.conversations.model import Conversation, DateReading, Message, Notice, Participant, SourceRef

if TYPE_CHECKING:
    from sxr.conversations.importers.base import ImportRun

_quoted = encode_basestring
# Messages joined into one write; notices held in memory up to this many bytes, then on disk.
_BATCH = 512
_NOTICES_IN_MEMORY = 8 * 1024 * 1024
# Distinct senders whose quoted names are kept (a group has at most a few thousand).
_SENDERS_KEPT = 10_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# "MM:SS" for every minute and second of an hour: a time's text is its hour's, then one of these.
_MINUTES_SECONDS = tuple(f"{minute:02d}:{second:02d}" for minute in range(60) for second in range(60))
_HOURS_KEPT = 10_000


class MessageText:
    """Messages' JSON texts, each exactly json.dumps(message.to_json(), ensure_ascii=False).

    It is the writer's hot path: it reads a message's source and pointer slots as they are (not joined
    into a new SourceRef), and keeps the quoted texts messages share: the senders, the source file's
    names and hashes, and each hour's date, hour and UTC offset ("2026-03-06T20:" and "+00:00").
    """

    def __init__(self) -> None:
        self._senders: dict[str, str] = {}
        self._ids: tuple[str, str, str | None, str | None] | None = None
        self._source_head = ""
        self._sent_at: datetime | None = None
        self._sent_at_text = "null"
        self._hours: dict[tuple[Any, ...], tuple[str, str] | None] = {}
        self._raw: str | None = None
        self._raw_end = "}"

    def __call__(self, message: Message) -> str:
        source = message._source
        if source.box is not None or source.confidence is not None:
            return _dumps(message.to_json())  # screenshots: rare, and their floats are json's to write
        sender = self._senders.get(message.sender)
        if sender is None:
            sender = self._sender(message.sender)
        sent_at = message.sent_at
        if sent_at is not self._sent_at:
            self._sent_at = sent_at
            self._sent_at_text = "null" if sent_at is None else self._time(sent_at)
        attachments = message.attachments
        listed = "[" + ", ".join(map(_quoted, attachments)) + "]" if attachments else "[]"
        raw = message.sent_at_raw
        if raw is None:
            end = "}"
        else:
            if raw is not self._raw:
                self._raw, self._raw_end = raw, ', "sent_at_raw": ' + _quoted(raw) + "}"
            end = self._raw_end
        if message.machine_read:
            end = end[:-1] + ', "machine_read": true}'
        ids = self._ids
        if (
            ids is None
            or source.file is not ids[0]
            or source.sha256 is not ids[1]
            or source.member is not ids[2]
            or source.member_sha256 is not ids[3]
        ):
            self._source_ids(source)
        lines = source.lines
        where = f', "lines": [{lines[0]}, {lines[1]}]}}' if lines is not None else "}"
        pointer = message._pointer
        if pointer is None:
            pointer = source.pointer
        if pointer is not None:
            where = where[:-1] + ', "pointer": ' + _quoted(pointer) + "}"
        return (
            f'{{"i": {message.i}, "sender": {sender}, "sent_at": {self._sent_at_text}, '
            f'"text": {_quoted(message.text)}, "attachments": {listed}, '
            f'"edited": {"true" if message.edited else "false"}, '
            f'"deleted": {"true" if message.deleted else "false"}, '
            f'"source": {self._source_head}{where}{end}'
        )

    def _sender(self, name: str) -> str:
        quoted = _quoted(name)
        if len(self._senders) >= _SENDERS_KEPT:
            self._senders.clear()
        self._senders[name] = quoted
        return quoted

    def _source_ids(self, source: SourceRef) -> None:
        """The quoted start of a source ("file", "sha256" and, in an archive, "member" and its hash)."""
        self._ids = (source.file, source.sha256, source.member, source.member_sha256)
        head = f'{{"file": {_quoted(source.file)}, "sha256": {_quoted(source.sha256)}'
        if source.member is not None:
            head += f', "member": {_quoted(source.member)}, "member_sha256": {_dumps(source.member_sha256)}'
        self._source_head = head

    def _time(self, when: datetime) -> str:
        """`'"' + when.isoformat() + '"'`, from its hour's text where the hour has one UTC offset."""
        if when.microsecond or when.tzinfo is None:
            return '"' + when.isoformat() + '"'
        key = (when.tzinfo, when.year, when.month, when.day, when.hour, when.fold)
        hour = self._hours.get(key, False)
        if hour is False:
            hour = self._hour(when, key)
        if hour is None:
            return '"' + when.isoformat() + '"'
        return hour[0] + _MINUTES_SECONDS[when.minute * 60 + when.second] + hour[1]  # type: ignore[index]

    def _hour(self, when: datetime, key: tuple[Any, ...]) -> tuple[str, str] | None:
        """An hour's `"2026-03-06T20:` and `+00:00"`; None when its offset changes within the hour."""
        start = when.replace(minute=0, second=0)
        written = start.isoformat()
        hour: tuple[str, str] | None = ('"' + written[:14], written[19:] + '"')
        if start.utcoffset() != when.replace(minute=59, second=59, microsecond=999_999).utcoffset():
            hour = None
        if len(self._hours) >= _HOURS_KEPT:
            self._hours.clear()
        self._hours[key] = hour
        return hour


class DocumentWriter:
    """One Conversation JSON document: the format, each message as it comes, then what follows them."""

    def __init__(self, out: TextIO, format: str) -> None:
        self._out = out
        self._text = MessageText()
        self._batch: list[str] = []
        self._notices: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by finish)
            max_size=_NOTICES_IN_MEMORY, mode="w+", encoding="utf-8", newline=""
        )
        self._notice_count = 0
        self.messages = 0
        self.format = format
        out.write(f'{{"format": {_dumps(format)}, "messages": [')

    def message(self, message: Message) -> None:
        batch = self._batch
        batch.append(self._text(message))
        self.messages += 1
        if len(batch) >= _BATCH:
            self._flush()

    def item(self, item: Message | Notice) -> None:
        if item.__class__ is Notice:
            self.notice(item)
        else:
            self.message(item)  # type: ignore[arg-type]

    def notice(self, notice: Notice) -> None:
        self._notices.write((", " if self._notice_count else "") + _dumps(notice.to_json()))
        self._notice_count += 1

    def _flush(self) -> None:
        if self._batch:
            # The first batch opens the list; every later one follows a message already written.
            lead = ", " if self.messages > len(self._batch) else ""
            self._out.write(lead + ", ".join(self._batch))
            self._batch.clear()

    def finish(
        self,
        *,
        title: str | None,
        date_reading: DateReading | None,
        participants: Iterable[Participant],
        warnings: list[str],
    ) -> None:
        """Write the last messages, then the title, date reading, participants, notices and warnings."""
        self._flush()
        out = self._out
        out.write(
            f'], "title": {_dumps(title)}, '
            f'"date_reading": {_dumps(date_reading.to_json() if date_reading else None)}, '
            f'"participants": {_dumps([p.to_json() for p in participants])}, "notices": ['
        )
        with self._notices as spool:
            spool.seek(0)
            while chunk := spool.read(1024 * 1024):
                out.write(chunk)
        out.write(f'], "warnings": {_dumps(warnings)}}}\n')

    def close(self) -> None:
        """Let go of the notices' spool (after an error; `finish` closes it too)."""
        self._notices.close()


def write_conversation(out: TextIO, conversation: Conversation) -> None:
    """Write a conversation already held whole (screenshots), in the same shape as `write_items`."""
    writer = DocumentWriter(out, conversation.format)
    try:
        for message in conversation.messages:
            writer.message(message)
        for notice in conversation.notices:
            writer.notice(notice)
        writer.finish(
            title=conversation.title,
            date_reading=conversation.date_reading,
            participants=conversation.participants,
            warnings=conversation.warnings,
        )
    finally:
        writer.close()


def write_items(out: TextIO, items: Iterator[Message | Notice], run: ImportRun) -> int:
    """Write an import's items as they come; the run's participants, title and warnings follow them.

    The format is written once the first item is read: an importer may name it then (a Meta download is
    "instagram" or "messenger" by what its first file holds), never later.
    """
    first = next(items, None)
    writer = DocumentWriter(out, run.format)
    try:
        if first is not None:
            writer.item(first)
            first = None  # held here, it would stay in memory to the end
        item = writer.item
        for each in items:
            item(each)
        if run.format != writer.format:
            raise RuntimeError(f"the importer named its format ({run.format}) after its first item")
        if not writer.messages:
            run.warn("The export holds no messages from anyone.")  # as import_path says it
        writer.finish(
            title=run.title,
            date_reading=run.date_reading,
            participants=run.participants.values(),
            warnings=run.warnings,
        )
    finally:
        writer.close()
    return writer.messages
