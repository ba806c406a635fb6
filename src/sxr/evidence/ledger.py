"""The ledger: an append-only, hash-chained record of every action on a case's evidence.

Each case has its own chain. An entry's hash covers all of its fields and the previous entry's hash,
so an edit, deletion or reordering shows up when the chain is walked. Appends first bump the case
row's `ledger_seq` with one UPDATE: that takes the row lock on PostgreSQL and the write lock on
SQLite, so concurrent appends to one case queue up instead of forking the chain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.clock import as_utc, utcnow
from sxr.evidence.models import LedgerEntry
from sxr.hashchain import GENESIS_HASH, canonical_json, chain_hash

ACTIONS = ("received", "derived", "exported", "verified", "warning", "superseded", "confirmed", "rekeyed")


def _when(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="microseconds")


def compute_hash(entry: LedgerEntry) -> str:
    """The hash an entry must carry: SHA-256 over its canonical fields and the previous hash."""
    body = {
        "case_id": entry.case_id,
        "seq": entry.seq,
        "action": entry.action,
        "evidence_item_id": entry.evidence_item_id,
        "derived_item_id": entry.derived_item_id,
        "sha256": entry.sha256,
        "actor": entry.actor,
        "at": _when(entry.at),
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return chain_hash(body)


def append(
    session: Session,
    case_id: int,
    action: str,
    *,
    actor: str,
    evidence_item_id: int | None = None,
    derived_item_id: int | None = None,
    sha256: str | None = None,
    details: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append an entry to the case's chain, inside the caller's transaction (which must commit it)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown ledger action {action!r}")
    row = session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(ledger_seq=Case.ledger_seq + 1)
        .returning(Case.ledger_seq, Case.ledger_head)
        .execution_options(synchronize_session=False)
    ).one()
    seq, prev_hash = row
    entry = LedgerEntry(
        case_id=case_id,
        seq=seq,
        action=action,
        evidence_item_id=evidence_item_id,
        derived_item_id=derived_item_id,
        sha256=sha256,
        actor=actor,
        # Stored to the microsecond so the hash recomputes exactly from what the database holds.
        at=utcnow(),
        details=canonical_json(details or {}),
        prev_hash=prev_hash,
    )
    entry.entry_hash = compute_hash(entry)
    session.add(entry)
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(ledger_head=entry.entry_hash)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return entry


def entries(session: Session, case_id: int) -> list[LedgerEntry]:
    """The case's ledger, oldest first."""
    return list(
        session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id).order_by(LedgerEntry.seq))
    )


def walk(session: Session, case: Case) -> list[str]:
    """Walk the case's chain; returns one sentence per broken entry (empty when intact)."""
    problems: list[str] = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    chain = entries(session, case.id)
    for entry in chain:
        name = f"ledger entry {entry.seq} (id {entry.id}) of case {case.reference}"
        if entry.seq != expected_seq:
            problems.append(
                f"{name}: expected entry {expected_seq} here (an entry is missing or out of order)"
            )
        if entry.prev_hash != prev_hash:
            problems.append(f"{name}: does not point to the entry before it (chain broken)")
        if compute_hash(entry) != entry.entry_hash:
            problems.append(f"{name}: its content does not match its hash (changed)")
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
    last_seq = chain[-1].seq if chain else 0
    if case.ledger_seq != last_seq or case.ledger_head != prev_hash:
        problems.append(
            f"ledger of case {case.reference}: ends at entry {last_seq} but the case records "
            f"{case.ledger_seq} entries (entries were removed or the head changed)"
        )
    return problems
