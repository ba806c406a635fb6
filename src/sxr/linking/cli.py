"""`sxr links rebuild | case | suggestions | decide | export` and `sxr offenders list | stix`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sxr.cli_support import cli_session, fail

links_app = typer.Typer(help="Links between cases that share an offender.", no_args_is_help=True)
offenders_app = typer.Typer(help="Offenders: clusters of linked cases, ranked by harm.", no_args_is_help=True)
OPERATOR = "operator (sxr links)"


@links_app.command("rebuild")
def rebuild(
    engine: Annotated[str, typer.Option(help="duckdb (one machine) or spark (a local Spark)")] = "duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Read every case's analyses again and work out every link and offender."""
    from sxr.linking.engines import EngineError
    from sxr.linking.services import LinkError
    from sxr.linking.services import rebuild as run

    try:
        with cli_session() as (settings, session):
            result = run(session, settings, engine)
    except (EngineError, LinkError) as exc:
        fail(f"Cannot rebuild the links: {exc}", "failed")
    common = [
        {"kind": c.observable.kind, "value": c.observable.value, "cases": c.cases, "reason": c.reason}
        for c in result.common
    ]
    if as_json:
        doc = {
            "engine": result.engine,
            "cases": result.cases,
            "exact_groups": result.exact_groups,
            "suggestions": result.suggestions,
            "offenders": result.offenders,
            "not_linking": common,
            "problems": result.problems,
            "seconds": result.seconds,
            "model": result.model,
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    typer.echo(
        f"{result.cases} cases read on {result.engine}: {result.exact_groups} shared values, "
        f"{result.suggestions} suggested links, {result.offenders} offenders ({result.seconds} s); "
        f"suggestion model: {result.model}"
    )
    for c in common:
        typer.echo(f"not linking on {c['kind']} {c['value']}: {c['reason']}")
    for problem in result.problems:
        typer.echo(f"problem: {problem}", err=True)


@links_app.command("case")
def case(
    reference: Annotated[str, typer.Argument(help="the case's reference")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """The cases linked to one case: exact links (shared details) and suggested ones (with a score)."""
    from sxr.cases.services import get_case_by_reference
    from sxr.linking.services import common_values, linked_cases

    with cli_session() as (_settings, session):
        found = get_case_by_reference(session, reference)
        if found is None:
            fail(f"No case has the reference {reference!r}.", "not_found")
        links = linked_cases(session, found.id)
        common = common_values(session, found.id)
        doc: dict[str, Any] = {
            "reference": found.reference,
            "linked": [
                {
                    "reference": link.reference,
                    "kind": link.kind,
                    "shared": [
                        {"kind": s.kind, "value": s.value, **({"why": s.why} if s.why else {})}
                        for s in link.shared
                    ],
                    "score": link.score,
                    **(
                        {"suggestion": link.suggestion_id, "status": link.status}
                        if link.suggestion_id
                        else {}
                    ),
                }
                for link in links
            ],
            "not_linking": [
                {"kind": c.observable.kind, "value": c.observable.value, "cases": c.cases, "reason": c.reason}
                for c in common
            ],
        }
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    if not links:
        typer.echo(f"{doc['reference']} is linked to no other case.")
    for link in doc["linked"]:
        shared = "; ".join(f"{s['kind']} {s['value']}" for s in link["shared"])
        typer.echo(f"{link['reference']}  {link['kind']}  {link['score']:.2f}  {shared}")
    for c in doc["not_linking"]:
        typer.echo(f"not linking on {c['kind']} {c['value']}: {c['reason']}")


@links_app.command("suggestions")
def suggestions(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Suggested links waiting for an analyst's decision, highest score first."""
    from sxr.cases.models import Case
    from sxr.linking.services import suggestions as open_suggestions

    with cli_session() as (_settings, session):
        rows = []
        for s in open_suggestions(session):
            a, b = session.get(Case, s.case_a), session.get(Case, s.case_b)
            rows.append(
                {
                    "id": s.id,
                    "cases": [a.reference if a else "?", b.reference if b else "?"],
                    "score": s.score,
                    "evidence": json.loads(s.evidence),
                }
            )
    if as_json:
        typer.echo(json.dumps({"suggestions": rows}, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No suggested links wait for a decision.")
    for row in rows:
        why = "; ".join(f"{e['why']}: {e['value']}" for e in row["evidence"])
        typer.echo(f"#{row['id']}  {row['cases'][0]} ~ {row['cases'][1]}  {row['score']:.2f}  {why}")


@links_app.command("decide")
def decide(
    suggestion: Annotated[int, typer.Argument(help="the suggested link's number (sxr links suggestions)")],
    decision: Annotated[str, typer.Argument(help="confirmed or rejected")],
    by: Annotated[str, typer.Option("--by", help="who decided (an analyst's name)")],
    why: Annotated[str, typer.Option("--why", help="the reason, kept in the audit trail")],
) -> None:
    """Confirm or reject a suggested link (kept, audited on both cases, applied to offenders at once)."""
    from sxr.linking.services import LinkError
    from sxr.linking.services import decide as record

    try:
        with cli_session() as (_settings, session):
            record(session, by.strip(), suggestion, decision, why.strip() or None)
    except LinkError as exc:
        fail(f"Cannot record the decision: {exc}", "refused")
    typer.echo(f"suggested link {suggestion} {decision}")


@links_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="the file to write")],
    fmt: Annotated[str, typer.Option("--format", help="graphml or csv")] = "graphml",
) -> None:
    """Write the graph of linked cases, identifiers and offenders (GraphML for Gephi-style tools, or CSV)."""
    from sxr.audit.services import record
    from sxr.linking.export import FORMATS, edges_csv, graphml, link_graph

    if fmt not in FORMATS:
        fail(f"Cannot export: the format is graphml or csv, not {fmt!r}.", "usage")
    with cli_session() as (_settings, session):
        graph = link_graph(session)
        data = graphml(graph) if fmt == "graphml" else edges_csv(graph)
        try:
            out.write_bytes(data)
        except OSError as exc:
            fail(f"Cannot write {out}: {exc.strerror or exc}", "environment")
        record(session, actor=OPERATOR, action="links.export", subject=f"{fmt}: {len(graph.nodes)} nodes")
    typer.echo(f"wrote {out} ({len(graph.nodes)} nodes, {len(graph.edges)} edges)")


@offenders_app.command("list")
def offenders_list(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Offenders (clusters of linked cases), most harm first."""
    from sxr.linking.services import offenders

    with cli_session() as (_settings, session):
        views = offenders(session)
    doc = {
        "offenders": [
            {
                "id": v.id,
                "cases": list(v.references),
                "victims": v.victims,
                "under_18": v.under_18,
                "paid": v.paid,
                "identifiers": [{"kind": o.kind, "value": o.value} for o in v.identifiers],
                "harm": v.harm,
            }
            for v in views
        ]
    }
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    if not views:
        typer.echo("No offender links two or more cases yet.")
    for v in views:
        typer.echo(
            f"offender {v.id}: harm {v.harm:g}, {v.victims} victims ({v.under_18} under 18, {v.paid} paid): "
            + ", ".join(v.references)
        )


@offenders_app.command("stix")
def offenders_stix(
    offender_id: Annotated[int, typer.Argument(help="the offender's number (sxr offenders list)")],
    out: Annotated[Path, typer.Option("--out", help="the file to write (a STIX 2.1 bundle, JSON)")],
) -> None:
    """Write a STIX 2.1 bundle for one offender, for partner agencies."""
    from sxr.audit.services import record
    from sxr.linking.export import offender_stix
    from sxr.linking.services import LinkError

    try:
        with cli_session() as (_settings, session):
            bundle = offender_stix(session, offender_id)
            out.write_text(bundle, encoding="utf-8")
            record(session, actor=OPERATOR, action="offender.stix", subject=f"offender {offender_id}")
    except LinkError as exc:
        fail(f"Cannot write the bundle: {exc}", "not_found")
    except OSError as exc:
        fail(f"Cannot write {out}: {exc.strerror or exc}", "environment")
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add `sxr links` and `sxr offenders` to the root command."""
    app.add_typer(links_app, name="links")
    app.add_typer(offenders_app, name="offenders")
