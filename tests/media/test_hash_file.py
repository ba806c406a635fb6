"""hash_file on good and bad input: every awkward kind of image, broken files, bombs, non-media."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from sxr.media.hashing import hash_file
from sxr.media.pdq import hash_image, pdq_from_rgb

KEYS = {"path", "md5", "sha256", "pdq", "vpdq", "error"}


def _picture(width: int = 640, height: int = 480) -> Image.Image:
    """A synthetic picture with plenty of detail (gradients and shapes)."""
    y, x = np.mgrid[0:height, 0:width]
    red = (x * 255 // width).astype(np.uint8)
    green = (y * 255 // height).astype(np.uint8)
    blue = (((x // 40 + y // 40) % 2) * 200 + 30).astype(np.uint8)
    return Image.fromarray(np.dstack([red, green, blue]), "RGB")


def _reference(image: Image.Image) -> str:
    """Meta's reference pipeline, spelled out: RGB, thumbnail((512, 512)), PDQ."""
    rgb = image.convert("RGB")
    rgb.thumbnail((512, 512))
    return pdq_from_rgb(np.asarray(rgb)).hash


def test_entry_shape_and_exact_hashes(shared_data: Path) -> None:
    path = shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg"
    entry = hash_file(path)
    assert set(entry) == KEYS
    data = path.read_bytes()
    assert entry["md5"] == hashlib.md5(data).hexdigest()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["pdq"] == {
        "hash": "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22",
        "quality": 100,
    }
    assert entry["vpdq"] is None and entry["error"] is None


def test_truncated_image_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    entry = hash_file(cut)
    assert entry["pdq"] is None
    assert "damaged or cut short" in entry["error"]
    assert entry["md5"] == hashlib.md5(data[: len(data) // 2]).hexdigest()


def test_corrupt_and_empty_files(tmp_path: Path) -> None:
    corrupt = tmp_path / "photo.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    entry = hash_file(corrupt)
    assert entry["pdq"] is None and entry["error"]
    noise = tmp_path / "noise.png"
    noise.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert "cannot be read" in hash_file(noise)["error"]
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    entry = hash_file(empty)
    assert entry["error"] == "the file is empty"
    assert entry["md5"] == "d41d8cd98f00b204e9800998ecf8427e"
    missing = hash_file(tmp_path / "missing.jpg")
    assert missing["md5"] is None and "could not be read" in missing["error"]


def test_other_files_get_exact_hashes_only(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("send a pic\n")
    entry = hash_file(note)
    assert entry["md5"] == hashlib.md5(b"send a pic\n").hexdigest()
    assert entry["pdq"] is None and entry["vpdq"] is None and entry["error"] is None


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [13_400, 40_000])
def test_decompression_bombs_are_refused_before_decoding(tmp_path: Path, side: int) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(side, side))
    entry = hash_file(bomb)
    assert entry["pdq"] is None
    assert "too large to decode safely" in entry["error"]


def test_sixteen_bit_greyscale_hashes_the_top_eight_bits(tmp_path: Path) -> None:
    grey = np.asarray(_picture().convert("L"), dtype=np.uint16) * 257  # full 16-bit range
    path = tmp_path / "deep.png"
    Image.fromarray(grey).save(path)
    with Image.open(path) as opened:
        assert opened.mode.startswith("I")
    entry = hash_file(path)
    expected = _reference(Image.fromarray((grey >> 8).astype(np.uint8), "L"))
    assert entry["pdq"]["hash"] == expected
    assert entry["pdq"]["quality"] >= 50


def test_cmyk_palette_and_alpha_follow_the_reference(tmp_path: Path) -> None:
    picture = _picture()
    cases = {
        "cmyk.jpg": picture.convert("CMYK"),
        "palette.png": picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=64),
        "alpha.png": picture.convert("RGBA"),
        "grey-alpha.png": picture.convert("LA"),
    }
    rgba = np.array(picture.convert("RGBA"))
    rgba[100:300, 100:300, 3] = 0  # a transparent square: its colour is still hashed, as the reference does
    cases["transparent.png"] = Image.fromarray(rgba, "RGBA")
    for name, image in cases.items():
        path = tmp_path / name
        image.save(path)
        with Image.open(path) as saved:
            expected = _reference(saved)
        entry = hash_file(path)
        assert entry["error"] is None, name
        assert entry["pdq"]["hash"] == expected, name


def test_animated_images_hash_the_first_frame(tmp_path: Path) -> None:
    frames = [
        _picture(),
        _picture().rotate(90, expand=False),
        _picture().transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    ]
    path = tmp_path / "moving.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    hashes = hash_image(path)
    assert hashes.frames == 3
    with Image.open(path) as first:
        assert hashes.stored.hash == _reference(first)
    assert hash_file(path)["pdq"]["hash"] == hashes.stored.hash


def _write_audio_only(path: Path) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=8000)
        samples = (np.sin(np.arange(8000) / 5) * 2000).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def test_video_without_a_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "voice-note.mp4"
    _write_audio_only(path)
    entry = hash_file(path)
    assert entry["vpdq"] is None
    assert entry["error"] == "the file has no video stream"
    assert entry["md5"] is not None


def test_broken_video(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500)
    entry = hash_file(path)
    assert entry["vpdq"] is None and entry["error"]


def test_bytes_in_memory_are_hashed_like_files(shared_data: Path) -> None:
    path = shared_data / "pdq" / "images" / "misc" / "wee.jpg"
    assert hash_image(io.BytesIO(path.read_bytes())) == hash_image(path)
