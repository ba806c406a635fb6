"""`sxr backup create | verify | restore`: a snapshot taken while uploads run, restored and proved whole."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from ops_helpers import CHAT, POSTGRES_URL, empty_postgres, make_cases, require_postgres, sxr

from sxr.config import Settings, get_settings
from sxr.db import dispose_engines


def _restore_env(tmp_path: Path, url: str, engine: str) -> tuple[dict[str, str], Path]:
    data = tmp_path / "restored"
    env = {"SXR_DATA_DIR": str(data)}
    env["SXR_DATABASE_URL"] = url if engine == "postgresql" else ""
    return env, data


@pytest.mark.slow
def test_backup_while_uploads_run_restores_whole(
    database_url: str, settings: Settings, tmp_path: Path
) -> None:
    """Real `sxr evidence add` processes keep adding while `sxr backup create` runs; the restored copy,
    on the same engine, passes `sxr backup verify` and `sxr evidence verify`."""
    settings = get_settings()
    (reference,) = make_cases(database_url, settings, tmp_path / "in", cases=1, files=1)
    dispose_engines()
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    added: list[int] = []
    errors: list[str] = []

    def upload() -> None:
        for batch in range(4):
            files = []
            for n in range(3):
                path = uploads / f"up-{batch}-{n}.txt"
                path.write_text(CHAT + f"13/03/2026, 10:0{n} - +44 7700 900318: batch {batch} file {n}\n")
                files.append(str(path))
            done = sxr("evidence", "add", reference, *files, "--json")
            if done.returncode:
                errors.append(done.stderr)
            else:
                added.append(len(json.loads(done.stdout)["items"]))

    uploader = threading.Thread(target=upload)
    uploader.start()
    deadline = time.monotonic() + 120
    while not added and time.monotonic() < deadline:  # back up once uploads are under way
        time.sleep(0.1)
    backup = tmp_path / "backup"
    made = sxr("backup", "create", str(backup), "--with-keys", str(tmp_path / "keys.json"), "--json")
    still_uploading = uploader.is_alive()
    uploader.join()
    assert made.returncode == 0, made.stderr
    assert not errors, errors
    assert still_uploading, "the uploads ended before the backup ran: the test proved nothing"
    doc = json.loads(made.stdout)
    assert 1 < doc["counts"]["evidence_items"] <= 13

    checked = sxr("backup", "verify", str(backup), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["items"] == doc["counts"]["evidence_items"]

    engine = doc["engine"]
    if engine == "postgresql":
        with empty_postgres(database_url) as target:
            env, data = _restore_env(tmp_path, target, engine)
            _restore_and_verify(backup, tmp_path, env, doc)
    else:
        env, data = _restore_env(tmp_path, "", engine)
        _restore_and_verify(backup, tmp_path, env, doc)
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE((data / "sxr.sqlite3").stat().st_mode) == 0o600


def _restore_and_verify(backup: Path, tmp_path: Path, env: dict[str, str], doc: dict) -> None:
    restored = sxr("backup", "restore", str(backup), "--keys", str(tmp_path / "keys.json"), env=env)
    assert restored.returncode == 0, restored.stderr
    verified = sxr("evidence", "verify", "--json", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    result = json.loads(verified.stdout)
    assert result["intact"] and result["items"] == doc["counts"]["evidence_items"]
    assert result["cases"] == doc["counts"]["cases"]
    # A second restore into the now full deployment is refused, in words.
    again = sxr("backup", "restore", str(backup), env=env)
    assert again.returncode == 1
    assert "only into an empty data dir and an empty database" in again.stderr


@pytest.fixture
def sqlite_backup(sqlite_url: str, settings: Settings, tmp_path: Path) -> Path:
    make_cases(sqlite_url, settings, tmp_path / "in", cases=2, files=2)
    dispose_engines()
    backup = tmp_path / "backup"
    made = sxr("backup", "create", str(backup))
    assert made.returncode == 0, made.stderr
    return backup


def _verify(backup: Path) -> tuple[int, str]:
    done = sxr("backup", "verify", str(backup))
    return done.returncode, done.stderr


def _rewrite_manifest(backup: Path, path: str) -> None:
    """What a careful forger does: put the changed file's new hash in the manifest."""
    import hashlib

    manifest = json.loads((backup / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == path:
            data = (backup / path).read_bytes()
            entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest))


def test_a_changed_blob_is_named(sqlite_backup: Path) -> None:
    blob = sorted((sqlite_backup / "blobs").glob("??/*"))[0]
    data = bytearray(blob.read_bytes())
    data[-5] ^= 1
    blob.write_bytes(bytes(data))
    code, err = _verify(sqlite_backup)
    assert code == 1
    relative = str(blob.relative_to(sqlite_backup))
    assert f"{relative}: its SHA-256 does not match the manifest" in err
    # Even with the manifest rewritten to match, the blob no longer decrypts: the item is named.
    _rewrite_manifest(sqlite_backup, relative)
    code, err = _verify(sqlite_backup)
    assert code == 1 and "evidence item" in err and "does not authenticate" in err


def test_a_changed_ledger_is_named(sqlite_backup: Path) -> None:
    db = sqlite_backup / "database.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE ledger_entries SET actor = 'someone else' WHERE seq = 1")
    code, err = _verify(sqlite_backup)
    assert code == 1 and "database.sqlite3: its SHA-256 does not match the manifest" in err
    _rewrite_manifest(sqlite_backup, "database.sqlite3")
    code, err = _verify(sqlite_backup)
    assert code == 1 and "ledger entry 1" in err and "does not match its hash (changed)" in err


def test_a_missing_or_added_file_is_named(sqlite_backup: Path) -> None:
    blob = sorted((sqlite_backup / "blobs").glob("??/*"))[0]
    blob.unlink()
    (sqlite_backup / "blobs" / "extra").write_bytes(b"x")
    code, err = _verify(sqlite_backup)
    assert code == 1
    assert f"{blob.relative_to(sqlite_backup)}: missing" in err
    assert "blobs/extra: not in the manifest" in err
    refused = sxr(
        "backup", "restore", str(sqlite_backup), env={"SXR_DATA_DIR": str(sqlite_backup.parent / "r")}
    )
    assert (
        refused.returncode == 1 and "did not pass its own checks, so nothing was restored" in refused.stderr
    )


def test_keys_stay_out_of_the_backup_unless_asked(
    sqlite_backup: Path, settings: Settings, tmp_path: Path
) -> None:
    master = (settings.data_dir / "master.key").read_text().strip()
    raw = base64.b64decode(master)
    for path in sqlite_backup.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert master.encode() not in data and raw not in data, path
    inside = sxr("backup", "create", str(tmp_path / "b2"), "--with-keys", str(tmp_path / "b2" / "k.json"))
    assert inside.returncode == 1 and "outside the backup folder" in inside.stderr
    keys = tmp_path / "keys.json"
    made = sxr("backup", "create", str(tmp_path / "b3"), "--with-keys", str(keys))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    with sqlite3.connect(settings.data_dir / "sxr.sqlite3") as conn:
        audited = conn.execute("SELECT subject FROM audit_events WHERE action = 'backup.create'").fetchall()
    assert (f"{tmp_path / 'b3'} with keys",) in audited
    assert json.loads(keys.read_text())["master_key"] == master


def test_verify_names_a_wrong_master_key(sqlite_backup: Path, tmp_path: Path) -> None:
    other = base64.b64encode(os.urandom(32)).decode()
    done = sxr("backup", "verify", str(sqlite_backup), env={"SXR_MASTER_KEY": other})
    assert done.returncode == 1 and "is not the one this backup's evidence is locked with" in done.stderr
    no_key = sxr("backup", "verify", str(sqlite_backup), env={"SXR_DATA_DIR": str(tmp_path / "elsewhere")})
    assert no_key.returncode == 1 and "no master key here" in no_key.stderr


def test_restore_refuses_a_deployment_in_use(sqlite_backup: Path, settings: Settings) -> None:
    done = sxr("backup", "restore", str(sqlite_backup))
    assert done.returncode == 1
    assert f"the data dir {settings.data_dir} is not empty" in done.stderr


@pytest.mark.postgres
def test_restore_refuses_a_postgres_database_in_use(
    sqlite_backup: Path, tmp_path: Path, postgres_template: str | None
) -> None:
    require_postgres(postgres_template)
    with empty_postgres(POSTGRES_URL) as url:
        env = {"SXR_DATA_DIR": str(tmp_path / "fresh"), "SXR_DATABASE_URL": url}
        done = sxr("backup", "restore", str(sqlite_backup), env=env)
        assert done.returncode == 1
        assert "this backup holds a sqlite database, but SXR_DATABASE_URL names postgresql" in done.stderr


def test_evidence_verify_counts_only_stray_blobs(sqlite_url: str, settings: Settings, tmp_path: Path) -> None:
    """Blob files are named by a keyed hash: `verify` must map rows to those names to find strays."""
    from sxr.db import session_scope
    from sxr.evidence.services import verify
    from sxr.evidence.store import BlobStore

    make_cases(sqlite_url, settings, tmp_path / "in", cases=1, files=2)
    store = BlobStore.for_settings(settings)
    store.put_bytes(b"left by an upload that stopped before its row was written")
    with session_scope(sqlite_url) as session:
        result = verify(session, settings, record=False)
    assert result.intact and result.unreferenced_blobs == 1


@pytest.mark.slow
def test_a_logical_backup_restores_into_the_other_engine(
    database_url: str, settings: Settings, tmp_path: Path, postgres_template: str | None
) -> None:
    """`--logical`: SQLite's rows restored into PostgreSQL and PostgreSQL's into SQLite, proved whole."""
    require_postgres(postgres_template)
    settings = get_settings()
    make_cases(database_url, settings, tmp_path / "in", cases=2, files=2)
    dispose_engines()
    backup, keys = tmp_path / "backup", tmp_path / "keys.json"
    made = sxr("backup", "create", str(backup), "--logical", "--with-keys", str(keys), "--json")
    assert made.returncode == 0, made.stderr
    doc = json.loads(made.stdout)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"] == "logical" and (backup / "database.jsonl").is_file()
    checked = sxr("backup", "verify", str(backup))
    assert checked.returncode == 0, checked.stderr

    if doc["engine"] == "sqlite":
        with empty_postgres(POSTGRES_URL) as target:
            env = {"SXR_DATA_DIR": str(tmp_path / "restored"), "SXR_DATABASE_URL": target}
            _restore_and_verify(backup, tmp_path, env, doc)
            # Sequences moved past the restored ids: new rows can be added.
            added = sxr("case", "new", "--json", env=env)
            assert added.returncode == 0, added.stderr
    else:
        env = {"SXR_DATA_DIR": str(tmp_path / "restored"), "SXR_DATABASE_URL": ""}
        _restore_and_verify(backup, tmp_path, env, doc)
        added = sxr("case", "new", "--json", env=env)
        assert added.returncode == 0, added.stderr


@pytest.mark.slow
@pytest.mark.postgres
def test_without_pg_dump_postgres_is_copied_as_rows(
    settings: Settings, tmp_path: Path, postgres_template: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres(postgres_template)
    with empty_postgres(POSTGRES_URL) as url:
        monkeypatch.setenv("SXR_DATABASE_URL", url)
        get_settings.cache_clear()
        from sxr.migrations import upgrade

        upgrade(url)
        make_cases(url, get_settings(), tmp_path / "in", cases=1, files=1)
        dispose_engines()
        made = sxr("backup", "create", str(tmp_path / "backup"), env={"PATH": str(tmp_path / "no-tools")})
        dispose_engines()
    assert made.returncode == 0, made.stderr
    assert "pg_dump is not installed here" in made.stderr and "copied as rows instead" in made.stderr
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text())["database"] == "logical"
