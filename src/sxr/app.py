"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from sxr.config import Settings, get_settings
from sxr.evidence.services import Deriver
from sxr.guidance import views as guidance_views
from sxr.guidance.content import default_content
from sxr.jobs.queue import JobQueue
from sxr.media import views as media_views
from sxr.monitoring import views as monitoring_views
from sxr.monitoring.middleware import RequestMetricsMiddleware
from sxr.pipeline.derivers import DERIVERS
from sxr.pipeline.jobs import job_kinds
from sxr.portal import details as portal_details
from sxr.portal import views as portal_views
from sxr.reports import views as reports_views
from sxr.retention import views as retention_views
from sxr.staff import views as staff_views
from sxr.watchlist import views as watchlist_views
from sxr.web.security import BodyLimitMiddleware, SecurityHeadersMiddleware
from sxr.web.templating import STATIC_DIR, templates
from sxr.web.uploads import sweep as sweep_uploads

# Every router, mounted in this order (the first route that matches a path wins).
ROUTERS: tuple[APIRouter, ...] = (
    guidance_views.router,  # the plan
    portal_views.router,  # the victim's report and case pages
    portal_details.router,  # the victim's check of the details found
    media_views.router,  # in-browser hashing page
    watchlist_views.router,  # platform API, the victim's hashes, staff review of entries
    reports_views.router,
    staff_views.router,  # the staff portal
    retention_views.router,  # the victim's copy of their report, and deleting it
    monitoring_views.router,  # readiness and metrics
)


INVALID_REQUEST = "Some of what was sent could not be used. Please go back and try again."


def create_app(settings: Settings | None = None, *, derivers: Sequence[Deriver] = DERIVERS) -> FastAPI:
    """Build the app for `settings` (the environment's when not given); new evidence runs `derivers`."""
    settings = settings or get_settings()
    settings.ensure_data_dir()
    app = FastAPI(
        title="sxr",
        summary="Sextortion response: victim plan, evidence locker, watchlist and platform API.",
        version="0.1.0",
        # The platform API's document and docs page are served by sxr.watchlist.views (only /api/v1).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.derivers = tuple(derivers)  # read by routes through sxr.evidence.deps.DeriversDep
    # New evidence is read by a job (sxr worker), with these derivers: read through sxr.jobs.deps.JobQueueDep.
    app.state.jobs = JobQueue(settings, job_kinds(derivers))
    # The region's emergency number and quick-exit page, on every page (web.templating's context).
    app.state.page_context = {"region_page": default_content().region_page(settings.region)}
    # A body too big for its route is refused before anything reads it (its answer still gets the
    # security headers, added outside it).
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost: every answer is counted and logged by its route template, refusals included.
    app.add_middleware(RequestMetricsMiddleware)
    sweep_uploads(settings.data_dir)  # what a crash left behind
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status_code": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own answer repeats the input back (hostile text in an error page; a NaN it cannot
        # even encode, a 500): say where and what, never the value.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": errors}, status_code=422)
        return templates.TemplateResponse(
            request,
            "error.html",
            {
                "status_code": 422,
                "detail": "Some of what was sent could not be used. Please go back and try again.",
            },
            status_code=422,
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
