"""Read an export that is one file, a folder, a zip or a tar, safely and without unpacking it to disk."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from sxr.conversations.model import ExportError, SourceRef

# Limits against zip bombs and hostile archives; generous for real exports (a big Meta download is
# a few GB, but the chat files inside it are small; media is never read, only listed).
MAX_MEMBERS = 200_000
MAX_MEMBER_BYTES = 4 * 1024**3
MAX_TOTAL_BYTES = 32 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 4 * 1024**2
MAX_FOLDER_FILES = 50_000
CHUNK = 1024 * 1024

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".gz", ".7z", ".rar")


def sha256_stream(stream: IO[bytes]) -> str:
    """SHA-256 hex of a binary stream, read in chunks."""
    digest = hashlib.sha256()
    while block := stream.read(CHUNK):
        digest.update(block)
    return digest.hexdigest()


# Hashes a caller already knows (the evidence locker knows each item's), by (path, size, mtime, inode):
# importing each chat of a multi-chat export opens the same, possibly multi-GB, download again and again.
_KNOWN: dict[tuple[str, int, int, int], str] = {}


def _stat_key(path: Path) -> tuple[str, int, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def remember_sha256(path: Path, sha256: str) -> None:
    """Tell the importers the SHA-256 of a file that will not change (so it is not hashed on every import)."""
    if len(_KNOWN) >= 16:
        _KNOWN.pop(next(iter(_KNOWN)))
    _KNOWN[_stat_key(path)] = sha256


def forget_sha256(path: Path) -> None:
    _KNOWN.pop(_stat_key(path), None)


def _file_sha256(path: Path) -> str:
    found = _KNOWN.get(_stat_key(path))
    if found is not None:
        return found
    with path.open("rb") as stream:
        return sha256_stream(stream)


def _safe_member_name(name: str, archive: str) -> str:
    """A member name as a relative POSIX path; refuse absolute paths and `..` (path traversal)."""
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if clean.startswith("/") or (parts and parts[0].endswith(":")) or ".." in parts:
        raise ExportError(
            f"{archive} holds a file with an unsafe path ({name!r}); it was not read. "
            "The archive may have been tampered with."
        )
    return "/".join(p for p in parts if p not in ("", "."))


class _LimitedReader(io.RawIOBase):
    """A reader that refuses to give more bytes than the archive declared (zip bombs lie about sizes)."""

    def __init__(self, inner: IO[bytes], limit: int, name: str) -> None:
        self._inner = inner
        self._left = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        data = self._inner.read(len(view))
        if len(data) > self._left:
            raise ExportError(f"{self._name} is larger than its archive says; it was not read.")
        self._left -= len(data)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


@dataclass(slots=True)
class _Entry:
    name: str
    size: int
    original: str = ""


class ExportFiles:
    """The files of one export: a single file, a folder, a zip or a tar, addressed by relative name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = path.name
        self.kind: str
        self._entries: dict[str, _Entry] = {}
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._sha256: str | None = None
        self._member_sha: dict[str, str] = {}
        self._source_ids: dict[str, tuple[str, str, str | None, str | None]] = {}
        # Names in a folder that are not plain files (links, pipes, devices): never opened, but an
        # importer can say that they are missing from what it read.
        self.skipped: list[str] = []
        if not path.exists():
            raise ExportError(f"{path} does not exist.")
        if path.is_dir():
            self.kind = "folder"
            self._scan_folder()
        elif zipfile.is_zipfile(path):
            self.kind = "zip"
            self._scan_zip()
        elif self._is_tar(path):
            self.kind = "tar"
            self._scan_tar()
        else:
            self.kind = "file"
            self._entries[path.name] = _Entry(path.name, path.stat().st_size)

    @staticmethod
    def _is_tar(path: Path) -> bool:
        """A plain tar whose first header checks out (is_tarfile can read a huge file to its end)."""
        with path.open("rb") as stream:
            header = stream.read(512)
        if len(header) < 512 or not header.strip(b"\0"):
            return False
        try:
            stored = int(header[148:156].replace(b"\0", b" ").strip() or b"-1", 8)
        except ValueError:
            return False
        computed = sum(header[:148]) + sum(header[156:]) + 8 * 32
        return stored == computed

    # --- scanning --------------------------------------------------------------------------------

    def _scan_folder(self) -> None:
        root = self.path.resolve()
        count = 0
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for filename in sorted(filenames):
                full = Path(dirpath) / filename
                st = full.lstat()
                if not stat.S_ISREG(st.st_mode):
                    # Symlinks and devices could point outside the export: never followed.
                    if len(self.skipped) < 1000:
                        self.skipped.append(full.relative_to(root).as_posix())
                    continue
                count += 1
                if count > MAX_FOLDER_FILES:
                    raise ExportError(f"{self.display} holds more than {MAX_FOLDER_FILES} files.")
                rel = full.relative_to(root).as_posix()
                self._entries[rel] = _Entry(rel, st.st_size)

    def _scan_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise ExportError(f"{self.display} is a damaged zip file ({exc}).") from exc
        if len(infos) > MAX_MEMBERS:
            raise ExportError(f"{self.display} holds too many files ({len(infos)}).")
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = _safe_member_name(info.filename, self.display)
            if info.flag_bits & 0x1:
                raise ExportError(f"{self.display} is password-protected; unlock it and try again.")
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                raise ExportError(f"{self.display} unpacks to more data than sxr will read (a zip bomb?).")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ExportError(
                    f"{self.display}: {name} is compressed far more than any real export (a zip bomb?)."
                )
            self._entries[name] = _Entry(name, info.file_size, info.filename)

    def _scan_tar(self) -> None:
        try:
            self._tar = tarfile.open(self.path)  # noqa: SIM115  (closed by close())
            members = self._tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ExportError(f"{self.display} is a damaged tar file ({exc}).") from exc
        if len(members) > MAX_MEMBERS:
            raise ExportError(f"{self.display} holds too many files.")
        total = 0
        for member in members:
            if not member.isfile():
                continue  # links and devices are never followed
            name = _safe_member_name(member.name, self.display)
            total += member.size
            if total > MAX_TOTAL_BYTES:
                raise ExportError(f"{self.display} holds more data than sxr will read.")
            self._entries[name] = _Entry(name, member.size, member.name)

    # --- access ----------------------------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self._entries)

    def size(self, name: str) -> int:
        return self._entries[name].size

    def nested_archives(self) -> list[str]:
        """Members that are archives themselves (never opened: nested archives are refused)."""
        if self.kind == "file":
            return []
        return [n for n in self._entries if n.lower().endswith(ARCHIVE_SUFFIXES)]

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """Open one member for binary reading."""
        entry = self._entries.get(name)
        if entry is None:
            raise ExportError(f"{name} is not in {self.display}.")
        stream: IO[bytes]
        if self.kind == "file":
            stream = self.path.open("rb")
        elif self.kind == "folder":
            stream = (self.path / name).open("rb")
        elif self._zip is not None:
            raw = self._zip.open(entry.original)
            stream = io.BufferedReader(_LimitedReader(raw, entry.size, name), CHUNK)
        else:
            assert self._tar is not None
            extracted = self._tar.extractfile(entry.original)
            if extracted is None:
                raise ExportError(f"{name} in {self.display} cannot be read.")
            stream = extracted
        try:
            yield stream
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as exc:
            raise ExportError(f"{self.display} is damaged: {name} could not be read ({exc}).") from exc
        finally:
            stream.close()

    def sha256(self) -> str:
        """SHA-256 of the export as given (the file, or the archive)."""
        if self._sha256 is None:
            if self.kind == "folder":
                # A folder has no bytes of its own: hash the sorted list of member names and hashes.
                digest = hashlib.sha256()
                for name in sorted(self._entries):
                    digest.update(f"{name}\0{self.member_sha256(name)}\n".encode())
                self._sha256 = digest.hexdigest()
            else:
                self._sha256 = _file_sha256(self.path)
        return self._sha256

    def member_sha256(self, name: str) -> str:
        if self.kind == "file":
            return self.sha256()
        if name not in self._member_sha:
            with self.open(name) as stream:
                self._member_sha[name] = sha256_stream(stream)
        return self._member_sha[name]

    def remember_member_sha256(self, name: str, sha256: str) -> None:
        """A member's SHA-256 computed elsewhere from its bytes (the parse-ahead helper reads each once)."""
        if self.kind in ("folder", "zip") and name in self._entries:
            self._member_sha.setdefault(name, sha256)

    def location(self, name: str) -> tuple[str, str | None, int] | None:
        """Where another process can read a member itself: (file, zip member or None, size); None for tars."""
        entry = self._entries.get(name)
        if entry is None:
            return None
        if self.kind == "folder":
            return (str(self.path / name), None, entry.size)
        if self.kind == "zip":
            return (str(self.path), entry.original, entry.size)
        if self.kind == "file":
            return (str(self.path), None, entry.size)
        return None

    def source(
        self, name: str, *, lines: tuple[int, int] | None = None, pointer: str | None = None
    ) -> SourceRef:
        """A source ref for a line range or JSON pointer in one member (shared strings keep memory low)."""
        ids = self._source_ids.get(name)
        if ids is None:
            if self.kind == "file":
                ids = (self.display, self.sha256(), None, None)
            else:
                ids = (self.display, self.sha256(), name, self.member_sha256(name))
            self._source_ids[name] = ids
        return SourceRef(ids[0], ids[1], lines, pointer, None, None, ids[2], ids[3])

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()
