"""Build conversations for analysis tests from (sender, text) pairs."""

from __future__ import annotations

from collections.abc import Sequence

from sxr.conversations.model import Conversation, Message, SourceRef


def conversation(pairs: Sequence[tuple[str, str]], fmt: str = "plain") -> Conversation:
    """A conversation whose messages are `pairs`, oldest first."""
    source = SourceRef(file="test.txt", sha256="0" * 64)
    messages = [Message(i=i, sender=s, text=t, source=source) for i, (s, t) in enumerate(pairs)]
    return Conversation(format=fmt, messages=messages)
