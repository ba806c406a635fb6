"""Upgrades from every earlier schema version with data in it, on SQLite and PostgreSQL.

For each revision: an empty database is migrated to it, rows are written with plain SQL against that
revision's own tables (each revision's seed step writes the tables that revision added or changed, and
the steps of the revisions before it run first), then the database is upgraded to head. The data must
be intact, every model must load, the ledgers and blobs must verify, and the downgrade back to that
revision and the upgrade again must keep the rows. A new revision without a seed step here fails.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.db import dispose_engines, get_engine
from sxr.evidence.ledger import compute_hash
from sxr.evidence.models import LedgerEntry
from sxr.evidence.store import BlobStore
from sxr.hashchain import GENESIS_HASH
from sxr.migrations import alembic_config, upgrade

# As tests/conftest.py has it (a `from conftest import` finds whichever conftest was imported first).
POSTGRES_URL = os.environ.get(
    "SXR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
WHEN = datetime(2026, 3, 12, 21, 4, tzinfo=UTC)
WORDS = "he said he would send the pictures to my school unless I paid"
CHAT = b"12/03/2026, 21:04 - +44 7700 900318: send a pic or I tell everyone\n"
DERIVED = b'{"format": "whatsapp", "messages": []}'


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


class Seeder:
    """Plain SQL against one revision's tables; remembers what it wrote for the checks after."""

    def __init__(self, conn: sa.Connection, store: BlobStore) -> None:
        self.conn = conn
        self.store = store
        self.sqlite = conn.dialect.name == "sqlite"
        self.expected: dict[str, int] = {}
        self.pending: list[dict[str, Any]] = []

    def when(self, moment: datetime = WHEN) -> Any:
        # What SQLAlchemy itself would store: SQLite keeps UTC as text without an offset.
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def insert(self, table: str, **values: Any) -> None:
        names = ", ".join(values)
        params = ", ".join(f":{n}" for n in values)
        self.conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)
        self.expected[table] = self.expected.get(table, 0) + 1

    def ledger(self, case_id: int, seq: int, prev: str, action: str, **fields: Any) -> str:
        entry = LedgerEntry(
            case_id=case_id, seq=seq, action=action, actor="victim", at=WHEN, prev_hash=prev, **fields
        )
        entry.evidence_item_id = fields.get("evidence_item_id")
        entry.derived_item_id = fields.get("derived_item_id")
        entry.sha256 = fields.get("sha256")
        entry.entry_hash = compute_hash(entry)
        self.pending.append(
            dict(
                id=seq,
                case_id=case_id,
                seq=seq,
                action=action,
                evidence_item_id=entry.evidence_item_id,
                derived_item_id=entry.derived_item_id,
                sha256=entry.sha256,
                actor="victim",
                at=self.when(),
                details=entry.details,
                prev_hash=prev,
                entry_hash=entry.entry_hash,
            )
        )
        return entry.entry_hash


def seed_0001(s: Seeder) -> None:
    item = s.store.put_bytes(CHAT)
    derived = s.store.put_bytes(DERIVED)
    facts = {
        "name": "chat.txt",
        "size": item.size,
        "media_type": "text/plain",
        "kind": "chat_export",
        "received_at": WHEN.isoformat(timespec="microseconds"),
        "received_by": "victim",
    }
    details = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    first = s.ledger(1, 1, GENESIS_HASH, "received", evidence_item_id=1, sha256=item.sha256, details=details)
    head = s.ledger(
        1, 2, first, "derived", evidence_item_id=1, derived_item_id=1, sha256=derived.sha256, details="{}"
    )
    s.insert(
        "cases",
        id=1,
        reference="SXR-MIGR-0001",
        pin_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        status="open",
        created_at=s.when(),
        age_band="13-15",
        platforms="snapchat\ninstagram",
        what_happened=WORDS,  # written before sealing existed: read back as it was
        failed_pin_attempts=0,
        lockouts=0,
        locked_until=None,
        ledger_seq=2,
        ledger_head=head,
    )
    s.insert(
        "cases",
        id=2,
        reference="SXR-MIGR-0002",
        pin_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        status="closed",
        created_at=s.when(),
        failed_pin_attempts=0,
        lockouts=0,
        ledger_seq=0,
        ledger_head=GENESIS_HASH,
    )
    s.insert(
        "evidence_items",
        id=1,
        case_id=1,
        original_name="chat.txt",
        size=item.size,
        media_type="text/plain",
        kind="chat_export",
        sha256=item.sha256,
        received_at=s.when(),
        received_by="victim",
    )
    s.insert(
        "derived_items",
        id=1,
        evidence_item_id=1,
        kind="conversation",
        media_type="application/json",
        sha256=derived.sha256,
        size=derived.size,
        created_at=s.when(),
        created_by="deriver",
    )
    for row in s.pending:  # after the case and items they point to
        s.insert("ledger_entries", **row)
    s.insert(
        "victim_sessions",
        id=1,
        case_id=1,
        token_hash="a" * 64,
        created_at=s.when(),
        last_used_at=s.when(),
        revoked_at=None,
    )
    s.insert(
        "audit_events",
        id=1,
        at=s.when(),
        actor="officer@example.com",
        action="case.view",
        case_id=1,
        subject="SXR-MIGR-0001",
        why="triage",
    )


def seed_0002(s: Seeder) -> None:
    s.insert(
        "indicator_decisions",
        id=1,
        case_id=1,
        kind="phone",
        value="+447700900318",
        decision="confirmed",
        decided_by="analyst@example.com",
        decided_at=s.when(),
        raw="+44 7700 900318",
    )


def seed_0003(s: Seeder) -> None:
    s.insert(
        "watchlist_entries",
        id=1,
        public_id="wl_victim",
        case_id=1,
        type="pdq",
        value="f" * 64,
        quality=90,
        added_by="victim",
        created_at=s.when(),
    )
    s.insert(
        "watchlist_entries",
        id=2,
        public_id="wl_operator",
        case_id=None,
        type="md5",
        value="0" * 32,
        quality=None,
        added_by="operator",
        created_at=s.when(),
    )
    s.insert(
        "watchlist_entries",
        id=3,
        public_id="wl_video",
        case_id=1,
        type="vpdq",
        value=None,
        quality=None,
        added_by="victim",
        created_at=s.when(),
    )
    s.insert("watchlist_frames", id=1, entry_id=3, frame=0, timestamp=0.0, hash="e" * 64, quality=80)
    s.insert(
        "watchlist_matches",
        id=1,
        public_id="m_1",
        entry_id=1,
        platform="example-platform",
        distance=4,
        query_hash="f" * 63 + "e",
        created_at=s.when(),
        feedback=None,
        feedback_at=None,
    )
    s.insert("watchlist_alerts", id=1, case_id=1, match_id=1, kind="match", created_at=s.when(), seen_at=None)
    s.insert(
        "api_keys",
        id=1,
        name="example-platform",
        prefix="sxr_abcd",
        key_hash="b" * 64,
        created_at=s.when(),
        revoked_at=None,
    )


def seed_0004(s: Seeder) -> None:
    s.insert(
        "staff_users",
        id=1,
        email="officer@example.com",
        display_name="Officer Example",
        role="officer",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        active=True,
        must_change_password=False,
        created_at=s.when(),
        failed_logins=0,
        locked_until=None,
    )
    s.insert(
        "staff_sessions",
        id=1,
        token_hash="c" * 64,
        user_id=1,
        created_at=s.when(),
        last_seen_at=s.when(),
        ended_at=None,
        csrf_secret="d" * 64,
    )


def seed_0005(s: Seeder) -> None:
    s.insert("rate_counters", key="report_start:127.0.0.1", window_start=1_773_349_200, count=3)
    s.conn.execute(sa.text("UPDATE cases SET risk_level = 'high', risk_score = 0.9 WHERE id = 1"))


def seed_0006(s: Seeder) -> None:
    s.insert(
        "evidence_readings",
        id=1,
        evidence_item_id=1,
        case_id=1,
        state="read",
        problem=None,
        detail=None,
        date_order="DMY",
        date_how="inferred",
        date_choice=None,
        updated_at=s.when(),
    )


def seed_0007(s: Seeder) -> None:
    s.insert(
        "watchlist_entries",
        id=4,
        public_id="wl_reviewed",
        case_id=1,
        type="pdq",
        value="a" * 64,
        quality=70,
        added_by="victim",
        created_at=s.when(),
        trust="reviewed",
        reviewed_by="officer@example.com",
        reviewed_at=s.when(),
    )


def seed_0009(s: Seeder) -> None:
    from sxr.retention.models import Erasure
    from sxr.retention.services import erasure_hash

    s.insert(
        "case_holds",
        id=1,
        case_id=1,
        reason="court date 2027-01-15",
        set_by="officer@example.com",
        set_at=s.when(),
        lifted_by=None,
        lifted_at=None,
        lift_reason=None,
    )
    fields = dict(
        seq=1,
        at=WHEN,
        reason="victim",
        actor="victim",
        reference_mac="5" * 64,
        case_created_at=WHEN,
        ledger_seq=3,
        ledger_head="6" * 64,
        evidence_items=1,
        derived_items=0,
        watchlist_entries=0,
        bytes=67,
        items_digest="7" * 64,
        prev_hash=GENESIS_HASH,
    )
    entry = Erasure(**fields)
    fields.update(at=s.when(), case_created_at=s.when(), entry_hash=erasure_hash(entry))
    s.insert("erasures", id=1, **fields)


def seed_0011(s: Seeder) -> None:
    # Cases 1 and 2 (seed_0001) share the offender's phone, and a confirmed suggestion.
    for case_id in (1, 2):
        s.insert("link_observables", id=case_id, case_id=case_id, kind="phone", value="+447700900461")
        s.insert(
            "link_scripts",
            case_id=case_id,
            names="Jess",
            minhash="1 2 3",
            under_18=True,
            self_harm=False,
            paid=False,
            hours_to_threat=None,
            updated_at=s.when(),
        )
    s.insert(
        "offenders",
        id=1,
        key=1,
        harm=50.0,
        victims=2,
        under_18=2,
        self_harm=0,
        paid=0,
        latest_at=s.when(),
        updated_at=s.when(),
    )
    for case_id in (1, 2):
        s.insert("offender_cases", case_id=case_id, offender_id=1)
    evidence = json.dumps([{"kind": "handle", "value": "jess.x / jess_x", "why": "the same handle"}])
    s.insert(
        "link_suggestions",
        id=1,
        case_a=1,
        case_b=2,
        score=0.8,
        evidence=evidence,
        engine="duckdb",
        status="confirmed",
        created_at=s.when(),
    )
    s.insert(
        "link_decisions",
        id=1,
        case_a=1,
        case_b=2,
        decision="confirmed",
        decided_by="Analyst Example",
        why="same handle",
        decided_at=s.when(),
    )


def seed_0012(s: Seeder) -> None:
    # The queue's search: case 1's offender phone; and what the queue shows of case 1 without a blob.
    s.insert("case_search_identifiers", id=1, case_id=1, kind="phone", value="+447700900461")
    s.conn.execute(
        sa.text("UPDATE cases SET paid = :yes, threat_after_minutes = 42 WHERE id = 1"), {"yes": True}
    )


def seed_0013(s: Seeder) -> None:
    # Case 1 was made by a start form whose one-time start token is recorded (its hash only).
    s.insert("report_starts", id=1, start_hash="a" * 64, case_id=1, made_at=s.when())


def seed_0014(s: Seeder) -> None:
    # Evidence item 1 of case 1 was read by a job that is done; a nightly retention job failed for good.
    s.insert(
        "jobs",
        id=1,
        kind="derive",
        case_id=1,
        evidence_item_id=1,
        state="done",
        attempts=1,
        max_attempts=4,
        payload="{}",
        not_before=s.when(),
        enqueued_at=s.when(),
        created_at=s.when(),
        finished_at=s.when(),
    )
    s.insert(
        "jobs",
        id=2,
        kind="retention",
        state="failed",
        attempts=4,
        max_attempts=4,
        payload="{}",
        last_error="RuntimeError: the disk is full",
        dedupe_key="retention:2026-12-08T03:17",
        not_before=s.when(),
        enqueued_at=s.when(),
        created_at=s.when(),
    )


def seed_0015(s: Seeder) -> None:
    # The triggers number every bank; the change sequence is named by its first snapshot.
    s.insert(
        "watchlist_entries",
        id=5,
        public_id="wl_numbered",
        case_id=None,
        type="md5",
        value="1" * 32,
        quality=None,
        added_by="operator",
        created_at=s.when(),
        trust="reviewed",
    )
    # Seeded at 0015, every entry the steps before wrote was numbered too (the triggers were there).
    s.expected["watchlist_changes"] = s.expected["watchlist_entries"]
    s.insert("watchlist_change_logs", id=1, token="c" * 32)


def seed_0016(s: Seeder) -> None:
    # Staff marked case 1's first evidence item as the offender's picture (its PDQ hash links cases).
    s.insert(
        "link_pictures",
        id=1,
        case_id=1,
        evidence_item_id=1,
        pdq="f" * 32 + "0" * 32,
        quality=100,
        marked_by="Analyst Example",
        marked_at=s.when(),
    )


def seed_0018(s: Seeder) -> None:
    # A platform's key has spent from its shared token bucket (full again at this microsecond).
    s.insert("rate_buckets", key="api:0123456789abcdef", full_at_us=1_765_000_000_000_000)


SEEDS: dict[str, Callable[[Seeder], None]] = {
    "0001": seed_0001,
    "0002": seed_0002,
    "0003": seed_0003,
    "0004": seed_0004,
    "0005": seed_0005,
    "0006": seed_0006,
    "0007": seed_0007,
    "0009": seed_0009,
    "0011": seed_0011,
    "0012": seed_0012,
    "0013": seed_0013,
    "0014": seed_0014,
    "0015": seed_0015,
    "0016": seed_0016,
    "0018": seed_0018,
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[str]:
    """An empty database with no tables at all (not the migrated template)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        dispose_engines()
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"sxr_migr_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}"
        if os.environ.get("SXR_REQUIRE_POSTGRES", "") not in ("", "0"):
            pytest.fail(f"{reason} (and SXR_REQUIRE_POSTGRES requires it)")
        pytest.skip(reason)
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_revision_has_a_seed_step() -> None:
    missing = [rev for rev in _revisions() if rev not in SEEDS]
    assert not missing, (
        f"add a seed step to {__file__} for revision(s) {missing}: upgrades from them are untested"
    )


def _counts(conn: sa.Connection, tables: list[str]) -> dict[str, int]:
    return {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in tables}


@pytest.mark.parametrize("revision", _revisions())
def test_upgrade_from_each_revision_keeps_the_data(
    empty_database: str, settings: Settings, revision: str
) -> None:
    from sxr.cases.models import Case
    from sxr.cases.sealing import unseal
    from sxr.evidence.services import verify
    from sxr.models import load_all_models
    from sxr.watchlist.models import WatchlistEntry

    url = empty_database
    revisions = _revisions()
    upgrade(url, revision)
    store = BlobStore.for_settings(settings)
    engine = get_engine(url)
    with engine.begin() as conn:
        seeder = Seeder(conn, store)
        for rev in revisions[: revisions.index(revision) + 1]:
            SEEDS[rev](seeder)
    if engine.dialect.name == "postgresql":  # ids were given: move each sequence past them
        with engine.begin() as conn:
            for table in seeder.expected:
                # No id sequence to move: keyed otherwise, or numbered by the database's own triggers.
                keyed = (
                    "rate_counters",
                    "rate_buckets",
                    "link_scripts",
                    "offender_cases",
                    "watchlist_changes",
                )
                if table not in keyed:
                    sequence = f"pg_get_serial_sequence('{table}', 'id')"
                    conn.execute(sa.text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
    expected = seeder.expected

    upgrade(url, "head")
    with engine.connect() as conn:
        assert _counts(conn, list(expected)) == expected
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == revisions[-1]

    base = load_all_models()
    with Session(engine) as session:
        # The app reads every table through its models, and the evidence verifies end to end.
        for mapper in base.registry.mappers:
            for row in session.scalars(sa.select(mapper.class_)).all():
                for attribute in mapper.column_attrs:
                    getattr(row, attribute.key)
        case = session.get(Case, 1)
        assert case is not None and case.reference == "SXR-MIGR-0001"
        assert unseal(settings, case.what_happened) == WORDS
        if revision < "0005":  # the counts 0005 added are filled in from the rows already there
            assert case.evidence_count == 1
        if revision >= "0012":  # written at 0012 itself (before, the columns start empty)
            assert case.paid and case.threat_after_minutes == 42
        closed = session.get(Case, 2)
        assert closed is not None and closed.status == "closed"
        if revision < "0009":  # 0009: a case closed before it counts as closed from the upgrade
            assert closed.closed_at is not None
        if "erasures" in expected:
            from sxr.retention.services import walk_erasures

            assert walk_erasures(session) == []
        result = verify(session, settings, record=False, store=store)
        assert result.intact, result.problems
        assert (result.items, result.derived, result.entries) == (1, 1, 2)
        if "watchlist_entries" in expected:
            trust = {e.public_id: e.trust for e in session.scalars(sa.select(WatchlistEntry))}
            assert trust["wl_victim"] == "victim"
            # 0007: what an operator banked before trust levels existed counts as reviewed.
            assert trust["wl_operator"] == ("reviewed" if revision < "0007" else "victim")

    # Down to the revision the data was written at, and up again: nothing of it is lost.
    command.downgrade(alembic_config(url), revision)
    with engine.connect() as conn:
        assert _counts(conn, list(expected)) == expected
    upgrade(url, "head")
    with engine.connect() as conn:
        assert _counts(conn, list(expected)) == expected


def test_head_down_to_base_and_up_again(empty_database: str) -> None:
    upgrade(empty_database, "head")
    command.downgrade(alembic_config(empty_database), "base")
    engine = get_engine(empty_database)
    with engine.connect() as conn:
        left = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
    assert left == []
    upgrade(empty_database, "head")
