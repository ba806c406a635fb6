"""Backups: a consistent snapshot of the database and the evidence, a manifest of hashes, and restore.

A backup folder holds `manifest.json` (every other file's size and SHA-256, the engine, the schema
revision, the master key id and counts), the database (`database.sqlite3`, made with SQLite's online
backup, or `database.pgdump`, pg_dump's custom format taken in the snapshot that the blob list was read
in), or `database.jsonl` (every row as JSON lines, read in one snapshot: `--logical`, or PostgreSQL where
no pg_dump as new as the server is installed; it restores into either engine), `blobs/` (the encrypted
files as they are, with the store's key record) and `keyring.json`. No key is in it: `--with-keys FILE`
writes the master and signing keys to a separate 0600 file.

The database is copied first; blobs are only ever added before the rows that point to them commit, so
every blob the snapshot needs is on disk when the blob folder is copied after it. Files added later
come along too and are only noted by `verify` (no row points to them).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.evidence.store import KEY_ID_FILE_NAME, ROTATION_MARKER, BlobError, BlobStore
from sxr.keyring import KEYRING_FILE
from sxr.master_key import KEY_FILE_NAME, key_id
from sxr.retention.services import REFERENCE_KEYS_FILE

FORMAT = "sxr-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
LOGICAL_FILE = "database.jsonl"
# Rows a logical restore does not copy: the database's triggers number every watchlist entry anew as it
# is loaded, so the change sequence (and its name, which watchlist index snapshots record) starts afresh.
RENUMBERED_TABLES = frozenset({"watchlist_changes", "watchlist_change_logs"})
LOAD_BATCH = 500
COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    """What `create_backup` wrote."""

    path: Path
    engine: str
    schema_revision: str | None
    files: int
    bytes: int
    counts: dict[str, int]
    manifest_sha256: str
    seconds: float
    keys_file: Path | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class BackupCheck:
    """What `verify_backup` checked and every problem it found, each naming what broke."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    cases: int = 0
    items: int = 0
    derived: int = 0
    entries: int = 0
    engine: str | None = None

    @property
    def intact(self) -> bool:
        return not self.problems


def _engine_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"sxr backs up SQLite and PostgreSQL databases, not {backend}.")
    return backend


def _copy_hashed(src: Path, dest: Path, *, sync: bool = True) -> tuple[int, str]:
    """Copy `src` to `dest` (0600), returning the size and SHA-256 of what was written.

    Many small files are copied with `sync=False` and made durable together by one `os.sync()` after
    (an fsync per file costs ten times the copy).
    """
    digest = hashlib.sha256()
    size = 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(src, "rb") as source, os.fdopen(fd, "wb") as out:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        if sync:
            os.fsync(out.fileno())
    return size, digest.hexdigest()


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as source:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables (the password stays off the command line)."""
    env = dict(os.environ)  # handed on to pg_dump / pg_restore, with the connection added
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[name] = str(value)
    return env


def _pg_tool(name: str, server_major: int) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed here, and sxr needs it to copy a PostgreSQL database: install the "
            f"PostgreSQL {server_major} client tools (Debian: postgresql-client-{server_major})."
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    major = int(match.group(1)) if match else 0
    if major < server_major:
        raise BackupError(
            f"{name} here is version {major}, older than the PostgreSQL server ({server_major}): it cannot "
            f"read that server's databases. Install the PostgreSQL {server_major} client tools."
        )
    return path


def _server_major(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000


def _counts(conn: sa.Connection) -> tuple[str | None, dict[str, int]]:
    revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    counts = {
        name: int(conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one())  # noqa: S608 (fixed names)
        for name in ("cases", "evidence_items", "derived_items", "ledger_entries")
    }
    return revision, counts


def _check_empty_dest(dest: Path, what: str) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not an empty folder: {what} only into a new or empty one.")


def _master_key_or_none(settings: Settings) -> bytes | None:
    from sxr.master_key import load_master_key

    if settings.master_key or (settings.data_dir / KEY_FILE_NAME).exists():
        return load_master_key(settings)
    return None


def _check_targets(data_dir: Path, dest: Path, keys_file: Path | None) -> Path | None:
    """Refuse a backup folder inside the data dir, a used one, a keys file inside it, or a rotation under way;
    returns the keys file resolved."""
    if dest == data_dir or data_dir in dest.parents:
        raise BackupError(f"{dest} is inside the data dir {data_dir}: put the backup somewhere else.")
    _check_empty_dest(dest, "back up")
    if keys_file is not None:
        keys_file = keys_file.resolve()
        if keys_file == dest or dest in keys_file.parents:
            raise BackupError("--with-keys must name a file outside the backup folder: keys travel apart.")
        if keys_file.exists():
            raise BackupError(f"{keys_file} exists already: give a new file for the keys.")
    if (data_dir / "blobs" / ROTATION_MARKER).exists():
        raise BackupError(
            "A master key rotation is under way: finish it with `sxr keys rotate-master` before backing up."
        )
    return keys_file


def _snapshot_database(
    url: str, engine_name: str, dest: Path, logical: bool, notes: list[str]
) -> tuple[bool, str, str | None, dict[str, int]]:
    """Copy the database into `dest`; returns whether it went as rows, its file, revision and row counts."""
    if engine_name == "postgresql" and not logical:
        try:
            _pg_tool("pg_dump", _pg_server_major(url))
        except BackupError as exc:
            notes.append(f"{exc} The database was copied as rows instead (a logical dump).")
            logical = True
    if logical:
        revision, counts = _logical_snapshot(url, dest / LOGICAL_FILE)
        db_file = LOGICAL_FILE
    elif engine_name == "sqlite":
        revision, counts = _sqlite_snapshot(url, dest / SQLITE_FILE)
        db_file = SQLITE_FILE
    else:
        revision, counts = _pg_snapshot(url, dest / PG_FILE)
        db_file = PG_FILE
    return logical, db_file, revision, counts


def _copy_data_files(data_dir: Path, dest: Path, files: list[dict[str, Any]]) -> None:
    """Copy the evidence blobs, the keyring and the sealed reference keys, each listed in `files`."""
    blobs = data_dir / "blobs"
    (dest / "blobs").mkdir(mode=0o700)
    for path in _blob_files(blobs):
        relative = path.relative_to(data_dir)
        target = dest / relative
        target.parent.mkdir(mode=0o700, exist_ok=True)
        try:
            size, digest = _copy_hashed(path, target, sync=False)
        except FileNotFoundError:
            continue  # removed since the walk (a stray blob swept): the snapshot's own blobs never go
        files.append({"path": str(relative), "size": size, "sha256": digest})
    for name in (KEYRING_FILE, REFERENCE_KEYS_FILE):  # public facts, and keys sealed under the master key
        if (data_dir / name).exists():
            size, digest = _copy_hashed(data_dir / name, dest / name)
            files.append({"path": name, "size": size, "sha256": digest})


def _write_manifest(dest: Path, manifest: dict[str, Any]) -> bytes:
    """Write the manifest last, after every file it vouches for is on disk; returns its bytes."""
    raw = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    os.sync()  # every copied file on disk before the manifest that vouches for them
    fd = os.open(dest / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    return raw


def create_backup(
    settings: Settings, dest: Path, *, keys_file: Path | None = None, logical: bool = False
) -> BackupResult:
    """Write a consistent backup of the deployment into `dest` (new or empty).

    `logical`: the database as rows (JSON lines) instead of the engine's own copy: restorable into
    either engine, and the way PostgreSQL is copied where no usable pg_dump is installed.
    """
    started = time.perf_counter()
    data_dir = settings.data_dir.resolve()
    dest = dest.resolve()
    keys_file = _check_targets(data_dir, dest, keys_file)
    blobs = data_dir / "blobs"
    url = settings.resolved_database_url
    engine_name = _engine_of(url)
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    notes: list[str] = []
    logical, db_file, revision, counts = _snapshot_database(url, engine_name, dest, logical, notes)
    size, digest = _hash_file(dest / db_file)
    files.append({"path": db_file, "size": size, "sha256": digest})

    master_id = None
    if (blobs / KEY_ID_FILE_NAME).exists():
        master_id = (blobs / KEY_ID_FILE_NAME).read_text("ascii").strip()
    _copy_data_files(data_dir, dest, files)

    master = _master_key_or_none(settings)
    if master_id is None and master is not None:
        master_id = key_id(master).hex()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine_name,
        "database": "logical" if logical else engine_name,
        "schema_revision": revision,
        "master_key_id": master_id,
        "signing_key": _signing_fingerprint(settings),
        "keys": "not in this backup" if keys_file is None else "written to a separate file",
        "counts": counts,
        "files": sorted(files, key=lambda f: str(f["path"])),
    }
    raw = _write_manifest(dest, manifest)
    if keys_file is not None:
        _write_keys(settings, keys_file, master)
    return BackupResult(
        path=dest,
        engine=engine_name,
        schema_revision=revision,
        files=len(files),
        bytes=sum(int(f["size"]) for f in files),
        counts=counts,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        seconds=time.perf_counter() - started,
        keys_file=keys_file,
        notes=notes,
    )


def _blob_files(blobs: Path) -> Iterator[Path]:
    if not blobs.is_dir():
        return
    if (blobs / KEY_ID_FILE_NAME).is_file():
        yield blobs / KEY_ID_FILE_NAME
    for folder in sorted(blobs.iterdir()):
        if folder.is_dir() and len(folder.name) == 2 and not folder.name.startswith("."):
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    yield path


def _signing_fingerprint(settings: Settings) -> str | None:
    from sxr.reports.signing import SigningKeyError, fingerprint, load_signing_key, public_key_b64

    try:
        key = load_signing_key(settings.data_dir, settings.signing_key, create=False)
    except (SigningKeyError, ValueError):
        return None
    return fingerprint(public_key_b64(key)) if key is not None else None


def _write_keys(settings: Settings, path: Path, master: bytes | None) -> None:
    from cryptography.hazmat.primitives import serialization

    from sxr.reports.signing import load_signing_key

    signing = load_signing_key(settings.data_dir, settings.signing_key, create=False)
    doc = {
        "master_key": base64.b64encode(master).decode() if master else None,
        "master_key_id": key_id(master).hex() if master else None,
        "signing_key": base64.b64encode(
            signing.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        ).decode()
        if signing
        else None,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(doc, out)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())


def _sqlite_snapshot(url: str, target: Path) -> tuple[str | None, dict[str, int]]:
    source_path = make_url(url).database
    if not source_path or not Path(source_path).exists():
        raise BackupError(f"There is no SQLite database at {source_path}: nothing to back up.")
    source = sqlite3.connect(source_path, timeout=30)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    copy = sqlite3.connect(target)
    try:
        # One step: the whole database under one read transaction, so the copy is one moment in time
        # while uploads carry on (WAL lets them).
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        copy.commit()
    finally:
        copy.close()
        source.close()
    engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return _counts(conn)
    finally:
        engine.dispose()


def _pg_snapshot(url: str, target: Path) -> tuple[str | None, dict[str, int]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            pg_dump = _pg_tool("pg_dump", _server_major(conn))
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            revision, counts = _counts(conn)
            # pg_dump reads in the very snapshot the counts came from, while this transaction holds it.
            run = subprocess.run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env=_libpq_env(make_url(url)),
                capture_output=True,
                text=True,
                check=False,
            )
            conn.rollback()
    finally:
        engine.dispose()
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    target.chmod(0o600)
    return revision, counts


def _pg_server_major(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return _server_major(conn)
    finally:
        engine.dispose()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _write_rows(conn: sa.Connection, target: Path) -> None:
    meta = sa.MetaData()
    meta.reflect(conn)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            query = sa.select(table).order_by(*table.primary_key.columns)
            for row in conn.execute(query.execution_options(yield_per=1000)).mappings():
                doc = {"table": table.name, "row": {k: _jsonable(v) for k, v in row.items()}}
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def _logical_snapshot(url: str, target: Path) -> tuple[str | None, dict[str, int]]:
    """Every row of every table as JSON lines, read in one snapshot."""
    if _engine_of(url) == "sqlite":
        # The online backup gives the one moment in time; the rows are read from that copy.
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            copy = Path(scratch) / SQLITE_FILE
            _sqlite_snapshot(url, copy)
            engine = sa.create_engine(f"sqlite:///{copy}")
            try:
                with engine.connect() as conn:
                    _write_rows(conn, target)
                    return _counts(conn)
            finally:
                engine.dispose()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            _write_rows(conn, target)
            result = _counts(conn)
            conn.rollback()
            return result
    finally:
        engine.dispose()


def _load_rows(url: str, dump: Path, revision: str | None) -> None:
    """Create the schema at `revision` in the empty database at `url` and insert the dump's rows."""
    from sxr.db import get_engine
    from sxr.migrations import upgrade

    upgrade(url, revision or "head")
    engine = get_engine(url)
    with engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        batch: list[dict[str, Any]] = []
        current: sa.Table | None = None

        def flush() -> None:
            if current is not None and batch:
                conn.execute(current.insert(), batch)
            batch.clear()

        with open(dump, encoding="utf-8") as rows:
            for line in rows:
                doc = json.loads(line)
                if doc["table"] in RENUMBERED_TABLES:
                    continue
                table = meta.tables.get(doc["table"])
                if table is None:
                    raise BackupError(f"the dump has rows for a table this schema lacks: {doc['table']}")
                if table is not current or len(batch) >= LOAD_BATCH:
                    flush()
                    current = table
                row = doc["row"]
                for column in table.columns:
                    value = row.get(column.name)
                    if isinstance(value, str) and isinstance(column.type, sa.DateTime):
                        row[column.name] = datetime.fromisoformat(value)
                batch.append(row)
        flush()
        if conn.dialect.name == "postgresql":  # rows came with their ids: move each sequence past them
            for table in meta.sorted_tables:
                if "id" in table.columns and table.name != "alembic_version":
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                        )
                    )


# --- verify ---------------------------------------------------------------------------------------


def _read_manifest(src: Path, check: BackupCheck) -> dict[str, Any] | None:
    try:
        manifest = json.loads((src / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        check.problems.append(f"{src / MANIFEST} is missing: this is not an sxr backup, or it is incomplete")
        return None
    except (OSError, ValueError) as exc:
        check.problems.append(f"{MANIFEST} cannot be read ({exc})")
        return None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        check.problems.append(f"{MANIFEST} is not an {FORMAT} manifest")
        return None
    return manifest


def check_files(src: Path, check: BackupCheck) -> dict[str, Any] | None:
    """Every file the manifest lists is there with its size and SHA-256, and nothing else is."""
    manifest = _read_manifest(src, check)
    if manifest is None:
        return None
    listed = set()
    for entry in manifest["files"]:
        relative = str(entry.get("path", ""))
        listed.add(relative)
        path = src / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            check.problems.append(f"{MANIFEST} names a file outside the backup: {relative}")
            continue
        if not path.is_file():
            check.problems.append(f"{relative}: missing")
            continue
        size, digest = _hash_file(path)
        check.files += 1
        if size != entry.get("size") or digest != entry.get("sha256"):
            check.problems.append(f"{relative}: its SHA-256 does not match the manifest (changed or damaged)")
    for path in sorted(src.rglob("*")):
        if path.is_file() and path.name != MANIFEST and str(path.relative_to(src)) not in listed:
            check.problems.append(f"{path.relative_to(src)}: not in the manifest (added after the backup)")
    check.engine = manifest.get("engine")
    return manifest


def _backup_master_key(settings: Settings, keys_file: Path | None) -> bytes | None:
    if keys_file is not None:
        doc = json.loads(keys_file.read_text("utf-8"))
        key = doc.get("master_key")
        return base64.b64decode(key) if key else None
    return _master_key_or_none(settings)


@contextlib.contextmanager
def _backup_database(src: Path, manifest: dict[str, Any], settings: Settings) -> Iterator[sa.Engine]:
    """An engine on the backup's database, read as it is (SQLite) or restored into a scratch database."""
    if manifest.get("database") == "logical":
        from sxr.db import get_engine

        with tempfile.TemporaryDirectory(prefix="sxr-verify-") as scratch:
            url = f"sqlite:///{Path(scratch) / 'verify.sqlite3'}"
            _load_rows(url, src / LOGICAL_FILE, manifest.get("schema_revision"))
            try:
                yield get_engine(url)
            finally:
                get_engine(url).dispose()
        return
    if manifest.get("engine") == "sqlite":
        engine = sa.create_engine(f"sqlite:///file:{src / SQLITE_FILE}?mode=ro&immutable=1&uri=true")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = settings.resolved_database_url
    if _engine_of(url) != "postgresql":
        raise BackupError(
            "This backup holds a PostgreSQL database: it is checked by restoring it into a scratch database, "
            "so set SXR_DATABASE_URL to a PostgreSQL server where sxr may create one."
        )
    scratch = f"sxr_verify_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
            major = _server_major(conn)
        scratch_url = make_url(url).set(database=scratch)
        _pg_restore(_pg_tool("pg_restore", major), src / PG_FILE, scratch_url)
        engine = sa.create_engine(scratch_url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def _pg_restore(pg_restore: str, dump: Path, url: URL) -> None:
    run = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url.database}",
            str(dump),
        ],
        env=_libpq_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()}")


def verify_backup(settings: Settings, src: Path, *, keys_file: Path | None = None) -> BackupCheck:
    """Check a backup: every file's hash, every ledger's chain, every blob against its row."""
    from sxr.evidence.services import verify

    check = BackupCheck()
    manifest = check_files(src, check)
    if manifest is None:
        return check
    try:
        master = _backup_master_key(settings, keys_file)
    except (OSError, ValueError) as exc:
        check.problems.append(f"the keys file cannot be read: {exc}")
        master = None
    try:
        with _backup_database(src, manifest, settings) as engine, Session(engine) as session:
            revision, counts = _counts(session.connection())
            if counts != manifest.get("counts"):
                check.problems.append(
                    f"the database's counts {counts} differ from the manifest's {manifest.get('counts')}"
                )
            if master is None:
                check.problems.append(
                    "the blobs could not be checked against the database: no master key here "
                    "(set SXR_MASTER_KEY, or give --keys FILE from `sxr backup create --with-keys`)"
                )
                return check
            if manifest.get("master_key_id") and key_id(master).hex() != manifest["master_key_id"]:
                check.problems.append(
                    f"the master key here (id {key_id(master).hex()}) is not the one this backup's evidence "
                    f"is locked with (id {manifest['master_key_id']}): the blobs could not be checked"
                )
                return check
            store = BlobStore(src / "blobs", master, rotating=True)
            result = verify(session, settings, record=False, store=store)
            check.problems += result.problems
            check.cases, check.items, check.derived, check.entries = (
                result.cases,
                result.items,
                result.derived,
                result.entries,
            )
            if result.unreferenced_blobs:
                check.notes.append(
                    f"{result.unreferenced_blobs} blob file(s) no row points to (added during the backup, "
                    "or left by interrupted uploads): encrypted, harmless"
                )
            del revision
    except (BackupError, BlobError, sa.exc.SQLAlchemyError) as exc:
        check.problems.append(f"the database in the backup could not be checked: {exc}")
    return check


# --- restore --------------------------------------------------------------------------------------


def _target_problems(settings: Settings, engine_name: str | None) -> list[str]:
    """Why the deployment is no place to restore into; `engine_name` None: either engine will do."""
    problems = []
    data_dir = settings.data_dir
    if data_dir.exists():
        present = sorted(p.name for p in data_dir.iterdir())
        if present:
            shown = ", ".join(present[:5]) + (" ..." if len(present) > 5 else "")
            problems.append(f"the data dir {data_dir} is not empty (it holds {shown})")
    url = settings.resolved_database_url
    target = _engine_of(url)
    if engine_name is not None and target != engine_name:
        problems.append(
            f"this backup holds a {engine_name} database, but SXR_DATABASE_URL names {target}: restore it "
            f"into {engine_name}"
        )
    elif target == "sqlite":
        path = Path(make_url(url).database or "")
        if path.exists() and path.stat().st_size > 0:
            problems.append(f"the database file {path} exists and is not empty")
    else:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                tables = conn.execute(
                    sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
                ).scalar_one()
        finally:
            engine.dispose()
        if tables:
            problems.append(
                f"the PostgreSQL database {make_url(url).database} is not empty ({tables} tables)"
            )
    return problems


def restore_backup(settings: Settings, src: Path, *, keys_file: Path | None = None) -> BackupCheck:
    """Restore a backup into an empty data dir and database; refuses anything else, in words."""
    from sxr.migrations import upgrade

    check = BackupCheck()
    manifest = check_files(src, check)
    if manifest is None or check.problems:
        raise BackupError(
            "The backup did not pass its own checks, so nothing was restored:\n  "
            + "\n  ".join(check.problems)
        )
    engine_name = str(manifest["engine"])
    logical = manifest.get("database") == "logical"
    problems = _target_problems(settings, None if logical else engine_name)
    if problems:
        raise BackupError(
            "Nothing was restored: sxr restores only into an empty data dir and an empty database, so that "
            "nothing already there is overwritten. Here " + "; and ".join(problems) + "."
        )
    keys = json.loads(keys_file.read_text("utf-8")) if keys_file is not None else {}
    data_dir = settings.ensure_data_dir()
    try:
        for entry in manifest["files"]:
            relative = Path(str(entry["path"]))
            if str(relative) in (SQLITE_FILE, PG_FILE, LOGICAL_FILE):
                continue
            target = data_dir / relative
            for folder in reversed(target.parents):
                if data_dir in folder.parents and not folder.exists():
                    folder.mkdir(mode=0o700)
            _copy_hashed(src / relative, target, sync=False)
        os.sync()
        url = settings.resolved_database_url
        if logical:
            _load_rows(url, src / LOGICAL_FILE, manifest.get("schema_revision"))
        elif engine_name == "sqlite":
            target = Path(make_url(url).database or "")
            tmp = Path(tempfile.mkstemp(prefix=".restore-", dir=target.parent)[1])
            tmp.unlink()
            _copy_hashed(src / SQLITE_FILE, tmp)
            os.replace(tmp, target)
        else:
            engine = sa.create_engine(url)
            try:
                with engine.connect() as conn:
                    major = _server_major(conn)
            finally:
                engine.dispose()
            _pg_restore(_pg_tool("pg_restore", major), src / PG_FILE, make_url(url))
        if keys.get("master_key") and not settings.master_key:
            _write_key_file(data_dir / KEY_FILE_NAME, keys["master_key"])
        if keys.get("signing_key") and not settings.signing_key:
            from sxr.reports.signing import key_path

            path = key_path(data_dir)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_key_file(path, keys["signing_key"])
        upgrade(url)  # a backup from an older sxr is brought up to this version's schema
    except (OSError, BackupError, sa.exc.SQLAlchemyError) as exc:
        raise BackupError(
            f"The restore stopped part way: {exc}. The data dir {data_dir} and the database now hold a "
            "partial copy: empty them, then run the restore again."
        ) from exc
    check.engine = engine_name
    return check


def _write_key_file(path: Path, b64: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(b64 + "\n")
