"""vPDQ against Meta's reference hashes, matching as upstream, sampling rates and bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import numpy as np
import pytest

from sxr.media.hashing import hash_file
from sxr.media.pdq import hamming_distance
from sxr.media.vpdq import VpdqFrame, hash_video, iter_frames, match_videos, read_reference_hashes


@lru_cache(maxsize=8)
def _dense(path: Path) -> tuple[VpdqFrame, ...]:
    return tuple(hash_video(path))


def _video(shared_data: Path, name: str) -> Path:
    return shared_data / "vpdq" / "videos" / f"{name}.mp4"


@pytest.mark.parametrize(
    ("name", "max_bits", "mean_bits"),
    [("chair-19-sd-bar", 8, 2.0), ("pattern-sd-grey-bar", 8, 1.0), ("doorknob-hd-no-bar", 24, 6.0)],
)
def test_frames_match_the_reference(shared_data: Path, name: str, max_bits: int, mean_bits: float) -> None:
    mine = _dense(_video(shared_data, name))
    reference = read_reference_hashes(shared_data / "vpdq" / "hashes" / f"{name}.txt")
    assert len(mine) == len(reference)
    usable = [(a, b) for a, b in zip(mine, reference, strict=True) if b.quality >= 50]
    distances = [hamming_distance(a.hash, b.hash) for a, b in usable]
    assert len(usable) > len(reference) // 3
    for a, b in zip(mine, reference, strict=True):
        assert a.frame == b.frame
        assert abs(a.timestamp - b.timestamp) < 0.002
        assert abs(a.quality - b.quality) <= 2
    # Same decoder family, different YUV-to-RGB rounding: a few bits per usable frame (more on the HD clip).
    assert max(distances) <= max_bits, distances
    assert sum(distances) / len(distances) <= mean_bits


def test_chair_copies_match_and_other_videos_do_not(shared_data: Path) -> None:
    chair = _dense(_video(shared_data, "chair-19-sd-bar"))
    chair_orig = _dense(_video(shared_data, "chair-orig-22-sd-bar"))
    pattern = _dense(_video(shared_data, "pattern-sd-grey-bar"))
    both = match_videos(chair, chair_orig)
    assert both.is_match() and match_videos(chair_orig, chair).is_match()
    assert both.query_match_percent >= 80 and both.compared_match_percent >= 80
    assert not match_videos(pattern, chair_orig).is_match()
    assert not match_videos(chair, pattern).is_match()
    assert match_videos(pattern, chair).query_match_percent < 10


def test_reference_hashes_agree_on_the_match(shared_data: Path) -> None:
    folder = shared_data / "vpdq" / "hashes"
    chair = read_reference_hashes(folder / "chair-19-sd-bar.txt")
    chair_orig = read_reference_hashes(folder / "chair-orig-22-sd-bar.txt")
    pattern = read_reference_hashes(folder / "pattern-sd-grey-bar.txt")
    assert match_videos(chair, chair_orig).is_match()
    assert not match_videos(pattern, chair).is_match()


def _trimmed_copy(source: Path, target: Path, start: float, end: float) -> None:
    """Re-encode part of a video (another codec and bit rate), so its frames fall at another phase."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        stream_in = inp.streams.video[0]
        stream = out.add_stream("mpeg4", rate=30)
        stream.width = stream_in.codec_context.width
        stream.height = stream_in.codec_context.height
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 400_000
        index = 0
        for frame in inp.decode(stream_in):
            if frame.time is None or frame.time < start or frame.time > end:
                continue
            new = av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")
            new.pts = index
            new.time_base = Fraction(1, 30)
            index += 1
            for packet in stream.encode(new):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_trimmed_copy_sampled_at_another_phase_still_matches(shared_data: Path, tmp_path: Path) -> None:
    original = _video(shared_data, "chair-orig-22-sd-bar")
    copy = tmp_path / "trimmed.mkv"
    _trimmed_copy(original, copy, start=2.37, end=14.0)
    sampled = hash_video(copy, frames_per_second=1)
    assert 11 <= len(sampled) <= 13
    banked = _dense(original)
    assert match_videos(sampled, banked).is_match()
    pattern = _dense(_video(shared_data, "pattern-sd-grey-bar"))
    assert not match_videos(sampled, pattern).is_match()


def test_sampling_rate_picks_frames_by_time(shared_data: Path) -> None:
    frames = list(iter_frames(_video(shared_data, "pattern-sd-grey-bar"), frames_per_second=2))
    assert [f.frame for f in frames[:4]] == [0, 15, 30, 45]
    assert [round(f.timestamp, 2) for f in frames[:4]] == [0.0, 0.5, 1.0, 1.5]
    dense = _dense(_video(shared_data, "pattern-sd-grey-bar"))
    assert frames[1].hash == dense[15].hash
    with pytest.raises(ValueError):
        list(iter_frames(_video(shared_data, "pattern-sd-grey-bar"), frames_per_second=0))


def test_hash_file_reports_video_frames(shared_data: Path) -> None:
    entry = hash_file(_video(shared_data, "pattern-sd-grey-bar"), video_frames_per_second=1)
    assert entry["pdq"] is None and entry["error"] is None
    frames = entry["vpdq"]["frames"]
    assert len(frames) == 7
    assert set(frames[0]) == {"frame", "timestamp", "hash", "quality"}
    assert frames[1]["frame"] == 30 and frames[1]["timestamp"] == 1.0


def _write_long_video(path: Path, seconds: int) -> None:
    """A small, long video: one frame a second, 96x64, a moving pattern."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=1)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        y, x = np.mgrid[0:64, 0:96]
        for second in range(seconds):
            shade = ((x * 3 + y * 2 + second * 7) % 256).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.dstack([shade, shade[::-1], 255 - shade]), format="rgb24")
            frame.pts = second
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


_MEASURE = """
import json, resource, sys
from pathlib import Path
from sxr.media.vpdq import iter_frames
count = sum(1 for _ in iter_frames(Path(sys.argv[1])))
print(json.dumps({"frames": count, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _peak_memory(path: Path) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], check=True, capture_output=True, text=True
    )
    result: dict[str, int] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_two_hour_video_is_hashed_in_bounded_memory(tmp_path: Path) -> None:
    short, long = tmp_path / "short.avi", tmp_path / "long.avi"
    _write_long_video(short, 60)
    _write_long_video(long, 2 * 60 * 60)
    small = _peak_memory(short)
    big = _peak_memory(long)
    assert small["frames"] == 60 and big["frames"] == 7200
    # 120 times the frames, yet peak memory grows by less than 40 MB: frames are streamed, not kept.
    assert big["max_rss_kb"] - small["max_rss_kb"] < 40_000, (small, big)
