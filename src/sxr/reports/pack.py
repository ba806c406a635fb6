"""The report pack (report.pdf, report.json, stix.json, evidence/, a signed manifest) and its check."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sxr.reports.facts import ReportFacts
from sxr.reports.signing import SigningKeyError, fingerprint, parse_public_key, public_key_b64

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "sxr-report-pack"
MANIFEST_VERSION = "1.0"
# Every member carries this timestamp so the same facts and evidence give the same bytes.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20
# Members are stored, never deflated: a deflate stream has slack bits that could change unseen, and a
# stored member cannot be a zip bomb (its size on disk is its size). Limits for hostile zips:
MAX_MEMBERS = 100_000
MAX_MANIFEST_BYTES = 64 << 20
MAX_TOTAL_BYTES = 64 << 30
# What reading a damaged or hostile zip can raise.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    UnicodeDecodeError,
    NotImplementedError,
    ValueError,
    struct.error,
    RuntimeError,
)


class PackError(Exception):
    """A report pack cannot be built; the message says why."""


@dataclass(slots=True)
class PackResult:
    """What `build_pack` wrote."""

    path: Path
    merkle_root: str
    files: int
    public_key: str
    fingerprint: str


@dataclass(slots=True)
class Problem:
    """One reason a pack failed its check, naming the file."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(slots=True)
class VerifyResult:
    """The outcome of `verify_pack`: intact and signed only when `problems` is empty."""

    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    merkle_root: str | None = None
    public_key: str | None = None
    fingerprint: str | None = None
    case_reference: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "merkle_root": self.merkle_root,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "case_reference": self.case_reference,
            "problems": [{"path": p.path, "reason": p.reason} for p in self.problems],
        }


def _leaf(path: str, sha256_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + path.encode("utf-8") + b"\x00" + sha256_hex.encode("ascii")).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(files: Iterable[tuple[str, str]]) -> str:
    """The RFC 6962 Merkle tree hash over (path, SHA-256 hex) leaves in path order."""
    level = [_leaf(p, h) for p, h in sorted(files)]
    if not level:
        return hashlib.sha256(b"").hexdigest()

    def tree(nodes: list[bytes]) -> bytes:
        if len(nodes) == 1:
            return nodes[0]
        split = 1 << ((len(nodes) - 1).bit_length() - 1)
        return _node(tree(nodes[:split]), tree(nodes[split:]))

    return tree(level).hex()


def canonical(doc: Any) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _manifest_bytes(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED
    return info


def _write_bytes(zf: zipfile.ZipFile, name: str, data: bytes) -> tuple[str, int]:
    zf.writestr(_zip_info(name), data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _write_stream(zf: zipfile.ZipFile, name: str, src: BinaryIO, size_hint: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    info = _zip_info(name)
    info.file_size = size_hint
    with zf.open(info, "w", force_zip64=size_hint >= zipfile.ZIP64_LIMIT) as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return digest.hexdigest(), size


def build_pack(
    facts: ReportFacts,
    evidence_files: Mapping[str, Path | bytes],
    out_path: Path,
    signing_key: Ed25519PrivateKey,
) -> PackResult:
    """Write the pack for `facts` to `out_path`; `evidence_files` maps evidence item ids to originals."""
    from sxr.reports.pdf import render_pdf
    from sxr.reports.stix import build_stix

    public = public_key_b64(signing_key)
    facts.production.public_key = public
    facts.production.public_key_fingerprint = fingerprint(public)
    missing = [e.name for e in facts.evidence if e.id not in evidence_files]
    if missing:
        raise PackError(f"the original of evidence item {missing[0]!r} was not given")
    paths = [e.path for e in facts.evidence]
    if len(set(paths)) != len(paths) or not all(_safe_name(p) and p.startswith("evidence/") for p in paths):
        raise PackError("evidence paths inside the pack must be unique names under evidence/")

    report_json = (json.dumps(facts.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    stix_json = build_stix(facts).encode("utf-8")
    pdf = render_pdf(facts)

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".pack-", suffix=".zip", dir=out_path.parent)
    files: dict[str, tuple[str, int]] = {}
    try:
        with os.fdopen(fd, "w+b") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            files["report.pdf"] = _write_bytes(zf, "report.pdf", pdf)
            files["report.json"] = _write_bytes(zf, "report.json", report_json)
            files["stix.json"] = _write_bytes(zf, "stix.json", stix_json)
            for entry in facts.evidence:
                source = evidence_files[entry.id]
                if isinstance(source, bytes):
                    sha, size = _write_bytes(zf, entry.path, source)
                else:
                    with open(source, "rb") as src:
                        sha, size = _write_stream(zf, entry.path, src, os.fstat(src.fileno()).st_size)
                if entry.sha256 and sha != entry.sha256:
                    raise PackError(
                        f"evidence item {entry.name!r} does not match its recorded SHA-256: it was not packed"
                    )
                files[entry.path] = (sha, size)
            root = merkle_root((p, h) for p, (h, _) in files.items())
            body: dict[str, Any] = {
                "format": MANIFEST_FORMAT,
                "manifest_version": MANIFEST_VERSION,
                "case_reference": facts.case_reference,
                "created_at": facts.production.produced_at,
                "sxr_version": facts.production.sxr_version,
                "hash_algorithm": "sha256",
                "files": [{"path": p, "sha256": h, "size": s} for p, (h, s) in sorted(files.items())],
                "merkle_root": root,
                "merkle_tree": "RFC 6962: leaf = SHA-256(0x00 || path || 0x00 || sha256 hex), node = "
                "SHA-256(0x01 || left || right), leaves in path order",
            }
            signature = signing_key.sign(canonical(body))
            body["signature"] = {
                "algorithm": "ed25519",
                "public_key": public,
                "fingerprint": fingerprint(public),
                "signed": "the canonical JSON (sorted keys, no spaces, UTF-8) of this manifest without "
                "its signature member",
                "value": base64.b64encode(signature).decode(),
            }
            _write_bytes(zf, MANIFEST, _manifest_bytes(body))
        os.replace(tmp_name, out_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return PackResult(
        path=out_path, merkle_root=root, files=len(files), public_key=public, fingerprint=fingerprint(public)
    )


def _safe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or name.endswith("/"):
        return False
    if ":" in name.split("/", 1)[0]:
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts) and all(c.isprintable() for c in name)


def _local_header_matches(raw: BinaryIO, info: zipfile.ZipInfo) -> bool:
    """The local header repeats the central directory's fields (so no byte of it can change unseen)."""
    if info.header_offset < 0:
        return False
    raw.seek(info.header_offset)
    head = raw.read(30)
    if len(head) != 30:
        return False
    sig, _ver, flags, method, mtime, mdate, crc, csize, usize, nlen, elen = struct.unpack("<4s5H3L2H", head)
    if sig != b"PK\x03\x04" or flags != info.flag_bits or method != info.compress_type:
        return False
    if _ver != info.extract_version:
        return False
    dostime = info.date_time[3] << 11 | info.date_time[4] << 5 | info.date_time[5] // 2
    dosdate = (info.date_time[0] - 1980) << 9 | info.date_time[1] << 5 | info.date_time[2]
    if (mtime, mdate) != (dostime, dosdate) or crc != info.CRC:
        return False
    name = raw.read(nlen)
    extra = raw.read(elen)
    if name != info.orig_filename.encode("utf-8" if flags & 0x800 else "cp437"):
        return False
    if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF:
        return True  # zip64: the real sizes are in the extra field, checked by zipfile while reading
    return (csize, usize) == (info.compress_size, info.file_size) and extra == b""


def _layout_problems(raw: BinaryIO, infos: list[zipfile.ZipInfo]) -> list[Problem]:
    """Members lie end to end from byte 0, then the central directory, then a plain end record."""
    offset = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset != offset:
            return [Problem(info.filename, "its zip entry is not where a written pack puts it")]
        if (
            info.create_system != 3
            or info.external_attr != 0o100644 << 16
            or info.internal_attr != 0
            or info.reserved != 0
            or info.volume != 0
            or info.create_version != info.extract_version
        ):
            return [
                Problem(info.filename, "its zip entry was changed (attributes differ from a written pack)")
            ]
        raw.seek(info.header_offset + 26)
        nlen, elen = struct.unpack("<2H", raw.read(4))
        offset = info.header_offset + 30 + nlen + elen + info.compress_size
    raw.seek(0, os.SEEK_END)
    size = raw.tell()
    if size < 22 or len(infos) >= 0xFFFF or offset >= 0xFFFFFFFF:
        return []  # zip64 packs: zipfile's own checks apply
    raw.seek(size - 22)
    sig, disk, cd_disk, here, count, cd_size, cd_offset, comment = struct.unpack("<4s4H2LH", raw.read(22))
    if (sig, disk, cd_disk, here, count, cd_offset, comment) != (
        b"PK\x05\x06",
        0,
        0,
        len(infos),
        len(infos),
        offset,
        0,
    ) or cd_offset + cd_size != size - 22:
        return [Problem("(pack)", "the zip's central directory was changed")]
    raw.seek(cd_offset)
    directory = raw.read(cd_size)
    at = 0
    for info in infos:
        record = directory[at : at + 46]
        if len(record) != 46 or record[:4] != b"PK\x01\x02":
            return [Problem(info.filename, "its central directory entry was changed")]
        nlen, elen, clen, _disk, _internal, _external, offset_here = struct.unpack("<5H2L", record[28:46])
        name = directory[at + 46 : at + 46 + nlen]
        if (nlen, elen, clen, offset_here) != (len(name), 0, 0, info.header_offset) or name != (
            info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        ):
            return [Problem(info.filename, "its central directory entry was changed")]
        at += 46 + nlen
    if at != len(directory):
        return [Problem("(pack)", "the zip's central directory was changed")]
    return []


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_pack(path: Path, public_key: str | None = None) -> VerifyResult:
    """Check every file's SHA-256, the Merkle root and the Ed25519 signature of a report pack."""
    result = VerifyResult()
    problems = result.problems
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed below, after ZipFile)
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot be read ({exc.strerror})"))
        return result
    with raw:
        try:
            zf = zipfile.ZipFile(raw)
        except ZIP_ERRORS as exc:
            problems.append(Problem(str(path), f"is not a readable zip ({exc})"))
            return result
        with zf:
            try:
                _verify_zip(zf, raw, result, public_key)
            except ZIP_ERRORS as exc:  # a damaged zip structure that zipfile tripped over
                problems.append(Problem("(pack)", f"the zip's structure is damaged ({exc})"))
    return result


def _verify_zip(zf: zipfile.ZipFile, raw: BinaryIO, result: VerifyResult, public_key: str | None) -> None:
    problems = result.problems
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        problems.append(Problem("(pack)", f"holds {len(infos)} files, more than a report pack can"))
        return
    if zf.comment:
        problems.append(Problem("(pack)", "the zip carries a comment that a report pack never has"))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        problem = _member_problem(raw, info, members)
        if problem is not None:
            problems.append(Problem(info.filename, problem))
        if problem in (_UNSAFE, _TWICE):
            continue
        members[info.filename] = info
        total += info.file_size
    if not problems:
        problems.extend(_layout_problems(raw, infos))
    if total > MAX_TOTAL_BYTES:
        problems.append(Problem("(pack)", "declares more data than a report pack can hold (a zip bomb?)"))
        return
    manifest = _read_manifest(zf, members.get(MANIFEST), result)
    if manifest is None:
        return
    _check_files(zf, members, manifest, result)
    body = {k: v for k, v in manifest.items() if k != "signature"}
    root = merkle_root((e["path"], str(e.get("sha256"))) for e in manifest["files"])
    if root != manifest.get("merkle_root"):
        problems.append(Problem(MANIFEST, "its Merkle root does not match the files it lists"))
    _check_signature(manifest, body, public_key, result)


_UNSAFE = "has an unsafe name (a folder escape, absolute path or control character)"
_TWICE = "appears twice"


def _member_problem(raw: BinaryIO, info: zipfile.ZipInfo, members: dict[str, zipfile.ZipInfo]) -> str | None:
    """What is wrong with one member's zip entry (a name, encryption, compression or a changed header)."""
    name = info.filename
    if not _safe_name(name):
        return _UNSAFE
    if name in members:
        return _TWICE
    if info.flag_bits & 0x1:
        return "is encrypted"
    if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
        return "is compressed; a report pack never is (so no zip bomb can hide in it)"
    if (
        info.date_time != FIXED_TIME
        or info.comment
        or (info.extra and info.file_size < zipfile.ZIP64_LIMIT and info.compress_size < zipfile.ZIP64_LIMIT)
        or not _local_header_matches(raw, info)
    ):
        return "its zip entry was changed (headers differ from a written pack)"
    return None


def _check_files(
    zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any], result: VerifyResult
) -> None:
    """Every file the manifest lists is there, with its size and SHA-256; nothing else is."""
    problems = result.problems
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        listed[entry["path"]] = entry
    result.files = len(listed)
    for name in sorted(set(members) - set(listed) - {MANIFEST}):
        problems.append(Problem(name, "was added: the manifest does not list it"))
    for name in sorted(set(listed) - set(members)):
        problems.append(Problem(name, "is missing from the pack"))
    flagged = {p.path for p in problems}
    for name in sorted(set(listed) & set(members) - flagged):
        info = members[name]
        expected = listed[name]
        if info.file_size != expected.get("size"):
            problems.append(Problem(name, "has a different size from the manifest's"))
            continue
        try:
            actual = _hash_member(zf, info)
        except ZIP_ERRORS as exc:
            problems.append(Problem(name, f"is damaged ({exc})"))
            continue
        if actual != expected.get("sha256"):
            problems.append(Problem(name, "was changed: its SHA-256 differs from the manifest's"))


def _read_manifest(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo | None, result: VerifyResult
) -> dict[str, Any] | None:
    problems = result.problems
    if info is None:
        problems.append(Problem(MANIFEST, "is missing from the pack"))
        return None
    if info.file_size > MAX_MANIFEST_BYTES:
        problems.append(Problem(MANIFEST, "is too large to be a manifest"))
        return None
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_MANIFEST_BYTES + 1)
        doc = json.loads(data.decode("utf-8"))
    except ZIP_ERRORS as exc:
        problems.append(Problem(MANIFEST, f"cannot be read ({exc})"))
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("format") != MANIFEST_FORMAT
        or not isinstance(doc.get("files"), list)
        or not all(isinstance(e, dict) and isinstance(e.get("path"), str) for e in doc["files"])
        or not isinstance(doc.get("signature"), dict)
    ):
        problems.append(Problem(MANIFEST, "is not a report pack manifest"))
        return None
    if data != _manifest_bytes(doc):
        problems.append(Problem(MANIFEST, "was changed: it is not byte for byte as written"))
    paths = [e["path"] for e in doc["files"]]
    if len(set(paths)) != len(paths):
        problems.append(Problem(MANIFEST, "lists a file twice"))
    result.merkle_root = doc.get("merkle_root")
    result.case_reference = doc.get("case_reference")
    return doc


def _check_signature(
    manifest: dict[str, Any], body: dict[str, Any], public_key: str | None, result: VerifyResult
) -> None:
    sig = manifest["signature"]
    embedded = sig.get("public_key")
    result.public_key = embedded if isinstance(embedded, str) else None
    try:
        key: Ed25519PublicKey = parse_public_key(str(embedded))
        result.fingerprint = fingerprint(str(embedded))
        signature = base64.b64decode(str(sig.get("value")), validate=True)
    except (SigningKeyError, ValueError) as exc:
        result.problems.append(Problem(MANIFEST, f"its signature cannot be read ({exc})"))
        return
    if sig.get("algorithm") != "ed25519":
        result.problems.append(Problem(MANIFEST, "is not signed with Ed25519"))
        return
    if public_key is not None:
        try:
            pinned = parse_public_key(public_key)
        except SigningKeyError as exc:
            result.problems.append(Problem("(public key)", str(exc)))
            return
        if public_key_b64(pinned) != public_key_b64(key):
            result.problems.append(
                Problem(MANIFEST, f"is signed by another key ({result.fingerprint}), not the one given")
            )
            return
    try:
        key.verify(signature, canonical(body))
    except InvalidSignature:
        result.problems.append(Problem(MANIFEST, "its signature does not match its contents"))
