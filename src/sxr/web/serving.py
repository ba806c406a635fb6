"""Serving the app: one process, or several worker processes sharing one listening socket.

With `workers` > 1, uvicorn's supervisor starts the workers (each builds the app from the environment's
settings through `APP_FACTORY`, a name rather than an import: the entry point sits above this layer),
restarts one that dies, and stops them all on Ctrl+C or SIGTERM. Everything the workers must agree on
lives in the database: the watchlist, rate limits and lockouts, staff sessions (README, "Serving with
several processes").
"""

from __future__ import annotations

from typing import Any

# The app factory each worker process calls (sxr.app.create_served_app).
APP_FACTORY = "sxr.app:create_served_app"
# How long the supervisor waits for a worker to answer its health check before killing and replacing it.
# uvicorn's 5 s killed workers that were busy loading the watchlist index on a loaded machine (their
# requests were lost, and the replacement started the load again); a hung worker still goes within this.
WORKER_HEALTHCHECK_SECONDS = 60


def uvicorn_options(host: str, port: int) -> dict[str, Any]:
    """What every way of serving sxr passes to uvicorn."""
    return {
        "host": host,
        "port": port,
        "proxy_headers": False,  # SXR_TRUSTED_PROXIES decides whom to believe, not uvicorn
        "server_header": False,
        # Access logs would record /case/{token} paths, and a token opens a case for 30 minutes.
        "access_log": False,
        "log_config": None,
    }


def serve(app: Any, *, host: str, port: int, workers: int = 1) -> None:
    """Serve `app` (already built, so a setting that stops it is reported before anything listens) in
    this process, or the factory's app in `workers` processes."""
    import uvicorn

    options = uvicorn_options(host, port)
    if workers <= 1:
        uvicorn.run(app, **options)
    else:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            workers=workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **options,
        )
