"""Adding a hash type is a change in one place: a SHA-1 type registered here (as NCMEC's lists carry SHA-1)
is banked and matched by the watchlist, read and written in CSV files, described and matched by the
platform API over HTTP, hashed by `sxr hash`, banked and matched by `sxr watchlist`, matched by `sxr scan`,
and refused with its own words when malformed, with nothing else changed."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sxr.accounts.services import create_api_key
from sxr.app import create_app
from sxr.cases.services import create_case
from sxr.cli import app as cli_app
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.media.exact import ExactSignal
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist import services

SECRET_FILE = b"send a pic: a file only its owner has\n"
SHA1 = hashlib.sha1(SECRET_FILE, usedforsecurity=False).hexdigest()
OTHER = hashlib.sha1(b"another file\n", usedforsecurity=False).hexdigest()
MALFORMED = "A SHA-1 hash is 40 hexadecimal digits (0-9 and a-f)."


class Sha1Signal(ExactSignal):
    """SHA-1 of the file's bytes: matches only an identical copy."""

    name: ClassVar[str] = "sha1"
    aliases: ClassVar[tuple[str, ...]] = ("photo_sha1",)
    description: ClassVar[str] = "a SHA-1 of a file's bytes"
    hex_digits: ClassVar[int] = 40
    format_message: ClassVar[str] = MALFORMED
    empty_file: ClassVar[str] = hashlib.sha1(b"", usedforsecurity=False).hexdigest()

    @classmethod
    def hash_file(cls, path: Path) -> str:
        return hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()


@pytest.fixture
def sha1() -> Iterator[type[Sha1Signal]]:
    SIGNAL_TYPES.register(Sha1Signal)
    services.reset_live_indexes()
    yield Sha1Signal
    SIGNAL_TYPES.unregister(Sha1Signal.name)
    services.reset_live_indexes()


def test_the_watchlist_banks_and_matches_a_new_type(sha1: type[Sha1Signal], database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        (entry,) = services.bank_hashes(session, case.id, [{"type": "sha1", "value": SHA1.upper()}], "t")
        assert (entry.type, entry.value) == ("sha1", SHA1)
        case_id, entry_id = case.id, entry.public_id
    with session_scope(database_url) as session:
        (hits, misses) = services.lookup(
            session, [{"type": "sha1", "value": SHA1}, {"type": "sha1", "value": OTHER}]
        )
        assert [(h.entry.public_id, h.distance) for h in hits] == [(entry_id, 0)]
        assert misses == []
        assert services.quota_use(session, case_id).pictures == 1
    with session_scope(database_url) as session:
        with pytest.raises(services.WatchlistError, match=r"Hash 1: A SHA-1 hash is 40 hexadecimal"):
            services.bank_hashes(session, case_id, [{"type": "sha1", "value": "abc"}], "t")
        with pytest.raises(services.WatchlistError, match="SHA1 of an empty file"):
            services.bank_hashes(session, case_id, [{"type": "sha1", "value": Sha1Signal.empty_file}], "t")
    services.reset_live_indexes()  # a fresh process loads the new type's entries from the database too
    with session_scope(database_url) as session:
        assert len(services.lookup(session, [{"type": "sha1", "value": SHA1}])[0]) == 1


def test_csv_import_and_export_carry_a_new_type(sha1: type[Sha1Signal], database_url: str) -> None:
    with session_scope(database_url) as session:
        imported = services.import_csv(session, f"signal_type,signal_str\nsha1,{SHA1}\n", "import:x")
        assert [(e.type, e.value, e.case_id) for e in imported] == [("sha1", SHA1, None)]
        plain = services.import_csv(session, f"photo_sha1 {OTHER}\n", "import:te")  # an alias
        assert [e.type for e in plain] == ["sha1"]
        with pytest.raises(services.WatchlistError, match=re.escape(f"Line 2: {MALFORMED}")):
            services.import_csv(session, "signal_type,signal_value\nsha1,xyz\n", "import:bad")
        out = io.StringIO()
        assert services.export_csv(session, out) == 2
    assert f"sha1,{SHA1}" in out.getvalue().splitlines()


def test_the_platform_api_describes_and_matches_a_new_type(sha1: type[Sha1Signal], database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        (entry,) = services.bank_hashes(session, case.id, [{"type": "sha1", "value": SHA1}], "t")
        entry_id = entry.public_id
        key = create_api_key(session, "ExampleChat")
    api = TestClient(create_app(get_settings()))
    doc = api.get("/api/openapi.json").json()
    options = {
        o["properties"]["type"]["const"]: o for o in doc["components"]["schemas"]["HashQuery"]["oneOf"]
    }
    assert set(options) == {"pdq", "md5", "sha256", "sha1"}
    assert options["sha1"]["properties"]["value"]["pattern"] == "^[0-9a-fA-F]{40}$"
    assert options["pdq"]["properties"]["dihedral"]["anyOf"][0]["maxItems"] == 7
    assert options["sha1"]["properties"]["dihedral"]["anyOf"][0]["maxItems"] == 0
    assert "HashQuery: sha1 hash" in api.get("/api/docs").text

    auth = {"Authorization": f"Bearer {key}"}
    body = {"hashes": [{"type": "sha1", "value": SHA1.upper()}, {"type": "sha1", "value": OTHER}]}
    response = api.post("/api/v1/match", json=body, headers=auth)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["value"] for r in results] == [SHA1, OTHER]
    assert [(m["entry_id"], m["distance"]) for m in results[0]["matches"]] == [(entry_id, 0)]
    assert results[1]["matches"] == []

    bad = api.post("/api/v1/match", json={"hashes": [{"type": "sha1", "value": "g" * 40}]}, headers=auth)
    assert bad.status_code == 422 and MALFORMED in bad.json()["detail"][0]["msg"]
    unknown = api.post("/api/v1/match", json={"hashes": [{"type": "sha3", "value": SHA1}]}, headers=auth)
    assert unknown.status_code == 422 and "pdq, md5, sha256 or sha1" in unknown.json()["detail"][0]["msg"]


def test_the_command_line_hashes_banks_and_scans_a_new_type(
    sha1: type[Sha1Signal], sqlite_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    folder = tmp_path / "phone"
    folder.mkdir()
    secret = folder / "note.bin"
    secret.write_bytes(SECRET_FILE)
    hashed = runner.invoke(cli_app, ["hash", str(secret), "--json"])
    assert hashed.exit_code == 0, hashed.output
    assert json.loads(hashed.stdout)["files"][0]["sha1"] == SHA1

    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        reference = case.reference
    added = runner.invoke(cli_app, ["watchlist", "add", reference, str(secret), "--json"])
    assert added.exit_code == 0, added.output
    banked = {e["type"]: e for e in json.loads(added.stdout)["entries"]}
    assert banked["sha1"]["hash"] == SHA1
    matched = runner.invoke(cli_app, ["watchlist", "match", str(secret), "--json"])
    assert banked["sha1"]["id"] in {m["entry_id"] for m in json.loads(matched.stdout)["files"][0]["matches"]}

    watchlist = tmp_path / "list.csv"
    watchlist.write_text(f"signal_type,signal_value,id\nsha1,{SHA1},case-17-file-1\n")
    # One worker: this process registered the type (worker processes load the registry as shipped).
    scanned = runner.invoke(
        cli_app, ["scan", str(folder), "--watchlist", str(watchlist), "--workers", "1", "--json"]
    )
    assert scanned.exit_code == 0, scanned.output
    (entry,) = json.loads(scanned.stdout)["files"]
    assert entry["matches"] == [{"entry_id": "case-17-file-1", "type": "sha1", "distance": 0}]
    watchlist.write_text("signal_type,signal_value\nsha1,nothex\n")
    refused = runner.invoke(cli_app, ["scan", str(folder), "--watchlist", str(watchlist), "--workers", "1"])
    assert refused.exit_code == 4 and MALFORMED in refused.stderr
