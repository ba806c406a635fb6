"""Local times where the clocks change: the repeated hour keeps time going forward; each is warned about."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sxr.conversations.importers import import_path
from sxr.conversations.importers.base import ImportOptions, ImportRun


def _run() -> ImportRun:
    return ImportRun(cast(Any, None), ImportOptions(tz="Europe/London"), "test")


def _utc(run: ImportRun, text: str) -> str:
    return run.local(datetime.fromisoformat(text)).astimezone(UTC).strftime("%H:%M")


def test_the_repeated_hour_never_goes_back_in_time() -> None:
    run = _run()
    read = [_utc(run, f"2025-10-26 {t}") for t in ("00:50", "01:30", "01:10", "01:50", "02:00")]
    assert read == ["23:50", "00:30", "01:10", "01:50", "02:00"]
    assert len(run.warnings) == 1 and run.warnings[0].startswith("3 times fall in an hour when the clocks")


def test_a_skipped_time_is_a_real_time_and_is_warned_about() -> None:
    run = _run()
    skipped = run.local(datetime(2025, 3, 30, 1, 30))
    assert skipped.isoformat() == "2025-03-30T02:30:00+01:00"  # 01:30 on the clock before it changed
    assert run.warnings and run.warnings[0].startswith("1 time falls")


def test_ordinary_days_are_unchanged_and_not_warned_about() -> None:
    run = _run()
    assert run.local(datetime(2025, 7, 1, 12, 0)).isoformat() == "2025-07-01T12:00:00+01:00"
    assert run.local(datetime(2025, 7, 1, 23, 59)).isoformat() == "2025-07-01T23:59:00+01:00"
    assert run.local(datetime(2025, 12, 1, 9, 0)).isoformat() == "2025-12-01T09:00:00+00:00"
    assert run.local(datetime(2025, 10, 26, 12, 0)).isoformat() == "2025-10-26T12:00:00+00:00"
    assert run.warnings == []


def test_a_signal_chat_through_the_repeated_hour(tmp_path: Path) -> None:
    folder = tmp_path / "Lily"
    folder.mkdir()
    (folder / "chat.md").write_text(
        "[2025-10-26 01:30:00] Lily: first time round\n[2025-10-26 01:10:00] Tom: second time round\n"
    )
    chat = import_path(folder, tz="Europe/London")
    times = [m.sent_at for m in chat.messages]
    assert [t.isoformat() for t in times if t] == ["2025-10-26T01:30:00+01:00", "2025-10-26T01:10:00+00:00"]
    assert times[0] is not None and times[1] is not None and times[0] < times[1]
    assert any(w.startswith("2 times fall") for w in chat.warnings)
