"""The index's snapshot on disk: written by `sxr watchlist snapshot`, mapped on start and caught up from
the change sequence; a damaged, foreign or future snapshot is set aside (a warning) and the database used."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from sxr.cases.services import create_case
from sxr.config import Settings, get_settings
from sxr.db import get_engine, session_scope
from sxr.media.index import codes_to_hex
from sxr.watchlist import services
from sxr.watchlist.snapshot import MANIFEST, snapshot_folder, snapshot_now

RNG = np.random.default_rng(16)
HASHES = codes_to_hex(RNG.integers(0, 2**63, size=(40, 4), dtype=np.uint64) * 2 + 1)
MD5 = "9e107d9d372bb6826bd81d3542a419d6"
FRAMES = [{"frame": i, "timestamp": float(i), "hash": HASHES[30 + i], "quality": 90} for i in range(4)]


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    services.reset_live_indexes()
    yield
    services.reset_live_indexes()


def _bank(url: str, values: list[str]) -> list[str]:
    with session_scope(url) as session:
        case, _pin = create_case(session)
        entries = services.bank_hashes(
            session, case.id, [{"type": "pdq", "value": v, "quality": 90} for v in values], "t"
        )
        return [e.public_id for e in entries]


def _matches(url: str, values: list[str]) -> list[list[str]]:
    with session_scope(url) as session:
        found = services.lookup(session, [{"type": "pdq", "value": v} for v in values])
        return [[hit.entry.public_id for hit in hits] for hits in found]


def _write(url: str, settings: Settings) -> Path:
    with session_scope(url) as session:
        index = services.live_index(session)
        folder = snapshot_now(index, get_engine(url), settings)
    assert folder is not None
    services.reset_live_indexes()  # the next use is a process starting afresh
    return folder


def _source(url: str) -> str:
    with session_scope(url) as session:
        return services.live_index(session).source


def test_a_process_starts_from_the_snapshot_and_catches_up(database_url: str, settings: Settings) -> None:
    first = _bank(database_url, HASHES[:20])
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(session, case.id, [{"type": "md5", "value": MD5}], "t")
        services.bank_hashes(session, case.id, [{"type": "vpdq", "frames": FRAMES}], "t")
        services.withdraw_entry(session, first[3])
    _write(database_url, settings)
    # Changes after the snapshot: a bank and a withdrawal, applied from the change sequence on start.
    later = _bank(database_url, HASHES[20:25])
    with session_scope(database_url) as session:
        services.withdraw_entry(session, first[5])
        services.withdraw_entry(session, later[1])
    with session_scope(database_url) as session:
        index = services.live_index(session)
        assert index.source == "snapshot"
        assert index.loaded()["pdq"] == 20 - 2 + 5 - 1
        assert index.loaded()["md5"] == 1 and index.loaded()["vpdq"] == 1
        assert services.lookup(session, [{"type": "md5", "value": MD5}])[0]
        video = services.lookup_frames(session, {"type": "vpdq", "frames": FRAMES})
        assert len(video) == 1
    found = _matches(database_url, HASHES[:25])
    gone = {3, 5, 21}
    for i, ids in enumerate(found):
        assert (ids == []) == (i in gone), i


def test_sxr_watchlist_snapshot_writes_one_and_a_new_process_uses_it(
    database_url: str, settings: Settings
) -> None:
    from typer.testing import CliRunner

    from sxr.cli import app

    _bank(database_url, HASHES[:10])
    result = CliRunner().invoke(app, ["watchlist", "snapshot", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["entries"]["pdq"] == 10 and out["change_seq"] >= 10
    manifest = json.loads((snapshot_folder(settings) / MANIFEST).read_text())
    assert manifest["seq"] == out["change_seq"] and Path(out["path"]).name == manifest["folder"]
    services.reset_live_indexes()
    assert _source(database_url) == "snapshot"
    assert all(_matches(database_url, HASHES[:10]))


def _damage(folder: Path) -> None:
    biggest = max(folder.glob("pdq.*.npy"), key=lambda p: p.stat().st_size)
    raw = bytearray(biggest.read_bytes())
    raw[-1] ^= 0xFF
    biggest.write_bytes(bytes(raw))


def _foreign(url: str) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(text("UPDATE watchlist_change_logs SET token = 'another database'"))


def _from_the_future(url: str) -> None:
    # The database was put back to before the snapshot: its changes end before the snapshot's number.
    with get_engine(url).begin() as conn:
        newest = conn.execute(text("SELECT max(seq) FROM watchlist_changes")).scalar_one()
        conn.execute(text("DELETE FROM watchlist_changes WHERE seq = :s"), {"s": newest})


def _torn(folder: Path) -> None:
    manifest = folder.parent / MANIFEST
    manifest.write_text(manifest.read_text()[:40])


@pytest.mark.parametrize("spoil", [_damage, _foreign, _from_the_future, _torn])
def test_a_spoilt_snapshot_is_set_aside_and_the_database_read(
    database_url: str, settings: Settings, caplog: pytest.LogCaptureFixture, spoil: object
) -> None:
    _bank(database_url, HASHES[:10])
    folder = _write(database_url, settings)
    if spoil in (_foreign, _from_the_future):
        spoil(database_url)  # type: ignore[operator]
    else:
        spoil(folder)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="sxr.watchlist.snapshot"):
        assert _source(database_url) == "database"
    assert "was not used" in caplog.text
    assert all(_matches(database_url, HASHES[:10]))


def test_a_snapshot_for_another_match_radius_is_set_aside(
    database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bank(database_url, HASHES[:10])
    _write(database_url, settings)
    monkeypatch.setenv("SXR_MATCH_RADIUS", "20")
    get_settings.cache_clear()
    assert _source(database_url) == "database"
    assert all(_matches(database_url, HASHES[:10]))


def test_a_big_load_from_the_database_leaves_a_snapshot_for_the_next_start(
    sqlite_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sxr.watchlist import live

    monkeypatch.setattr(live, "SNAPSHOT_AFTER_LOADING", 5)
    _bank(sqlite_url, HASHES[:10])
    services.reset_live_indexes()
    assert _source(sqlite_url) == "database"
    manifest = snapshot_folder(settings) / MANIFEST
    for _ in range(200):  # written in a thread
        if manifest.exists():
            break
        time.sleep(0.05)
    services.reset_live_indexes()
    assert _source(sqlite_url) == "snapshot"
    assert all(_matches(sqlite_url, HASHES[:10]))
