"""PDQ image hashes, bit-exact with Meta's reference (Meta's C++ through the `pdqhash` bindings).

The reference pipeline: decode with Pillow, convert to RGB, `thumbnail((512, 512))`, then PDQ of the
luminance. What is hashed for the awkward kinds of image:
- animated (GIF, WebP, APNG): the first frame, as the reference does;
- 16-bit greyscale: the top 8 bits of each pixel (Pillow's own conversion would clip every value above 255
  to white, leaving nothing to hash); 16-bit colour PNGs are already read as 8-bit RGB by Pillow;
- CMYK: Pillow's conversion to RGB (no colour profile), as the reference does;
- palette and alpha: the RGB colour of each pixel with the alpha channel dropped, as the reference does;
- EXIF orientation: the pixels as stored (what the reference and other platforms hash), and also the
  upright picture when the orientation tag says it is turned or flipped.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import numpy as np
import pdqhash
from PIL import Image

from sxr.media.index import PdqSignalIndex
from sxr.media.signal import HEX_DIGITS, MediaHashType, SignalIndex

MATCH_THRESHOLD = 31
QUALITY_THRESHOLD = 50
THUMBNAIL_SIZE = (512, 512)
# Larger images are refused before decoding: a decompression bomb must not exhaust memory. This is
# Pillow's own hard limit (twice its warning level), so 108-megapixel phone photos are still hashed.
MAX_IMAGE_PIXELS = 2 * 89_478_485
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
)


class ImageError(ValueError):
    """An image that cannot be hashed, with a sentence saying why."""


@dataclass(frozen=True)
class PdqHash:
    """One PDQ hash: 64 hex characters (bit 255 first, as the reference prints it) and its quality."""

    hash: str
    quality: int

    @property
    def usable(self) -> bool:
        """Whether the hash has enough detail to be used for matching (quality >= 50, as upstream)."""
        return self.quality >= QUALITY_THRESHOLD

    def to_json(self) -> dict[str, object]:
        return {"hash": self.hash, "quality": self.quality}


@dataclass(frozen=True)
class ImageHashes:
    """The PDQ hashes of one image: as stored, and upright when EXIF says it is turned."""

    stored: PdqHash
    upright: PdqHash | None
    frames: int
    mode: str


def _bits_to_hex(bits: np.ndarray) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def hamming_distance(a: str, b: str) -> int:
    """Number of differing bits between two PDQ hashes in hex."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


# A real PDQ hash sets the bits of the DCT coefficients above their median: exactly 128 of 256 whenever
# the coefficients differ (all 1,592 hashes of Meta's reference images and videos in ../shared/data,
# quality 0-100). The band leaves room for other implementations' ties; outside it a hash is no picture's.
MIN_SET_BITS, MAX_SET_BITS = 96, 160
# A hash this close to itself shifted by a pattern's width repeats that pattern (within the match radius);
# the nearest real hash measured is 60 bits from any of its shifts (a random one about 128).
REPEAT_DISTANCE = 32
REPEAT_WIDTHS = (4, 8, 16, 32, 64, 128)


def degenerate_reason(value: str) -> str | None:
    """Why a PDQ hash (64 hex digits, normal form) stands for no one picture, in words; None when fine."""
    n = int(value, 16)
    set_bits = n.bit_count()
    if set_bits == 0:
        return "This PDQ hash is all zeros, what a blank picture gives, so it would match blank pictures."
    if set_bits == 256:
        return "This PDQ hash is all ones, which no real picture gives."
    if not MIN_SET_BITS <= set_bits <= MAX_SET_BITS:
        return (
            f"This PDQ hash has {set_bits} of its 256 bits set. A real picture's PDQ hash has about half "
            f"of them set (128), so this one cannot be a picture's."
        )
    mask = (1 << 256) - 1
    for width in REPEAT_WIDTHS:
        shifted = ((n << width) | (n >> (256 - width))) & mask
        if (n ^ shifted).bit_count() < REPEAT_DISTANCE:
            return (
                f"This PDQ hash is a {width}-bit pattern repeated, which no real picture gives, so it "
                "would match things that are not your picture."
            )
    return None


def pdq_from_rgb(pixels: np.ndarray) -> PdqHash:
    """PDQ of an RGB array (height x width x 3, uint8), with no pre-shrink."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return PdqHash(_bits_to_hex(bits), int(quality))


def dihedral_from_rgb(pixels: np.ndarray) -> dict[str, PdqHash]:
    """The eight dihedral PDQ hashes (rotations and flips) of an RGB array, named as upstream does."""
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(pixels))
    return {
        name: PdqHash(_bits_to_hex(bits), int(quality))
        for name, bits in zip(DIHEDRAL_NAMES, vectors, strict=True)
    }


def open_image(source: Path | BinaryIO) -> Image.Image:
    """Open an image lazily, refusing decompression bombs before any pixel is decoded."""
    with warnings.catch_warnings():
        # The size is checked below against our own limit; Pillow's warning would only add noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(source)
        except Image.DecompressionBombError as exc:
            raise ImageError(f"the image is too large to decode safely ({exc})") from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageError("the image has no pixels")
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(
            f"the image is too large to decode safely ({width}x{height} pixels, "
            f"the limit is {MAX_IMAGE_PIXELS} pixels)"
        )
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode.startswith("I;16") or image.mode == "I":
        # Keep the top 8 bits of 16-bit data: Pillow's RGB conversion would clip it to white.
        values = np.asarray(image, dtype=np.uint32)
        if image.mode == "I" and int(values.max(initial=0)) <= 255:
            scaled = values.astype(np.uint8)
        else:
            scaled = (np.minimum(values, 65535) >> 8).astype(np.uint8)
        return Image.fromarray(scaled, mode="L").convert("RGB")
    if image.mode == "RGB":
        # Already RGB: convert() would only copy, which costs time and changes no pixel.
        return image
    return image.convert("RGB")


def reference_thumbnail(image: Image.Image) -> Image.Image:
    """The reference pre-shrink: RGB, then `thumbnail((512, 512))` on the fully decoded picture."""
    try:
        # Decode everything first: thumbnail() on a JPEG not yet loaded would decode at a reduced
        # scale (draft mode) and give different pixels from the reference.
        image.load()
    except Image.DecompressionBombError as exc:
        raise ImageError(f"the image is too large to decode safely ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"the image is damaged or cut short ({exc})") from exc
    rgb = _to_rgb(image)
    rgb.thumbnail(THUMBNAIL_SIZE)
    return rgb


def hash_image(source: Path | BinaryIO) -> ImageHashes:
    """PDQ of an image file as stored (the reference), plus its upright version when EXIF turns it."""
    with open_image(source) as image:
        frames = int(getattr(image, "n_frames", 1) or 1)
        mode = image.mode
        orientation = 1
        try:
            orientation = int(image.getexif().get(0x0112, 1) or 1)
        except Exception:  # a damaged EXIF block must not stop the pixels being hashed
            orientation = 1
        # The image may be thumbnailed in place: read its pixels before the file is closed.
        thumbnail = reference_thumbnail(image)
        pixels = np.array(thumbnail)
        stored = pdq_from_rgb(pixels)
        upright = None
        if orientation in _UPRIGHT:
            upright = pdq_from_rgb(np.asarray(thumbnail.transpose(_UPRIGHT[orientation])))
    return ImageHashes(stored=stored, upright=upright, frames=frames, mode=mode)


# How to turn stored pixels upright for each EXIF orientation (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PdqSignal(MediaHashType[PdqHash]):
    """PDQ: Meta's perceptual hash of images; a match is Hamming distance <= 31."""

    name: ClassVar[str] = "pdq"
    description: ClassVar[str] = "a PDQ hash of a picture, as Meta's reference prints it"
    hex_digits: ClassVar[int] = 64
    media_word: ClassVar[str] = "picture"
    match_threshold: ClassVar[int] = MATCH_THRESHOLD
    radius_from_settings: ClassVar[bool] = True
    quality_floor: ClassVar[int | None] = QUALITY_THRESHOLD
    max_variants: ClassVar[int] = len(DIHEDRAL_NAMES) - 1
    format_message: ClassVar[str] = "A PDQ hash is 64 hexadecimal digits (0-9 and a-f)."

    @classmethod
    def hash_file(cls, path: Path) -> PdqHash | None:
        try:
            return hash_image(path).stored
        except ImageError:
            return None
        except Image.UnidentifiedImageError:
            return None

    @classmethod
    def to_json(cls, value: PdqHash) -> object:
        return value.to_json()

    @classmethod
    def validate(cls, value: str) -> str:
        normal = value.strip().lower()
        if len(normal) != 64 or not set(normal) <= HEX_DIGITS:
            raise ValueError(cls.format_message)
        return normal

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return hamming_distance(a, b)

    @classmethod
    def refuse_degenerate(cls, value: str) -> None:
        reason = degenerate_reason(value)
        if reason is not None:
            raise ValueError(reason)

    @classmethod
    def low_quality_message(cls, quality: int) -> str:
        return (
            f"This picture's PDQ quality is {quality}, below {QUALITY_THRESHOLD}: it has too little "
            "detail (for example it is nearly one colour) to be matched safely, so it was not added."
        )

    @classmethod
    def new_index(cls, threshold: int) -> SignalIndex:
        return PdqSignalIndex(threshold)

    @classmethod
    def from_file_entry(cls, found: Any) -> list[dict[str, Any]]:
        """The picture's PDQ as stored, and upright too when EXIF turns it."""
        if not isinstance(found, dict):
            return []
        hashes = [found, *([found["upright"]] if found.get("upright") else [])]
        return [{"type": cls.name, "value": h["hash"], "quality": h["quality"]} for h in hashes]
