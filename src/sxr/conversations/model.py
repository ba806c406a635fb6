"""The normalised conversation every importer produces (DESIGN.md's Conversation JSON contract)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class SourceRef:
    """Where a message came from: the export file, its SHA-256, and a line range or a JSON pointer."""

    file: str
    sha256: str
    lines: tuple[int, int] | None = None
    pointer: str | None = None
    # Screenshots: the box on the image [x0, y0, x1, y1] and the OCR confidence.
    box: tuple[int, int, int, int] | None = None
    confidence: float | None = None
    # Archives (zip, tar, folder): `file`/`sha256` name the archive itself (the evidence item);
    # `member` is the path of the chat file inside it and `member_sha256` that file's own hash.
    member: str | None = None
    member_sha256: str | None = None

    def at(self, pointer: str) -> SourceRef:
        """The same file, at another JSON pointer."""
        return SourceRef(
            self.file,
            self.sha256,
            self.lines,
            pointer,
            self.box,
            self.confidence,
            self.member,
            self.member_sha256,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "sha256": self.sha256}
        if self.member is not None:
            out["member"] = self.member
            out["member_sha256"] = self.member_sha256
        if self.lines is not None:
            out["lines"] = list(self.lines)
        if self.pointer is not None:
            out["pointer"] = self.pointer
        if self.box is not None:
            out["box"] = list(self.box)
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 4)
        return out


@dataclass(slots=True)
class Participant:
    """Someone in the conversation; `platform_id` is the platform's stable id where the export has one."""

    id: str
    name: str
    platform_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "platform_id": self.platform_id}


class Message:
    """One message with a sender. `i` counts from 0, oldest first.

    `source` says where it came from. An importer reading thousands of messages from one JSON file may
    give the file's SourceRef once and each message's `pointer` on its own; `source` then joins the two
    when asked (one small object fewer per message). `attachments` is a shared empty tuple until
    `attach` adds one (most messages have none).
    """

    __slots__ = (
        "_pointer",
        "_source",
        "attachments",
        "deleted",
        "edited",
        "i",
        "machine_read",
        "sender",
        "sent_at",
        "sent_at_raw",
        "text",
    )

    def __init__(
        self,
        i: int,
        sender: str,
        text: str,
        source: SourceRef,
        sent_at: datetime | None = None,
        sent_at_raw: str | None = None,
        attachments: Sequence[str] = (),
        edited: bool = False,
        deleted: bool = False,
        machine_read: bool = False,
        pointer: str | None = None,
    ) -> None:
        self.i = i
        self.sender = sender
        self.text = text
        self._source = source
        self._pointer = pointer
        self.sent_at = sent_at
        self.sent_at_raw = sent_at_raw
        self.attachments = attachments
        self.edited = edited
        self.deleted = deleted
        self.machine_read = machine_read

    @property
    def source(self) -> SourceRef:
        if self._pointer is None:
            return self._source
        return self._source.at(self._pointer)

    @source.setter
    def source(self, value: SourceRef) -> None:
        self._source = value
        self._pointer = None

    def attach(self, *names: str) -> None:
        """Add attachments (names or placeholders) to the message."""
        if names:
            self.attachments = [*self.attachments, *names]

    def _key(self) -> tuple[Any, ...]:
        return (
            self.i,
            self.sender,
            self.text,
            self.source,
            self.sent_at,
            self.sent_at_raw,
            list(self.attachments),
            self.edited,
            self.deleted,
            self.machine_read,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable, so unhashable (as the dataclass it was)

    def __repr__(self) -> str:
        return (
            f"Message(i={self.i!r}, sender={self.sender!r}, text={self.text!r}, source={self.source!r}, "
            f"sent_at={self.sent_at!r}, sent_at_raw={self.sent_at_raw!r}, attachments={self.attachments!r}, "
            f"edited={self.edited!r}, deleted={self.deleted!r}, machine_read={self.machine_read!r})"
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "i": self.i,
            "sender": self.sender,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "text": self.text,
            "attachments": list(self.attachments),
            "edited": self.edited,
            "deleted": self.deleted,
            "source": self.source.to_json(),
        }
        if self.sent_at_raw is not None:
            out["sent_at_raw"] = self.sent_at_raw
        if self.machine_read:
            out["machine_read"] = True
        return out


@dataclass(slots=True)
class Notice:
    """A system notice (encryption banner, call record, join): not a message."""

    text: str
    source: SourceRef
    sent_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "source": self.source.to_json(),
        }


@dataclass(slots=True)
class DateReading:
    """How an export's written dates were read (day/month order), and why: never decided in silence."""

    order: str  # "DMY", "MDY" or "YMD"
    how: str  # "given" (the user said), "inferred" (the export settles it), "assumed" (the region's custom)
    why: str  # plain words: "a day above 12: 25/03/2026", "the custom in GB (day first)"
    example_raw: str | None = None  # the first date as the export wrote it ("03/12/2026")
    example: str | None = None  # that date as read, ISO 8601 ("2026-12-03")

    def to_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "how": self.how,
            "why": self.why,
            "example_raw": self.example_raw,
            "example": self.example,
        }


@dataclass(slots=True)
class Conversation:
    """A whole conversation from one export (or one set of screenshots)."""

    format: str
    participants: list[Participant] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The chat's name in the export (WhatsApp's "Chat with ...", a Telegram chat name), when it has one.
    title: str | None = None
    # How written dates were read; None where the export gives unambiguous times (JSON exports, ISO dates).
    date_reading: DateReading | None = None

    def to_json(self) -> dict[str, Any]:
        head = self.to_json_head()
        return {
            "format": head["format"],
            "title": head["title"],
            "date_reading": head["date_reading"],
            "participants": head["participants"],
            "messages": [m.to_json() for m in self.messages],
            "notices": head["notices"],
            "warnings": head["warnings"],
        }

    def to_json_head(self) -> dict[str, Any]:
        """Everything of to_json but the messages (for writing them one at a time)."""
        return {
            "format": self.format,
            "title": self.title,
            "date_reading": self.date_reading.to_json() if self.date_reading else None,
            "participants": [p.to_json() for p in self.participants],
            "notices": [n.to_json() for n in self.notices],
            "warnings": list(self.warnings),
        }


class ExportError(Exception):
    """An export that cannot be imported; the message says why, in words a user can act on."""


class NotAChatExport(ExportError):
    """No importer knows the file: something other than a chat export (a zip of photos, some other JSON)."""


class DateOrderAmbiguous(ExportError):
    """The export's dates read both as day/month and month/day: the user must say which."""


class SeveralChats(ExportError):
    """The export holds several chats; `chats` lists a name (or id) for each that `--chat` selects exactly."""

    def __init__(self, message: str, chats: list[str]) -> None:
        super().__init__(message)
        self.chats = list(chats)
