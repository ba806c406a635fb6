"""Links for other tools: a graph (GraphML for Gephi-style tools, or CSV edges) and a STIX 2.1 bundle for
one offender (for partner agencies). Only the offender's identifiers and case references leave: never a
victim's words or details."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import stix2
from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.analysis.vocabulary import kind_label
from sxr.cases.models import Case
from sxr.clock import utcnow
from sxr.linking import services
from sxr.linking.models import CaseObservable, LinkSuggestion, Offender, OffenderCase
from sxr.reports.stix import PRODUCER_ID, extension_definitions, indicator_observables

FORMATS = ("graphml", "csv")
# Bounds: an export names at most this many cases (the most harmful offenders' first).
MAX_CASES = 200_000
_NS = uuid.UUID("1c0b5e55-4a52-4c3e-8f0a-7d5e0c9b2a61")
_GRAPHML = "http://graphml.graphdrawing.org/xmlns"


@dataclass(slots=True)
class Graph:
    """Nodes (cases, identifiers, offenders) and edges with their kind and score."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, float]] = field(default_factory=list)


def link_graph(session: Session) -> Graph:
    """The graph of linked cases: each case in an offender or a suggestion, its identifiers, offenders."""
    graph = Graph()
    common = services.common_keys(session)
    refs = dict(session.execute(select(Case.id, Case.reference)).all())
    cases: set[int] = set()
    for offender_id, case_id in session.execute(
        select(OffenderCase.offender_id, OffenderCase.case_id)
        .join(Offender, Offender.id == OffenderCase.offender_id)
        .order_by(Offender.harm.desc(), OffenderCase.case_id)
        .limit(MAX_CASES)
    ):
        row = session.get(Offender, offender_id)
        graph.nodes[f"offender:{offender_id}"] = {
            "type": "offender",
            "label": f"Offender {offender_id}",
            "harm": f"{row.harm:g}" if row else "",
        }
        cases.add(case_id)
        graph.edges.append((f"case:{refs[case_id]}", f"offender:{offender_id}", "offender", 1.0))
    for s in session.scalars(select(LinkSuggestion).where(LinkSuggestion.status != "rejected")):
        cases |= {s.case_a, s.case_b}
        graph.edges.append(
            (f"case:{refs[s.case_a]}", f"case:{refs[s.case_b]}", f"suggested ({s.status})", s.score)
        )
    for case_id in sorted(cases):
        graph.nodes[f"case:{refs[case_id]}"] = {"type": "case", "label": refs[case_id]}
    for case_id, kind, value in session.execute(
        select(CaseObservable.case_id, CaseObservable.kind, CaseObservable.value)
        .where(CaseObservable.case_id.in_(sorted(cases)))
        .order_by(CaseObservable.case_id, CaseObservable.kind, CaseObservable.value)
    ):
        node = f"identifier:{kind}:{value}"
        too_common = (kind, value) in common
        graph.nodes.setdefault(
            node,
            {
                "type": "identifier",
                "label": f"{kind_label(kind)}: {value}",
                "kind": kind,
                "common": "yes" if too_common else "no",
            },
        )
        graph.edges.append((f"case:{refs[case_id]}", node, "common value" if too_common else "exact", 1.0))
    return graph


def graphml(graph: Graph) -> bytes:
    """The graph as GraphML (undirected), with node type, label, kind and harm, and edge kind and score."""
    ET.register_namespace("", _GRAPHML)
    root = ET.Element(f"{{{_GRAPHML}}}graphml")
    keys = [("type", "node"), ("label", "node"), ("kind", "node"), ("harm", "node"), ("common", "node")]
    keys += [("kind", "edge"), ("score", "edge")]
    for name, where in keys:
        ET.SubElement(
            root,
            f"{{{_GRAPHML}}}key",
            {
                "id": f"{where[0]}_{name}",
                "for": where,
                "attr.name": name,
                "attr.type": "double" if name == "score" else "string",
            },
        )
    body = ET.SubElement(root, f"{{{_GRAPHML}}}graph", {"id": "sxr-links", "edgedefault": "undirected"})
    for node_id, data in graph.nodes.items():
        node = ET.SubElement(body, f"{{{_GRAPHML}}}node", {"id": node_id})
        for name, value in data.items():
            ET.SubElement(node, f"{{{_GRAPHML}}}data", {"key": f"n_{name}"}).text = value
    for k, (source, target, kind, score) in enumerate(graph.edges):
        edge = ET.SubElement(body, f"{{{_GRAPHML}}}edge", {"id": f"e{k}", "source": source, "target": target})
        ET.SubElement(edge, f"{{{_GRAPHML}}}data", {"key": "e_kind"}).text = kind
        ET.SubElement(edge, f"{{{_GRAPHML}}}data", {"key": "e_score"}).text = f"{score:g}"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def edges_csv(graph: Graph) -> bytes:
    """The graph's edges as CSV: source, source type, target, target type, kind, score."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "source_type", "target", "target_type", "kind", "score"])
    for source, target, kind, score in graph.edges:
        writer.writerow(
            [
                _cell(source),
                graph.nodes.get(source, {}).get("type", ""),
                _cell(target),
                graph.nodes.get(target, {}).get("type", ""),
                kind,
                f"{score:g}",
            ]
        )
    return out.getvalue().encode("utf-8")


def _cell(value: str) -> str:
    # An offender wrote these values: a leading = + - @ would be a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def offender_stix(session: Session, offender_id: int) -> str:
    """A STIX 2.1 bundle for one offender: a threat-actor, his identities (accounts, addresses, payment
    routes) and an observed-data per case, each related to the threat-actor."""
    view = services.offender(session, offender_id)
    if view is None:
        raise services.LinkError(f"There is no offender {offender_id}.")
    now = utcnow().astimezone(UTC)
    producer = stix2.v21.Identity(
        id=PRODUCER_ID,
        created=datetime(2026, 11, 28, tzinfo=UTC),
        modified=datetime(2026, 11, 28, tzinfo=UTC),
        name="sxr report pack",
        identity_class="system",
        description="A sextortion response service deployment that produced this bundle.",
    )
    actor = stix2.v21.ThreatActor(
        id=f"threat-actor--{uuid.uuid5(_NS, f'offender-{view.id}-{view.case_ids[0]}')}",
        created_by_ref=PRODUCER_ID,
        created=now,
        modified=now,
        name=f"sxr offender {view.id}",
        threat_actor_types=["criminal"],
        description=(
            f"Sextortion offender linked across {view.victims} reports ({view.under_18} from under-18s, "
            f"{view.paid} where money was paid, {view.self_harm} where self-harm was mentioned)."
        ),
        external_references=[{"source_name": "sxr case", "external_id": ref} for ref in view.references],
    )
    objects: list[Any] = [producer, *extension_definitions(), actor]
    seen: dict[str, Any] = {}
    per_case: dict[int, list[str]] = {}
    for case_id in view.case_ids:
        rows = session.execute(
            select(CaseObservable.kind, CaseObservable.value).where(CaseObservable.case_id == case_id)
        )
        ids = []
        for kind, value in rows:
            for obs in indicator_observables(kind, value):
                seen.setdefault(obs.id, obs)
                ids.append(obs.id)
        per_case[case_id] = list(dict.fromkeys(ids))
    objects.extend(seen.values())
    opened = dict(session.execute(select(Case.id, Case.created_at).where(Case.id.in_(view.case_ids))).all())
    for case_id, reference in zip(view.case_ids, view.references, strict=True):
        if not per_case[case_id]:
            continue
        at = opened[case_id]
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        observed = stix2.v21.ObservedData(
            created_by_ref=PRODUCER_ID,
            created=now,
            modified=now,
            first_observed=at,
            last_observed=at,
            number_observed=1,
            object_refs=per_case[case_id],
            external_references=[{"source_name": "sxr case", "external_id": reference}],
            allow_custom=True,
        )
        objects.append(observed)
        objects.append(
            stix2.v21.Relationship(
                created_by_ref=PRODUCER_ID,
                created=now,
                modified=now,
                relationship_type="related-to",
                source_ref=observed.id,
                target_ref=actor.id,
            )
        )
    bundle = stix2.v21.Bundle(objects=objects, allow_custom=True)
    return str(bundle.serialize(pretty=True, ensure_ascii=False)) + "\n"
