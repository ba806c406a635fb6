"""vPDQ video hashes: one PDQ per frame, decoded with PyAV, matched as Meta's vPDQ does.

Frames are streamed one at a time from the decoder, so memory stays bounded however long the video is;
only the hashes (about 100 bytes a frame) are kept. Frames are hashed at their full size, as upstream's
`hashVideoFile` does by default (no pre-shrink).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import av
import numpy as np

from sxr.media.index import VpdqFramesIndex
from sxr.media.pdq import (
    MATCH_THRESHOLD,
    QUALITY_THRESHOLD,
    PdqSignal,
    degenerate_reason,
    hamming_distance,
    pdq_from_rgb,
)
from sxr.media.signal import (
    HEX_DIGITS,
    MAX_FRAME_NUMBER,
    MAX_FRAMES,
    MAX_TIMESTAMP,
    FramedHashType,
    FramesIndex,
    whole_number,
)

# Upstream's usual setting: a video matches when 80% of the query's distinct frames match.
MATCH_PERCENT = 80.0
# Frames larger than this are refused: a hostile file must not make the decoder allocate gigabytes.
MAX_FRAME_PIXELS = 40_000_000


class VideoError(ValueError):
    """A video that cannot be hashed, with a sentence saying why."""


@dataclass(frozen=True)
class VpdqFrame:
    """The PDQ of one decoded frame: its number (from 0), time in seconds, hash and quality."""

    frame: int
    timestamp: float
    hash: str
    quality: int

    def to_json(self) -> dict[str, object]:
        return {
            "frame": self.frame,
            "timestamp": round(self.timestamp, 3),
            "hash": self.hash,
            "quality": self.quality,
        }


@dataclass(frozen=True)
class VpdqMatch:
    """How much of two videos match: percentages of each one's distinct usable frames."""

    query_match_percent: float
    compared_match_percent: float

    def is_match(self, query_percent: float = MATCH_PERCENT, compared_percent: float = 0.0) -> bool:
        return self.query_match_percent >= query_percent and self.compared_match_percent >= compared_percent


def iter_frames(source: Path | BinaryIO, frames_per_second: float | None = None) -> Iterator[VpdqFrame]:
    """Hash a video's frames one by one: every frame, or `frames_per_second` frames per second."""
    if frames_per_second is not None and frames_per_second <= 0:
        raise ValueError("frames_per_second must be positive")
    try:
        container = av.open(str(source) if isinstance(source, Path) else source, mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise VideoError(f"the video could not be opened ({exc})") from exc
    with container:
        if not container.streams.video:
            raise VideoError("the file has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        time_base = stream.time_base or Fraction(1, 1)
        rate = stream.average_rate or stream.guessed_rate
        start = stream.start_time
        step = 1.0 / frames_per_second if frames_per_second else None
        next_time = 0.0
        index = 0
        try:
            for frame in container.decode(stream):
                timestamp = _frame_time(frame.pts, start, time_base, rate, index)
                if step is None or timestamp + 1e-9 >= next_time:
                    if frame.width * frame.height > MAX_FRAME_PIXELS:
                        raise VideoError(f"the video frames are too large ({frame.width}x{frame.height})")
                    pdq = pdq_from_rgb(frame.to_ndarray(format="rgb24"))
                    yield VpdqFrame(index, max(timestamp, 0.0), pdq.hash, pdq.quality)
                    if step is not None:
                        # Skip whole steps at once after a gap, so one late frame is not followed by a burst.
                        next_time = (np.floor(timestamp / step + 1e-9) + 1) * step
                index += 1
        except av.error.FFmpegError as exc:
            if index == 0:
                raise VideoError(f"the video could not be decoded ({exc})") from exc
            # A damaged tail: keep the frames decoded so far, as upstream does.
        if index == 0:
            raise VideoError("the video has no frames that could be decoded")


def _frame_time(pts: int | None, start: int | None, time_base: Fraction, rate: Any, index: int) -> float:
    """A frame's time in seconds from the stream's start: from its timestamp, else its number and rate."""
    if pts is not None:
        return float((pts - (start if start is not None else 0)) * time_base)
    if rate:
        return float(index / rate)
    return 0.0


def hash_video(source: Path | BinaryIO, frames_per_second: float | None = None) -> list[VpdqFrame]:
    """All the frame hashes of a video (see `iter_frames`)."""
    return list(iter_frames(source, frames_per_second))


def _usable_distinct(frames: Iterable[VpdqFrame], quality_threshold: int) -> list[int]:
    return sorted({int(f.hash, 16) for f in frames if f.quality >= quality_threshold})


def match_videos(
    query: Iterable[VpdqFrame],
    compared: Iterable[VpdqFrame],
    distance_threshold: int = MATCH_THRESHOLD,
    quality_threshold: int = QUALITY_THRESHOLD,
) -> VpdqMatch:
    """Upstream's brute-force vPDQ match: the share of each video's distinct usable frames in the other."""
    query_hashes = _usable_distinct(query, quality_threshold)
    compared_hashes = _usable_distinct(compared, quality_threshold)
    if not query_hashes or not compared_hashes:
        return VpdqMatch(0.0, 0.0)
    q = _to_words(query_hashes)
    c = _to_words(compared_hashes)
    close = _within(q, c, distance_threshold)
    query_matched = int(close.any(axis=1).sum())
    compared_matched = int(close.any(axis=0).sum())
    return VpdqMatch(
        query_match_percent=100.0 * query_matched / len(query_hashes),
        compared_match_percent=100.0 * compared_matched / len(compared_hashes),
    )


def _to_words(hashes: list[int]) -> np.ndarray:
    return np.array(
        [[(h >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(4)] for h in hashes], dtype=np.uint64
    )


def _within(q: np.ndarray, c: np.ndarray, threshold: int) -> np.ndarray:
    """Boolean matrix: query frame i is within `threshold` bits of compared frame j."""
    result = np.zeros((len(q), len(c)), dtype=bool)
    # Rows in blocks keep the temporary xor matrix small for long videos.
    block = max(1, 2_000_000 // max(1, len(c)))
    for begin in range(0, len(q), block):
        xor = q[begin : begin + block, None, :] ^ c[None, :, :]
        distances = np.bitwise_count(xor).sum(axis=2, dtype=np.int32)
        result[begin : begin + block] = distances <= threshold
    return result


def read_reference_hashes(path: Path) -> list[VpdqFrame]:
    """Frames from upstream's text format: `frame_number,quality,pdq_hex,timestamp_seconds` per line."""
    frames = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        number, quality, pdq_hex, timestamp = line.split(",")
        frames.append(VpdqFrame(int(number), float(timestamp), pdq_hex.strip(), int(quality)))
    return frames


class VpdqSignal(FramedHashType[list[VpdqFrame]]):
    """vPDQ: one PDQ per video frame; two frames match within distance 31, a video at 80% of its frames."""

    name: ClassVar[str] = "vpdq"
    description: ClassVar[str] = "a vPDQ hash of a video: one PDQ hash a frame"
    hex_digits: ClassVar[int] = 64
    media_word: ClassVar[str] = "video"
    frame_type = PdqSignal
    match_threshold: ClassVar[int] = MATCH_THRESHOLD
    radius_from_settings: ClassVar[bool] = True
    quality_floor: ClassVar[int | None] = QUALITY_THRESHOLD
    format_message: ClassVar[str] = "A vPDQ frame hash is 64 hexadecimal digits (0-9 and a-f)."

    @classmethod
    def hash_file(cls, path: Path) -> list[VpdqFrame] | None:
        try:
            return hash_video(path)
        except VideoError:
            return None

    @classmethod
    def to_json(cls, value: list[VpdqFrame]) -> object:
        return {"frames": [frame.to_json() for frame in value]}

    @classmethod
    def validate(cls, value: str) -> str:
        """A frame's PDQ in hex (frames are compared one by one)."""
        normal = value.strip().lower()
        if len(normal) != 64 or not set(normal) <= HEX_DIGITS:
            raise ValueError(cls.format_message)
        return normal

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return hamming_distance(a, b)

    @classmethod
    def refuse_degenerate(cls, value: str) -> None:
        """A frame's hash, checked as a picture's PDQ (callers skip frames below the quality floor)."""
        reason = degenerate_reason(value)
        if reason is not None:
            raise ValueError(reason)

    @classmethod
    def new_frames_index(cls, threshold: int) -> FramesIndex:
        return VpdqFramesIndex(threshold, QUALITY_THRESHOLD)

    @classmethod
    def clean_frames(cls, frames: Any) -> list[dict[str, Any]]:
        if not isinstance(frames, list) or not frames:
            raise ValueError("A vPDQ hash needs a list of frames.")
        if len(frames) > MAX_FRAMES:
            raise ValueError(f"A vPDQ hash may have at most {MAX_FRAMES:,} frames.")
        clean: list[dict[str, Any]] = []
        for i, frame in enumerate(frames):
            try:
                clean.append(cls._clean_frame(frame, i))
            except ValueError as exc:
                raise ValueError(f"Frame {i + 1}: {exc}") from exc
        if not any(f["quality"] >= QUALITY_THRESHOLD for f in clean):
            raise ValueError(
                f"Every frame of this video has PDQ quality below {QUALITY_THRESHOLD}, so it cannot "
                "be matched safely and was not added."
            )
        return clean

    @classmethod
    def _clean_frame(cls, frame: Any, i: int) -> dict[str, Any]:
        if not isinstance(frame, dict):
            raise ValueError("Each vPDQ frame must be an object.")
        timestamp = frame.get("timestamp", 0.0)
        if (
            isinstance(timestamp, bool)
            or not isinstance(timestamp, int | float)
            or not math.isfinite(timestamp)
            or not 0 <= timestamp <= MAX_TIMESTAMP
        ):
            raise ValueError(
                f"A vPDQ frame's timestamp must be a number of seconds from 0 to {MAX_TIMESTAMP:,.0f}."
            )
        number = whole_number(frame.get("frame", i), 0, MAX_FRAME_NUMBER, "A vPDQ frame's number")
        quality = whole_number(frame.get("quality"), 0, 100, "quality")
        frame_hash = cls.clean_text(frame.get("hash"))
        # Frames below the quality floor (a black frame between scenes) are never matched: they may be plain.
        if quality >= QUALITY_THRESHOLD:
            cls.refuse_degenerate(frame_hash)
        return {"frame": number, "timestamp": float(timestamp), "hash": frame_hash, "quality": quality}


__all__ = [
    "MATCH_PERCENT",
    "VideoError",
    "VpdqFrame",
    "VpdqMatch",
    "VpdqSignal",
    "hash_video",
    "iter_frames",
    "match_videos",
    "read_reference_hashes",
]
