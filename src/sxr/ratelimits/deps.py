"""`limit_by_address(request, LIMIT)`: count a use by the request's client and answer 429 past the limit."""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.ratelimits.services import Limit, RateLimited, client_address, hit, parse_networks

BUSY_ADDRESS = (
    "We have had a lot of requests from your connection in a short time, so we have paused it to keep "
    "everyone's reports safe. Please try again in {minutes} minutes."
)
BUSY_EVERYONE = (
    "We are very busy just now. Please try again in {minutes} minutes. Nothing you sent before is lost. "
    "If you are in danger, call {emergency}."
)


def request_address(request: Request) -> str:
    """The client's address, believing X-Forwarded-For only from SXR_TRUSTED_PROXIES."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else None
    return client_address(
        peer, request.headers.getlist("x-forwarded-for"), parse_networks(settings.trusted_proxies)
    )


def limit_by_address(request: Request, session: Session, limit: Limit) -> None:
    """Count one use of `limit` by this request's address; HTTP 429 (with Retry-After) past it."""
    settings: Settings = request.app.state.settings
    if not settings.rate_limits:
        return
    try:
        hit(session, limit, request_address(request))
    except RateLimited as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        text = BUSY_EVERYONE if exc.overall else BUSY_ADDRESS
        # The region's emergency number, as every page shows it (app.state.page_context).
        emergency = request.app.state.page_context["region_page"].emergency_phone
        raise HTTPException(
            status_code=429,
            detail=text.format(minutes=minutes, emergency=emergency),
            headers={"Retry-After": str(exc.retry_after)},
        ) from exc
