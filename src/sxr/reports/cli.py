"""`sxr report build | verify | public-key`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sxr.config import get_settings

report_app = typer.Typer(
    help="Police report packs: build, verify, publish the signing key.", no_args_is_help=True
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@report_app.command("build")
def build(
    reference: Annotated[str, typer.Argument(help="the case's reference")],
    out: Annotated[Path, typer.Option("--out", help="where to write the pack (a .zip)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Write the case's report pack: report.pdf, report.json, stix.json, evidence/ and a signed manifest."""
    from sxr.db import session_scope
    from sxr.reports.pack import PackError
    from sxr.reports.pdf import PdfError
    from sxr.reports.services import CaseNotFound, build_case_pack, find_case
    from sxr.reports.signing import SigningKeyError

    settings = get_settings()
    try:
        with session_scope(settings.resolved_database_url) as session:
            case = find_case(session, reference)
            result, facts = build_case_pack(session, settings, case, out, actor="operator (sxr report build)")
    except CaseNotFound as exc:
        raise _fail(f"Cannot build the report pack: {exc}.") from None
    except (PackError, PdfError, SigningKeyError, OSError) as exc:
        raise _fail(f"Cannot build the report pack: {exc}") from None
    if as_json:
        doc = {
            "path": str(result.path),
            "case_reference": facts.case_reference,
            "files": result.files,
            "merkle_root": result.merkle_root,
            "public_key": result.public_key,
            "fingerprint": result.fingerprint,
        }
        typer.echo(json.dumps(doc))
    else:
        typer.echo(f"wrote {result.path} ({result.files} files, Merkle root {result.merkle_root})")
        typer.echo(f"signed by {result.fingerprint}")


@report_app.command("verify")
def verify(
    path: Annotated[Path, typer.Argument(help="the report pack (.zip)")],
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help="the signing key to require (base64, or a file holding it)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Check every file's SHA-256, the Merkle root and the signature; exit 0 only when all hold."""
    from sxr.reports.pack import verify_pack

    key = public_key
    if key is not None and Path(key).is_file():
        key = Path(key).read_text("ascii").strip()
    result = verify_pack(path, public_key=key)
    signer = _signer(result.fingerprint)
    if as_json:
        typer.echo(json.dumps({**result.to_json(), "signer": signer}, ensure_ascii=False))
    elif result.ok:
        typer.echo(f"intact and signed: {result.files} files, Merkle root {result.merkle_root}")
        typer.echo(f"signed by {result.fingerprint}: {signer['words']}")
    if not result.ok:
        for problem in result.problems:
            typer.echo(f"FAILED {problem}", err=True)
        raise typer.Exit(1)


def _signer(fingerprint_: str | None) -> dict[str, object]:
    """Which of this deployment's keys signed: its current key, a retired one (keyring.json), or neither."""
    from sxr.keyring import describe_signer
    from sxr.reports.signing import SigningKeyError, fingerprint, load_signing_key, public_key_b64

    settings = get_settings()
    try:
        key = load_signing_key(settings.data_dir, create=False)
    except (SigningKeyError, OSError, ValueError):
        key = None
    current = fingerprint(public_key_b64(key)) if key is not None else None
    return describe_signer(settings.data_dir, fingerprint_, current)


@report_app.command("public-key")
def public_key_command(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Print the public key that report packs are signed with (creating the key on first use)."""
    from sxr.reports.signing import SigningKeyError, fingerprint, load_signing_key, public_key_b64

    settings = get_settings()
    try:
        key = load_signing_key(settings.ensure_data_dir())
    except (SigningKeyError, OSError, ValueError) as exc:
        raise _fail(f"Cannot read the signing key: {exc}") from None
    assert key is not None
    public = public_key_b64(key)
    if as_json:
        typer.echo(
            json.dumps({"algorithm": "ed25519", "public_key": public, "fingerprint": fingerprint(public)})
        )
    else:
        typer.echo(public)


def register(app: typer.Typer) -> None:
    """Add `sxr report ...` to the root command."""
    app.add_typer(report_app, name="report")
