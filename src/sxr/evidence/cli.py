"""`sxr evidence add | list | verify | export`: the evidence locker from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sxr.cli_support import EXIT_CODES, cli_session, fail
from sxr.clock import as_utc

# The locker's models, store and keys (SQLAlchemy, cryptography, the settings) are imported by the
# commands that use them: `sxr evidence --help` imports none of them.
if TYPE_CHECKING:
    from sxr.cases.models import Case
    from sxr.evidence.services import Deriver

evidence_app = typer.Typer(help="The evidence locker: add, list, verify, export.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document")]


def _case(session: object, reference: str) -> Case:
    from sqlalchemy.orm import Session

    from sxr.cases.services import get_case_by_reference

    assert isinstance(session, Session)
    case = get_case_by_reference(session, reference)
    if case is None:
        fail(f"no case has the reference {reference!r}", "not_found")
    return case


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="the case reference, e.g. SXR-7K2M-9QPD")],
    files: Annotated[list[Path], typer.Argument(help="files to add")],
    as_json: JsonOption = False,
) -> None:
    """Add files to a case (each is checked, encrypted and entered in the ledger)."""
    from sxr.evidence.limits import EvidenceRejected
    from sxr.evidence.services import add_evidence, check_upload
    from sxr.evidence.store import BlobError
    from sxr.master_key import MasterKeyError

    for path in files:
        if not path.is_file():
            fail(f"{path} is not a file", "not_found")
    items = []
    try:
        with cli_session() as (settings, session):
            case = _case(session, reference)
            check_upload(session, settings, case, files)
            for path in files:
                try:
                    added = add_evidence(
                        session, settings, case, path, received_by="cli", derivers=_derivers(ctx)
                    )
                except EvidenceRejected as exc:
                    fail(f"{path}: {exc} (files before it were added)", "refused")
                item = added.item
                row = {"id": item.id, "sha256": item.sha256, "kind": item.kind, "name": item.original_name}
                items.append(row)
                for warning in added.warnings:
                    typer.echo(f"warning: {warning}", err=True)
                if not as_json:
                    # One line per committed item, flushed: a caller sees exactly what is safely stored.
                    typer.echo(f"added {item.id} {item.sha256} {item.kind} {item.original_name}")
    except EvidenceRejected as exc:
        fail(str(exc), "refused")
    except (BlobError, MasterKeyError) as exc:
        fail(str(exc), "environment")
    if as_json:
        typer.echo(json.dumps({"items": items}))


@evidence_app.command("list")
def evidence_list(
    reference: Annotated[str, typer.Argument(help="the case reference")],
    as_json: JsonOption = False,
) -> None:
    """List a case's evidence items."""
    from sxr.evidence.services import list_evidence

    with cli_session() as (_settings, session):
        case = _case(session, reference)
        rows = [
            {
                "id": item.id,
                "name": item.original_name,
                "sha256": item.sha256,
                "size": item.size,
                "kind": item.kind,
                "media_type": item.media_type,
                "received_at": as_utc(item.received_at).isoformat(),
                "received_by": item.received_by,
            }
            for item in list_evidence(session, case)
        ]
        case_reference = case.reference
    if as_json:
        typer.echo(json.dumps({"reference": case_reference, "items": rows}))
        return
    for row in rows:
        typer.echo(
            f"{row['id']}\t{row['sha256']}\t{row['size']}\t{row['kind']}\t{row['received_at']}\t{row['name']}"
        )


@evidence_app.command("verify")
def evidence_verify(
    reference: Annotated[str | None, typer.Argument(help="one case reference (default: every case)")] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-read every blob, check hashes, walk the ledger; exit 0 when intact, 1 naming what is broken."""
    from sxr.evidence.services import verify
    from sxr.evidence.store import BlobError
    from sxr.master_key import MasterKeyError

    try:
        with cli_session() as (settings, session):
            case = _case(session, reference) if reference else None
            result = verify(session, settings, case, actor="cli")
    except (MasterKeyError, BlobError) as exc:
        fail(str(exc), "environment")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "intact": result.intact,
                    "cases": result.cases,
                    "items": result.items,
                    "derived": result.derived,
                    "entries": result.entries,
                    "unreferenced_blobs": result.unreferenced_blobs,
                    "unfinished_parts": result.unfinished_parts,
                    "problems": result.problems,
                }
            )
        )
    else:
        for problem in result.problems:
            typer.echo(f"BROKEN: {problem}", err=True)
        state = "intact" if result.intact else f"{len(result.problems)} problem(s)"
        typer.echo(
            f"{state}: {result.cases} case(s), {result.items} evidence item(s), "
            f"{result.derived} derived item(s), {result.entries} ledger entries checked"
        )
        if result.unreferenced_blobs or result.unfinished_parts:
            typer.echo(
                f"note: {result.unreferenced_blobs} blob(s) no item points to and {result.unfinished_parts} "
                "unfinished temp file(s) from interrupted adds (encrypted; safe to ignore)",
                err=True,
            )
    if not result.intact:
        raise typer.Exit(EXIT_CODES["failed"])


@evidence_app.command("export")
def evidence_export(
    reference: Annotated[str, typer.Argument(help="the case reference")],
    dest: Annotated[Path, typer.Argument(help="an empty (or new) folder to write into")],
    why: Annotated[
        str | None, typer.Option(help="why the evidence is disclosed (kept in the audit trail)")
    ] = None,
) -> None:
    """Write a case's decrypted originals, manifest.json and SHA256SUMS into DIR."""
    from sxr.audit.services import record
    from sxr.evidence.limits import EvidenceRejected
    from sxr.evidence.services import export_evidence
    from sxr.evidence.store import BlobError
    from sxr.master_key import MasterKeyError

    try:
        with cli_session() as (settings, session):
            case = _case(session, reference)
            manifest = export_evidence(session, settings, case, dest, actor="cli")
            record(
                session, actor="cli", action="evidence.export", case_id=case.id, subject=str(dest), why=why
            )
    except EvidenceRejected as exc:
        fail(str(exc), "refused")
    except (BlobError, MasterKeyError) as exc:
        fail(str(exc), "environment")
    except OSError as exc:  # DIR is a file, or a folder this user cannot write to
        fail(f"cannot export into {dest}: {exc.strerror or exc}", "refused")
    typer.echo(f"exported to {dest}; check with: cd {dest} && sha256sum -c SHA256SUMS", err=True)
    typer.echo(str(manifest))


def _derivers(ctx: typer.Context) -> tuple[Deriver, ...]:
    """The derivers `register` was given: they travel with the `sxr evidence` group's context."""
    derivers = ctx.obj
    if not callable(derivers):
        raise RuntimeError("`sxr evidence` was added without its derivers: use register(app, derivers=...)")
    return tuple(derivers())


def register(app: typer.Typer, *, derivers: Callable[[], Sequence[Deriver]]) -> None:
    """Add `sxr evidence ...`; each file added is read by the derivers `derivers()` gives (the CLI root
    passes a function giving sxr.pipeline's, called when a file is added: `--help` imports no deriver)."""
    app.add_typer(evidence_app, name="evidence", context_settings={"obj": derivers})
