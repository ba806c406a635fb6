"""Building a report pack decrypts the originals, but never into the data dir (encrypted at rest there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sxr.reports.services as report_services
from sxr.cases.services import create_case
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence.services import add_evidence
from sxr.pipeline.derivers import DERIVERS

MARKER = b"PLAINTEXT-MARKER-7f3a9c41-only-in-the-original"


def _holds_marker(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and MARKER in p.read_bytes()]


def test_no_original_is_decrypted_into_the_data_dir_while_a_pack_is_built(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    original = tmp_path / "chat.txt"
    original.write_bytes(b"12/03/2026, 21:04 - Lily: " + MARKER + b"\n13/03/2026, 21:05 - Tom: ok\n")
    seen_during_build: list[list[Path]] = []
    real_build_pack = report_services.build_pack

    def watching_build_pack(*args: Any, **kwargs: Any) -> Any:
        seen_during_build.append(_holds_marker(settings.data_dir))  # the originals are decrypted by now
        return real_build_pack(*args, **kwargs)

    monkeypatch.setattr(report_services, "build_pack", watching_build_pack)
    with session_factory(sqlite_url)() as session:
        case, _pin = create_case(session)
        add_evidence(session, settings, case, original, received_by="cli", derivers=DERIVERS)
        out = tmp_path / "pack.zip"
        report_services.build_case_pack(session, settings, case, out, actor="cli")
    assert seen_during_build == [[]]
    assert MARKER in out.read_bytes()  # the pack itself carries the original, as received
    assert _holds_marker(settings.data_dir) == []
