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
