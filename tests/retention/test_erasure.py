"""Erasure of a case, holds, the erasure ledger, and the retention run on a clock the test controls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sxr.cases.models import Case, VictimSession
from sxr.clock import utcnow
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.evidence.models import DerivedItem, EvidenceItem
from sxr.evidence.store import BlobStore
from sxr.retention import services
from sxr.retention.models import Erasure

from .retention_helpers import BANKED, MD5, full_case, rows_of_case


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    from sxr.watchlist.services import reset_live_indexes

    reset_live_indexes()


def test_every_table_that_points_at_cases_is_emptied_by_erasure() -> None:
    from sxr.models import load_all_models

    pointing = {
        table.name
        for table in load_all_models().metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "cases"
    }
    assert pointing == set(services.CASE_TABLES)


def test_erasing_a_case_removes_everything_and_leaves_a_tombstone(database_url: str, tmp_path: Path) -> None:
    from sxr.audit.models import AuditEvent
    from sxr.cases.services import open_victim_session
    from sxr.evidence.services import verify
    from sxr.watchlist.services import lookup

    settings = get_settings()
    victim = full_case(database_url, tmp_path)
    # Another case holds the same picture: its blob must stay.
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = full_case(database_url, other_dir, last_words="stop it")
    assert other.picture_sha256 == victim.picture_sha256
    with session_scope(database_url) as session:
        open_victim_session(session, session.get(Case, victim.case_id))
        item_ids = list(
            session.scalars(select(EvidenceItem.id).where(EvidenceItem.case_id == victim.case_id))
        )
        derived = list(session.scalars(select(DerivedItem).where(DerivedItem.evidence_item_id.in_(item_ids))))
        derived_shas = {d.sha256 for d in derived}
        assert derived  # the chat was read: conversation and analysis
        case = session.get(Case, victim.case_id)
        ledger_head, ledger_seq, created = case.ledger_head, case.ledger_seq, case.created_at
    store = BlobStore.for_settings(settings)
    chat_blob = store.path_for(victim.chat_sha256)
    assert chat_blob.is_file()
    before = rows_of_case(database_url, victim.case_id)
    assert before["evidence_items"] == 2 and before["watchlist_entries"] == 2 and before["ledger_entries"] > 2

    with session_scope(database_url) as session:
        result = services.erase_case(
            session,
            settings,
            session.get(Case, victim.case_id),
            reason=services.VICTIM_REQUEST,
            actor="victim",
        )
    after = rows_of_case(database_url, victim.case_id)
    assert set(after.values()) == {0}, after
    with session_scope(database_url) as session:
        assert session.scalar(select(DerivedItem).where(DerivedItem.evidence_item_id.in_(item_ids))) is None
        # Its hashes no longer match; the other case's still do (it banked the same ones).
        hits = lookup(session, [{"type": "pdq", "value": BANKED}, {"type": "md5", "value": MD5}])
        assert {h.entry.case_id for found in hits for h in found} == {other.case_id}
        erasure = session.scalar(select(Erasure))
        assert erasure is not None
        assert (erasure.seq, erasure.reason, erasure.actor) == (1, "victim_request", "victim")
        assert (erasure.ledger_head, erasure.ledger_seq) == (ledger_head, ledger_seq)
        assert (erasure.evidence_items, erasure.derived_items, erasure.watchlist_entries) == (
            2,
            len(derived),
            2,
        )
        assert erasure.case_created_at.replace(tzinfo=None) == created.replace(tzinfo=None)
        assert victim.reference not in erasure.reference_mac
        assert services.find_erasure(session, settings, victim.reference.lower()).seq == 1
        assert services.find_erasure(session, settings, other.reference) is None
        assert services.walk_erasures(session) == []
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.erased"))
        assert event is not None and event.case_id == victim.case_id and event.actor == "victim"
        assert "2 evidence items" in (event.subject or "")
        # Nothing of what the case held is on the tombstone or its audit event.
        tombstone = " ".join(str(getattr(erasure, c.key)) for c in Erasure.__table__.columns)
        for secret in (victim.reference, victim.chat_sha256, victim.picture_sha256, BANKED, MD5, victim.pin):
            assert secret not in tombstone
            assert secret not in (event.subject or "")
        # The locker is intact without it: the other case verifies.
        assert verify(session, settings).intact
    assert not chat_blob.exists()
    assert store.path_for(victim.picture_sha256).is_file()  # still the other case's
    assert result.blobs_left == []
    assert result.blobs_removed >= 1 + len(derived_shas)  # its own chat and what was read from it
    assert not any(store.exists(d) for d in derived_shas)


def test_a_hold_stops_erasure_until_it_is_lifted(database_url: str, tmp_path: Path) -> None:
    from sxr.audit.models import AuditEvent

    settings = get_settings()
    victim = full_case(database_url, tmp_path)
    with session_scope(database_url) as session:
        case = session.get(Case, victim.case_id)
        with pytest.raises(services.RetentionError, match="reason"):
            services.set_hold(session, case, "  x ", actor="staff:officer@example.com")
        services.set_hold(session, case, "Court date 3 May 2027", actor="staff:officer@example.com")
    with session_scope(database_url) as session:
        case = session.get(Case, victim.case_id)
        with pytest.raises(services.RetentionError, match="already on hold"):
            services.set_hold(session, case, "again", actor="staff:officer@example.com")
    with session_scope(database_url) as session, pytest.raises(services.CaseOnHold):
        services.erase_case(
            session, settings, session.get(Case, victim.case_id), reason="victim_request", actor="victim"
        )
    assert rows_of_case(database_url, victim.case_id)["evidence_items"] == 2
    with session_scope(database_url) as session:
        services.lift_hold(
            session, session.get(Case, victim.case_id), "Trial over", actor="staff:admin@example.com"
        )
    with session_scope(database_url) as session:
        actions = [
            (e.action, e.actor, e.why)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.case_id == victim.case_id))
        ]
        assert ("case.hold", "staff:officer@example.com", "Court date 3 May 2027") in actions
        assert ("case.hold_lifted", "staff:admin@example.com", "Trial over") in actions
        services.erase_case(
            session, settings, session.get(Case, victim.case_id), reason="victim_request", actor="victim"
        )
    assert rows_of_case(database_url, victim.case_id)["cases"] == 0


def test_a_changed_tombstone_breaks_the_erasure_ledger(database_url: str, tmp_path: Path) -> None:
    from sxr.cases.services import create_case

    settings = get_settings()
    with session_scope(database_url) as session:
        for _ in range(3):
            case, _pin = create_case(session)
            services.erase_case(session, settings, case, reason="empty_report", actor=services.SYSTEM_ACTOR)
    with session_scope(database_url) as session:
        assert [e.seq for e in services.erasures(session)] == [1, 2, 3]
        assert services.walk_erasures(session) == []
        session.execute(update(Erasure).where(Erasure.seq == 2).values(evidence_items=7))
    with session_scope(database_url) as session:
        problems = services.walk_erasures(session)
        assert problems == ["erasure entry 2: its content does not match its hash (changed)"]


def test_the_retention_run_follows_the_rules_on_the_clock_it_is_given(
    database_url: str, tmp_path: Path
) -> None:
    from sxr.accounts.models import StaffSession
    from sxr.accounts.staff_sessions import open_session
    from sxr.accounts.staff_users import create_user
    from sxr.audit.models import AuditEvent
    from sxr.cases.services import NewCaseAnswers, create_case
    from sxr.ratelimits.models import RateCounter

    settings = get_settings()  # defaults: empty reports 30 days, closed cases 730, review 30
    t0 = utcnow()
    with session_scope(database_url) as session:
        empty, _ = create_case(session)
        worded, _ = create_case(session, NewCaseAnswers(what_happened="he is scaring me"), settings)
        closed, _ = create_case(session)
        held, _ = create_case(session)
        for case in (empty, worded, closed, held):
            case.created_at = t0
        for case in (closed, held):
            case.status, case.closed_at, case.evidence_count = "closed", t0, 1
        session.flush()
        services.set_hold(session, held, "Investigation OP-2291", actor="staff:officer@example.com")
        user, _pw = create_user(
            session, "officer@example.com", "Officer", "officer", "a long enough password"
        )
        open_session(session, user)
        session.add(RateCounter(key="pin_check:127.0.0.1", window_start=int(t0.timestamp()) - 3600, count=3))
        refs = {
            name: c.reference
            for name, c in (("empty", empty), ("worded", worded), ("closed", closed), ("held", held))
        }
    full = full_case(database_url, tmp_path)  # evidence and hashes: never "empty"
    with session_scope(database_url) as session:
        session.execute(update(Case).where(Case.reference == full.reference).values(created_at=t0))

    def run(days: float, *, dry_run: bool = False) -> services.RetentionReport:
        with session_scope(database_url) as session:
            return services.run_retention(session, settings, now=t0 + timedelta(days=days), dry_run=dry_run)

    # Day 29: nothing is due yet.
    report = run(29)
    assert report.erased == [] and report.kept_on_hold == []
    # A dry run on day 31 says the empty report would go, and deletes nothing.
    dry = run(31, dry_run=True)
    assert [(r.reference, r.rule) for r in dry.erased] == [(refs["empty"], "empty_report")]
    assert dry.staff_sessions == 0 and dry.rate_counters == 0  # the day-29 run expired those already
    with session_scope(database_url) as session:
        assert session.scalar(select(Case).where(Case.reference == refs["empty"])) is not None
    report = run(31)
    assert [(r.reference, r.rule) for r in report.erased] == [(refs["empty"], "empty_report")]
    # Day 710: the closed cases are listed for review (deletion within 30 days), nothing deleted.
    report = run(710)
    assert report.erased == []
    assert sorted(r.reference for r in report.for_review) == sorted([refs["closed"], refs["held"]])
    # Day 731: the closed case goes; the one on hold stays, and says why.
    report = run(731)
    assert [(r.reference, r.rule) for r in report.erased] == [(refs["closed"], "closed_case")]
    assert [(r.reference, r.hold) for r in report.kept_on_hold] == [(refs["held"], "Investigation OP-2291")]
    with session_scope(database_url) as session:
        left = set(session.scalars(select(Case.reference)))
        assert left == {refs["worded"], refs["held"], full.reference}
        assert [e.reason for e in services.erasures(session)] == ["empty_report", "closed_case"]
        erased_events = list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == "case.erased").order_by(AuditEvent.id)
            )
        )
        assert [(e.actor, e.why) for e in erased_events] == [
            ("system:retention", "empty_report"),
            ("system:retention", "closed_case"),
        ]
        runs = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")))
        assert len(runs) == 5 - 1  # every run but the dry one
        assert session.scalar(select(StaffSession)) is None
        assert session.scalar(select(RateCounter)) is None
        # Only each remaining case's newest session is kept (when the victim last opened it).
        kept = list(session.scalars(select(VictimSession)))
        assert len(kept) == len({v.case_id for v in kept})


def test_an_empty_report_opened_again_is_kept_after_its_old_sessions_expire(database_url: str) -> None:
    from sxr.cases.services import create_case, open_victim_session

    settings = get_settings()
    t0 = utcnow()
    with session_scope(database_url) as session:
        case, _ = create_case(session)
        case.created_at = t0
        open_victim_session(session, case)
        open_victim_session(session, case)
        reference = case.reference
        session.flush()
        session.execute(
            update(VictimSession)
            .where(VictimSession.case_id == case.id)
            .values(created_at=t0 + timedelta(days=20), last_used_at=t0 + timedelta(days=20))
        )
    with session_scope(database_url) as session:
        report = services.run_retention(session, settings, now=t0 + timedelta(days=25))
        assert report.victim_sessions == 1  # the older one; the newest stays
        report = services.run_retention(session, settings, now=t0 + timedelta(days=45))
        assert report.erased == []
        report = services.run_retention(session, settings, now=t0 + timedelta(days=51))
        assert [r.reference for r in report.erased] == [reference]


def test_a_victim_adding_to_a_closed_case_restarts_its_clock(database_url: str) -> None:
    from sxr.cases.services import create_case

    settings = get_settings()
    t0 = utcnow()
    with session_scope(database_url) as session:
        case, _ = create_case(session)
        case.status, case.closed_at, case.evidence_count = "closed", t0, 1
        case.last_activity_at = t0 + timedelta(days=100)
        reference = case.reference
    with session_scope(database_url) as session:
        report = services.run_retention(session, settings, now=t0 + timedelta(days=731))
        assert report.erased == [] and report.for_review == []
        report = services.run_retention(session, settings, now=t0 + timedelta(days=805))
        assert [r.reference for r in report.for_review] == [reference]
        assert report.for_review[0].due == t0 + timedelta(days=830)
        report = services.run_retention(session, settings, now=t0 + timedelta(days=831))
        assert [r.reference for r in report.erased] == [reference]
