"""Media hashing speed: `sxr scan` against the reference pipeline and against decode-only, in one run.

Images: a generated corpus of phone-size JPEGs (4032x3024). Anchors measured in this same run:
- reference: Pillow open, convert("RGB"), thumbnail((512, 512)), `pdqhash.compute` (Meta's C++), one process;
- decode-only: Pillow open and load (the floor: no hasher can beat decoding the pixels).
`sxr scan` also computes MD5 and SHA-256 of every file and keeps its resumable state file.
Videos: seconds of video hashed per second (every frame, and 1 frame a second) against decode-only
(upstream vpdq is not built here: it needs FFmpeg development packages).

    .venv/bin/python bench/hashing.py            # a quick run (60 images, 2 short videos)
    .venv/bin/python bench/hashing.py --full     # the issue's size (500 images, 4 videos)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pdqhash
from PIL import Image

from sxr.media.scan import scan_folder
from sxr.media.vpdq import iter_frames

PHONE_SIZE = (4032, 3024)


_TEXTURES: dict[int, np.ndarray] = {}


def _texture(kind: int) -> np.ndarray:
    """One of eight phone-size scenes: smooth shapes plus sensor-like noise (made once, then reused)."""
    if kind not in _TEXTURES:
        rng = np.random.default_rng(kind)
        width, height = PHONE_SIZE
        base = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), "RGB")
        picture = np.asarray(base.resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
        noise = rng.integers(-14, 15, (height // 8, width // 8, 1), dtype=np.int16)
        _TEXTURES[kind] = np.clip(picture + np.tile(noise, (8, 8, 3)), 0, 255).astype(np.uint8)
    return _TEXTURES[kind]


def make_image(path: Path, seed: int) -> None:
    """A phone-size JPEG: one of the scenes, shifted and with a shaded block, so every file differs."""
    rng = np.random.default_rng(seed)
    width, height = PHONE_SIZE
    picture = np.roll(
        _texture(seed % 8), (int(rng.integers(0, height)), int(rng.integers(0, width))), axis=(0, 1)
    )
    y0, x0 = int(rng.integers(0, height // 2)), int(rng.integers(0, width // 2))
    picture[y0 : y0 + height // 3, x0 : x0 + width // 3] //= 2
    Image.fromarray(picture, "RGB").save(path, quality=90)


def make_video(path: Path, seconds: int, seed: int, size: tuple[int, int] = (1280, 720)) -> None:
    """An H.264 phone-style clip (30 frames a second) with a moving, textured scene."""
    rng = np.random.default_rng(seed)
    width, height = size
    texture = np.asarray(
        Image.fromarray(rng.integers(0, 256, (18, 32, 3), dtype=np.uint8), "RGB").resize(
            (width * 2, height), Image.Resampling.BICUBIC
        )
    )
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(seconds * 30):
            shift = (index * 7) % width
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(texture[:, shift : shift + width]), "rgb24"
            )
            frame.pts = index
            frame.time_base = Fraction(1, 30)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


BATCH = 100


def build_corpus(root: Path, images: int, videos: int, video_seconds: int) -> tuple[list[Path], Path]:
    """The JPEGs in folders of 100 (the rows are timed batch by batch, interleaved), and the videos."""
    image_dir, video_dir = root / f"images-{images}", root / f"videos-{videos}x{video_seconds}s"
    video_dir.mkdir(parents=True, exist_ok=True)
    for i in range(images):
        folder = image_dir / f"batch-{i // BATCH:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"IMG_{i:04d}.jpg"
        flat = image_dir / path.name
        if flat.exists():  # a corpus made by an earlier version of this script
            flat.rename(path)
        if not path.exists():
            make_image(path, i)
    for i in range(videos):
        path = video_dir / f"VID_{i:04d}.mp4"
        if not path.exists():
            make_video(path, video_seconds, 1000 + i)
    return sorted(image_dir.glob("batch-*")), video_dir


def decode_only(path: Path) -> None:
    with Image.open(path) as image:
        image.load()


def reference_pipeline(path: Path) -> None:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    rgb.thumbnail((512, 512))
    pdqhash.compute(np.asarray(rgb))


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run_each(function: Callable[[Path], None], paths: list[Path], workers: int) -> None:
    if workers == 1:
        for path in paths:
            function(path)
        return
    with multiprocessing.get_context("forkserver").Pool(workers) as pool:
        pool.map(function, paths, chunksize=1)


def scan(directory: Path, workers: int, rate: float | None = None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scan_folder(
            directory, state_path=Path(scratch) / "state.jsonl", workers=workers, video_frames_per_second=rate
        )


def video_decode_only(path: Path) -> None:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass


def video_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float(stream.frames / stream.average_rate) if stream.frames and stream.average_rate else 0.0


# ---- the candidate the issue asked to measure: PDQ in vectorised numpy ----

_DCT = (
    np.float32(np.sqrt(2 / 64)) * np.cos((np.pi / 2 / 64) * np.outer(np.arange(1, 17), 2 * np.arange(64) + 1))
).astype(np.float32)


def _box_sequential(data: np.ndarray, window: int) -> np.ndarray:
    """Meta's box1DFloat along axis 1, every row at once, with its float32 running sum (bit-exact)."""
    rows, length = data.shape
    out = np.empty_like(data)
    half = (window + 2) // 2
    total = np.zeros(rows, dtype=np.float32)
    count = 0
    left = right = written = 0
    for _ in range(half - 1):
        total = total + data[:, right]
        count += 1
        right += 1
    for _ in range(window - half + 1):
        total = total + data[:, right]
        count += 1
        out[:, written] = total / np.float32(count)
        right += 1
        written += 1
    for _ in range(length - window):
        total = total + data[:, right]
        total = total - data[:, left]
        out[:, written] = total / np.float32(count)
        left += 1
        right += 1
        written += 1
    for _ in range(half - 1):
        total = total - data[:, left]
        count -= 1
        out[:, written] = total / np.float32(count)
        left += 1
        written += 1
    return out


def _box_cumsum(data: np.ndarray, window: int) -> np.ndarray:
    """The same box filter from prefix sums: fast, but its rounding differs from the reference."""
    rows, length = data.shape
    half = (window + 2) // 2
    prefix = np.zeros((rows, length + 1), dtype=np.float64)
    np.cumsum(data, axis=1, out=prefix[:, 1:])
    index = np.arange(length)
    hi = np.minimum(index + half, length)
    lo = np.maximum(index - (window - half), 0)
    return ((prefix[:, hi] - prefix[:, lo]) / (hi - lo)).astype(np.float32)


def numpy_pdq(rgb: np.ndarray, box: Callable[[np.ndarray, int], np.ndarray]) -> tuple[str, int]:
    """PDQ (hash hex, quality) of an RGB array, in numpy, after Meta's pdqhashing.cpp."""
    luma = (rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114).astype(np.float32)
    rows, cols = luma.shape
    along_rows = (cols + 127) // 128
    along_cols = (rows + 127) // 128
    for _ in range(2):
        luma = box(luma, along_rows)
        luma = np.ascontiguousarray(box(np.ascontiguousarray(luma.T), along_cols).T)
    pick_rows = (((np.arange(64) + 0.5) * rows) / 64).astype(int)
    pick_cols = (((np.arange(64) + 0.5) * cols) / 64).astype(int)
    small = luma[np.ix_(pick_rows, pick_cols)]
    down = np.trunc((small[:-1, :] - small[1:, :]) * np.float32(100) / np.float32(255))
    across = np.trunc((small[:, :-1] - small[:, 1:]) * np.float32(100) / np.float32(255))
    quality = min(100, int(np.abs(down).sum() + np.abs(across).sum()) // 90)
    coefficients = (_DCT @ small) @ _DCT.T
    median = np.sort(coefficients.ravel())[127]
    bits = (coefficients > median).astype(np.uint8)
    words = (bits.astype(np.uint32) << np.arange(16, dtype=np.uint32)).sum(axis=1)
    return "".join(f"{int(word):04x}" for word in words[::-1]), quality


def compare_pdq_implementations(shared_data: Path | None) -> None:
    """Time the PDQ step alone (pdqhash's C++ vs numpy) and check bit-exactness on expected.csv."""
    import csv

    from sxr.media.pdq import pdq_from_rgb

    thumbnails: list[tuple[np.ndarray, str]] = []
    if shared_data is not None and (shared_data / "pdq" / "expected.csv").exists():
        with (shared_data / "pdq" / "expected.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                with Image.open(shared_data / "pdq" / "images" / row["path"]) as image:
                    rgb = image.convert("RGB")
                rgb.thumbnail((512, 512))
                thumbnails.append((np.asarray(rgb), row["pdq_hex"]))
    else:
        for seed in range(10):
            rgb = Image.open(
                sorted(Path(tempfile.gettempdir()).glob("sxr-bench-hashing/images-*/*.jpg"))[seed]
            )
            small = rgb.convert("RGB")
            small.thumbnail((512, 512))
            thumbnails.append((np.asarray(small), pdq_from_rgb(np.asarray(small)).hash))
    candidates: dict[str, Callable[[np.ndarray], str]] = {
        "pdqhash (Meta's C++)": lambda a: pdq_from_rgb(a).hash,
        "numpy, sequential float32 box filter": lambda a: numpy_pdq(a, _box_sequential)[0],
        "numpy, prefix-sum box filter": lambda a: numpy_pdq(a, _box_cumsum)[0],
    }
    print(
        f"\n{'PDQ step alone (' + str(len(thumbnails)) + ' thumbnails)':<44} {'ms/image':>8} {'bits off':>9}"
    )
    for name, function in candidates.items():
        start = time.perf_counter()
        for _ in range(3):
            hashes = [function(pixels) for pixels, _ in thumbnails]
        elapsed = (time.perf_counter() - start) / 3 / len(thumbnails)
        off = sum(
            (int(mine, 16) ^ int(want, 16)).bit_count()
            for mine, (_, want) in zip(hashes, thumbnails, strict=True)
        )
        print(f"{name:<44} {elapsed * 1000:>8.2f} {off:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--full", action="store_true", help="500 images and 4 videos of 30 s (the issue's size)"
    )
    parser.add_argument(
        "--images", type=int, default=None, help="number of JPEGs (default 60, 500 with --full)"
    )
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "sxr-bench-hashing")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="all-cores worker count")
    parser.add_argument(
        "--pdq-only", action="store_true", help="only compare PDQ implementations (C++, numpy)"
    )
    parser.add_argument(
        "--shared-data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    if args.pdq_only:
        compare_pdq_implementations(args.shared_data if args.shared_data.is_dir() else None)
        return
    images = args.images or (500 if args.full else 60)
    videos, seconds = (4, 30) if args.full else (2, 10)
    print(
        f"building corpus in {args.corpus} ({images} JPEGs {PHONE_SIZE[0]}x{PHONE_SIZE[1]}, {videos} videos)"
    )
    batches, video_dir = build_corpus(args.corpus, images, videos, seconds)
    paths = sorted(p for batch in batches for p in batch.glob("*.jpg"))
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} images, {megabytes:.0f} MB; {args.workers} cores for the all-cores rows\n")

    run_each(decode_only, paths[:3], 1)  # warm the page cache and the imports
    n = args.workers
    variants: dict[str, Callable[[Path], object]] = {
        "decode-only, 1 core": lambda batch: run_each(decode_only, sorted(batch.glob("*.jpg")), 1),
        "reference (thumbnail + pdqhash), 1 core": lambda batch: run_each(
            reference_pipeline, sorted(batch.glob("*.jpg")), 1
        ),
        "sxr scan --workers 1": lambda batch: scan(batch, 1),
        f"decode-only, {n} cores": lambda batch: run_each(decode_only, sorted(batch.glob("*.jpg")), n),
        f"sxr scan --workers {n}": lambda batch: scan(batch, n),
    }
    # Batch by batch, every variant in turn (in a rotating order): a shared machine's changing load
    # then weighs on every row alike, and the ratios stay fair.
    rows = dict.fromkeys(variants, 0.0)
    names = list(variants)
    for number, batch in enumerate(batches):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            rows[name] += timed(lambda name=name, batch=batch: variants[name](batch))
    rate = {name: len(paths) / seconds_taken for name, seconds_taken in rows.items()}
    print(f"{'images':<44} {'seconds':>8} {'images/s':>9}")
    for name, seconds_taken in rows.items():
        print(f"{name:<44} {seconds_taken:>8.2f} {rate[name]:>9.2f}")
    reference = rate["reference (thumbnail + pdqhash), 1 core"]
    one, many = rate["sxr scan --workers 1"], rate[f"sxr scan --workers {n}"]
    print()
    show_ratio("sxr scan 1 core / reference", one / reference, "goal >= 0.95")
    show_ratio(f"sxr scan {n} cores / reference", many / reference, "goal >= 1.8 on 2 cores")
    show_ratio("sxr scan 1 core / decode-only 1 core", one / rate["decode-only, 1 core"], "goal >= 0.80")
    show_ratio(
        f"sxr scan {n} cores / decode-only {n} cores", many / rate[f"decode-only, {n} cores"], "goal >= 0.80"
    )

    clips = sorted(video_dir.glob("*.mp4"))
    total = sum(video_seconds(p) for p in clips)
    video_rows = {
        "decode-only, 1 process": timed(lambda: [video_decode_only(p) for p in clips]),
        "sxr vPDQ every frame, 1 process": timed(lambda: [sum(1 for _ in iter_frames(p)) for p in clips]),
        "sxr vPDQ 1 frame/s, 1 process": timed(lambda: [sum(1 for _ in iter_frames(p, 1.0)) for p in clips]),
        f"sxr scan (1 frame/s), {n} cores": timed(lambda: scan(video_dir, n, 1.0)),
    }
    heading = f"videos ({len(clips)} x {total / max(1, len(clips)):.0f} s, 1280x720)"
    print(f"\n{heading:<44} {'seconds':>8} {'video s/s':>9}")
    for name, seconds_taken in video_rows.items():
        print(f"{name:<44} {seconds_taken:>8.2f} {total / seconds_taken:>9.2f}")
    floor = video_rows["decode-only, 1 process"]
    print()
    show_ratio("vPDQ every frame / decode-only", floor / video_rows["sxr vPDQ every frame, 1 process"], "")
    show_ratio("vPDQ 1 frame/s / decode-only", floor / video_rows["sxr vPDQ 1 frame/s, 1 process"], "")
    compare_pdq_implementations(args.shared_data if args.shared_data.is_dir() else None)


def show_ratio(label: str, value: float, goal: str) -> None:
    print(f"{label:<44} {value:>6.2f}x  {goal}")


if __name__ == "__main__":
    main()
