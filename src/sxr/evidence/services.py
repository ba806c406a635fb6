"""The evidence locker: add, list, read, derive, export and verify a case's evidence."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.clock import as_utc, utcnow
from sxr.config import Settings
from sxr.evidence import filetypes, ledger
from sxr.evidence.limits import EvidenceLimits, EvidenceRejected
from sxr.evidence.models import (
    NOT_READ,
    NOT_READ_STATES,
    DerivedItem,
    EvidenceItem,
    EvidenceReading,
    LedgerEntry,
)
from sxr.evidence.store import BlobError, BlobStore
from sxr.sizes import human_size

__all__ = [
    "AddedEvidence",
    "DerivedContent",
    "Deriver",
    "EvidenceRejected",
    "VerifyResult",
    "add_derived",
    "add_evidence",
    "check_upload",
    "choose_date_order",
    "derive",
    "export_evidence",
    "list_derived",
    "list_evidence",
    "not_read_counts",
    "open_original",
    "read_derived",
    "read_original",
    "reading_of",
    "readings_of",
    "record_derive_failure",
    "record_reading",
    "rederive",
    "supersede_derived",
    "verify",
]


@dataclass(frozen=True)
class DerivedContent:
    """Something a deriver made from an evidence item, to be stored apart from the original."""

    kind: str
    media_type: str
    data: bytes


Deriver = Callable[[Session, Settings, EvidenceItem], Iterable[DerivedContent] | None]
# Called after each new evidence item is stored (e.g. parse a chat export, OCR a screenshot). The
# locker knows no deriver itself: whoever adds evidence passes the ones to run (the app factory and the
# CLI pass sxr.pipeline's DERIVERS). A deriver records what it read with `record_reading`. A deriver that
# raises costs nothing of the original: the failure goes on the ledger and on the item's reading
# ("failed"), which the victim's page, the staff queue and the report pack show.


@dataclass
class AddedEvidence:
    """The outcome of adding one file: its item, whether it was already in the case, and any warnings."""

    item: EvidenceItem
    duplicate: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class VerifyResult:
    """What `verify` checked and every problem it found, each naming the broken item or entry."""

    problems: list[str] = field(default_factory=list)
    cases: int = 0
    items: int = 0
    derived: int = 0
    entries: int = 0
    # Harmless leftovers of interrupted adds (ciphertext only): reported, never counted as damage.
    unreferenced_blobs: int = 0
    unfinished_parts: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


def clean_name(name: str) -> str:
    """The last part of a file name as sent, without control characters, at most 255 characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    return (base or "unnamed")[:255]


def _store(settings: Settings, store: BlobStore | None) -> BlobStore:
    return store or BlobStore.for_settings(settings)


def case_bytes(session: Session, case: Case) -> int:
    """How many bytes of evidence the case holds."""
    total = session.scalar(
        select(func.coalesce(func.sum(EvidenceItem.size), 0)).where(EvidenceItem.case_id == case.id)
    )
    return int(total or 0)


def check_upload(
    session: Session,
    settings: Settings,
    case: Case,
    files: Sequence[Path],
    *,
    limits: EvidenceLimits | None = None,
) -> None:
    """Reject an upload as a whole when it has too many files or would overfill the case."""
    limits = limits or EvidenceLimits.from_settings(settings)
    if not files:
        raise EvidenceRejected("Please choose at least one file.")
    if len(files) > limits.max_upload_files:
        raise EvidenceRejected(
            f"That is {len(files)} files; please send at most {limits.max_upload_files} at a time."
        )
    incoming = sum(p.stat().st_size for p in files)
    if case_bytes(session, case) + incoming > limits.max_case_bytes:
        raise EvidenceRejected(
            f"These files would take this report over its space of {human_size(limits.max_case_bytes)}. "
            "Please send fewer or smaller files."
        )


def add_evidence(
    session: Session,
    settings: Settings,
    case: Case,
    path: Path,
    *,
    received_by: str,
    derivers: Sequence[Deriver],
    name: str | None = None,
    store: BlobStore | None = None,
    limits: EvidenceLimits | None = None,
) -> AddedEvidence:
    """Check, encrypt and record one file as evidence of `case`, then run `derivers` on it; commits.

    The web app passes no derivers and queues a job that derives the item (sxr.pipeline.jobs); the CLI
    derives at once.

    The blob is written and read back before the item's row and its "received" ledger entry commit
    together, so a crash leaves at most an unreferenced blob, never an item without its bytes.
    """
    limits = limits or EvidenceLimits.from_settings(settings)
    store = _store(settings, store)
    display_name = clean_name(name or path.name)
    file_type = filetypes.detect(path, limits)
    size = path.stat().st_size
    if case_bytes(session, case) + size > limits.max_case_bytes:
        raise EvidenceRejected(
            f"This file would take this report over its space of {human_size(limits.max_case_bytes)}."
        )
    with open(path, "rb") as source:
        blob = store.put(source)
    if blob.size != size:
        raise EvidenceRejected("This file changed while we were saving it. Please try again.")

    existing = _item_by_sha(session, case, blob.sha256)
    if existing is not None:
        return AddedEvidence(existing, duplicate=True)
    received_at = utcnow()
    item = EvidenceItem(
        case_id=case.id,
        original_name=display_name,
        size=size,
        media_type=file_type.media_type,
        kind=file_type.kind,
        sha256=blob.sha256,
        received_at=received_at,
        received_by=received_by,
    )
    try:
        session.add(item)
        session.flush()
        ledger.append(
            session,
            case.id,
            "received",
            actor=received_by,
            evidence_item_id=item.id,
            sha256=item.sha256,
            details=_item_facts(item),
        )
        # What the staff queue shows without opening anything.
        session.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(evidence_count=Case.evidence_count + 1, last_activity_at=received_at)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except IntegrityError:
        # The same file arrived at the same moment in another upload to this case.
        session.rollback()
        existing = _item_by_sha(session, case, blob.sha256)
        if existing is None:
            raise
        return AddedEvidence(existing, duplicate=True)
    return AddedEvidence(item, warnings=_run_derivers(session, settings, item, store, derivers))


def _item_by_sha(session: Session, case: Case, sha256: str) -> EvidenceItem | None:
    return session.scalar(
        select(EvidenceItem).where(EvidenceItem.case_id == case.id, EvidenceItem.sha256 == sha256)
    )


def _item_facts(item: EvidenceItem) -> dict[str, Any]:
    return {
        "name": item.original_name,
        "size": item.size,
        "media_type": item.media_type,
        "kind": item.kind,
        "received_at": as_utc(item.received_at).isoformat(timespec="microseconds"),
        "received_by": item.received_by,
    }


def warn_derivation(session: Session, item: EvidenceItem, deriver: str, error: str) -> None:
    """A "warning" ledger entry: what a deriver could not do with `item` (the caller commits)."""
    ledger.append(
        session,
        item.case_id,
        "warning",
        actor="system",
        evidence_item_id=item.id,
        sha256=item.sha256,
        details={"deriver": deriver, "error": error[:500]},
    )


def _run_deriver(
    session: Session, settings: Settings, item: EvidenceItem, store: BlobStore, deriver: Deriver
) -> list[str]:
    """Run one deriver and store what it made (commits); its exception, if any, is the caller's."""
    deriver_name = getattr(deriver, "__qualname__", repr(deriver))
    for content in deriver(session, settings, item) or ():
        add_derived(
            session,
            settings,
            item,
            kind=content.kind,
            media_type=content.media_type,
            data=content.data,
            created_by=deriver_name,
            store=store,
        )
    session.commit()
    reading = reading_of(session, item)
    if reading is not None and reading.state in NOT_READ_STATES:
        return [f"{item.original_name} could not be read in full: {reading.detail or reading.problem}"]
    return []


def derive(
    session: Session,
    settings: Settings,
    item: EvidenceItem,
    derivers: Sequence[Deriver],
    *,
    store: BlobStore | None = None,
) -> list[str]:
    """Run `derivers` on `item` now (for a job: a deriver's exception is raised, after a rollback, so the
    job can be tried again); returns what could not be read, in words. Commits after each deriver."""
    store = _store(settings, store)
    warnings: list[str] = []
    for deriver in derivers:
        try:
            warnings += _run_deriver(session, settings, item, store, deriver)
        except Exception:
            session.rollback()
            raise
    return warnings


def record_derive_failure(session: Session, item: EvidenceItem, deriver_name: str, message: str) -> None:
    """Say on the ledger and on the item's reading ("failed") that deriving `item` failed (caller commits)."""
    warn_derivation(session, item, deriver_name, message)
    record_reading(session, item, NOT_READ, problem="failed", detail=message)


def supersede_derived(session: Session, item: EvidenceItem, *, actor: str, why: str) -> int:
    """Mark what was derived from `item` as superseded, with a ledger entry (commits); returns how many.

    A derivation that runs again (a job whose worker stopped halfway) starts from none, so an item never
    has two current sets of derived items.
    """
    current = list_derived(session, item)
    if not current:
        return 0
    now = utcnow()
    for derived in current:
        derived.superseded_at = now
    ledger.append(
        session,
        item.case_id,
        "superseded",
        actor=actor,
        evidence_item_id=item.id,
        sha256=item.sha256,
        details={"derived_item_ids": [d.id for d in current], "why": why[:200]},
    )
    session.commit()
    return len(current)


def _run_derivers(
    session: Session, settings: Settings, item: EvidenceItem, store: BlobStore, derivers: Sequence[Deriver]
) -> list[str]:
    warnings: list[str] = []
    for deriver in derivers:
        deriver_name = getattr(deriver, "__qualname__", repr(deriver))
        try:
            warnings += _run_deriver(session, settings, item, store, deriver)
        except Exception as exc:  # a deriver's bug must never cost the original
            session.rollback()
            message = f"{type(exc).__name__}: {exc}"[:500]
            record_derive_failure(session, item, deriver_name, message)
            session.commit()
            warnings.append(f"{deriver_name} could not process {item.original_name}: {message}")
    return warnings


def record_reading(
    session: Session,
    item: EvidenceItem,
    state: str,
    *,
    problem: str | None = None,
    detail: str | None = None,
    date_order: str | None = None,
    date_how: str | None = None,
) -> EvidenceReading:
    """Say what the derivers made of `item` (replacing what an earlier run said; caller commits)."""
    reading = session.scalar(select(EvidenceReading).where(EvidenceReading.evidence_item_id == item.id))
    if reading is None:
        reading = EvidenceReading(evidence_item_id=item.id, case_id=item.case_id)
        session.add(reading)
    reading.state = state
    reading.problem = problem
    reading.detail = None if detail is None else detail[:2000]
    reading.date_order = date_order
    reading.date_how = date_how
    reading.updated_at = utcnow()
    session.flush()
    return reading


def reading_of(session: Session, item: EvidenceItem) -> EvidenceReading | None:
    """What the derivers made of `item`, or None when no deriver said (a photo, a video, a PDF)."""
    return session.scalar(select(EvidenceReading).where(EvidenceReading.evidence_item_id == item.id))


def readings_of(session: Session, case_id: int) -> dict[int, EvidenceReading]:
    """What the derivers made of each of a case's evidence items, by evidence item id."""
    rows = session.scalars(select(EvidenceReading).where(EvidenceReading.case_id == case_id))
    return {row.evidence_item_id: row for row in rows}


def not_read_counts(session: Session, case_ids: Sequence[int]) -> dict[int, int]:
    """How many evidence items of each case could not be read, in full or in part (no decryption)."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(EvidenceReading.case_id, func.count())
        .where(EvidenceReading.case_id.in_(list(case_ids)), EvidenceReading.state.in_(NOT_READ_STATES))
        .group_by(EvidenceReading.case_id)
    )
    return {int(case_id): int(count) for case_id, count in rows}


def rederive(
    session: Session,
    settings: Settings,
    item: EvidenceItem,
    *,
    actor: str,
    date_order: str,
    derivers: Sequence[Deriver],
    store: BlobStore | None = None,
) -> bool:
    """Derive `item` again with `derivers`, its dates read in `date_order`; old derived items are superseded.

    Commits. Returns False (and changes nothing) when the item is already read that way, so a second
    tap or a resent form never piles up derived items.
    """
    if not choose_date_order(session, item, actor=actor, date_order=date_order):
        return False
    _run_derivers(session, settings, item, _store(settings, store), derivers)
    return True


def choose_date_order(session: Session, item: EvidenceItem, *, actor: str, date_order: str) -> bool:
    """Ask for `item` to be read again with its dates in `date_order`: its derived items are superseded and
    the choice kept on its reading for the derivers (commits). False when it is already read that way."""
    reading = reading_of(session, item)
    if reading is not None and reading.date_order == date_order:
        return False
    current = list_derived(session, item)
    now = utcnow()
    for derived in current:
        derived.superseded_at = now
    if reading is None:
        reading = record_reading(session, item, NOT_READ)
    reading.date_choice = date_order
    ledger.append(
        session,
        item.case_id,
        "superseded",
        actor=actor,
        evidence_item_id=item.id,
        sha256=item.sha256,
        details={"derived_item_ids": [d.id for d in current], "date_order": date_order},
    )
    session.commit()
    return True


def add_derived(
    session: Session,
    settings: Settings,
    item: EvidenceItem,
    *,
    kind: str,
    media_type: str,
    data: bytes,
    created_by: str,
    store: BlobStore | None = None,
) -> DerivedItem:
    """Store something derived from `item` in its own blob, with a "derived" ledger entry (caller commits)."""
    blob = _store(settings, store).put_bytes(data)
    derived = DerivedItem(
        evidence_item_id=item.id,
        kind=kind,
        media_type=media_type,
        sha256=blob.sha256,
        size=blob.size,
        created_by=created_by,
    )
    session.add(derived)
    session.flush()
    ledger.append(
        session,
        item.case_id,
        "derived",
        actor=created_by,
        evidence_item_id=item.id,
        derived_item_id=derived.id,
        sha256=blob.sha256,
        details={"kind": kind, "media_type": media_type, "size": blob.size, "from_sha256": item.sha256},
    )
    return derived


def list_evidence(session: Session, case: Case) -> list[EvidenceItem]:
    """The case's evidence items, oldest first."""
    return list(
        session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id).order_by(EvidenceItem.id))
    )


def list_derived(session: Session, item: EvidenceItem, *, superseded: bool = False) -> list[DerivedItem]:
    """What was derived from `item`, oldest first; `superseded` adds what a later derivation replaced."""
    query = select(DerivedItem).where(DerivedItem.evidence_item_id == item.id)
    if not superseded:
        query = query.where(DerivedItem.superseded_at.is_(None))
    return list(session.scalars(query.order_by(DerivedItem.id)))


def open_original(settings: Settings, item: EvidenceItem, store: BlobStore | None = None) -> Iterator[bytes]:
    """The original bytes of `item` in authenticated chunks (for large files)."""
    return _store(settings, store).open(item.sha256)


def read_original(settings: Settings, item: EvidenceItem, store: BlobStore | None = None) -> bytes:
    """The original bytes of `item`, checked against its SHA-256."""
    return _store(settings, store).read(item.sha256)


def read_derived(settings: Settings, derived: DerivedItem, store: BlobStore | None = None) -> bytes:
    """The bytes of a derived item, checked against its SHA-256."""
    return _store(settings, store).read(derived.sha256)


def _export_file_name(item: EvidenceItem) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", item.original_name).strip("._") or "file"
    return f"{item.id:05d}-{safe[:100]}"


def export_evidence(
    session: Session,
    settings: Settings,
    case: Case,
    dest: Path,
    *,
    actor: str,
    store: BlobStore | None = None,
) -> Path:
    """Write the decrypted originals, `manifest.json` and `SHA256SUMS` into `dest`; returns the manifest path.

    `cd DIR && sha256sum -c SHA256SUMS` checks every file; the manifest also lists the case's ledger.
    """
    store = _store(settings, store)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise EvidenceRejected(f"The folder {dest} is not empty; please export into an empty folder.")
    files_dir = dest / "files"
    files_dir.mkdir()
    items = list_evidence(session, case)
    rows = []
    for item in items:
        relative = f"files/{_export_file_name(item)}"
        store.copy_to(item.sha256, dest / relative)
        rows.append(
            {
                "id": item.id,
                "name": item.original_name,
                "file": relative,
                "sha256": item.sha256,
                "size": item.size,
                "media_type": item.media_type,
                "kind": item.kind,
                "received_at": as_utc(item.received_at).isoformat(),
                "received_by": item.received_by,
            }
        )
    session.refresh(case)
    manifest = {
        "case": case.reference,
        "exported_at": utcnow().isoformat(),
        "exported_by": actor,
        "items": rows,
        "ledger": [_entry_json(e) for e in ledger.entries(session, case.id)],
        "ledger_head": case.ledger_head,
    }
    manifest_path = dest / "manifest.json"
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    manifest_path.write_bytes(manifest_bytes)
    (dest / "SHA256SUMS").write_text("".join(f"{r['sha256']}  {r['file']}\n" for r in rows), encoding="utf-8")
    ledger.append(
        session,
        case.id,
        "exported",
        actor=actor,
        details={"items": len(rows), "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest()},
    )
    session.commit()
    return manifest_path


def _entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "action": entry.action,
        "evidence_item_id": entry.evidence_item_id,
        "derived_item_id": entry.derived_item_id,
        "sha256": entry.sha256,
        "actor": entry.actor,
        "at": as_utc(entry.at).isoformat(timespec="microseconds"),
        "details": json.loads(entry.details),
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def verify(
    session: Session,
    settings: Settings,
    case: Case | None = None,
    *,
    actor: str = "system",
    record: bool = True,
    store: BlobStore | None = None,
) -> VerifyResult:
    """Re-read and decrypt every blob, check every hash, walk every chain; name each broken item or entry.

    When a case is intact and `record` is true, a "verified" ledger entry is appended (and committed).
    """
    store = _store(settings, store)
    result = VerifyResult()
    session.expire_all()  # judge what the database holds now, not what this session remembers
    if case is not None:
        # The caller's case may come from another session: check this session's fresh copy.
        found = session.get(Case, case.id)
        cases = [found] if found is not None else []
    else:
        cases = list(session.scalars(select(Case).order_by(Case.id)))
    check_blob = _BlobCheck(store)
    for current in cases:
        session.refresh(current)
        result.cases += 1
        chain = ledger.entries(session, current.id)
        result.entries += len(chain)
        problems = ledger.walk(session, current)
        received = {e.evidence_item_id: e for e in chain if e.action == "received"}
        derived_entries = {e.derived_item_id: e for e in chain if e.action == "derived"}
        for item in list_evidence(session, current):
            problems += _item_problems(session, current, item, received, derived_entries, result, check_blob)
        result.problems += problems
        if record and not problems:
            ledger.append(
                session,
                current.id,
                "verified",
                actor=actor,
                details={"items": len(received)},
            )
            session.commit()
    if case is None:
        referenced = set(session.scalars(select(EvidenceItem.sha256))) | set(
            session.scalars(select(DerivedItem.sha256))
        )
        # Blob files are named by a keyed hash of their content's SHA-256, not by the SHA-256 itself.
        names = {store.path_for(sha256).name for sha256 in referenced}
        result.unreferenced_blobs = sum(
            1 for path in store.root.glob("??/*") if path.is_file() and path.name not in names
        )
        result.unfinished_parts = sum(1 for _ in (store.root / ".tmp").glob("*.part"))
    return result


class _BlobCheck:
    """Each blob read and decrypted once however many records share it: what is wrong with it, or None."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.checked: dict[str, str | None] = {}

    def __call__(self, sha256: str, size: int) -> str | None:
        if sha256 not in self.checked:
            try:
                actual = self.store.check(sha256)
                self.checked[sha256] = (
                    None if actual == size else f"its blob holds {actual} bytes, not {size}"
                )
            except BlobError as exc:
                self.checked[sha256] = str(exc)
        return self.checked[sha256]


def _item_problems(
    session: Session,
    case: Case,
    item: EvidenceItem,
    received: dict[int | None, LedgerEntry],
    derived_entries: dict[int | None, LedgerEntry],
    result: VerifyResult,
    check_blob: _BlobCheck,
) -> list[str]:
    """What is wrong with one evidence item and what was derived from it: blobs, records, ledger entries."""
    problems: list[str] = []
    result.items += 1
    label = f"evidence item {item.id} ({item.original_name}) of case {case.reference}"
    if (problem := check_blob(item.sha256, item.size)) is not None:
        problems.append(f"{label}: {problem}")
    entry = received.get(item.id)
    if entry is None:
        problems.append(f"{label}: has no 'received' ledger entry")
    elif entry.sha256 != item.sha256 or json.loads(entry.details) != _item_facts(item):
        problems.append(f"{label}: its record differs from its 'received' ledger entry {entry.seq}")
    for derived in list_derived(session, item, superseded=True):
        result.derived += 1
        dlabel = f"derived item {derived.id} ({derived.kind}) of evidence item {item.id}"
        if (problem := check_blob(derived.sha256, derived.size)) is not None:
            problems.append(f"{dlabel}: {problem}")
        dentry = derived_entries.get(derived.id)
        if dentry is None or dentry.sha256 != derived.sha256:
            problems.append(f"{dlabel}: does not match a 'derived' ledger entry")
    return problems
