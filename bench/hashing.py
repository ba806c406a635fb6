"""Media hashing speed: `sxr scan` against the reference pipeline and against decode-only, in one run.

Images: a generated corpus of photo-size JPEGs (default 240 of 2048x1536, as in issue 16). Anchors
measured in this same run, batch by batch in a rotating order (a shared machine's load weighs alike):
- reference: Pillow open, convert("RGB"), thumbnail((512, 512)), `pdqhash.compute` (Meta's C++), one process;
- decode-only: Pillow open and load (the floor: no hasher can beat decoding the pixels).
`sxr scan` also computes MD5 and SHA-256 of every file and keeps its resumable state file; its rows are
`scan_folder` in this process, and the `sxr scan DIR --json` command end to end (its own process, Python
start-up and imports included, against the reference in this warm process: the harder comparison).
Each row also gives the CPU seconds it used per image (this process and its children), a figure that a
busy machine disturbs less than the wall clock. `uptime`'s load is printed beside the figures.
Videos: seconds of video hashed per second (every frame, and 1 frame a second) against decode-only
(upstream vpdq is not built here: it needs FFmpeg development packages).

    .venv/bin/python bench/hashing.py --quick    # 60 images, no videos (about a minute on a quiet machine)
    .venv/bin/python bench/hashing.py            # 240 images of 2048x1536, 2 short videos, PDQ step alone
    .venv/bin/python bench/hashing.py --full     # 500 phone photos (4032x3024), 4 videos of 30 s
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import resource
import subprocess
import sys
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
ISSUE_SIZE = (2048, 1536)


_TEXTURES: dict[tuple[int, tuple[int, int]], np.ndarray] = {}


def _texture(kind: int, size: tuple[int, int]) -> np.ndarray:
    """One of eight photo-size scenes: smooth shapes plus sensor-like noise (made once, then reused)."""
    if (kind, size) not in _TEXTURES:
        rng = np.random.default_rng(kind)
        width, height = size
        base = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), "RGB")
        picture = np.asarray(base.resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
        noise = rng.integers(-14, 15, (height // 8, width // 8, 1), dtype=np.int16)
        _TEXTURES[kind, size] = np.clip(picture + np.tile(noise, (8, 8, 3)), 0, 255).astype(np.uint8)
    return _TEXTURES[kind, size]


def make_image(path: Path, seed: int, size: tuple[int, int] = PHONE_SIZE) -> None:
    """A photo-size JPEG: one of the scenes, shifted and with a shaded block, so every file differs."""
    rng = np.random.default_rng(seed)
    width, height = size
    picture = np.roll(
        _texture(seed % 8, size), (int(rng.integers(0, height)), int(rng.integers(0, width))), axis=(0, 1)
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


def build_corpus(
    root: Path, images: int, size: tuple[int, int], videos: int, video_seconds: int
) -> tuple[list[Path], Path]:
    """The JPEGs in folders of 100 (the rows are timed batch by batch, interleaved), and the videos."""
    suffix = "" if size == PHONE_SIZE else f"-{size[0]}x{size[1]}"
    image_dir, video_dir = root / f"images-{images}{suffix}", root / f"videos-{videos}x{video_seconds}s"
    video_dir.mkdir(parents=True, exist_ok=True)
    for i in range(images):
        folder = image_dir / f"batch-{i // BATCH:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"IMG_{i:04d}.jpg"
        flat = image_dir / path.name
        if flat.exists():  # a corpus made by an earlier version of this script
            flat.rename(path)
        if not path.exists():
            make_image(path, i, size)
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


def cpu_seconds() -> float:
    """CPU time of this process (every thread) and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> float:
    """The one-minute load average, as `uptime` prints it."""
    return os.getloadavg()[0]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def scan_command(directory: Path, workers: int) -> None:
    """`sxr scan DIR --json --workers N` in its own process, as a user runs it (JSON to a pipe)."""
    command = Path(sys.executable).with_name("sxr")
    with tempfile.TemporaryDirectory() as scratch:
        state = Path(scratch) / "state.jsonl"
        subprocess.run(
            [
                str(command),
                "scan",
                str(directory),
                "--json",
                "--workers",
                str(workers),
                "--state",
                str(state),
            ],
            env={**os.environ, "SXR_DATA_DIR": scratch},
            stdout=subprocess.PIPE,
            check=True,
        )


def timing_batches(paths: list[Path], root: Path, size: int) -> list[Path]:
    """Folders of `size` hard links to the corpus: each row is timed folder by folder, in turn."""
    batches = []
    for start in range(0, len(paths), size):
        folder = root / f"batch-{start // size:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path in paths[start : start + size]:
            link = folder / path.name
            if not link.exists():
                try:
                    os.link(path, link)
                except OSError:
                    link.write_bytes(path.read_bytes())
        batches.append(folder)
    return batches


class Rows:
    """Wall and CPU seconds of each row, and the load seen while they ran."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float | None] = {}
        self.loads: list[float] = []

    def time(self, name: str, action: Callable[[], object], cpu_measured: bool = True) -> None:
        self.loads.append(load())
        cpu, start = cpu_seconds(), time.perf_counter()
        action()
        wall = time.perf_counter() - start
        self.wall[name] = self.wall.get(name, 0.0) + wall
        used = cpu_seconds() - cpu
        self.cpu[name] = (self.cpu.get(name) or 0.0) + used if cpu_measured else None

    def print(self, heading: str, count: int) -> None:
        print(f"{heading:<48} {'seconds':>8} {'images/s':>9} {'CPU ms/image':>13}")
        for name, wall in self.wall.items():
            cpu = self.cpu[name]
            cpu_text = "-" if cpu is None else f"{cpu / count * 1000:.1f}"
            print(f"{name:<48} {wall:>8.2f} {count / wall:>9.2f} {cpu_text:>13}")
        print(f"(load average while timed: {min(self.loads):.2f} to {max(self.loads):.2f})\n")


def image_rows(batches: list[Path], workers: int, count: int) -> None:
    """The in-process rows, folder by folder in a rotating order, and their ratios."""
    n = workers
    variants: dict[str, tuple[Callable[[Path], object], bool]] = {
        "decode-only, 1 core": (lambda batch: run_each(decode_only, sorted(batch.glob("*.jpg")), 1), True),
        REFERENCE: (lambda batch: run_each(reference_pipeline, sorted(batch.glob("*.jpg")), 1), True),
        "sxr scan --workers 1 (scan_folder)": (lambda batch: scan(batch, 1), True),
        f"decode-only, {n} cores": (
            lambda batch: run_each(decode_only, sorted(batch.glob("*.jpg")), n),
            False,
        ),
        f"sxr scan --workers {n} (scan_folder)": (lambda batch: scan(batch, n), True),
    }
    rows = Rows()
    names = list(variants)
    for number, batch in enumerate(batches):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            action, cpu_measured = variants[name]
            rows.time(name, functools.partial(action, batch), cpu_measured)
    rows.print(f"images, folders of {len(list(batches[0].glob('*.jpg')))}", count)
    rate = {name: count / wall for name, wall in rows.wall.items()}
    reference = rate[REFERENCE]
    one, many = rate["sxr scan --workers 1 (scan_folder)"], rate[f"sxr scan --workers {n} (scan_folder)"]
    show_ratio("sxr scan 1 worker / reference", one / reference, "goal >= 0.95")
    show_ratio(f"sxr scan {n} workers / reference", many / reference, "goal >= 1.8 on 2 cores")
    show_ratio("sxr scan 1 worker / decode-only 1 core", one / rate["decode-only, 1 core"], "goal >= 0.80")
    show_ratio(
        f"sxr scan {n} workers / decode-only {n} cores",
        many / rate[f"decode-only, {n} cores"],
        "goal >= 0.80",
    )
    ref_cpu, scan_cpu = rows.cpu[REFERENCE], rows.cpu["sxr scan --workers 1 (scan_folder)"]
    if ref_cpu and scan_cpu:
        show_ratio(
            "CPU per image: reference / sxr scan 1 worker", ref_cpu / scan_cpu, "above 1: sxr works less"
        )
    print()


def command_rows(folder: Path, workers: int, count: int) -> None:
    """The `sxr scan` command on the whole corpus (start-up included) against the reference, in turn."""
    n = workers
    paths = sorted(folder.rglob("*.jpg"))
    rows = Rows()
    rows.time(REFERENCE, lambda: run_each(reference_pipeline, paths, 1))
    rows.time(f"`sxr scan DIR --json --workers {n}`", lambda: scan_command(folder, n))
    rows.time("`sxr scan DIR --json --workers 1`", lambda: scan_command(folder, 1))
    rows.print(f"the command, all {count} images at once", count)
    reference = rows.wall[REFERENCE]
    show_ratio(
        f"`sxr scan --workers {n}` / reference",
        reference / rows.wall[f"`sxr scan DIR --json --workers {n}`"],
        "goal >= 1.8 on 2 cores",
    )
    show_ratio(
        "`sxr scan --workers 1` / reference", reference / rows.wall["`sxr scan DIR --json --workers 1`"], ""
    )
    print()


REFERENCE = "reference (thumbnail + pdqhash), 1 core"


def video_rows(video_dir: Path, workers: int) -> None:
    n = workers
    clips = sorted(video_dir.glob("*.mp4"))
    total = sum(video_seconds(p) for p in clips)
    rows = {
        "decode-only, 1 process": timed(lambda: list(map(video_decode_only, clips))),
        "sxr vPDQ every frame, 1 process": timed(lambda: [sum(1 for _ in iter_frames(p)) for p in clips]),
        "sxr vPDQ 1 frame/s, 1 process": timed(lambda: [sum(1 for _ in iter_frames(p, 1.0)) for p in clips]),
        f"sxr scan (1 frame/s), {n} workers": timed(lambda: scan(video_dir, n, 1.0)),
    }
    heading = f"videos ({len(clips)} x {total / max(1, len(clips)):.0f} s, 1280x720)"
    print(f"{heading:<48} {'seconds':>8} {'video s/s':>9}")
    for name, seconds_taken in rows.items():
        print(f"{name:<48} {seconds_taken:>8.2f} {total / seconds_taken:>9.2f}")
    floor = rows["decode-only, 1 process"]
    print()
    show_ratio("vPDQ every frame / decode-only", floor / rows["sxr vPDQ every frame, 1 process"], "")
    show_ratio("vPDQ 1 frame/s / decode-only", floor / rows["sxr vPDQ 1 frame/s, 1 process"], "")


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="60 images, no videos, no PDQ-step rows")
    parser.add_argument(
        "--full", action="store_true", help="500 phone photos (4032x3024) and 4 videos of 30 s"
    )
    parser.add_argument("--images", type=int, default=None, help="number of JPEGs (default 240; 60 quick)")
    parser.add_argument("--size", type=parse_size, default=None, help="JPEG size, WxH (default 2048x1536)")
    parser.add_argument("--batch", type=int, default=40, help="images per timed folder (default 40)")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "sxr-bench-hashing")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="all-cores worker count")
    parser.add_argument("--no-command", action="store_true", help="skip the `sxr scan` command rows")
    parser.add_argument(
        "--pdq-only", action="store_true", help="only compare PDQ implementations (C++, numpy)"
    )
    parser.add_argument(
        "--shared-data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    shared = args.shared_data if args.shared_data.is_dir() else None
    if args.pdq_only:
        compare_pdq_implementations(shared)
        return
    size = args.size or (PHONE_SIZE if args.full else ISSUE_SIZE)
    images = args.images or (500 if args.full else 60 if args.quick else 240)
    videos, seconds = (4, 30) if args.full else (0, 0) if args.quick else (2, 10)
    print(f"building corpus in {args.corpus} ({images} JPEGs {size[0]}x{size[1]}, {videos} videos)")
    folders, video_dir = build_corpus(args.corpus, images, size, videos, seconds)
    paths = sorted(p for folder in folders for p in folder.glob("*.jpg"))
    batches = timing_batches(
        paths, folders[0].parent.with_name(folders[0].parent.name + "-timing"), args.batch
    )
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} images, {megabytes:.0f} MB; {args.workers} workers for the all-cores rows")
    print(f"uptime at the start: {uptime()}\n")
    run_each(decode_only, paths[:3], 1)  # warm the page cache and the imports
    image_rows(batches, args.workers, len(paths))
    if not args.no_command:
        command_rows(folders[0].parent, args.workers, len(paths))
    if videos:
        video_rows(video_dir, args.workers)
        compare_pdq_implementations(shared)
    print(f"\nuptime at the end: {uptime()}")


def show_ratio(label: str, value: float, goal: str) -> None:
    print(f"{label:<48} {value:>6.2f}x  {goal}")


if __name__ == "__main__":
    main()
