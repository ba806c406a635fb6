"""`sxr links rebuild | case | suggestions | decide | export` and `sxr offenders list | stix`, as DESIGN.md's
contract says; the GraphML parses and the STIX 2.1 bundle validates."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import stix2
from sqlalchemy import select
from typer.testing import CliRunner

from sxr.audit.models import AuditEvent
from sxr.cli import app
from sxr.db import session_factory

from .test_linking_pipeline import PAYPAL, PHONE, Population, _population

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def _run(*args: str) -> str:
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.stdout


def _setup(url: str, tmp: Path) -> Population:
    with session_factory(url)() as session:
        return _population(session, tmp)


def test_links_case_and_offenders_list_follow_the_contract(sqlite_url: str, tmp_path: Path) -> None:
    p = _setup(sqlite_url, tmp_path)
    rebuilt = json.loads(_run("links", "rebuild", "--json"))
    assert (rebuilt["engine"], rebuilt["cases"], rebuilt["offenders"]) == ("duckdb", 5, 1)
    doc = json.loads(_run("links", "case", p.a.reference, "--json"))
    assert doc["reference"] == p.a.reference
    by_ref = {link["reference"]: link for link in doc["linked"]}
    assert set(by_ref) == {p.b.reference, p.c.reference, p.d.reference}
    assert by_ref[p.b.reference]["kind"] == "exact" and by_ref[p.b.reference]["score"] == 1.0
    shared = {(s["kind"], s["value"]) for s in by_ref[p.b.reference]["shared"]}
    assert {("phone", PHONE), ("paypal_me", PAYPAL)} <= shared
    assert by_ref[p.d.reference]["kind"] == "suggested" and 0.5 <= by_ref[p.d.reference]["score"] < 1
    assert json.loads(_run("links", "case", p.e.reference, "--json"))["linked"] == []
    offenders = json.loads(_run("offenders", "list", "--json"))["offenders"]
    assert len(offenders) == 1
    first = offenders[0]
    assert set(first) >= {"id", "cases", "victims", "under_18", "paid", "identifiers", "harm"}
    assert sorted(first["cases"]) == sorted([p.a.reference, p.b.reference, p.c.reference])
    assert {"kind": "phone", "value": PHONE} in first["identifiers"]
    assert (first["victims"], first["under_18"]) == (3, 2)
    missing = CliRunner().invoke(app, ["links", "case", "SXR-NONE-NONE", "--json"])
    assert missing.exit_code == 3 and "No case has the reference" in missing.stderr


def test_suggestions_are_decided_from_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    p = _setup(sqlite_url, tmp_path)
    listed = json.loads(_run("links", "suggestions", "--json"))["suggestions"]
    assert len(listed) == 3 and all(p.d.reference in s["cases"] for s in listed)
    assert any(e["kind"] == "handle" for e in listed[0]["evidence"])
    _run(
        "links",
        "decide",
        str(listed[0]["id"]),
        "confirmed",
        "--by",
        "Analyst Example",
        "--why",
        "same handle",
    )
    offenders = json.loads(_run("offenders", "list", "--json"))["offenders"]
    assert p.d.reference in offenders[0]["cases"]
    refused = CliRunner().invoke(app, ["links", "decide", "999", "confirmed", "--by", "A", "--why", "x"])
    assert refused.exit_code == 4 and "no suggested link 999" in refused.stderr


def test_graphml_and_csv_exports_parse(sqlite_url: str, tmp_path: Path) -> None:
    p = _setup(sqlite_url, tmp_path)
    out = tmp_path / "links.graphml"
    _run("links", "export", "--format", "graphml", "--out", str(out))
    root = ET.parse(out).getroot()
    nodes = {n.get("id"): n for n in root.iter(f"{GRAPHML}node")}
    assert {f"case:{r}" for r in (p.a.reference, p.b.reference, p.c.reference, p.d.reference)} <= set(nodes)
    assert f"case:{p.e.reference}" not in nodes
    assert f"identifier:phone:{PHONE}" in nodes
    assert any(n.startswith("offender:") for n in nodes)
    edges = list(root.iter(f"{GRAPHML}edge"))
    kinds = {d.text for e in edges for d in e if d.get("key") == "e_kind"}
    assert {"exact", "offender", "suggested (open)"} <= kinds
    try:
        import networkx
    except ImportError:  # the standard library's parse above is the check; networkx is a second one
        networkx = None
    if networkx is not None:
        graph = networkx.read_graphml(out)
        assert graph.nodes[f"identifier:phone:{PHONE}"]["type"] == "identifier"
        assert graph.number_of_edges() == len(edges)
    table = tmp_path / "links.csv"
    _run("links", "export", "--format", "csv", "--out", str(table))
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert {"case:" + p.a.reference, f"identifier:phone:{PHONE}"} <= {r["source"] for r in rows} | {
        r["target"] for r in rows
    }
    bad = CliRunner().invoke(app, ["links", "export", "--format", "gexf", "--out", str(table)])
    assert bad.exit_code == 2 and "graphml or csv" in bad.stderr
    with session_factory(sqlite_url)() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "links.export")).all()


def test_offender_stix_bundle_validates(sqlite_url: str, tmp_path: Path) -> None:
    p = _setup(sqlite_url, tmp_path)
    offender_id = json.loads(_run("offenders", "list", "--json"))["offenders"][0]["id"]
    out = tmp_path / "offender.json"
    _run("offenders", "stix", str(offender_id), "--out", str(out))
    text = out.read_text(encoding="utf-8")
    bundle = stix2.parse(text, allow_custom=True)
    types = [o["type"] for o in bundle.objects]
    assert types.count("threat-actor") == 1
    assert types.count("observed-data") == 3
    assert types.count("relationship") == 3
    assert "identity" in types and "user-account" in types and "x-sxr-payment-account" in types
    refs = {
        r["external_id"]
        for o in bundle.objects
        if o["type"] == "observed-data"
        for r in o["external_references"]
    }
    assert refs == {p.a.reference, p.b.reference, p.c.reference}
    # The victims' own details never leave: Sam's number is not in the bundle.
    assert "7700900999" not in text
    missing = CliRunner().invoke(app, ["offenders", "stix", "999", "--out", str(out)])
    assert missing.exit_code == 3 and "no offender 999" in missing.stderr
