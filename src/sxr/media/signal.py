"""The shape every media hash type follows (after python-threatexchange's SignalType).

A hash type says everything the rest of sxr needs to know about it: its name, how to check and normalise
a hash given as text (and what to say when it is not one), how far apart two hashes are and what counts
as a match, the quality below which a hash is too plain to use, which hashes stand for no one file, and
how to index many of them. The watchlist, the platform API, CSV exchange, `sxr hash` and `sxr scan` read
the types from one registry (`sxr.media.signal_types.SIGNAL_TYPES`) and never name one themselves.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

HashValue = TypeVar("HashValue")

# The watchlist's columns: a type's name and a hash in normal form must fit them.
MAX_NAME_LENGTH = 8
MAX_VALUE_LENGTH = 64
HEX_DIGITS = frozenset("0123456789abcdef")
# A framed hash (a video's) has at most this many frames; frame numbers are stored as 32-bit integers,
# and timestamps are seconds into a video of at most 30 days.
MAX_FRAMES = 100_000
MAX_FRAME_NUMBER = 2**31 - 1
MAX_TIMESTAMP = 30 * 24 * 3600.0


def whole_number(value: Any, low: int, high: int, what: str) -> int:
    """`value` when it is a whole number from `low` to `high`; ValueError in words otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low:,} to {high:,}.")
    return value


class SignalIndex(ABC):
    """Banked hashes of one type, each under an integer label, searched within the type's threshold."""

    @abstractmethod
    def __len__(self) -> int:
        """How many (hash, label) pairs it holds."""

    @abstractmethod
    def add(self, values: Sequence[str], labels: Sequence[int]) -> None:
        """Add hashes (normal form) with their labels; they are matchable as soon as this returns."""

    @abstractmethod
    def remove(self, values: Sequence[str], labels: Sequence[int]) -> None:
        """Stop matching the hashes under these labels at once (`values` may be empty: labels decide)."""

    @abstractmethod
    def search(self, queries: Sequence[Sequence[str]]) -> list[list[tuple[int, int]]]:
        """For each query (a hash and its variants), (label, distance) of every banked hash within the
        threshold, nearest first; a label once, at its nearest variant."""

    def to_arrays(self) -> dict[str, Any]:
        """The index as named numpy arrays, for a snapshot on disk (NotImplementedError: it has none)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be written to a snapshot")

    def load_arrays(self, arrays: Mapping[str, Any]) -> None:
        """Fill this empty index from `to_arrays`' arrays (read-only, perhaps memory-mapped);
        ValueError when they do not fit together."""
        raise NotImplementedError(f"{type(self).__name__} cannot be read from a snapshot")


class ExactIndex(SignalIndex):
    """Exact look-up of hex digests (MD5, SHA-256 and any other hash that matches only itself)."""

    def __init__(self) -> None:
        self._labels: dict[bytes, set[int]] = {}
        # Each label's digest: a withdrawal names only the label (the change sequence holds no hash).
        self._key_of: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._key_of)

    def add(self, values: Sequence[str], labels: Sequence[int]) -> None:
        with self._lock:
            for value, label in zip(values, labels, strict=True):
                key = bytes.fromhex(value)
                self._labels.setdefault(key, set()).add(label)
                self._key_of[label] = key

    def remove(self, values: Sequence[str], labels: Sequence[int]) -> None:
        with self._lock:
            for label in labels:
                key = self._key_of.pop(label, None)
                held = self._labels.get(key) if key is not None else None
                if key is not None and held is not None:
                    held.discard(label)
                    if not held:
                        del self._labels[key]

    def to_arrays(self) -> dict[str, Any]:
        import numpy as np

        with self._lock:
            pairs = list(self._key_of.items())
        width = max((len(k) for _, k in pairs), default=1)
        return {
            "labels": np.array([label for label, _ in pairs], dtype=np.int64),
            "keys": np.array([key for _, key in pairs], dtype=f"S{width}"),
        }

    def load_arrays(self, arrays: Mapping[str, Any]) -> None:
        labels, keys = arrays["labels"], arrays["keys"]
        width = keys.dtype.itemsize
        with self._lock:
            for label, key in zip(labels.tolist(), keys.tolist(), strict=True):
                # numpy drops trailing zero bytes of an "S" item: put them back.
                key = key.ljust(width, b"\0")
                self._labels.setdefault(key, set()).add(label)
                self._key_of[label] = key

    def search(self, queries: Sequence[Sequence[str]]) -> list[list[tuple[int, int]]]:
        out = []
        for variants in queries:
            found: set[int] = set()
            for value in variants:
                found.update(self._labels.get(bytes.fromhex(value), ()))
            out.append([(label, 0) for label in sorted(found)])
        return out


@dataclass(frozen=True)
class FramesMatch:
    """A banked video that a query video matched: the share of each one's distinct usable frames."""

    label: int
    query_match_percent: float
    compared_match_percent: float


class FramesIndex(ABC):
    """Banked videos (lists of frame hashes with qualities), each under an integer label."""

    @abstractmethod
    def __len__(self) -> int:
        """How many videos it holds."""

    @abstractmethod
    def add(self, label: int, frames: Sequence[tuple[str, int]]) -> None:
        """Index a video's (hash, quality) frames under `label`."""

    @abstractmethod
    def remove(self, label: int) -> None:
        """Stop matching the video under `label` at once."""

    @abstractmethod
    def match(self, frames: Sequence[tuple[str, int]]) -> list[FramesMatch]:
        """Banked videos that a video's (hash, quality) frames match, best first."""

    def to_arrays(self) -> dict[str, Any]:
        """The index as named numpy arrays, for a snapshot on disk (NotImplementedError: it has none)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be written to a snapshot")

    def load_arrays(self, arrays: Mapping[str, Any]) -> None:
        """Fill this empty index from `to_arrays`' arrays; ValueError when they do not fit together."""
        raise NotImplementedError(f"{type(self).__name__} cannot be read from a snapshot")


class MediaHashType(ABC, Generic[HashValue]):
    """One kind of media hash: how to make it from a file, check it, compare two of them, and index many."""

    # Its name everywhere: the API, CSV files, the database, `sxr hash --json` (at most 8 characters).
    name: ClassVar[str]
    # Other tools' names for it, read in CSV files (python-threatexchange's "video_md5", for example).
    aliases: ClassVar[tuple[str, ...]] = ()
    # A few words for the API's description of a hash of this type.
    description: ClassVar[str]
    # The length of one hash in hex (the API's schema says it).
    hex_digits: ClassVar[int]
    # What a victim is told was found when one of these matches.
    media_word: ClassVar[str] = "picture or video"
    # Which of a case's quotas a banked hash of this type counts against: "pictures" or "videos".
    quota: ClassVar[str] = "pictures"
    # Largest distance that still counts as a match (0: exact types).
    match_threshold: ClassVar[int] = 0
    # Whether the deployment's match radius (SXR_MATCH_RADIUS) replaces `match_threshold`.
    radius_from_settings: ClassVar[bool] = False
    # Hashes of lower quality (0-100) are too plain to bank or match; None: the type has no quality.
    quality_floor: ClassVar[int | None] = None
    # How many other forms of one hash a query may bring, the nearest counting (PDQ's rotations).
    max_variants: ClassVar[int] = 0
    # What `validate` says when a text is not a hash of this type: the sentence callers show (a 422).
    format_message: ClassVar[str]

    @classmethod
    @abstractmethod
    def hash_file(cls, path: Path) -> HashValue | None:
        """The hash of the file at `path`, or None when this type does not apply to it."""

    @classmethod
    def to_json(cls, value: HashValue) -> object:
        """A hash made by `hash_file` as `sxr hash --json` prints it (under the type's name)."""
        return value

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
    def threshold(cls, match_radius: int) -> int:
        """The largest distance that matches, in a deployment whose match radius is `match_radius`."""
        return match_radius if cls.radius_from_settings else cls.match_threshold

    @classmethod
    def refuse_degenerate(cls, value: str) -> None:
        """ValueError, in words, when a hash (in normal form) could not stand for one file: banking it
        would match many unrelated files (a blank picture, an empty file, a repeated pattern)."""

    @classmethod
    def low_quality_message(cls, quality: int) -> str:
        """What a victim is told when a hash is below the quality floor."""
        return (
            f"This {cls.name.upper()} hash's quality is {quality}, below {cls.quality_floor}: it has too "
            "little detail to be matched safely, so it was not added."
        )

    @classmethod
    def new_index(cls, threshold: int) -> SignalIndex:
        """An empty index of hashes of this type, matching within `threshold`."""
        return ExactIndex()

    @classmethod
    def clean_text(cls, value: Any) -> str:
        """`validate` for a value that may not even be text (a JSON number, null)."""
        if not isinstance(value, str):
            raise ValueError(cls.format_message)
        return cls.validate(value)

    @classmethod
    def clean_banked(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        """A hash to bank ({"type", "value", "quality"}) in normal form; ValueError in words when it cannot
        be banked: malformed, too plain, or degenerate."""
        quality = None
        if cls.quality_floor is not None:
            quality = whole_number(item.get("quality"), 0, 100, "quality")
            if quality < cls.quality_floor:
                raise ValueError(cls.low_quality_message(quality))
        value = cls.clean_text(item.get("value"))
        cls.refuse_degenerate(value)
        return {"type": cls.name, "value": value, "quality": quality}

    @classmethod
    def from_file_entry(cls, found: Any) -> list[dict[str, Any]]:
        """The hashes of this type in one `sxr hash` entry (its value under the type's name), as
        {"type", "value", "quality"} dicts."""
        if isinstance(found, str):
            return [{"type": cls.name, "value": found, "quality": None}]
        return []

    @classmethod
    def describe(cls, found: Any) -> str | None:
        """A few words for `sxr hash`'s text output about this type's hash in an entry (None: it has none)."""
        items = cls.from_file_entry(found)
        if not items:
            return None
        quality = items[0].get("quality")
        words = f"{cls.name} {items[0]['value']}"
        if quality is not None:
            words += f" quality {quality}" + ("" if cls.usable(quality) else " (too plain to match)")
        return words

    @classmethod
    def usable(cls, quality: int | None) -> bool:
        """Whether a hash of this quality may be matched."""
        return cls.quality_floor is None or (quality is not None and quality >= cls.quality_floor)


class FramedHashType(MediaHashType[HashValue]):
    """A hash type whose hash is a list of frames, each a hash of `frame_type` (vPDQ: one PDQ a frame).

    It is banked and matched as a whole video, never looked up by one value; `validate` and `distance`
    work on one frame's hash.
    """

    frame_type: ClassVar[type[MediaHashType[Any]]]
    quota: ClassVar[str] = "videos"

    @classmethod
    def new_index(cls, threshold: int) -> SignalIndex:
        """An index of single frames, each a hash of `frame_type`."""
        return cls.frame_type.new_index(threshold)

    @classmethod
    @abstractmethod
    def new_frames_index(cls, threshold: int) -> FramesIndex:
        """An empty index of whole videos, frames matching within `threshold`."""

    @classmethod
    @abstractmethod
    def clean_frames(cls, frames: Any) -> list[dict[str, Any]]:
        """Frames to bank ({"frame", "timestamp", "hash", "quality"}) in normal form; ValueError in words."""

    @classmethod
    def clean_banked(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": cls.name, "frames": cls.clean_frames(item.get("frames"))}

    @classmethod
    def from_file_entry(cls, found: Any) -> list[dict[str, Any]]:
        if isinstance(found, dict) and found.get("frames"):
            return [{"type": cls.name, "frames": found["frames"]}]
        return []

    @classmethod
    def describe(cls, found: Any) -> str | None:
        items = cls.from_file_entry(found)
        return f"{cls.name} {len(items[0]['frames'])} frames" if items else None


class SignalRegistry(Mapping[str, type[MediaHashType[Any]]]):
    """Every hash type sxr knows, by name, in the order they were registered."""

    def __init__(self, types: Iterable[type[MediaHashType[Any]]] = ()) -> None:
        self._types: dict[str, type[MediaHashType[Any]]] = {}
        # Kept as registered and forgotten: every hash a platform looks up asks for them.
        self._single: list[type[MediaHashType[Any]]] = []
        self._framed: list[type[FramedHashType[Any]]] = []
        for signal in types:
            self.register(signal)

    def register(self, signal: type[MediaHashType[Any]]) -> type[MediaHashType[Any]]:
        """Add a hash type (usable as a class decorator); refused when it would not fit the watchlist."""
        if not signal.name or len(signal.name) > MAX_NAME_LENGTH or signal.name != signal.name.lower():
            raise ValueError(f"a hash type's name is 1 to {MAX_NAME_LENGTH} lower-case characters")
        if not issubclass(signal, FramedHashType) and not 0 < signal.hex_digits <= MAX_VALUE_LENGTH:
            raise ValueError(f"a hash type's hashes are at most {MAX_VALUE_LENGTH} hex digits")
        if signal.name in self._types:
            raise ValueError(f"there is already a hash type named {signal.name}")
        self._types[signal.name] = signal
        self._sort()
        return signal

    def unregister(self, name: str) -> None:
        """Forget a hash type (tests that add one of their own)."""
        self._types.pop(name, None)
        self._sort()

    def _sort(self) -> None:
        self._single = [s for s in self._types.values() if not issubclass(s, FramedHashType)]
        self._framed = [s for s in self._types.values() if issubclass(s, FramedHashType)]

    def __getitem__(self, name: str) -> type[MediaHashType[Any]]:
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def find(self, name: str) -> type[MediaHashType[Any]] | None:
        """The type with this name or alias (any case), or None."""
        wanted = name.strip().lower()
        for signal in self._types.values():
            if wanted == signal.name or wanted in signal.aliases:
                return signal
        return None

    def single(self) -> list[type[MediaHashType[Any]]]:
        """The types whose hash is one value: looked up by platforms, exchanged in CSV files."""
        return list(self._single)

    def framed(self) -> list[type[FramedHashType[Any]]]:
        """The types whose hash is a list of frames (videos)."""
        return list(self._framed)

    def words(self, types: Iterable[type[MediaHashType[Any]]] | None = None) -> str:
        """The names as a list in words: "pdq, md5 or sha256"."""
        names = [s.name for s in (self._types.values() if types is None else types)]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
