"""A real worker process (as `sxr worker` runs one) whose derive jobs run the derivers a test names.

python tests/jobs/worker_with.py held|broken
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

from sqlalchemy.orm import Session

from sxr.cli_support import load_settings
from sxr.config import Settings
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import DerivedContent
from sxr.pipeline.derivers import derive_conversation
from sxr.pipeline.jobs import job_kinds
from sxr.pipeline.worker import run_worker

HOLD = "hold"  # while this file is in the data dir, `held` waits (the test kills the worker meanwhile)
HOLDING = "holding"  # written by `held` once the conversation before it is stored


def held(session: Session, settings: Settings, item: EvidenceItem) -> Iterator[DerivedContent]:
    """After the conversation and analysis are stored (and committed), wait while the hold file is there."""
    (settings.data_dir / HOLDING).write_text(str(item.id))
    while (settings.data_dir / HOLD).exists():
        time.sleep(0.05)
    yield DerivedContent("note", "text/plain", b"held and let go")


def broken(session: Session, settings: Settings, item: EvidenceItem) -> None:
    raise RuntimeError("a bug in a deriver")


DERIVERS = {"held": (derive_conversation, held), "broken": (broken,)}

if __name__ == "__main__":
    run_worker(load_settings(), job_kinds(DERIVERS[sys.argv[1]]), periodic=False)
