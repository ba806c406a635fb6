"""`sxr scan`'s parallel paths give the reference pipeline's hashes, bit for bit.

The scan hashes pictures on threads (and, when every frame of several videos is hashed, videos on
processes); whatever the path, every file must get exactly the MD5, SHA-256 and PDQ that the reference
gives: Pillow open, convert("RGB"), thumbnail((512, 512)), Meta's PDQ (`pdqhash`), MD5 and SHA-256 of
the bytes.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pdqhash
import pytest
from PIL import Image

from sxr.media.hashing import hash_file
from sxr.media.scan import scan_folder


def _reference(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    rgb.thumbnail((512, 512))
    bits, quality = pdqhash.compute(np.asarray(rgb))
    return {
        "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "pdq": {"hash": np.packbits(bits.astype(np.uint8)).tobytes().hex(), "quality": int(quality)},
    }


def _photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A photo-like picture: smooth shapes, sensor-like noise and a shaded block, different per seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    base = Image.fromarray(rng.integers(0, 256, (9, 12, 3), dtype=np.uint8), "RGB")
    picture = np.asarray(base.resize(size, Image.Resampling.BICUBIC), dtype=np.int16)
    noise = rng.integers(-14, 15, (height, width, 1), dtype=np.int16)
    pixels = np.clip(picture + noise, 0, 255).astype(np.uint8)
    y0, x0 = int(rng.integers(0, height // 2)), int(rng.integers(0, width // 2))
    pixels[y0 : y0 + height // 3, x0 : x0 + width // 3] //= 2
    return Image.fromarray(pixels, "RGB")


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Photo-size JPEGs as cameras and phones write them: sizes, subsampling, progressive, grey, EXIF."""
    root = tmp_path_factory.mktemp("photos")
    _photo((2048, 1536), 1).save(root / "IMG_0001.jpg", quality=90)
    _photo((1536, 2048), 2).save(root / "IMG_0002.jpg", quality=95, subsampling=0)
    _photo((2048, 1536), 3).save(root / "IMG_0003.jpg", quality=85, progressive=True)
    _photo((4032, 3024), 4).save(root / "IMG_0004.jpg", quality=90)
    _photo((2000, 1500), 5).convert("L").save(root / "IMG_0005.jpg", quality=90)
    _photo((2048, 1536), 6).convert("CMYK").save(root / "IMG_0006.jpg", quality=90)
    turned = Image.Exif()
    turned[0x0112] = 6
    _photo((2048, 1536), 7).save(root / "IMG_0007.jpg", quality=90, exif=turned)
    for seed in range(8, 14):
        _photo((2048, 1536), seed).save(root / f"IMG_{seed:04d}.jpg", quality=80 + seed)
    return root


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_scan_gives_the_reference_hashes_of_photos(photos: Path, tmp_path: Path, workers: int) -> None:
    entries, _ = scan_folder(photos, state_path=tmp_path / "state.jsonl", workers=workers)
    paths = sorted(photos.glob("*.jpg"))
    assert [entry["path"] for entry in entries] == [str(path) for path in paths]
    for path, entry in zip(paths, entries, strict=True):
        assert entry["error"] is None, entry
        want = _reference(path)
        assert (entry["md5"], entry["sha256"]) == (want["md5"], want["sha256"]), path.name
        assert {"hash": entry["pdq"]["hash"], "quality": entry["pdq"]["quality"]} == want["pdq"], path.name
        # The turned photo also has its upright hash; the others have none.
        assert ("upright" in entry["pdq"]) == (path.name == "IMG_0007.jpg"), path.name


def test_scan_of_the_shared_reference_images_is_bit_exact(shared_data: Path, tmp_path: Path) -> None:
    images = shared_data / "pdq" / "images"
    with (shared_data / "pdq" / "expected.csv").open(newline="") as handle:
        expected = {str(images / row["path"]): row for row in csv.DictReader(handle)}
    entries, _ = scan_folder(images, state_path=tmp_path / "state.jsonl", workers=2)
    scanned = {entry["path"]: entry for entry in entries}
    assert set(expected) <= set(scanned)
    for path, row in expected.items():
        entry = scanned[path]
        assert entry["pdq"]["hash"] == _reference(Path(path))["pdq"]["hash"], path
        assert entry["pdq"]["quality"] == int(row["quality"]), path
        if int(row["quality"]) == 100:
            assert entry["pdq"]["hash"] == row["pdq_hex"], path


def test_threads_and_one_worker_write_the_same_document(photos: Path, tmp_path: Path) -> None:
    one, _ = scan_folder(photos, state_path=tmp_path / "one.jsonl", workers=1)
    many, _ = scan_folder(photos, state_path=tmp_path / "many.jsonl", workers=4)
    assert one == many
    assert one == [hash_file(path) for path in sorted(photos.glob("*.jpg"))]


@pytest.mark.slow
def test_every_frame_of_several_videos_on_processes(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    clip = shared_data / "vpdq" / "videos" / "pattern-sd-grey-bar.mp4"
    for name in ("a.mp4", "b.mp4"):
        shutil.copy(clip, folder / name)
    shutil.copy(shared_data / "pdq" / "images" / "misc" / "wee.jpg", folder / "wee.jpg")
    entries, _ = scan_folder(folder, state_path=tmp_path / "state.jsonl", workers=2)
    assert entries == [hash_file(path) for path in sorted(folder.iterdir())]
    assert entries[0]["vpdq"]["frames"] and entries[0]["vpdq"] == entries[1]["vpdq"]
