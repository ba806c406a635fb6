"""PDQ against Meta's reference hashes, dihedral hashes, EXIF orientation and the hash type plug-in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sxr.media.hashing import HASH_TYPES
from sxr.media.pdq import (
    DIHEDRAL_NAMES,
    PdqHash,
    PdqSignal,
    dihedral_from_rgb,
    hamming_distance,
    hash_image,
    open_image,
    reference_thumbnail,
)


def _expected(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / "pdq" / "expected.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_reference_image_is_bit_exact(shared_data: Path) -> None:
    rows = _expected(shared_data)
    assert len(rows) == 29
    for row in rows:
        hashes = hash_image(shared_data / "pdq" / "images" / row["path"])
        if int(row["quality"]) == 100:
            assert hashes.stored.hash == row["pdq_hex"], row["path"]
        else:
            assert hamming_distance(hashes.stored.hash, row["pdq_hex"]) <= 2, row["path"]
        assert hashes.stored.quality == int(row["quality"]), row["path"]
        assert hashes.upright is None


def test_low_quality_hashes_are_flagged_not_usable(shared_data: Path) -> None:
    plain = hash_image(shared_data / "pdq" / "images" / "misc" / "small.jpg").stored
    detailed = hash_image(shared_data / "pdq" / "images" / "misc" / "wee.jpg").stored
    assert plain.quality < 50 and not plain.usable
    assert detailed.usable


def test_dihedral_hashes_land_near_each_turned_copy(shared_data: Path) -> None:
    folder = shared_data / "pdq" / "images" / "dih"
    with open_image(folder / "bridge-1-original.jpg") as image:
        dihedral = dihedral_from_rgb(np.array(reference_thumbnail(image)))
    assert list(dihedral) == list(DIHEDRAL_NAMES)
    turned = sorted(folder.iterdir())
    assert len(turned) == 8
    for name, path in zip(DIHEDRAL_NAMES, turned, strict=True):
        stored = hash_image(path).stored.hash
        distances = {other: hamming_distance(h.hash, stored) for other, h in dihedral.items()}
        # Close, not exact (upstream's words): each turned copy is nearest its own dihedral hash.
        assert distances[name] <= 31, (path.name, distances)
        assert distances[name] == min(distances.values()), (path.name, distances)
    assert dihedral["original"].hash == hash_image(folder / "bridge-1-original.jpg").stored.hash


def _png_bytes(image: Image.Image, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(out, format="PNG", exif=exif, compress_level=1)
    return out.getvalue()


def test_exif_orientation_gives_stored_and_upright_hashes(shared_data: Path) -> None:
    with Image.open(shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg") as original:
        picture = original.convert("RGB")
    picture.thumbnail((900, 900))  # still larger than the pre-shrink, and quick to encode
    plain = hash_image(io.BytesIO(_png_bytes(picture))).stored
    turned = hash_image(io.BytesIO(_png_bytes(picture, orientation=6)))
    # Pixels as stored, like the reference and every platform that ignores the tag.
    assert turned.stored == plain
    assert turned.upright is not None
    # Orientation 6: the camera was turned, so the upright picture is the stored one rotated 90 degrees.
    upright = hash_image(io.BytesIO(_png_bytes(picture.transpose(Image.Transpose.ROTATE_270)))).stored
    assert hamming_distance(turned.upright.hash, upright.hash) <= 8
    assert hamming_distance(turned.upright.hash, plain.hash) > 31


def test_hash_type_plugins() -> None:
    assert set(HASH_TYPES) == {"md5", "sha256", "pdq", "vpdq"}
    value = "D8F8F0CCE0F4A84F0E370A22028F67F0B36E2ED596623E1D33E6B39C4E9C9B22"
    assert PdqSignal.validate(value) == value.lower()
    for bad in ("", "xyz", value[:-1], value + "0", "g" * 64):
        with pytest.raises(ValueError):
            PdqSignal.validate(bad)
    flipped = format(int(value, 16) ^ ((1 << 31) - 1), "064x")
    assert PdqSignal.distance(value.lower(), flipped) == 31
    assert PdqSignal.matches(value.lower(), flipped)
    assert not PdqSignal.matches(value.lower(), format(int(value, 16) ^ ((1 << 32) - 1), "064x"))
    assert HASH_TYPES["md5"].matches("0" * 32, "0" * 32)
    assert not HASH_TYPES["md5"].matches("0" * 32, "0" * 31 + "1")
    with pytest.raises(ValueError):
        HASH_TYPES["md5"].validate("0" * 64)
    assert PdqHash("0" * 64, 49).usable is False


def test_signal_hash_file(shared_data: Path, tmp_path: Path) -> None:
    image = shared_data / "pdq" / "images" / "misc" / "wee.jpg"
    result = PdqSignal.hash_file(image)
    assert result is not None and result.hash == hash_image(image).stored.hash
    text = tmp_path / "note.txt"
    text.write_text("send a pic")
    assert PdqSignal.hash_file(text) is None


def test_every_orientation_of_a_grey_jpeg_turns_upright(shared_data: Path, tmp_path: Path) -> None:
    with Image.open(shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg") as original:
        grey = original.convert("L")
    grey.thumbnail((700, 700))
    plain = tmp_path / "plain.png"
    grey.save(plain)
    upright_of = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }
    for orientation, method in upright_of.items():
        exif = Image.Exif()
        exif[0x0112] = orientation
        tagged = tmp_path / f"tagged-{orientation}.png"
        grey.save(tagged, exif=exif)
        turned = tmp_path / f"turned-{orientation}.png"
        grey.transpose(method).save(turned)
        hashes = hash_image(tagged)
        assert hashes.stored == hash_image(plain).stored
        assert hashes.upright is not None
        assert hamming_distance(hashes.upright.hash, hash_image(turned).stored.hash) <= 8, orientation
