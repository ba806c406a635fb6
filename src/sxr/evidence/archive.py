"""Safety checks for archives (zip, tar) before they are kept as evidence.

Nothing is ever extracted to disk here: members are read in memory-bounded chunks only to count
their real size (a header can lie) and to see whether they are archives themselves.
"""

from __future__ import annotations

import re
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from sxr.evidence.limits import EvidenceLimits, EvidenceRejected
from sxr.sizes import human_size

_READ_CHUNK = 64 * 1024
_NESTED_SUFFIXES = (
    ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".jar", ".apk", ".cab", ".iso",
)  # fmt: skip
_ARCHIVE_MAGICS = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x28\xb5\x2f\xfd",
)
_DRIVE = re.compile(r"^[A-Za-z]:")


def looks_like_archive(head: bytes) -> bool:
    """Whether these first bytes start an archive or compressed file."""
    if head.startswith(_ARCHIVE_MAGICS):
        return True
    return len(head) >= 262 and head[257:262] == b"ustar"


def check_member_name(name: str) -> None:
    """Reject names that would land outside the folder they were unpacked into."""
    if "\x00" in name:
        raise EvidenceRejected("This archive has a file with a broken name inside it, so we cannot keep it.")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified):
        raise EvidenceRejected(
            f"This archive has a file with a full path ({name!r}) inside it, which is not safe to keep."
        )
    if ".." in PurePosixPath(unified).parts:
        raise EvidenceRejected(
            f"This archive has a file that points outside the archive ({name!r}), which is not safe to keep."
        )


def _nested(name: str, head: bytes) -> None:
    if name.lower().endswith(_NESTED_SUFFIXES) or looks_like_archive(head):
        raise EvidenceRejected(
            f"This archive has another archive inside it ({name!r}). "
            "Please unpack it and upload the files inside instead."
        )


def check_zip(path: Path, limits: EvidenceLimits) -> int:
    """Check a zip file for bombs, nesting, unsafe names and links; returns how many members it has."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise EvidenceRejected("This zip file is damaged or incomplete, so we cannot keep it.") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_archive_members:
            raise EvidenceRejected(
                f"This zip file holds {len(infos)} files; the most we accept is {limits.max_archive_members}."
            )
        declared = 0
        for info in infos:
            check_member_name(info.filename)
            mode = (info.external_attr >> 16) & 0o170000
            if info.create_system == 3 and mode == 0o120000:
                raise EvidenceRejected(
                    f"This zip file has a link inside it ({info.filename!r}), which is not safe to keep."
                )
            if info.flag_bits & 0x1:
                raise EvidenceRejected(
                    "This zip file is locked with a password. Please upload it without a password."
                )
            declared += info.file_size
        _check_totals(declared, sum(i.compress_size for i in infos), limits)
        unpacked = 0
        for info in infos:
            if info.is_dir():
                continue
            member_bytes = 0
            try:
                with archive.open(info) as member:
                    head = member.read(512)
                    _nested(info.filename, head)
                    member_bytes = len(head)
                    while chunk := member.read(_READ_CHUNK):
                        member_bytes += len(chunk)
                        if member_bytes > info.file_size or unpacked + member_bytes > declared:
                            raise EvidenceRejected(
                                "This zip file unpacks to more than it says it holds (a 'zip bomb'), "
                                "so we cannot keep it."
                            )
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise EvidenceRejected(
                    f"This zip file is damaged or incomplete ({info.filename!r} cannot be read)."
                ) from exc
            unpacked += member_bytes
        return len(infos)


def _check_totals(unpacked: int, packed: int, limits: EvidenceLimits) -> None:
    if unpacked > limits.max_archive_unpacked_bytes:
        raise EvidenceRejected(
            f"This archive unpacks to {human_size(unpacked)}; the most we accept is "
            f"{human_size(limits.max_archive_unpacked_bytes)}."
        )
    # A small archive may squeeze well; a large one that grows a hundredfold is a bomb.
    if unpacked > 1024 * 1024 and unpacked > limits.max_archive_ratio * max(packed, 1):
        raise EvidenceRejected(
            "This archive unpacks to far more than its own size (a 'zip bomb'), so we cannot keep it."
        )


def check_tar(path: Path, limits: EvidenceLimits) -> int:
    """Check an uncompressed tar file for links, devices, nesting, unsafe names and its size."""
    file_size = path.stat().st_size
    count = 0
    unpacked = 0
    try:
        with tarfile.open(path, mode="r:") as archive:
            while (member := archive.next()) is not None:
                count += 1
                if count > limits.max_archive_members:
                    raise EvidenceRejected(
                        f"This tar file holds more than {limits.max_archive_members} files, "
                        "too many to accept."
                    )
                check_member_name(member.name)
                if member.issym() or member.islnk():
                    raise EvidenceRejected(
                        f"This tar file has a link inside it ({member.name!r}), which is not safe to keep."
                    )
                if not (member.isreg() or member.isdir()):
                    raise EvidenceRejected(
                        f"This tar file has a special file inside it ({member.name!r}), "
                        "which is not safe to keep."
                    )
                if member.isreg():
                    if member.offset_data + member.size > file_size:
                        raise EvidenceRejected("This tar file is incomplete (it was cut short).")
                    unpacked += member.size
                    extracted = archive.extractfile(member)
                    head = extracted.read(512) if extracted is not None else b""
                    _nested(member.name, head)
    except tarfile.TarError as exc:
        raise EvidenceRejected("This tar file is damaged or incomplete, so we cannot keep it.") from exc
    if count == 0:
        raise EvidenceRejected("This tar file is empty or damaged.")
    _check_totals(unpacked, file_size, limits)
    return count
