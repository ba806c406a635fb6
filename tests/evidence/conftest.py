"""Fixtures for evidence tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A folder outside the data dir for generated input files."""
    path = tmp_path / "in"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def no_derivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The locker's own tests count ledger entries exactly: run them without the app's derivers
    (which `create_app` installs process-wide); tests of the deriver hook set their own."""
    from sxr.evidence import services

    monkeypatch.setattr(services, "DERIVERS", [])
