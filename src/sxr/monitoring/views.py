"""`/readyz` (can this process serve?) and `/metrics` (Prometheus); `/healthz` (alive) is in app.py.

Readiness answers 200 when every check passes and 503 otherwise, with a JSON body that names each check
and what failed in a few words (never a path, a key or an error's own message: the body is public).
`/metrics` answers loopback clients only, unless SXR_METRICS_TOKEN is set: then any client that sends it
as a bearer token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.deps import SessionDep, SettingsDep
from sxr.jobs.queue import JobQueue
from sxr.monitoring.metrics import exposition
from sxr.ratelimits.deps import request_address

router = APIRouter()
log = logging.getLogger(__name__)


def _check_database(session: Session) -> dict[str, Any]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from sxr.migrations import alembic_config

    session.execute(text("SELECT 1"))
    current = MigrationContext.configure(session.connection()).get_current_heads()
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    head = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    if set(current) != set(head):
        return {"ok": False, "detail": "the schema is not up to date: run `sxr db upgrade`"}
    return {"ok": True, "schema": sorted(current)}


def _check_blob_store(settings: Settings) -> dict[str, Any]:
    from sxr.evidence.store import BlobStore

    store = BlobStore.for_settings(settings)  # refuses a master key the store was not made with
    folder = store.root / ".tmp"
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f"ready-{secrets.token_hex(8)}"
    probe.write_bytes(b"ready")
    probe.unlink()
    return {"ok": True}


def _check_index(session: Session) -> dict[str, Any]:
    from sxr.watchlist.live import refresh
    from sxr.watchlist.models import WatchlistChange
    from sxr.watchlist.services import live_index

    started = time.perf_counter()
    # The newest change first: after the catch-up below, the index must hold at least that one.
    newest = int(session.scalar(select(func.coalesce(func.max(WatchlistChange.seq), 0))) or 0)
    index = live_index(session)  # loads on first use (from its snapshot when there is one)
    refresh(index, session.get_bind().engine, wait=True)
    behind = max(newest - index.seq, 0)
    loaded = sum(index.loaded().values())
    follower = index.follower
    return {
        "ok": behind == 0,
        "entries_loaded": loaded,
        "changes_behind": behind,
        "change_seq": index.seq,
        "loaded_from": index.source,
        "load_seconds": round(index.load_seconds, 3),
        "following": follower is not None and follower.is_alive(),
        "seconds": round(time.perf_counter() - started, 3),
    }


# A due job that no worker has taken for this long means no worker is reading the queue.
STUCK_AFTER_SECONDS = 600


def _check_job_queue(session: Session, queue: JobQueue) -> dict[str, Any]:
    from sxr.clock import as_utc, utcnow
    from sxr.jobs.queue import queue_kind
    from sxr.jobs.services import counts, oldest_waiting

    waiting = queue.huey.pending_count()  # reaches the queue's storage (Redis, SQLite): raises if it cannot
    states = counts(session)
    oldest = oldest_waiting(session)
    waited = (utcnow() - as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    check: dict[str, Any] = {
        "ok": waited < STUCK_AFTER_SECONDS,
        "present": True,
        "queue": queue_kind(queue.settings),
        "messages_waiting": int(waiting),
        "jobs": states,
        "oldest_waiting_seconds": round(waited, 1),
    }
    if not check["ok"]:
        check["detail"] = "jobs are waiting and no worker is taking them: start `sxr worker`"
    return check


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Database (and its schema), blob store writable, watchlist index fresh, job queue reachable and read
    (jobs that fail for good are counted there; they do not make the process unready)."""
    checks: dict[str, dict[str, Any]] = {}
    for name, check in (
        ("database", lambda: _check_database(session)),
        ("blob_store", lambda: _check_blob_store(settings)),
        ("watchlist_index", lambda: _check_index(session)),
        ("job_queue", lambda: _check_job_queue(session, request.app.state.jobs)),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # a failed check is an answer, not a server error
            log.warning("readiness check failed", extra={"check": name, "error": type(exc).__name__})
            checks[name] = {
                "ok": False,
                "detail": f"{name.replace('_', ' ')} not available ({type(exc).__name__})",
            }
            session.rollback()
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def allowed_to_scrape(request: Request, settings: Settings) -> bool:
    """A bearer token when SXR_METRICS_TOKEN is set; otherwise a loopback client (behind a trusted proxy,
    the client the proxy names, so a proxy on the same machine does not open /metrics to everyone)."""
    if settings.metrics_token:
        sent = request.headers.get("authorization", "")
        scheme, _, token = sent.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode("utf-8"), settings.metrics_token.encode("utf-8")
        )
    return _loopback(request_address(request))


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Prometheus metrics (text format 0.0.4)."""
    if not allowed_to_scrape(request, settings):
        raise HTTPException(
            status_code=403,
            detail="Metrics are open to this machine only, or with the deployment's metrics token.",
        )
    return Response(
        exposition(session), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
    )
