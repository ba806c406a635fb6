"""Key rotation: the master key (blob keys re-wrapped, sealed words sealed again) and the signing key.

The master key rotation is resumable. It first writes the new key where it survives a crash (the data
dir's `master.key.next`, or the file the operator gave) and a marker in the blob folder naming the old
and new key ids; while the marker is there every other sxr process refuses to open the evidence. Then,
case by case, each blob is put under the new key (`BlobStore.rekey`: safe to repeat), the case's sealed
words are sealed again, and a `rekeyed` ledger entry is committed; a case with that entry is skipped
when the command runs again. Last, the store's key record and the key file change, the old key id goes
into the keyring as retired, and the marker goes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.cases.sealing import PREFIX, PREFIX2, SealError, open_with, seal_with, sealed_key_id
from sxr.config import Settings
from sxr.evidence import ledger
from sxr.evidence.models import DerivedItem, EvidenceItem, LedgerEntry
from sxr.evidence.store import KEY_ID_FILE_NAME, ROTATION_MARKER, BlobError, BlobStore
from sxr.keyring import record_rotation
from sxr.master_key import KEY_FILE_NAME, key_id, load_master_key
from sxr.retention.services import carry_reference_keys

NEXT_KEY_FILE = "master.key.next"
ACTOR = "operator (sxr keys rotate-master)"


class RotationError(Exception):
    """The rotation cannot start or go on; the message says why and what to do."""


@dataclass
class MasterRotation:
    """What a master key rotation did."""

    old_key_id: str
    new_key_id: str
    resumed: bool = False
    cases: int = 0
    cases_already: int = 0
    rewrapped: int = 0
    reencrypted: int = 0
    already: int = 0
    fields: int = 0
    stray_blobs: int = 0
    new_key_file: Path | None = None
    environment_key: bool = False
    notes: list[str] = field(default_factory=list)


def decode_key_file(path: Path) -> bytes:
    """A 32-byte master key from a file holding its base64."""
    try:
        text = path.read_text("ascii").strip()
        key = base64.b64decode(text, validate=True)
    except (OSError, UnicodeDecodeError, binascii.Error, ValueError) as exc:
        raise RotationError(f"The new key file {path} cannot be read as base64: {exc}") from exc
    if len(key) != 32:
        raise RotationError(
            f"The new key in {path} must be 32 bytes in base64 (try `openssl rand -base64 32`); "
            f"it is {len(key)} bytes."
        )
    return key


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` whole and private (0600): a temp file, synced, renamed into place."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


_crash_counts: dict[str, int] = {}


def _crash_point(settings: Settings, kind: str) -> None:
    """In tests only: SIGKILL this process at the Nth `kind` step named by SXR_TEST_CRASH_AT=kind:N.

    A kill at a chosen step is what a power cut does there, and it lets a test stop a real process at
    a known point instead of racing it.
    """
    if settings.environment != "test":
        return
    wanted = settings.test_crash_at
    name, _, count = wanted.partition(":")
    if name != kind:
        return
    _crash_counts[kind] = _crash_counts.get(kind, 0) + 1
    if str(_crash_counts[kind]) == count:
        os.kill(os.getpid(), signal.SIGKILL)


def _case_blobs(session: Session, case_id: int) -> list[str]:
    items = list(session.scalars(select(EvidenceItem.sha256).where(EvidenceItem.case_id == case_id)))
    derived = session.scalars(
        select(DerivedItem.sha256)
        .join(EvidenceItem, DerivedItem.evidence_item_id == EvidenceItem.id)
        .where(EvidenceItem.case_id == case_id)
    )
    return list(dict.fromkeys([*items, *derived]))


def _rekeyed_cases(session: Session, new_id: str) -> set[int]:
    rows = session.execute(
        select(LedgerEntry.case_id, LedgerEntry.details).where(LedgerEntry.action == "rekeyed")
    )
    return {case_id for case_id, details in rows if json.loads(details).get("new_key_id") == new_id}


def _preflight(session: Session, old: BlobStore) -> list[str]:
    """Every blob a row points to is there and its header opens with the old key (headers only)."""
    problems = []
    shas = set(session.scalars(select(EvidenceItem.sha256))) | set(
        session.scalars(select(DerivedItem.sha256))
    )
    for sha256 in sorted(shas):
        try:
            with open(old.path_for(sha256), "rb") as stream:
                old._open_header(stream, sha256)
        except FileNotFoundError:
            problems.append(f"blob {sha256} is missing")
        except BlobError as exc:
            problems.append(str(exc))
    return problems


def _new_key(
    settings: Settings, data_dir: Path, new_key_file: Path | None, marker: dict[str, str] | None
) -> bytes:
    next_path = data_dir / NEXT_KEY_FILE
    if new_key_file is not None:
        return decode_key_file(new_key_file)
    if settings.master_key:
        raise RotationError(
            "SXR_MASTER_KEY is set, so sxr cannot replace the key itself: give the new key with "
            "--new-key-file FILE (base64 of 32 bytes, e.g. `openssl rand -base64 32 > FILE`), "
            "then set SXR_MASTER_KEY to it when the rotation has finished."
        )
    if marker is not None:
        if not next_path.exists():
            raise RotationError(
                f"The rotation that started needs its new key, {next_path}, which is gone: give it with "
                "--new-key-file FILE."
            )
        return decode_key_file(next_path)
    # A new key, written before anything is rotated so a crash cannot lose it.
    key = secrets.token_bytes(32)
    _write_private(next_path, base64.b64encode(key).decode("ascii") + "\n")
    return key


def _check_resume(marker: dict[str, str] | None, current: bytes, new_id: str, settings: Settings) -> bool:
    """Refuse a new key that does not match a rotation under way; True when only the last steps are left."""
    if marker is not None and marker["new_key_id"] != new_id:
        raise RotationError(
            f"A rotation to master key {marker['new_key_id']} is under way; the key given is {new_id}. "
            "Give the same new key to finish it."
        )
    if marker is not None and key_id(current).hex() == new_id and settings.master_key:
        raise RotationError(
            "SXR_MASTER_KEY already holds the new key, but the rotation has not finished: set it back to "
            f"the old key (id {marker['old_key_id']}) and run `sxr keys rotate-master --new-key-file FILE` "
            "again."
        )
    # The key file was already replaced: only the last steps are left.
    return marker is not None and key_id(current).hex() == new_id


def _check_old_key(root: Path, marker: dict[str, str] | None, old_id: str, new_id: str) -> None:
    """Refuse to rotate from a key that is not the one the evidence and the marker were recorded under."""
    if old_id == new_id:
        raise RotationError("The new master key is the same as the current one: give a new key.")
    if marker is not None and marker["old_key_id"] != old_id:
        raise RotationError(
            f"A rotation from master key {marker['old_key_id']} is under way; the current key is {old_id}."
        )
    recorded = (
        (root / KEY_ID_FILE_NAME).read_text("ascii").strip() if (root / KEY_ID_FILE_NAME).exists() else None
    )
    if recorded not in (None, old_id) and not (marker is not None and recorded == new_id):
        raise RotationError(
            f"The evidence is recorded under master key {recorded}, not the current key {old_id}: "
            "check SXR_MASTER_KEY or the master.key file before rotating."
        )


def _start(session: Session, data_dir: Path, root: Path, old: BlobStore, old_id: str, new_id: str) -> None:
    """A new rotation: check every blob opens with the current key, then write the marker."""
    problems = _preflight(session, old)
    if problems:
        with contextlib.suppress(FileNotFoundError):
            (data_dir / NEXT_KEY_FILE).unlink()
        raise RotationError(
            "Nothing was rotated: these blobs cannot be opened with the current key, and would be lost "
            "once it is gone. Restore them from a backup first.\n  " + "\n  ".join(problems)
        )
    root.mkdir(parents=True, exist_ok=True)
    marker = {
        "old_key_id": old_id,
        "new_key_id": new_id,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_private(root / ROTATION_MARKER, json.dumps(marker) + "\n")


@dataclass
class _Keys:
    """Both master keys of a rotation, with their blob stores."""

    old_key: bytes
    new_key: bytes
    old_id: str
    new_id: str
    old: BlobStore
    new: BlobStore


def _rekey_case(session: Session, settings: Settings, case: Case, keys: _Keys) -> tuple[dict[str, int], int]:
    """Rekey one case's blobs and reseal its sealed words; recorded in its ledger and committed."""
    counts = {"rewrapped": 0, "reencrypted": 0, "done": 0}
    for sha256 in _case_blobs(session, case.id):
        counts[keys.old.rekey(sha256, keys.new)] += 1
        _crash_point(settings, "blob")
    fields = 0
    sealed = case.what_happened
    if sealed is not None and sealed.startswith((PREFIX, PREFIX2)) and sealed_key_id(sealed) != keys.new_id:
        try:
            text = open_with(keys.old_key, sealed)
        except SealError as exc:
            raise RotationError(f"The sealed words of case {case.reference} {exc}.") from exc
        assert text is not None
        case.what_happened = seal_with(keys.new_key, text)
        fields += 1
    ledger.append(
        session,
        case.id,
        "rekeyed",
        actor=ACTOR,
        details={
            "old_key_id": keys.old_id,
            "new_key_id": keys.new_id,
            "blobs_rewrapped": counts["rewrapped"],
            "blobs_reencrypted": counts["reencrypted"],
            "blobs_already_done": counts["done"],
            "fields_resealed": fields,
        },
    )
    session.commit()
    return counts, fields


def rotate_master(
    session: Session,
    settings: Settings,
    *,
    new_key_file: Path | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> MasterRotation:
    """Put every blob key and sealed field under a new master key; resumes a rotation that stopped."""
    data_dir = settings.ensure_data_dir()
    root = data_dir / "blobs"
    marker_path = root / ROTATION_MARKER
    marker: dict[str, str] | None = None
    if marker_path.exists():
        marker = json.loads(marker_path.read_text("utf-8"))
    current = load_master_key(settings)
    new_key = _new_key(settings, data_dir, new_key_file, marker)
    new_id = key_id(new_key).hex()
    if _check_resume(marker, current, new_id, settings):
        assert marker is not None
        old_id = marker["old_key_id"]
        result = MasterRotation(old_key_id=old_id, new_key_id=new_id, resumed=True)
        _finish(settings, data_dir, root, old_id, new_key, result)
        return result
    old_key = current
    old_id = key_id(old_key).hex()
    _check_old_key(root, marker, old_id, new_id)
    result = MasterRotation(old_key_id=old_id, new_key_id=new_id, resumed=marker is not None)
    old = BlobStore(root, old_key, rotating=True)
    new = BlobStore(root, new_key, rotating=True)
    if marker is None:
        _start(session, data_dir, root, old, old_id, new_id)
    keys = _Keys(old_key=old_key, new_key=new_key, old_id=old_id, new_id=new_id, old=old, new=new)

    done = _rekeyed_cases(session, new_id)
    for case in session.scalars(select(Case).order_by(Case.id)).all():
        if case.id in done:
            result.cases_already += 1
            continue
        counts, fields = _rekey_case(session, settings, case, keys)
        result.cases += 1
        result.rewrapped += counts["rewrapped"]
        result.reencrypted += counts["reencrypted"]
        result.already += counts["done"]
        result.fields += fields
        progress(f"case {case.reference}: {sum(counts.values())} blob(s), {fields} sealed field(s)")
        _crash_point(settings, "case")

    result.stray_blobs = _rekey_strays(old, new, result)
    # Tombstones keep references as HMACs under a key derived from the master key: the old one is kept,
    # sealed under the new key, so a deleted case is still found by its reference after the rotation.
    carry_reference_keys(data_dir, old_key, new_key)
    _finish(settings, data_dir, root, old_id, new_key, result)
    return result


def _rekey_strays(old: BlobStore, new: BlobStore, result: MasterRotation) -> int:
    """Blob files no row points to (left by interrupted adds): found by their header, moved too."""
    moved = 0
    old_id = old.key_id_hex
    for path in sorted(old.root.glob("[0-9a-f][0-9a-f]/*")):
        if not path.is_file():
            continue
        with open(path, "rb") as stream:
            head = stream.read(200)
        if old_id not in (head[8:16].hex(), head[28:36].hex(), head[96:104].hex()):
            continue
        try:
            sha256, _size = old._digest_file(path)
            if old.path_for(sha256) != path:
                result.notes.append(f"blob file {path.name} is not where its content says: left as it is")
                continue
            old.rekey(sha256, new)
            moved += 1
        except BlobError as exc:
            result.notes.append(f"blob file {path.name} could not be moved to the new key: {exc}")
    return moved


def _finish(
    settings: Settings, data_dir: Path, root: Path, old_id: str, new_key: bytes, result: MasterRotation
) -> None:
    new_id = key_id(new_key).hex()
    if root.is_dir():
        _write_private(root / KEY_ID_FILE_NAME, new_id + "\n")
    next_path = data_dir / NEXT_KEY_FILE
    if settings.master_key:
        result.environment_key = True
    elif next_path.exists():
        os.replace(next_path, data_dir / KEY_FILE_NAME)
    else:
        # The operator's own new key file: it becomes the data dir's key file.
        _write_private(data_dir / KEY_FILE_NAME, base64.b64encode(new_key).decode("ascii") + "\n")
    record_rotation(data_dir, "master", old_id, new_id)
    with contextlib.suppress(FileNotFoundError):
        (root / ROTATION_MARKER).unlink()


@dataclass
class SigningRotation:
    """What a signing key rotation did."""

    old_fingerprint: str
    new_fingerprint: str
    new_public_key: str
    environment_key: bool


def rotate_signing(settings: Settings, *, new_key_file: Path | None = None) -> SigningRotation:
    """A new report-signing key; the old public key stays in the keyring so old packs still name it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sxr.reports.signing import (
        SigningKeyError,
        _parse_private,
        fingerprint,
        key_path,
        load_signing_key,
        public_key_b64,
    )

    data_dir = settings.ensure_data_dir()
    try:
        old = load_signing_key(data_dir, settings.signing_key, create=False)
    except (SigningKeyError, ValueError) as exc:
        raise RotationError(f"The current signing key cannot be read: {exc}") from exc
    if old is None:
        raise RotationError(
            "There is no signing key yet (one is made when the first report pack is built): nothing to rotate"
        )
    environment = bool(settings.signing_key)
    if new_key_file is not None:
        try:
            new = _parse_private(new_key_file.read_text("ascii"))
        except (OSError, UnicodeDecodeError, SigningKeyError, ValueError) as exc:
            raise RotationError(f"The new signing key in {new_key_file} cannot be read: {exc}") from exc
    elif environment:
        raise RotationError(
            "SXR_SIGNING_KEY is set, so sxr cannot replace the key itself: give the new key with "
            "--new-key-file FILE, then set the variable to it."
        )
    else:
        new = Ed25519PrivateKey.generate()
    old_public, new_public = public_key_b64(old), public_key_b64(new)
    if old_public == new_public:
        raise RotationError("The new signing key is the same as the current one: give a new key.")
    # The keyring first: a pack signed by the old key is named as this deployment's even if the next
    # step fails.
    record_rotation(
        data_dir,
        "signing",
        fingerprint(old_public),
        fingerprint(new_public),
        old_public=old_public,
        new_public=new_public,
    )
    if not environment:
        raw = new.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        path = key_path(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(path, base64.b64encode(raw).decode("ascii") + "\n")
    return SigningRotation(
        old_fingerprint=fingerprint(old_public),
        new_fingerprint=fingerprint(new_public),
        new_public_key=new_public,
        environment_key=environment,
    )
