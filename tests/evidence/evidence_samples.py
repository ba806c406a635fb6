"""Synthetic evidence files of every accepted type, made with real encoders (Pillow, pillow-heif, PyAV)."""

from __future__ import annotations

import email.message
import io
import json
import random
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image


def picture(width: int = 64, height: int = 48, seed: int = 1) -> Image.Image:
    """A small noisy RGB picture (noise, so it does not compress to nothing)."""
    rng = random.Random(seed)
    return Image.frombytes(
        "RGB", (width, height), bytes(rng.randrange(256) for _ in range(width * height * 3))
    )


def make_png(path: Path, seed: int = 1) -> Path:
    picture(seed=seed).save(path, format="PNG")
    return path


def make_jpeg(path: Path) -> Path:
    picture().save(path, format="JPEG", quality=85)
    return path


def make_webp(path: Path) -> Path:
    picture().save(path, format="WEBP")
    return path


def make_heic(path: Path) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    picture().save(path, format="HEIF", quality=60)
    return path


def make_video(path: Path, container: str = "mp4") -> Path:
    import av

    with av.open(str(path), mode="w", format=container) as output:
        stream = output.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(5):
            frame = av.VideoFrame.from_image(picture(seed=index))
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path


def make_pdf(path: Path) -> Path:
    picture().save(path, format="PDF")
    return path


CHAT = (
    "12/03/2025, 21:14 - Alex: hey, send a pic\n"
    "12/03/2025, 21:15 - Sam: no\n"
    "12/03/2025, 21:16 - Alex: pay £200 or I share it. call +447700900123\n"
)


def make_txt(path: Path, text: str = CHAT) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def make_json(path: Path) -> Path:
    messages = [{"from": "Alex", "text": "send a pic", "date": "2025-03-12T21:14:00"}]
    path.write_text(json.dumps({"name": "Alex", "messages": messages}), encoding="utf-8")
    return path


def make_zip(path: Path, members: dict[str, bytes] | None = None) -> Path:
    members = members or {"_chat.txt": CHAT.encode(), "IMG-0001.jpg": b"\xff\xd8\xff" + bytes(200)}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_tar(path: Path, members: dict[str, bytes] | None = None) -> Path:
    members = members or {"chat/messages.txt": CHAT.encode()}
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def make_eml(path: Path) -> Path:
    message = email.message.EmailMessage()
    message["From"] = "Alex <alex@example.com>"
    message["To"] = "sam@example.com"
    message["Subject"] = "you know what I want"
    message["Date"] = "Wed, 12 Mar 2025 21:14:00 +0000"
    message.set_content("Pay or I share it.")
    path.write_bytes(bytes(message))
    return path


MAKERS: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "png": (make_png, "image/png", "image"),
    "jpeg": (make_jpeg, "image/jpeg", "image"),
    "webp": (make_webp, "image/webp", "image"),
    "heic": (make_heic, "image/heic", "image"),
    "mp4": (lambda p: make_video(p, "mp4"), "video/mp4", "video"),
    "mov": (lambda p: make_video(p, "mov"), "video/quicktime", "video"),
    "pdf": (make_pdf, "application/pdf", "pdf"),
    "txt": (make_txt, "text/plain", "chat_export"),
    "json": (make_json, "application/json", "chat_export"),
    "zip": (make_zip, "application/zip", "archive"),
    "tar": (make_tar, "application/x-tar", "archive"),
    "eml": (make_eml, "message/rfc822", "email"),
}
