"""The shape every media hash type follows (after python-threatexchange's SignalType)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

HashValue = TypeVar("HashValue")


class MediaHashType(ABC, Generic[HashValue]):
    """One kind of media hash: how to make it from a file, check it, and compare two of them."""

    name: ClassVar[str]
    # Largest distance that still counts as a match (0: exact types).
    match_threshold: ClassVar[int] = 0
    # What `validate` says when a text is not a hash of this type: the sentence callers show (a 422).
    format_message: ClassVar[str]

    @classmethod
    @abstractmethod
    def hash_file(cls, path: Path) -> HashValue | None:
        """The hash of the file at `path`, or None when this type does not apply to it."""

    @classmethod
    @abstractmethod
    def validate(cls, value: str) -> str:
        """The normal form of a hash given as text; ValueError(format_message) when it is not one."""

    @classmethod
    @abstractmethod
    def distance(cls, a: str, b: str) -> int:
        """How far apart two hashes (in normal form) are; 0 is identical."""

    @classmethod
    def matches(cls, a: str, b: str) -> bool:
        """Whether two hashes count as a match."""
        return cls.distance(a, b) <= cls.match_threshold

    @classmethod
    def refuse_degenerate(cls, value: str) -> None:
        """ValueError, in words, when a hash (in normal form) could not stand for one file: banking it
        would match many unrelated files (a blank picture, an empty file, a repeated pattern)."""
