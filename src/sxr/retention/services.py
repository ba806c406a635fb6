"""Holds, erasure of a case, and the retention run that deletes what the deployment's rules say to.

Erasure takes everything of a case out of the database and the blob store (its answers, evidence
originals, derived items, readings, its ledger, watchlist hashes, alerts, decisions, sessions, holds)
and leaves one tombstone on the erasure ledger (`Erasure`), which proves what was deleted and when
without holding any of it. Audit events stay: they record what staff did, and name the case only by
its row number. Every function takes `now`, so tests run the rules on a clock they control.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sxr.analysis.models import IndicatorDecision
from sxr.audit.services import record as audit
from sxr.cases.models import Case, CaseSearchIdentifier, ReportStart, VictimSession
from sxr.clock import as_utc, utcnow
from sxr.config import Settings
from sxr.evidence.models import DerivedItem, EvidenceItem, EvidenceReading, LedgerEntry
from sxr.evidence.store import BlobStore
from sxr.hashchain import GENESIS_HASH
from sxr.jobs.models import Job
from sxr.linking.services import forget_case, restore_offenders
from sxr.master_key import load_master_key
from sxr.retention.models import CaseHold, Erasure
from sxr.watchlist.models import WatchlistAlert, WatchlistEntry

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:retention"
# Why a case was erased: the words stored on its tombstone.
VICTIM_REQUEST, EMPTY_REPORT, CLOSED_CASE = "victim_request", "empty_report", "closed_case"
REASONS = (VICTIM_REQUEST, EMPTY_REPORT, CLOSED_CASE)
REASON_MIN, REASON_MAX = 3, 500
# Every table that points at `cases.id`, and so every table erase_case empties for a case. A new one
# fails tests/retention until it is added here (a case's rows must never outlive its erasure).
CASE_TABLES = (
    "case_holds",
    "case_search_identifiers",
    "evidence_items",
    "evidence_readings",
    "indicator_decisions",
    "jobs",
    "ledger_entries",
    "link_decisions",
    "link_observables",
    "link_pictures",
    "link_scripts",
    "link_suggestions",
    "offender_cases",
    "report_starts",
    "victim_sessions",
    "watchlist_alerts",
    "watchlist_entries",
)
# Staff and victim sessions that ended are kept this long (a sign-in's audit events stay for good).
SESSIONS_KEPT = timedelta(days=1)


class RetentionError(Exception):
    """A hold or an erasure could not be done; the message says why in words staff can act on."""


class CaseOnHold(RetentionError):
    """The case is on hold: it is not deleted, whoever asks."""


@dataclass(frozen=True)
class RetentionRules:
    """How long a deployment keeps what (settings `retention_*`)."""

    empty_report: timedelta
    closed_case: timedelta
    review: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionRules:
        return cls(
            empty_report=timedelta(days=settings.retention_empty_report_days),
            closed_case=timedelta(days=settings.retention_closed_case_days),
            review=timedelta(days=settings.retention_review_days),
        )


# --- holds -----------------------------------------------------------------------------------------


def active_hold(session: Session, case_id: int) -> CaseHold | None:
    """The hold on a case, or None."""
    return session.scalar(
        select(CaseHold)
        .where(CaseHold.case_id == case_id, CaseHold.lifted_at.is_(None))
        .order_by(CaseHold.id.desc())
        .limit(1)
    )


def holds_of(session: Session, case_id: int) -> list[CaseHold]:
    """Every hold a case has had, newest first."""
    return list(
        session.scalars(select(CaseHold).where(CaseHold.case_id == case_id).order_by(CaseHold.id.desc()))
    )


def clean_reason(text: str) -> str:
    """A hold's reason as stored: one line, 3 to 500 characters."""
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise RetentionError(
            f"Please give a reason of {REASON_MIN} to {REASON_MAX} characters "
            "(for example the investigation or the court date)."
        )
    return reason


def _lock_case(session: Session, case_id: int) -> None:
    # A no-op update takes the case row's lock (PostgreSQL) or the write lock (SQLite): a hold and an
    # erasure of the same case queue up instead of passing each other.
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(ledger_seq=Case.ledger_seq)
        .execution_options(synchronize_session=False)
    )


def set_hold(
    session: Session, case: Case, reason: str, *, actor: str, now: datetime | None = None
) -> CaseHold:
    """Put a case on hold (an audit event with the reason); the caller commits."""
    why = clean_reason(reason)
    _lock_case(session, case.id)
    if active_hold(session, case.id) is not None:
        raise RetentionError("This case is already on hold. Lift that hold first to give a new reason.")
    hold = CaseHold(case_id=case.id, reason=why, set_by=actor[:120], set_at=now or utcnow())
    session.add(hold)
    session.flush()
    audit(session, actor=actor, action="case.hold", case_id=case.id, subject=f"hold {hold.id}", why=why)
    return hold


def lift_hold(
    session: Session, case: Case, reason: str, *, actor: str, now: datetime | None = None
) -> CaseHold:
    """Lift a case's hold (an audit event with the reason); the caller commits."""
    why = clean_reason(reason)
    _lock_case(session, case.id)
    hold = active_hold(session, case.id)
    if hold is None:
        raise RetentionError("This case is not on hold.")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = actor[:120], now or utcnow(), why
    session.flush()
    audit(
        session, actor=actor, action="case.hold_lifted", case_id=case.id, subject=f"hold {hold.id}", why=why
    )
    return hold


# --- the erasure ledger ----------------------------------------------------------------------------


# The reference keys of master keys since rotated, sealed under the current master key, so tombstones
# written before a rotation are still found by their reference (`sxr keys rotate-master` keeps this).
REFERENCE_KEYS_FILE = "reference-keys.json"


def _reference_key(master_key: bytes) -> bytes:
    return hashlib.sha256(b"sxr erased references\0" + master_key).digest()


def reference_mac(settings: Settings, reference: str, *, key: bytes | None = None) -> str:
    """A case reference as the erasure ledger keeps it: an HMAC keyed by (a key derived from) the master
    key, so the ledger can answer "was this reference deleted?" without listing references."""
    key = key or _reference_key(load_master_key(settings))
    return hmac.new(key, reference.encode("utf-8"), hashlib.sha256).hexdigest()


def retired_reference_keys(settings: Settings) -> list[bytes]:
    """The reference keys of the master keys this deployment has rotated away from."""
    import base64

    from sxr.cases.sealing import open_with, sealed_key_id
    from sxr.master_key import key_id

    path = settings.data_dir / REFERENCE_KEYS_FILE
    if not path.exists():
        return []
    master = load_master_key(settings)
    current = key_id(master).hex()
    keys = []
    for entry in json.loads(path.read_text("utf-8")).get("keys", []):
        if sealed_key_id(entry["sealed"]) == current:
            keys.append(base64.b64decode(open_with(master, entry["sealed"]) or ""))
    return keys


def carry_reference_keys(data_dir: Path, old_master: bytes, new_master: bytes) -> None:
    """Before `old_master` is retired: its reference key, and those kept before, sealed under `new_master`."""
    import base64
    import secrets

    from sxr.cases.sealing import open_with, seal_with, sealed_key_id
    from sxr.master_key import key_id

    path = data_dir / REFERENCE_KEYS_FILE
    entries = json.loads(path.read_text("utf-8")).get("keys", []) if path.exists() else []
    new_id, old_id = key_id(new_master).hex(), key_id(old_master).hex()
    carried = []
    for entry in entries:
        sealed = entry["sealed"]
        if sealed_key_id(sealed) != new_id:  # a rotation that stopped may have carried some already
            sealed = seal_with(new_master, open_with(old_master, sealed) or "")
        carried.append({"key_id": entry["key_id"], "sealed": sealed})
    if not any(entry["key_id"] == old_id for entry in carried):
        text = base64.b64encode(_reference_key(old_master)).decode("ascii")
        carried.append({"key_id": old_id, "sealed": seal_with(new_master, text)})
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"keys": carried}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def erasure_hash(entry: Erasure) -> str:
    """The hash a tombstone must carry: SHA-256 over its fields and the hash of the one before."""
    body = {
        "seq": entry.seq,
        "at": as_utc(entry.at).isoformat(timespec="microseconds"),
        "reason": entry.reason,
        "actor": entry.actor,
        "reference_mac": entry.reference_mac,
        "case_created_at": as_utc(entry.case_created_at).isoformat(timespec="microseconds"),
        "ledger_seq": entry.ledger_seq,
        "ledger_head": entry.ledger_head,
        "evidence_items": entry.evidence_items,
        "derived_items": entry.derived_items,
        "watchlist_entries": entry.watchlist_entries,
        "bytes": entry.bytes,
        "items_digest": entry.items_digest,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def erasures(session: Session) -> list[Erasure]:
    """The erasure ledger, oldest first."""
    return list(session.scalars(select(Erasure).order_by(Erasure.seq)))


def find_erasure(session: Session, settings: Settings, reference: str) -> Erasure | None:
    """The tombstone of a deleted case, found by its reference (as typed), or None."""
    from sxr.cases.services import normalize_reference

    canonical = normalize_reference(reference)
    if canonical is None:
        return None
    macs = [reference_mac(settings, canonical)]
    macs += [reference_mac(settings, canonical, key=key) for key in retired_reference_keys(settings)]
    return session.scalar(select(Erasure).where(Erasure.reference_mac.in_(macs)))


def walk_erasures(session: Session) -> list[str]:
    """Walk the erasure ledger; one sentence per broken entry (empty when intact)."""
    problems: list[str] = []
    prev_hash, expected = GENESIS_HASH, 1
    for entry in erasures(session):
        name = f"erasure entry {entry.seq}"
        if entry.seq != expected:
            problems.append(f"{name}: expected entry {expected} here (an entry is missing or out of order)")
        if entry.prev_hash != prev_hash:
            problems.append(f"{name}: does not point to the entry before it (chain broken)")
        if erasure_hash(entry) != entry.entry_hash:
            problems.append(f"{name}: its content does not match its hash (changed)")
        prev_hash, expected = entry.entry_hash, entry.seq + 1
    return problems


def _append_erasure(session: Session, fields: dict[str, Any]) -> Erasure:
    for _attempt in range(20):
        last = session.execute(
            select(Erasure.seq, Erasure.entry_hash).order_by(Erasure.seq.desc()).limit(1)
        ).first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        entry = Erasure(seq=seq, prev_hash=prev_hash, **fields)
        entry.entry_hash = erasure_hash(entry)
        try:
            # Two erasures at once: one takes the number, the other reads the new head and goes after it.
            with session.begin_nested():
                session.add(entry)
                session.flush()
        except IntegrityError:
            continue
        return entry
    raise RetentionError("The erasure ledger is busy. Please try again.")


# --- erasure ---------------------------------------------------------------------------------------


@dataclass
class ErasureResult:
    """What erase_case did: the tombstone, and the blob files it could not remove (told, not hidden)."""

    erasure: Erasure
    blobs_removed: int = 0
    blobs_left: list[str] = field(default_factory=list)


def _items_digest(sha256s: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(sha256s)).encode("ascii")).hexdigest()


def _delete_case_rows(session: Session, case_id: int, item_ids: list[int]) -> None:
    """Every row the case holds, children first."""
    for statement in (
        delete(WatchlistAlert).where(WatchlistAlert.case_id == case_id),
        delete(IndicatorDecision).where(IndicatorDecision.case_id == case_id),
        *forget_case(case_id),  # its links, the analysts' decisions on them, its place in an offender
        delete(EvidenceReading).where(EvidenceReading.case_id == case_id),
        delete(Job).where(Job.case_id == case_id),
        delete(DerivedItem).where(DerivedItem.evidence_item_id.in_(item_ids)),
        delete(LedgerEntry).where(LedgerEntry.case_id == case_id),
        delete(EvidenceItem).where(EvidenceItem.case_id == case_id),
        delete(VictimSession).where(VictimSession.case_id == case_id),
        delete(ReportStart).where(ReportStart.case_id == case_id),
        delete(CaseHold).where(CaseHold.case_id == case_id),
        delete(CaseSearchIdentifier).where(CaseSearchIdentifier.case_id == case_id),
        delete(Case).where(Case.id == case_id),
    ):
        session.execute(statement.execution_options(synchronize_session=False))


def erase_case(
    session: Session,
    settings: Settings,
    case: Case,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    store: BlobStore | None = None,
) -> ErasureResult:
    """Delete everything a case holds and leave its tombstone; commits, then removes its blobs.

    Refused (CaseOnHold) while a hold is on. Blobs another case still uses (the same file sent twice)
    stay. A blob file that cannot be removed is named in the result: its key went with nothing, but an
    operator should know.
    """
    from sxr.watchlist.services import remove_entries

    if reason not in REASONS:
        raise ValueError(f"unknown erasure reason {reason!r}")
    now = now or utcnow()
    case_id = case.id
    _lock_case(session, case_id)
    if active_hold(session, case_id) is not None:
        raise CaseOnHold("This case is on hold, so it cannot be deleted.")
    session.refresh(case)
    items = list(session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)))
    item_ids = [i.id for i in items]
    derived = (
        list(session.scalars(select(DerivedItem).where(DerivedItem.evidence_item_id.in_(item_ids))))
        if item_ids
        else []
    )
    sha256s = sorted({i.sha256 for i in items} | {d.sha256 for d in derived})
    watchlist_count = remove_entries(session, case_id)
    fields = {
        "at": now,
        "reason": reason,
        "actor": actor[:120],
        "reference_mac": reference_mac(settings, case.reference),
        "case_created_at": as_utc(case.created_at),
        "ledger_seq": case.ledger_seq,
        "ledger_head": case.ledger_head,
        "evidence_items": len(items),
        "derived_items": len(derived),
        "watchlist_entries": watchlist_count,
        "bytes": sum(i.size for i in items) + sum(d.size for d in derived),
        "items_digest": _items_digest([i.sha256 for i in items] + [d.sha256 for d in derived]),
    }
    _delete_case_rows(session, case_id, item_ids)
    session.expunge(case)
    restore_offenders(session)  # the offenders it was part of, counted again without it
    erasure = _append_erasure(session, fields)
    audit(
        session,
        actor=actor,
        action="case.erased",
        case_id=case_id,
        subject=(
            f"erasure {erasure.seq}: {len(items)} evidence items, {len(derived)} derived items, "
            f"{watchlist_count} watchlist entries, {fields['bytes']} bytes"
        ),
        why=reason,
    )
    session.commit()
    result = ErasureResult(erasure)
    _remove_blobs(session, settings, sha256s, result, store)
    return result


def _remove_blobs(
    session: Session, settings: Settings, sha256s: list[str], result: ErasureResult, store: BlobStore | None
) -> None:
    if not sha256s:
        return
    store = store or BlobStore.for_settings(settings)
    still_used: set[str] = set()
    for lo in range(0, len(sha256s), 500):
        chunk = sha256s[lo : lo + 500]
        still_used.update(session.scalars(select(EvidenceItem.sha256).where(EvidenceItem.sha256.in_(chunk))))
        still_used.update(session.scalars(select(DerivedItem.sha256).where(DerivedItem.sha256.in_(chunk))))
    for sha256 in sha256s:
        if sha256 in still_used:
            continue
        path = store.path_for(sha256)
        try:
            path.unlink(missing_ok=True)
            # The blob's own data key is wrapped inside the file: with the file gone, so is the key.
            _fsync_dir(path.parent)
        except OSError as exc:
            log.error("a deleted case's blob could not be removed", extra={"error": type(exc).__name__})
            result.blobs_left.append(str(path))
            continue
        result.blobs_removed += 1


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the retention run -----------------------------------------------------------------------------


@dataclass
class CaseDue:
    """A case the rules name: deleted (or to be, in a dry run), kept on hold, or listed for review."""

    reference: str
    rule: str
    since: datetime
    due: datetime
    hold: str | None = None


@dataclass
class RetentionReport:
    """What a retention run deleted (or, dry, would delete), kept and listed."""

    now: datetime
    dry_run: bool
    erased: list[CaseDue] = field(default_factory=list)
    kept_on_hold: list[CaseDue] = field(default_factory=list)
    for_review: list[CaseDue] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    blobs_left: list[str] = field(default_factory=list)
    staff_sessions: int = 0
    victim_sessions: int = 0
    rate_counters: int = 0

    def as_json(self) -> dict[str, Any]:
        def rows(cases: list[CaseDue]) -> list[dict[str, Any]]:
            return [
                {
                    "reference": c.reference,
                    "rule": c.rule,
                    "since": as_utc(c.since).isoformat(),
                    "due": as_utc(c.due).isoformat(),
                    **({"hold": c.hold} if c.hold else {}),
                }
                for c in cases
            ]

        return {
            "now": as_utc(self.now).isoformat(),
            "dry_run": self.dry_run,
            "erased": rows(self.erased),
            "kept_on_hold": rows(self.kept_on_hold),
            "for_review": rows(self.for_review),
            "failed": [{"reference": r, "problem": p} for r, p in self.failed],
            "blobs_left": self.blobs_left,
            "expired": {
                "staff_sessions": self.staff_sessions,
                "victim_sessions": self.victim_sessions,
                "rate_counters": self.rate_counters,
            },
        }


def _last_touched(session: Session, case: Case) -> datetime:
    """The last time anyone used the case: made, added to, or opened by the victim."""
    moments = [as_utc(case.created_at)]
    if case.last_activity_at is not None:
        moments.append(as_utc(case.last_activity_at))
    opened = session.scalar(
        select(func.max(VictimSession.last_used_at)).where(VictimSession.case_id == case.id)
    )
    if opened is not None:
        moments.append(as_utc(opened))
    return max(moments)


def _is_empty(session: Session, case: Case) -> bool:
    """Nothing in it: no evidence, no words typed, no hashes banked, never taken up by staff."""
    if case.status != "open" or case.what_happened:
        return False
    has_evidence = session.scalar(select(exists().where(EvidenceItem.case_id == case.id)))
    has_hashes = session.scalar(select(exists().where(WatchlistEntry.case_id == case.id)))
    return not has_evidence and not has_hashes


def due_cases(session: Session, rules: RetentionRules, now: datetime) -> tuple[list[CaseDue], list[CaseDue]]:
    """(cases whose time has come, closed cases coming up within the review period), oldest first."""
    due: list[CaseDue] = []
    review: list[CaseDue] = []
    empty_cutoff = now - rules.empty_report
    # Candidates by their own columns first (a cheap query); the rules are checked case by case.
    empty_candidates: ColumnElement[bool] = (Case.status == "open") & (Case.evidence_count == 0)
    closed_candidates: ColumnElement[bool] = (Case.status == "closed") & Case.closed_at.is_not(None)
    query = (
        select(Case)
        .where(or_(empty_candidates & (Case.created_at < empty_cutoff), closed_candidates))
        .order_by(Case.id)
    )
    for case in session.scalars(query):
        touched = _last_touched(session, case)
        if case.status == "open":
            if _is_empty(session, case) and touched + rules.empty_report <= now:
                due.append(CaseDue(case.reference, EMPTY_REPORT, touched, touched + rules.empty_report))
            continue
        assert case.closed_at is not None
        since = max(as_utc(case.closed_at), touched)
        when = since + rules.closed_case
        hold = active_hold(session, case.id)
        row = CaseDue(case.reference, CLOSED_CASE, since, when, hold.reason if hold else None)
        if when <= now:
            due.append(row)
        elif when - rules.review <= now:
            review.append(row)
    return due, review


def _erase_due(session: Session, settings: Settings, due: list[CaseDue], report: RetentionReport) -> None:
    """Erase each case due, unless it went or is on hold; one case's failure is reported, not fatal."""
    now, dry_run = report.now, report.dry_run
    for row in due:
        case = session.scalar(select(Case).where(Case.reference == row.reference))
        if case is None:
            continue
        hold = active_hold(session, case.id)
        if hold is not None:
            row.hold = hold.reason
            report.kept_on_hold.append(row)
            continue
        if dry_run:
            report.erased.append(row)
            continue
        try:
            result = erase_case(session, settings, case, reason=row.rule, actor=SYSTEM_ACTOR, now=now)
        except CaseOnHold:
            session.rollback()
            report.kept_on_hold.append(row)
            continue
        except Exception as exc:  # one case's failure must not stop the others; it is reported
            session.rollback()
            log.exception("retention could not delete a case", extra={"rule": row.rule})
            report.failed.append((row.reference, type(exc).__name__))
            continue
        report.erased.append(row)
        report.blobs_left.extend(result.blobs_left)


def _expire_sessions(session: Session, report: RetentionReport) -> None:
    """Delete (or, dry, count) old staff and victim sessions and rate-limit counters."""
    from sxr.accounts.models import StaffSession
    from sxr.ratelimits.models import RateCounter

    now = report.now
    staff_gone = or_(
        StaffSession.ended_at < now - SESSIONS_KEPT,
        StaffSession.last_seen_at < now - SESSIONS_KEPT,
    )
    # A case's newest session stays (its token long dead): it says when the victim last opened the
    # report, which the rule for empty reports counts from.
    newest = select(func.max(VictimSession.id)).group_by(VictimSession.case_id).scalar_subquery()
    victim_gone = or_(
        VictimSession.revoked_at < now - SESSIONS_KEPT,
        VictimSession.last_used_at < now - SESSIONS_KEPT,
    ) & VictimSession.id.not_in(newest)
    counters_gone = RateCounter.window_start < int(now.timestamp()) - int(SESSIONS_KEPT.total_seconds())
    if report.dry_run:
        report.staff_sessions = int(
            session.scalar(select(func.count()).select_from(StaffSession).where(staff_gone)) or 0
        )
        report.victim_sessions = int(
            session.scalar(select(func.count()).select_from(VictimSession).where(victim_gone)) or 0
        )
        report.rate_counters = int(
            session.scalar(select(func.count()).select_from(RateCounter).where(counters_gone)) or 0
        )
        return
    report.staff_sessions = _deleted(session.execute(delete(StaffSession).where(staff_gone)))
    report.victim_sessions = _deleted(session.execute(delete(VictimSession).where(victim_gone)))
    report.rate_counters = _deleted(session.execute(delete(RateCounter).where(counters_gone)))


def run_retention(
    session: Session,
    settings: Settings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    rules: RetentionRules | None = None,
) -> RetentionReport:
    """Delete what the rules say is due (each an audit event and a tombstone), expire old sessions and
    rate-limit counters; with `dry_run`, only say what would go."""
    now = now or utcnow()
    rules = rules or RetentionRules.from_settings(settings)
    report = RetentionReport(now=now, dry_run=dry_run)
    due, report.for_review = due_cases(session, rules, now)
    _erase_due(session, settings, due, report)
    _expire_sessions(session, report)
    if dry_run:
        return report
    audit(
        session,
        actor=SYSTEM_ACTOR,
        action="retention.run",
        subject=(
            f"{len(report.erased)} cases deleted, {len(report.kept_on_hold)} kept on hold, "
            f"{len(report.failed)} failed; expired {report.staff_sessions} staff sessions, "
            f"{report.victim_sessions} victim sessions, {report.rate_counters} rate-limit counters"
        ),
    )
    session.commit()
    return report


def _deleted(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class RetentionPanel:
    """What the staff case page shows about a case's retention: its hold, past holds, and when it goes."""

    hold: CaseHold | None
    history: list[CaseHold]
    rule: str | None
    due: datetime | None


def retention_panel(
    session: Session, settings: Settings, case: Case, *, now: datetime | None = None
) -> RetentionPanel:
    """The hold, the holds before it, and the date the rules delete the case (None when they do not)."""
    rules = RetentionRules.from_settings(settings)
    history = holds_of(session, case.id)
    hold = next((h for h in history if h.lifted_at is None), None)
    rule: str | None = None
    due: datetime | None = None
    if case.status == "closed" and case.closed_at is not None:
        rule = CLOSED_CASE
        due = max(as_utc(case.closed_at), _last_touched(session, case)) + rules.closed_case
    elif _is_empty(session, case):
        rule = EMPTY_REPORT
        due = _last_touched(session, case) + rules.empty_report
    return RetentionPanel(hold=hold, history=history, rule=rule, due=due)
