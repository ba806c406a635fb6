"""Fuzz: every importer on mutated exports; only clean errors (ExportError) may come out."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from conversation_builders import (
    ANDROID_GB,
    ANDROID_US,
    IOS_GB,
    discord_export,
    discord_message,
    meta_message,
    meta_thread,
    skype_export,
    skype_message,
    telegram_chat,
    telegram_message,
    write_tar,
    write_zip,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sxr.conversations.importers import import_path, importers
from sxr.conversations.model import ExportError


def _seeds() -> dict[str, bytes]:
    """One small, valid export of each format, as bytes with the file name it needs."""
    telegram = json.dumps(
        telegram_chat(
            [telegram_message(1, 1778274631, "Mila", "user1", ["hi ", {"type": "link", "text": "x"}])]
        )
    )
    snapchat = json.dumps(
        {
            "maddie": [
                {
                    "From": "maddie",
                    "Media Type": "TEXT",
                    "Created": "2026-04-11 19:10:15 UTC",
                    "Content": "hi",
                    "IsSender": False,
                }
            ]
        }
    )
    signal = json.dumps({"date": "2025-01-31T18:02:11", "sender": "Alex", "body": "hi", "attachments": []})
    google = json.dumps(
        {
            "messages": [
                {
                    "creator": {"name": "A", "email": "a@example.com"},
                    "created_date": "Monday, January 6, 2025 at 12:00:05 PM UTC",
                    "text": "hi",
                }
            ]
        }
    )
    email = (
        "From: a@example.net\nTo: b@example.com\nSubject: hi\nDate: Tue, 13 Oct 2026 04:17:44 +0100\n\nbody\n"
    )
    return {
        "WhatsApp Chat with Sam.txt": ANDROID_GB.encode(),
        "us.txt": ANDROID_US.encode(),
        "_chat.txt": IOS_GB.encode(),
        "message_1.json": meta_thread(
            ["A", "B"], [meta_message("A", 2, "x😂"), meta_message("B", 1, "y")]
        ).encode(),
        "result.json": telegram.encode(),
        "dce.json": discord_export(
            [discord_message("1", "2026-02-21T16:20:05.955+00:00", ("1", "a"), "hi")]
        ).encode(),
        "chat_history.json": snapchat.encode(),
        "messages.json": skype_export(
            [skype_message("2025-03-01T05:17:46.010Z", "K", "8:live:k", "hi &amp;")]
        ).encode(),
        "data.json": signal.encode(),
        "gchat_messages.json": google.encode(),
        "mail.eml": email.encode(),
        "pasted.txt": b"Kiara: hey\nMe: hi\nKiara: pay\nmore\n",
    }


SEEDS = _seeds()
NAMES = sorted(SEEDS)


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    buffer = bytearray(data)
    for kind, position, chunk in edits:
        if not buffer:
            buffer.extend(chunk)
            continue
        at = position % len(buffer)
        if kind == 0:  # overwrite
            buffer[at : at + len(chunk)] = chunk
        elif kind == 1:  # insert
            buffer[at:at] = chunk
        elif kind == 2:  # delete
            del buffer[at : at + max(1, len(chunk))]
        else:  # truncate
            del buffer[at:]
    return bytes(buffer)


EDITS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.binary(min_size=0, max_size=8)),
    min_size=1,
    max_size=6,
)


def _check(path: Path) -> None:
    for order in (None, "DMY"):
        try:
            conversation = import_path(path, date_order=order, tz="Europe/London")
        except ExportError as exc:
            assert str(exc)  # a clear message, never an empty one
        else:
            json.dumps(conversation.to_json())  # whatever was read can be shown
            assert [m.i for m in conversation.messages] == list(range(len(conversation.messages)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), edits=EDITS)
def test_mutated_exports_give_only_clean_errors(name: str, edits: list[tuple[int, int, bytes]]) -> None:
    data = _mutate(SEEDS[name], edits)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / ("messages.json" if name == "gchat_messages.json" else name)
        target.write_bytes(data)
        _check(target)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), edits=EDITS, as_tar=st.booleans())
def test_mutated_archives_give_only_clean_errors(
    name: str, edits: list[tuple[int, int, bytes]], as_tar: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        member = {
            "message_1.json": "messages/inbox/a_1/message_1.json",
            "gchat_messages.json": "Google Chat/Groups/DM a/messages.json",
        }.get(name, name)
        build = write_tar if as_tar else write_zip
        archive = build(Path(tmp) / ("export.tar" if as_tar else "export.zip"), {member: SEEDS[name]})
        archive.write_bytes(_mutate(archive.read_bytes(), edits))
        _check(archive)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=2048),
    suffix=st.sampled_from([".txt", ".json", ".zip", ".tar", ".eml", ".md", ""]),
)
def test_every_importer_sniffs_garbage_safely(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_bytes(data)
        for importer in importers():
            assert importer.sniff(path) in (True, False)
        _check(path)


def test_every_seed_imports() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in SEEDS.items():
            target = Path(tmp) / name.replace("gchat_", "")
            target.write_bytes(data)
            conversation = import_path(target, date_order="MDY" if name == "us.txt" else "DMY")
            assert conversation.messages, name
            target.unlink()
