"""One watchlist, two real processes: an entry banked or withdrawn in this one is matched (or no longer)
by another process on the same database, through the change sequence; a rolled-back bank never is.

The other process is `index_watcher.py`, started with the hashes to watch. How fast it learns is measured
by bench/index_start.py (the goal is within 1 s); here it must learn at all, without a restart, within a
generous deadline, and its look-ups for hashes that match nothing must not ask the database.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sxr.cases.services import create_case
from sxr.db import session_factory, session_scope
from sxr.watchlist import services

WATCHER = Path(__file__).with_name("index_watcher.py")
BANKED = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
ROLLED_BACK = "0f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22f"
DEADLINE = 20.0

pytestmark = pytest.mark.slow  # two processes start and import sxr each time


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    services.reset_live_indexes()
    yield
    services.reset_live_indexes()


class Watcher:
    """The other process, and the lines it printed."""

    def __init__(self, hashes: list[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WATCHER), str(DEADLINE * 2), *hashes],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready = self.next_line()
        assert self.ready.get("ready"), self.ready

    def next_line(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the watching process ended early"
        doc: dict[str, Any] = json.loads(line)
        return doc

    def until(self, value: str, matched: bool, indexed: bool) -> dict[str, Any]:
        """The first line saying `value` reached this state (fails after the deadline)."""
        stop = time.monotonic() + DEADLINE
        while time.monotonic() < stop:
            doc = self.next_line()
            if doc.get("hash") == value and doc["matched"] == matched and doc["indexed"] == indexed:
                return doc
        raise AssertionError(f"the other process never saw {value[:8]} matched={matched} indexed={indexed}")

    def finish(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        lines = [json.loads(line) for line in self.process.stdout.read().splitlines()]
        assert self.process.wait(timeout=30) == 0
        return lines[-1]


def test_a_bank_and_a_withdrawal_here_reach_another_process(database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        case_id = case.id
    watcher = Watcher([BANKED, ROLLED_BACK])
    try:
        # A bank that rolls back is never numbered, so the other process never indexes it.
        session = session_factory(database_url)()
        services.bank_hashes(session, case_id, [{"type": "pdq", "value": ROLLED_BACK, "quality": 90}], "t")
        session.rollback()
        session.close()
        with session_scope(database_url) as session:
            (entry,) = services.bank_hashes(
                session, case_id, [{"type": "pdq", "value": BANKED, "quality": 90}], "t"
            )
            public_id = entry.public_id
        banked_at = time.time()
        seen = watcher.until(BANKED, matched=True, indexed=True)
        assert seen["at"] >= banked_at - 0.05
        with session_scope(database_url) as session:
            services.withdraw_entry(session, public_id)
        # Out of its answers at once (it checks every hit), and out of its index from the change sequence.
        watcher.until(BANKED, matched=False, indexed=False)
        time.sleep(3)  # a while of look-ups that match nothing
        done = watcher.finish()
    finally:
        watcher.process.kill()
        watcher.process.wait()
    # ROLLED_BACK never changed state, so it never printed a line; and look-ups that matched nothing
    # asked the database (almost) never: only when its follower had not caught up for 0.9 s.
    assert done["lookups"] > 10
    assert done["lookup_queries"] <= done["lookups"] // 10, done


def test_a_case_erased_here_stops_matching_in_another_process(database_url: str) -> None:
    from sxr.cases.models import Case
    from sxr.config import get_settings
    from sxr.retention.services import erase_case

    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(session, case.id, [{"type": "pdq", "value": BANKED, "quality": 90}], "t")
        case_id = case.id
    watcher = Watcher([BANKED])
    try:
        assert watcher.ready["seq"] >= 1  # it loaded the entry, and the number of its bank
        watcher.until(BANKED, matched=True, indexed=True)
        with session_scope(database_url) as session:
            erased = session.get(Case, case_id)
            assert erased is not None
            erase_case(session, get_settings(), erased, reason="victim_request", actor="test")
        watcher.until(BANKED, matched=False, indexed=False)
        watcher.finish()
    finally:
        watcher.process.kill()
        watcher.process.wait()
