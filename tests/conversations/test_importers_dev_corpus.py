"""The shared dev corpus: every labelled message at its index, with the text it starts with."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from sxr.conversations.importers import import_path

CASES = [
    "discord-001", "discord-002", "discord-003", "ig-001", "ig-002", "ig-003", "msgr-001", "msgr-002",
    "msgr-003", "plain-001", "plain-002", "skype-001", "skype-002", "skype-003", "snap-001", "snap-002",
    "snap-003", "tg-001", "tg-002", "tg-003", "wa-android-001", "wa-android-002", "wa-ios-001", "wa-ios-002",
]  # fmt: skip


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).lower()


@pytest.mark.parametrize("case", CASES)
def test_dev_case_imports_with_labels_at_their_index(shared_data: Path, case: str) -> None:
    folder = shared_data / "conversations" / "dev" / case
    labels = json.loads((folder / "labels.json").read_text())
    order = (labels.get("locale_hint") or {}).get("date_order")
    conversation = import_path(folder / labels["export"], date_order=order)
    assert conversation.format == labels["format"]
    for label in labels["messages"]:
        message = conversation.messages[label["i"]]
        assert message.i == label["i"]
        assert message.sender == label["sender"], label
        assert _norm(message.text).startswith(_norm(label["text_starts"])), (label, message.text[:40])
    for message in conversation.messages:
        assert message.source.sha256 and (message.source.lines or message.source.pointer)
        assert "\u200e" not in message.text and "\u202a" not in message.sender


def test_whatsapp_dev_case_without_a_date_order_reads_it_from_the_us_clock(shared_data: Path) -> None:
    folder = shared_data / "conversations" / "dev" / "wa-android-002"
    chat = import_path(folder / "WhatsApp Chat with Maya.txt")
    assert chat.date_reading is not None
    assert (chat.date_reading.order, chat.date_reading.how) == ("MDY", "inferred")
