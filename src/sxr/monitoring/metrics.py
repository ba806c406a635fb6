"""Prometheus metrics of this process (requests, latency) and of the deployment (read from the database
at each scrape, so every worker process answers the same: cases, evidence, watchlist, matches).

Process metrics live in prometheus_client's default registry, where any domain may add its own
(ratelimits counts its refusals there); `/metrics` adds the database's figures to them.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

REQUESTS = Counter(
    "sxr_http_requests",
    "HTTP requests answered, by method, route template (never the path: it can hold a case token) and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "sxr_http_request_duration_seconds",
    "Seconds from a request's arrival to the end of its answer, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class DeploymentCollector(Collector):
    """Figures of the whole deployment, counted in the database when scraped."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from sxr.cases.models import Case
        from sxr.evidence.models import EvidenceItem
        from sxr.retention.models import CaseHold, Erasure
        from sxr.watchlist.models import WatchlistEntry, WatchlistMatch

        s = self.session
        cases = GaugeMetricFamily("sxr_cases", "Cases by status", labels=["status"])
        for status, n in s.execute(select(Case.status, func.count()).group_by(Case.status)):
            cases.add_metric([status], n)
        yield cases
        held = s.scalar(select(func.count()).select_from(CaseHold).where(CaseHold.lifted_at.is_(None)))
        yield GaugeMetricFamily("sxr_cases_on_hold", "Cases on hold (kept from deletion)", value=held or 0)
        items, size = s.execute(
            select(func.count(), func.coalesce(func.sum(EvidenceItem.size), 0)).select_from(EvidenceItem)
        ).one()
        yield GaugeMetricFamily("sxr_evidence_items", "Evidence items (originals) held", value=items)
        yield GaugeMetricFamily("sxr_evidence_bytes", "Bytes of evidence originals held", value=int(size))
        entries = GaugeMetricFamily(
            "sxr_watchlist_entries", "Hashes on the watchlist (the index's size), by type", labels=["type"]
        )
        for kind, n in s.execute(select(WatchlistEntry.type, func.count()).group_by(WatchlistEntry.type)):
            entries.add_metric([kind], n)
        yield entries
        matches = GaugeMetricFamily(
            "sxr_watchlist_matches",
            "Platforms' uploads that matched the watchlist, by the platform's feedback",
            labels=["feedback"],
        )
        for feedback, n in s.execute(
            select(WatchlistMatch.feedback, func.count()).group_by(WatchlistMatch.feedback)
        ):
            matches.add_metric([feedback or "none"], n)
        yield matches
        erased = s.scalar(select(func.count()).select_from(Erasure))
        yield GaugeMetricFamily(
            "sxr_erasures", "Cases deleted (tombstones on the erasure ledger)", value=erased or 0
        )


def exposition(session: Session) -> bytes:
    """The text format Prometheus scrapes: this process's metrics, then the deployment's."""
    from sxr.watchlist.services import live_index

    deployment = CollectorRegistry(auto_describe=False)
    deployment.register(DeploymentCollector(session))
    loaded = live_index(session)  # brought up to date with the database, as a look-up would
    index = GaugeMetricFamily(
        "sxr_watchlist_index_loaded", "Hashes in this process's in-memory watchlist index", labels=["type"]
    )
    for kind, count in loaded.loaded().items():  # every hash type of the registry
        index.add_metric([kind], count)

    class _Index(Collector):
        def collect(self) -> Iterator[GaugeMetricFamily]:
            yield index

    deployment.register(_Index())
    return generate_latest(REGISTRY) + generate_latest(deployment)
