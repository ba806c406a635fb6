"""`sxr retention run [--dry-run]` and `sxr retention erasures` as an operator (or a job) runs them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from sxr.cases.models import Case
from sxr.cli import app
from sxr.clock import utcnow
from sxr.db import session_scope


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click 8.2 keeps stderr apart already
        return CliRunner()


def test_run_dry_then_for_real_then_the_erasure_ledger(database_url: str, runner: CliRunner) -> None:
    from sxr.cases.services import create_case

    with session_scope(database_url) as session:
        old, _ = create_case(session)
        fresh, _ = create_case(session)
        old_ref, fresh_ref = old.reference, fresh.reference
        session.flush()
        session.execute(
            update(Case).where(Case.id == old.id).values(created_at=utcnow() - timedelta(days=45))
        )

    dry = runner.invoke(app, ["retention", "run", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.stderr
    body = json.loads(dry.stdout)
    assert body["dry_run"] is True and [r["reference"] for r in body["erased"]] == [old_ref]
    listed = runner.invoke(app, ["retention", "erasures", "--json"])
    assert json.loads(listed.stdout) == {"erasures": [], "intact": True, "problems": []}

    done = runner.invoke(app, ["retention", "run"])
    assert done.exit_code == 0, done.stderr
    assert f"deleted {old_ref} (empty report" in done.stdout and fresh_ref not in done.stdout
    found = runner.invoke(app, ["retention", "erasures", "--reference", old_ref.lower(), "--json"])
    body = json.loads(found.stdout)
    assert [e["reason"] for e in body["erasures"]] == ["empty_report"] and body["intact"]
    missing = runner.invoke(app, ["retention", "erasures", "--reference", fresh_ref])
    assert "no deleted case has that reference" in missing.stdout
