"""Building a case's report pack from the database and the evidence locker (no HTTP, no CLI)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.cases.services import get_case_by_reference
from sxr.config import Settings
from sxr.evidence import ledger
from sxr.evidence import services as evidence_services
from sxr.evidence.models import EvidenceItem
from sxr.reports.facts import ReportFacts, collect_facts
from sxr.reports.pack import PackResult, build_pack
from sxr.reports.signing import load_signing_key


class CaseNotFound(Exception):
    """No case has this reference."""


def find_case(session: Session, reference: str) -> Case:
    """The case with `reference`, or CaseNotFound."""
    case = get_case_by_reference(session, reference)
    if case is None:
        raise CaseNotFound(f"no case has the reference {reference!r}")
    return case


def _write_original(settings: Settings, item: EvidenceItem, dest: Path) -> None:
    """Decrypt one evidence item's original into `dest`, chunk by chunk (each chunk authenticated)."""
    with open(dest, "wb") as out:
        for chunk in evidence_services.open_original(settings, item):
            out.write(chunk)


def build_case_pack(
    session: Session, settings: Settings, case: Case, out_path: Path, *, actor: str
) -> tuple[PackResult, ReportFacts]:
    """Gather the case's facts, decrypt its originals into a private temporary folder, and write the pack."""
    facts = collect_facts(session, settings, case)
    key = load_signing_key(settings.ensure_data_dir())
    assert key is not None  # created on first use
    files: dict[str, Path | bytes] = {}
    # Decrypted originals live outside the data dir, which must never hold an original in plaintext.
    with tempfile.TemporaryDirectory(prefix="sxr-pack-") as tmp:
        items = {str(i.id): i for i in evidence_services.list_evidence(session, case)}
        for n, entry in enumerate(facts.evidence):
            dest = Path(tmp) / f"{n:05d}"
            _write_original(settings, items[entry.id], dest)
            files[entry.id] = dest
        result = build_pack(facts, files, out_path, key)
    _record_disclosure(session, case, result, actor)
    return result, facts


def _record_disclosure(session: Session, case: Case, result: PackResult, actor: str) -> None:
    """An "exported" entry in the case's evidence ledger: who made which pack (by its Merkle root)."""
    ledger.append(
        session,
        case.id,
        "exported",
        actor=actor,
        details={"report_pack": result.merkle_root, "files": result.files, "signed_by": result.fingerprint},
    )
