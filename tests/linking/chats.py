"""Synthetic chat exports for linking tests: Instagram JSON threads, one offender's script reused."""

from __future__ import annotations

import json
from pathlib import Path

START = 1_773_300_000_000  # March 2026, in milliseconds


def thread(offender: str, victim: str, lines: list[tuple[str, str]], start: int = START) -> str:
    """An Instagram `message_1.json` for a chat between `offender` and `victim`, a minute a message."""
    messages = [
        {"sender_name": who, "timestamp_ms": start + 60_000 * n, "content": text}
        for n, (who, text) in enumerate(lines)
    ]
    return json.dumps(
        {
            "participants": [{"name": offender}, {"name": victim}],
            "messages": messages[::-1],
            "title": offender,
        }
    )


def jess_script(victim: str, phone: str, own_number: str | None = None) -> list[tuple[str, str]]:
    """The Jess offender's script, with his phone written as `phone`; the victim may give their own."""
    lines = [
        ("Jess", "hey cutie u go to st marys? saw u on the football page"),
        (victim, "yeah who is this"),
        ("Jess", "ur so fit, add me on snap jess.x.love22"),
    ]
    if own_number:
        lines.append((victim, f"my number is {own_number} text me"))
    lines += [
        ("Jess", f"text me on whatsapp {phone} babe"),
        ("Jess", "send me a pic of u, u go first babe"),
        (victim, "ok"),
        ("Jess", "i recorded everything. pay £300 or i send it to all your followers and your family"),
        ("Jess", "send it to paypal.me/jessxlove22 you have 1 hour"),
    ]
    if own_number:
        lines.append(("Jess", f"i know ur number {own_number} dont ignore me"))
    return lines


def lookalike_script(victim: str) -> list[tuple[str, str]]:
    """Another victim of the same offender: only a look-alike handle, other words and no shared details."""
    return [
        ("Jessie", "omg hi, we met at the party right"),
        (victim, "maybe? who r u"),
        ("Jessie", "add me on snap jess_x_love22 its easier"),
        ("Jessie", "show me something nice, a pic"),
        (victim, "fine"),
        ("Jessie", "now pay me £150 in steam cards or everyone sees it"),
    ]


def unrelated_script(victim: str, own_number: str) -> list[tuple[str, str]]:
    """An unrelated offender; the victim gives the same own number as a victim of Jess did."""
    return [
        ("Max", "yo add me on snap max.power.77"),
        (victim, f"ok my number is {own_number}"),
        ("Max", "send a pic"),
        (victim, "ok"),
        ("Max", "i will post it unless u send 200 to my cashapp $maxpower77"),
    ]


def write(tmp: Path, name: str, content: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path
