"""For the operations tests: real cases with evidence, the `sxr` command, scratch PostgreSQL databases."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sxr.config import Settings
from sxr.db import session_scope

SXR = str(Path(sys.executable).parent / "sxr")

CHAT = (
    "12/03/2026, 21:04 - +44 7700 900318: hey its jay_smith.22 add me on snap\n"
    "12/03/2026, 21:06 - +44 7700 900318: send a pic or I tell everyone\n"
    "12/03/2026, 21:09 - +44 7700 900318: pay £500 to cashapp $LilyPays09 now\n"
)


def sxr(
    *args: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """`sxr ARGS` as a real process, with this test's environment (and `env` on top)."""
    return subprocess.run(
        [SXR, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


POSTGRES_URL = os.environ.get(
    "SXR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)  # as tests/conftest.py has it (a `from conftest import` finds whichever conftest came first)


def require_postgres(template: str | None) -> None:
    """Skip where the server is not reachable (the `postgres_template` fixture is None); fail in CI."""
    if template is None:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}"
        if os.environ.get("SXR_REQUIRE_POSTGRES", "") not in ("", "0"):
            pytest.fail(f"{reason} (and SXR_REQUIRE_POSTGRES requires it)")
        pytest.skip(reason)


def make_cases(
    url: str,
    settings: Settings,
    folder: Path,
    cases: int = 2,
    files: int = 2,
    words: str | None = "he said pay",
) -> list[str]:
    """`cases` cases, each with `files` chat exports (distinct content) and sealed words; their references."""
    from sxr.cases.services import NewCaseAnswers, create_case
    from sxr.evidence.services import add_evidence
    from sxr.pipeline.derivers import DERIVERS

    folder.mkdir(exist_ok=True)
    references = []
    with session_scope(url) as session:
        for c in range(cases):
            case, _pin = create_case(
                session, NewCaseAnswers(what_happened=words and f"{words} ({c})"), settings
            )
            session.commit()
            for f in range(files):
                path = folder / f"chat-{c}-{f}.txt"
                path.write_text(CHAT + f"12/03/2026, 21:1{f % 10} - +44 7700 900318: case {c} file {f}\n")
                add_evidence(session, settings, case, path, received_by="victim", derivers=DERIVERS)
            references.append(case.reference)
    return references


def admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@contextmanager
def empty_postgres(url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `url` (dropped after)."""
    name = f"sxr_restore_{uuid.uuid4().hex[:12]}"
    admin = admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
