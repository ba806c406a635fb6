"""A stored analysis read back: the typed view of an `sxr analyze --json` document (or a bare conversation).

Documents are stored as derived items and read again by reports and pages; this is the one place that
turns their JSON into types, leaving out what is malformed (a document is data, so it is never trusted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sxr.analysis.indicators import Indicator
from sxr.analysis.vocabulary import in_stage_order

JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of an analysed conversation, with the stages the analysis gave it."""

    i: int
    sender: str
    sent_at: str | None
    text: str
    stages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateReadingDoc:
    """How a conversation's written dates were read (see conversations.model.DateReading)."""

    order: str
    how: str
    why: str | None = None
    example_raw: str | None = None
    example: str | None = None


@dataclass(frozen=True, slots=True)
class AnalysedChat:
    """An analysed (or only imported) conversation as stored."""

    format: str | None
    messages: tuple[ChatMessage, ...]
    indicators: tuple[Indicator, ...]
    warnings: tuple[str, ...]
    risk: dict[str, Any] | None
    date_reading: DateReadingDoc | None
    confirmed_by: str | None  # a screenshot's reading confirmed by "victim" or "staff"
    confirmed_at: str | None

    @classmethod
    def from_json(cls, doc: JsonObject) -> AnalysedChat:
        """Read a stored document; entries that do not have the expected shape are left out."""
        confirmed = doc.get("confirmed")
        risk = doc.get("risk")
        fmt = doc.get("format")
        return cls(
            format=fmt if isinstance(fmt, str) else None,
            messages=tuple(m for m in map(_message, _list(doc.get("messages"))) if m is not None),
            indicators=tuple(x for x in map(_indicator, _list(doc.get("indicators"))) if x is not None),
            warnings=tuple(str(w) for w in _list(doc.get("warnings"))),
            risk=dict(risk) if isinstance(risk, dict) else None,
            date_reading=_date_reading(doc.get("date_reading")),
            confirmed_by=_text(confirmed.get("by")) if isinstance(confirmed, dict) else None,
            confirmed_at=_text(confirmed.get("at")) if isinstance(confirmed, dict) else None,
        )

    def messages_by_i(self) -> dict[int, ChatMessage]:
        """The messages by their number."""
        return {m.i: m for m in self.messages}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _message(raw: object) -> ChatMessage | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("i"), int):
        return None
    stages = [str(s) for s in _list(raw.get("stages"))]
    sent_at = raw.get("sent_at")
    return ChatMessage(
        i=raw["i"],
        sender=str(raw.get("sender") or ""),
        sent_at=sent_at if isinstance(sent_at, str) else None,
        text=str(raw.get("text") or ""),
        stages=tuple(in_stage_order(stages)),
    )


def _indicator(raw: object) -> Indicator | None:
    if not isinstance(raw, dict) or raw.get("kind") is None or raw.get("value") is None:
        return None
    first_i = raw.get("first_i")
    return Indicator(
        kind=str(raw["kind"]),
        value=str(raw["value"]),
        first_i=first_i if isinstance(first_i, int) else -1,
        raw=str(raw.get("raw") or ""),
        messages=[i for i in _list(raw.get("messages")) if isinstance(i, int)],
    )


def _date_reading(raw: object) -> DateReadingDoc | None:
    if not isinstance(raw, dict) or not raw.get("order") or not raw.get("how"):
        return None
    return DateReadingDoc(
        order=str(raw["order"]),
        how=str(raw["how"]),
        why=_text(raw.get("why")),
        example_raw=_text(raw.get("example_raw")),
        example=_text(raw.get("example")),
    )
