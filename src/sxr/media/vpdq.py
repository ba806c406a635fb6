"""vPDQ video hashes: one PDQ per frame, decoded with PyAV, matched as Meta's vPDQ does.

Frames are streamed one at a time from the decoder, so memory stays bounded however long the video is;
only the hashes (about 100 bytes a frame) are kept. Frames are hashed at their full size, as upstream's
`hashVideoFile` does by default (no pre-shrink).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, ClassVar

import av
import numpy as np

from sxr.media.pdq import (
    MATCH_THRESHOLD,
    QUALITY_THRESHOLD,
    degenerate_reason,
    hamming_distance,
    pdq_from_rgb,
)
from sxr.media.signal import MediaHashType

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
                if frame.pts is not None:
                    offset = frame.pts - (start if start is not None else 0)
                    timestamp = float(offset * time_base)
                elif rate:
                    timestamp = float(index / rate)
                else:
                    timestamp = 0.0
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


class VpdqSignal(MediaHashType[list[VpdqFrame]]):
    """vPDQ: one PDQ per video frame; two frames match within distance 31."""

    name: ClassVar[str] = "vpdq"
    match_threshold: ClassVar[int] = MATCH_THRESHOLD
    format_message: ClassVar[str] = "A vPDQ frame hash is 64 hexadecimal digits (0-9 and a-f)."

    @classmethod
    def hash_file(cls, path: Path) -> list[VpdqFrame] | None:
        try:
            return hash_video(path)
        except VideoError:
            return None

    @classmethod
    def validate(cls, value: str) -> str:
        """A frame's PDQ in hex (frames are compared one by one)."""
        normal = value.strip().lower()
        if len(normal) != 64 or any(ch not in "0123456789abcdef" for ch in normal):
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
