"""Fixtures: hand-made report facts and a signed pack made from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from report_sample import CHAT, SCREENSHOT, make_facts

from sxr.reports.facts import ReportFacts
from sxr.reports.pack import PackResult, build_pack


@pytest.fixture
def facts() -> ReportFacts:
    return make_facts()


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def pack(tmp_path: Path, facts: ReportFacts, signing_key: Ed25519PrivateKey) -> PackResult:
    chat = tmp_path / "chat.txt"
    chat.write_bytes(CHAT)
    return build_pack(facts, {"1": chat, "2": SCREENSHOT}, tmp_path / "pack.zip", signing_key)
