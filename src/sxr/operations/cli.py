"""`sxr backup create | verify | restore` and `sxr keys rotate-master | rotate-signing`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sxr.cli_support import fail

if TYPE_CHECKING:
    from sxr.config import Settings

backup_app = typer.Typer(
    help="Back up the database and the evidence, check a backup, restore one into an empty deployment.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="Rotate the master key and the report-signing key.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document")]


def _settings() -> Settings:
    """The settings: pydantic-settings is imported when a command runs, not when `--help` lists them."""
    from sxr.config import get_settings

    return get_settings()


def _audit(action: str, subject: str) -> None:
    """An audit event for an operator's action on the whole deployment (no case of its own)."""
    from sxr.audit.services import record
    from sxr.db import session_scope

    with session_scope(_settings().resolved_database_url) as session:
        record(session, actor="operator (cli)", action=action, subject=subject[:255])


@backup_app.command("create")
def backup_create(
    dest: Annotated[Path, typer.Argument(help="a new or empty folder for the backup")],
    with_keys: Annotated[
        Path | None,
        typer.Option("--with-keys", help="also write the master and signing keys to this new file (0600)"),
    ] = None,
    logical: Annotated[
        bool,
        typer.Option(
            "--logical", help="copy the database as rows (JSON lines): restorable into SQLite or PostgreSQL"
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Copy the database (a consistent snapshot) and the encrypted blobs, with a manifest of SHA-256s."""
    from sqlalchemy.exc import SQLAlchemyError

    from sxr.evidence.store import MasterKeyError
    from sxr.operations.backup import BackupError, create_backup

    settings = _settings()
    try:
        result = create_backup(settings, dest, keys_file=with_keys, logical=logical)
        _audit("backup.create", f"{result.path}" + (" with keys" if with_keys else ""))
    except (BackupError, MasterKeyError, OSError, SQLAlchemyError) as exc:
        fail(f"The backup was not made: {exc}", "failed")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "path": str(result.path),
                    "engine": result.engine,
                    "schema_revision": result.schema_revision,
                    "files": result.files,
                    "bytes": result.bytes,
                    "counts": result.counts,
                    "manifest_sha256": result.manifest_sha256,
                    "seconds": round(result.seconds, 3),
                    "keys_file": str(result.keys_file) if result.keys_file else None,
                    "notes": result.notes,
                }
            )
        )
        return
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    counts = result.counts
    typer.echo(
        f"backed up to {result.path}: {counts['cases']} case(s), "
        f"{counts['evidence_items']} evidence item(s), "
        f"{result.files} files, {result.bytes:,} bytes in {result.seconds:.1f} s"
    )
    typer.echo(
        f"manifest SHA-256 {result.manifest_sha256} (note it down to prove the backup unchanged later)"
    )
    if result.keys_file:
        typer.echo(f"the keys are in {result.keys_file}: keep that file apart from the backup", err=True)
    else:
        typer.echo(
            "the keys are not in the backup: keep the master key (SXR_MASTER_KEY or master.key) safe "
            "elsewhere, or nothing in it can be opened",
            err=True,
        )


@backup_app.command("verify")
def backup_verify(
    src: Annotated[Path, typer.Argument(help="the backup folder")],
    keys: Annotated[
        Path | None, typer.Option("--keys", help="the keys file `backup create --with-keys` wrote")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check every file's SHA-256, every ledger's chain, every blob against its row; exit 1 naming faults."""
    from sxr.operations.backup import verify_backup

    check = verify_backup(_settings(), src, keys_file=keys)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "intact": check.intact,
                    "engine": check.engine,
                    "files": check.files,
                    "cases": check.cases,
                    "items": check.items,
                    "derived": check.derived,
                    "entries": check.entries,
                    "problems": check.problems,
                    "notes": check.notes,
                }
            )
        )
    else:
        for problem in check.problems:
            typer.echo(f"BROKEN: {problem}", err=True)
        for note in check.notes:
            typer.echo(f"note: {note}", err=True)
        state = "intact" if check.intact else f"{len(check.problems)} problem(s)"
        typer.echo(
            f"{state}: {check.files} files, {check.cases} case(s), {check.items} evidence item(s), "
            f"{check.derived} derived item(s), {check.entries} ledger entries checked"
        )
    if not check.intact:
        raise typer.Exit(1)


@backup_app.command("restore")
def backup_restore(
    src: Annotated[Path, typer.Argument(help="the backup folder")],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys", help="the keys file `backup create --with-keys` wrote: its keys go in the data dir"
        ),
    ] = None,
) -> None:
    """Restore a backup into an EMPTY data dir and database (SXR_DATA_DIR, SXR_DATABASE_URL)."""
    from sxr.operations.backup import BackupError, restore_backup

    settings = _settings()
    try:
        restore_backup(settings, src, keys_file=keys)
        _audit("backup.restore", str(src.resolve()))
    except (BackupError, OSError, ValueError) as exc:
        fail(str(exc), "refused")
    typer.echo(f"restored {src} into {settings.data_dir}; check it with `sxr evidence verify`", err=True)


@keys_app.command("rotate-master")
def rotate_master_command(
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            "--new-key-file",
            help="the new key (base64 of 32 bytes); needed when SXR_MASTER_KEY is set, else sxr makes one",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-wrap every blob key and re-seal every sealed field under a new master key (resumable)."""
    from sqlalchemy.exc import SQLAlchemyError

    from sxr.db import session_scope
    from sxr.evidence.store import BlobError, MasterKeyError
    from sxr.operations.rotation import RotationError, rotate_master

    settings = _settings()
    progress = (lambda _line: None) if as_json else (lambda line: typer.echo(line, err=True))
    try:
        with session_scope(settings.resolved_database_url) as session:
            result = rotate_master(session, settings, new_key_file=new_key_file, progress=progress)
        _audit("keys.rotate-master", f"{result.old_key_id} -> {result.new_key_id}")
    except (RotationError, MasterKeyError, BlobError, OSError, SQLAlchemyError) as exc:
        fail(
            f"{exc}\nWhat was done is kept: run `sxr keys rotate-master` again (with the same new key) "
            "to carry on."
            if "Nothing was rotated" not in str(exc)
            else str(exc),
            "failed",
        )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "old_key_id": result.old_key_id,
                    "new_key_id": result.new_key_id,
                    "resumed": result.resumed,
                    "cases": result.cases,
                    "cases_already_done": result.cases_already,
                    "blobs_rewrapped": result.rewrapped,
                    "blobs_reencrypted": result.reencrypted,
                    "blobs_already_done": result.already,
                    "stray_blobs": result.stray_blobs,
                    "fields_resealed": result.fields,
                    "environment_key": result.environment_key,
                    "notes": result.notes,
                }
            )
        )
    else:
        typer.echo(
            f"master key {result.old_key_id} -> {result.new_key_id}: {result.cases} case(s) "
            f"({result.cases_already} done before), {result.rewrapped} blob key(s) re-wrapped, "
            f"{result.reencrypted} old-format blob(s) re-encrypted, {result.fields} sealed field(s)"
        )
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
    if result.environment_key:
        typer.echo(
            "Now set SXR_MASTER_KEY to the new key and restart sxr: the old key cannot open the evidence.",
            err=True,
        )


@keys_app.command("rotate-signing")
def rotate_signing_command(
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            "--new-key-file", help="the new Ed25519 key (PEM or base64); needed when SXR_SIGNING_KEY is set"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sign report packs with a new key; the old public key stays in the keyring so old packs still verify."""
    from sqlalchemy.exc import SQLAlchemyError

    from sxr.keyring import KeyringError
    from sxr.operations.rotation import RotationError, rotate_signing

    try:
        result = rotate_signing(_settings(), new_key_file=new_key_file)
        _audit("keys.rotate-signing", f"{result.old_fingerprint} -> {result.new_fingerprint}")
    except (RotationError, KeyringError, OSError, SQLAlchemyError) as exc:
        fail(str(exc), "failed")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "old_fingerprint": result.old_fingerprint,
                    "new_fingerprint": result.new_fingerprint,
                    "public_key": result.new_public_key,
                    "environment_key": result.environment_key,
                }
            )
        )
    else:
        typer.echo(
            f"signing key {result.old_fingerprint} retired; packs are now signed by {result.new_fingerprint}"
        )
        typer.echo(f"publish the new public key: {result.new_public_key}")
    if result.environment_key:
        typer.echo("Now set SXR_SIGNING_KEY to the new key and restart sxr.", err=True)


def register(app: typer.Typer) -> None:
    """Add `sxr backup ...` and `sxr keys ...` to the root command."""
    app.add_typer(backup_app, name="backup")
    app.add_typer(keys_app, name="keys")
