"""Uploads streamed straight to private files under the data dir, stopped at the limits as they arrive.

Starlette's form parser spools every file part to the system temp dir (in plaintext, whatever its size)
before a route sees it, and counts files only up to 1,000. Here each part is written to a file of its own
in a 0700 folder under `$SXR_DATA_DIR/tmp/`, and the request is refused the moment a part, the number of
files or fields, or a field's size goes past its limit. The folder is removed when the request ends, and
anything a crash left behind is swept when the app starts.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from sxr.sizes import human_size

TMP_DIRNAME = "tmp"
MAX_FIELD_BYTES = 64 * 1024
# A folder older than this in tmp/ belongs to no live request (uploads are stopped long before).
STALE_AFTER_SECONDS = 6 * 3600


class UploadRefused(Exception):
    """An upload stopped at a limit; `status` is the HTTP status, the message says why in plain words."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class UploadedFile:
    path: Path
    filename: str
    size: int = 0


@dataclass
class Upload:
    """What a multipart request carried: its files on disk (in order) and its plain fields."""

    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)


def tmp_root(data_dir: Path) -> Path:
    root = data_dir / TMP_DIRNAME
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    return root


@contextmanager
def private_folder(data_dir: Path, prefix: str) -> Iterator[Path]:
    """A new 0700 folder under the data dir's tmp/, removed on the way out whatever happens."""
    # The owner's process id is in the name: a folder whose process is gone is swept at once.
    folder = tmp_root(data_dir) / f"{prefix}-{os.getpid()}-{uuid.uuid4().hex}"
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _owner_gone(name: str) -> bool:
    parts = name.split("-")
    if len(parts) < 3 or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def sweep(data_dir: Path, *, older_than: float = STALE_AFTER_SECONDS) -> int:
    """Remove what crashed requests left in tmp/: folders whose process is gone, and anything older than
    `older_than` seconds; how many went."""
    root = data_dir / TMP_DIRNAME
    if not root.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than
    for entry in root.iterdir():
        try:
            if entry.lstat().st_mtime > cutoff and not _owner_gone(entry.name):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
        except OSError:
            continue
    return removed


class _Receiver:
    """python-multipart callbacks that write each file part to its own file, counting as they go."""

    def __init__(self, folder: Path, max_files: int, max_fields: int, max_file_bytes: int) -> None:
        self.folder = folder
        self.max_files = max_files
        self.max_fields = max_fields
        self.max_file_bytes = max_file_bytes
        self.upload = Upload()
        self._headers: list[tuple[bytes, bytes]] = []
        self._name = b""
        self._value = b""
        self._field: str | None = None
        self._data = bytearray()
        self._file: UploadedFile | None = None
        self._out: IO[bytes] | None = None
        self._fields = 0

    def on_part_begin(self) -> None:
        self._headers, self._field, self._file, self._data = [], None, None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise UploadRefused("This upload could not be read.")

    def on_header_end(self) -> None:
        self._headers.append((self._name.lower(), self._value))
        self._name, self._value = b"", b""

    def on_headers_finished(self) -> None:
        disposition = next((v for k, v in self._headers if k == b"content-disposition"), b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name")
        if name is None:
            raise UploadRefused("This upload could not be read.")
        self._field = name.decode("utf-8", "replace")
        if b"filename" not in options:
            self._fields += 1
            if self._fields > self.max_fields:
                raise UploadRefused("This upload could not be read: it has too many parts.")
            return
        files = self.upload.files
        if len(files) >= self.max_files:
            raise UploadRefused(
                f"Please send at most {self.max_files} files at a time. Nothing from this upload was kept, "
                "so you can send them again in smaller groups.",
                status=413,
            )
        filename = options[b"filename"].decode("utf-8", "replace")
        self._file = UploadedFile(self.folder / f"{len(files):04d}", filename)
        self._out = open(self._file.path, "xb", buffering=1024 * 1024)  # noqa: SIM115 - closed at part end
        os.chmod(self._file.path, 0o600)
        files.append(self._file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is None:
            if len(self._data) + end - start > MAX_FIELD_BYTES:
                raise UploadRefused("This upload could not be read: one of its fields is too long.")
            self._data += data[start:end]
            return
        self._file.size += end - start
        if self._file.size > self.max_file_bytes:
            raise UploadRefused(
                f"{self._file.filename or 'One file'} is bigger than {human_size(self.max_file_bytes)}, the "
                "largest file we can keep. Nothing from this upload was kept.",
                status=413,
            )
        assert self._out is not None
        self._out.write(data[start:end])

    def on_part_end(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        elif self._field is not None:
            self.upload.fields.setdefault(self._field, []).append(self._data.decode("utf-8", "replace"))

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


async def receive_upload(
    request: Request, folder: Path, *, max_files: int, max_file_bytes: int, max_fields: int = 20
) -> Upload:
    """Stream a multipart/form-data request into `folder`, or raise UploadRefused at the first limit."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused("This upload could not be read. Please choose your files and send them again.")
    receiver = _Receiver(folder, max_files, max_fields, max_file_bytes)
    callbacks = {
        name: getattr(receiver, name)
        for name in (
            "on_part_begin",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_part_data",
            "on_part_end",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except UploadRefused:
        raise
    except Exception as exc:
        if getattr(exc, "status_code", None) == 413:  # the whole request was too big (BodyLimitMiddleware)
            raise
        raise UploadRefused(
            "This upload could not be read. Please choose your files and send them again."
        ) from exc
    finally:
        receiver.close()
    return receiver.upload
