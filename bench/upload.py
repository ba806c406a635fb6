"""Upload of a WhatsApp export: how long until the victim's upload request is answered, with the job queue
(the reading is a job for `sxr worker`) against the anchor, the in-request path (the derivers run inside
the request, as before the queue), measured in the same run; and how long until the reading is ready
with a worker already running. Goal (issue 16): the 20 MB upload answered in <= 2 s.

usage: .venv/bin/python bench/upload.py [--mb 20] [--quick] [--repeat 1] [--keep DIR]

The export is generated (bench/import.py's generator: an Android en-US export, every day <= 12). Both
paths run the same app (`create_app`), the same derivers and SQLite in a fresh data dir; the request goes
through FastAPI's test client (the multipart body, the streaming to disk, the encryption, the ledger and,
for the anchor, the import, analysis and storage of what was derived). The queue path uses the embedded
queue (huey on SQLite in the data dir) and a real `sxr worker` process started before the upload.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 2.0
NAME = "WhatsApp Chat with Maya.txt"
HERE = Path(__file__).resolve().parent


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_import", HERE / "import.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_whatsapp


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def _upload_seconds(queue_url: str, export: Path) -> tuple[float, int, str]:
    """One upload to a new case with SXR_QUEUE_URL=`queue_url`: seconds, evidence item id, page words."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from sxr.app import create_app
    from sxr.cases.services import create_case, open_victim_session
    from sxr.config import get_settings
    from sxr.db import session_factory
    from sxr.evidence.models import EvidenceItem

    os.environ["SXR_QUEUE_URL"] = queue_url  # bench only: the app reads it through Settings
    get_settings.cache_clear()
    settings = get_settings()
    with session_factory(settings.resolved_database_url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
        case_id = case.id
    client = TestClient(create_app(settings))
    body = export.read_bytes()
    started = time.perf_counter()
    answer = client.post(
        f"/case/{token}/evidence",
        files=[("files", (NAME, body, "text/plain"))],
        headers={"sec-fetch-site": "same-origin"},
    )
    seconds = time.perf_counter() - started
    if answer.status_code != 200:
        raise SystemExit(f"the upload was refused ({answer.status_code}): {answer.text[:300]}")
    with session_factory(settings.resolved_database_url)() as session:
        item_id = session.scalars(select(EvidenceItem.id).where(EvidenceItem.case_id == case_id)).one()
    said = (
        "We are reading your chat" if "We are reading your chat" in answer.text else "(read in the request)"
    )
    return seconds, item_id, said


def _job_state(item_id: int) -> str | None:
    from sqlalchemy import select

    from sxr.config import get_settings
    from sxr.db import session_factory
    from sxr.jobs.models import Job

    with session_factory(get_settings().resolved_database_url)() as session:
        return session.scalar(
            select(Job.state).where(Job.evidence_item_id == item_id).order_by(Job.id.desc())
        )


def _queued_run(export: Path, log: Path) -> tuple[float, float, str]:
    """Start a worker, upload, then wait for the reading: (answered s, ready s from the upload's start)."""
    os.environ["SXR_QUEUE_URL"] = ""
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from sxr.cli import main; main()", "worker", "--no-periodic"],
            stdout=out,
            stderr=out,
        )
    try:
        time.sleep(3.0)  # a worker is already waiting, as it is in a deployment
        started = time.perf_counter()
        answered, item_id, said = _upload_seconds("", export)
        while (state := _job_state(item_id)) not in ("done", "failed"):
            if worker.poll() is not None:
                raise SystemExit(f"the worker stopped (exit {worker.returncode}); see {log}")
            time.sleep(0.05)
        ready = time.perf_counter() - started
        if state == "failed":
            raise SystemExit(f"the job failed; see {log}")
        return answered, ready, said
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--mb", type=float, default=20.0, help="size of the generated export in MB (default 20)"
    )
    parser.add_argument("--quick", action="store_true", help="a 2 MB export: a quick look")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path; the best is shown")
    parser.add_argument("--keep", type=Path, help="use this folder for the data dir and export, and keep it")
    args = parser.parse_args()
    megabytes = 2.0 if args.quick else args.mb
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sxr-bench-upload-"))
    folder.mkdir(parents=True, exist_ok=True)
    data_dir = folder / "data"
    os.environ.update(
        {"SXR_DATA_DIR": str(data_dir), "SXR_ENVIRONMENT": "development", "SXR_RATE_LIMITS": "false"}
    )
    os.environ.pop("SXR_DATABASE_URL", None)
    from sxr.config import get_settings
    from sxr.migrations import upgrade

    get_settings.cache_clear()
    get_settings().ensure_data_dir()
    upgrade(get_settings().resolved_database_url)
    export = folder / NAME
    messages = _generator()(export, int(megabytes * 1024 * 1024))  # type: ignore[operator]
    size = export.stat().st_size
    print(f"export: {size / 1e6:.1f} MB, {messages:,} messages; load before: {_load()}")

    inline = min(_upload_seconds("immediate", export)[0] for _ in range(args.repeat))
    queued = min((_queued_run(export, folder / "worker.log") for _ in range(args.repeat)), key=lambda r: r[0])
    answered, ready, said = queued
    print(f"{'path':<34}{'upload answered s':>20}{'reading ready s':>18}")
    print(f"{'in the request (anchor)':<34}{inline:>20.2f}{inline:>18.2f}")
    print(f"{'queued, sxr worker reads it':<34}{answered:>20.2f}{ready:>18.2f}")
    print(f"the queued upload said: {said!r}")
    print(
        f"answered {inline / answered:.1f}x sooner than in the request; goal <= {GOAL_SECONDS:.0f} s: "
        f"{'met' if answered <= GOAL_SECONDS else 'NOT met'} ({answered:.2f} s); load after: {_load()}"
    )


if __name__ == "__main__":
    main()
