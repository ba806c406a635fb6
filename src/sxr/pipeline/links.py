"""Links follow the evidence: after a case's analysis or a review of its details changes, its links to
other cases and its offender are worked out again (there is no job queue yet, so it runs in the request,
bounded by linking's RELINK_CASES; past that the nightly `sxr links rebuild` does it)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sxr.audit.services import record
from sxr.cases.models import Case
from sxr.config import Settings
from sxr.evidence import services as evidence_services
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import DerivedContent
from sxr.linking.engines import EngineError
from sxr.linking.services import relink_case

log = logging.getLogger(__name__)
PROBLEM = "The links between this case and others could not be worked out: {}. Run sxr links rebuild."


def relink_after_change(session: Session, settings: Settings, case: Case) -> str | None:
    """Work out the case's links again and commit; the problem in words when that failed.

    The caller commits its own change first: a failure here rolls back the links' changes only.
    """
    try:
        relink_case(session, settings, case)
        session.commit()
    except (EngineError, ValueError, OSError, RuntimeError, SQLAlchemyError) as exc:
        session.rollback()
        log.warning("relinking %s failed: %s", case.reference, exc)
        problem = PROBLEM.format(f"{type(exc).__name__}: {exc}"[:300])
        # On the case's audit trail, which staff read on the case page.
        record(session, actor="sxr", action="links.failed", case_id=case.id, subject=problem[:255])
        session.commit()
        return problem
    return None


def link_case(session: Session, settings: Settings, item: EvidenceItem) -> Iterator[DerivedContent]:
    """Deriver: after the analysis of new evidence, the case's links (it derives nothing itself)."""
    case = session.get(Case, item.case_id)
    if case is not None:
        problem = relink_after_change(session, settings, case)
        if problem is not None:
            # Said on the ledger, which staff see on the case; the evidence itself was read.
            evidence_services.warn_derivation(session, item, "link_case", problem)
            session.commit()
    yield from ()
