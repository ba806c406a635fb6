"""The kinds of job a worker runs: read new evidence (import, OCR, analysis, links), and the periodic
retention run and link rebuild. `job_kinds(derivers)` is the one table of them: the app factory and
`sxr worker` pass it to `sxr.jobs.queue.JobQueue`, as they pass DERIVERS to the evidence locker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.evidence import services as evidence_services
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import Deriver
from sxr.jobs.models import Job
from sxr.jobs.queue import JobKind

log = logging.getLogger(__name__)

DERIVE = "derive"
RETENTION = "retention"
LINKS_REBUILD = "links_rebuild"
# What each kind of job is called on the staff page.
KIND_WORDS = {
    DERIVE: "Read the file (import, OCR, analysis, links)",
    RETENTION: "Delete what the retention rules say is due",
    LINKS_REBUILD: "Work out every link between cases again",
}
# Deriver name on the ledger when a job gives up.
DERIVE_JOB = "derive_job"


def _item_of(session: Session, job: Job) -> EvidenceItem | None:
    return session.get(EvidenceItem, job.evidence_item_id) if job.evidence_item_id is not None else None


def _derive_with(derivers: Sequence[Deriver]) -> JobKind:
    def run(session: Session, settings: Settings, job: Job) -> None:
        item = _item_of(session, job)
        if item is None:
            return  # the case was erased meanwhile: nothing is left to read
        if job.attempts > 1:
            # An earlier try may have stored part of its work before it stopped: start again from none.
            evidence_services.supersede_derived(
                session, item, actor="system", why=f"job {job.id} runs again (try {job.attempts})"
            )
        evidence_services.derive(session, settings, item, derivers)

    def gave_up(session: Session, settings: Settings, job: Job) -> None:
        item = _item_of(session, job)
        if item is not None:
            message = f"reading this file failed {job.attempts} times: {job.last_error or 'no reason given'}"
            evidence_services.record_derive_failure(session, item, DERIVE_JOB, message[:500])

    return JobKind(run=run, gave_up=gave_up)


def _retention(session: Session, settings: Settings, job: Job) -> None:
    from sxr.retention.services import run_retention

    report = run_retention(session, settings)
    session.commit()
    if report.failed:
        named = "; ".join(f"{reference}: {problem}" for reference, problem in report.failed[:5])
        raise RuntimeError(f"{len(report.failed)} cases could not be deleted ({named})")


def _links_rebuild(session: Session, settings: Settings, job: Job) -> None:
    from sxr.linking.services import rebuild

    engine = str(json.loads(job.payload or "{}").get("engine", "duckdb"))
    result = rebuild(session, settings, engine)
    session.commit()
    if result.problems:
        log.warning("links rebuilt with problems", extra={"problems": len(result.problems)})


def job_kinds(derivers: Sequence[Deriver]) -> dict[str, JobKind]:
    """Every kind of job, reading new evidence with `derivers` (sxr.pipeline.derivers.DERIVERS)."""
    return {
        DERIVE: _derive_with(tuple(derivers)),
        # Nightly, at quiet minutes past the hour; a deployment without a worker runs `sxr retention run`.
        RETENTION: JobKind(run=_retention, every="17 3 * * *"),
        LINKS_REBUILD: JobKind(run=_links_rebuild, every="43 2 * * *"),
    }
