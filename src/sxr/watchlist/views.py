"""Routes: the platform API (match, feedback) and the victim's hash upload and withdrawal."""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from sxr.accounts.models import ApiKey
from sxr.accounts.services import authenticate_api_key
from sxr.cases.deps import VictimCaseDep
from sxr.cases.views import require_same_origin
from sxr.deps import SessionDep
from sxr.watchlist import services
from sxr.watchlist.settings import get_watchlist_settings

router = APIRouter()

MAX_BATCH = 1000


# --- platform API -------------------------------------------------------------------------------


class TokenBucket:
    """Tokens refill at `rate` a second up to `burst`; a request spends one token per hash."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()

    def take(self, cost: float) -> float:
        """Spend `cost` tokens and return 0, or return the seconds to wait before they are there."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if cost > self.burst:
            cost = self.burst
        if self.tokens >= cost:
            self.tokens -= cost
            return 0.0
        return (cost - self.tokens) / self.rate


_buckets_lock = threading.Lock()


def _rate_limit(request: Request, key: ApiKey, cost: int) -> None:
    settings = get_watchlist_settings()
    with _buckets_lock:
        # One set of buckets per app, one bucket per issued key (a re-issued key starts afresh).
        buckets: dict[str, TokenBucket] | None = getattr(request.app.state, "watchlist_buckets", None)
        if buckets is None:
            buckets = request.app.state.watchlist_buckets = {}
        bucket = buckets.get(key.prefix)
        if bucket is None or (bucket.rate, bucket.burst) != (settings.api_rate, settings.api_burst):
            bucket = buckets[key.prefix] = TokenBucket(settings.api_rate, settings.api_burst)
        wait = bucket.take(cost)
    if wait > 0:
        raise HTTPException(
            status_code=429,
            detail="Too many hashes for this API key; try again later.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


def get_api_key(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> ApiKey:
    """The platform's live API key from `Authorization: Bearer KEY`, or 401."""
    scheme, _, key = (authorization or "").partition(" ")
    row = authenticate_api_key(session, key) if scheme.lower() == "bearer" else None
    if row is None:
        raise HTTPException(
            status_code=401,
            detail="A valid API key is needed: Authorization: Bearer KEY.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return row


ApiKeyDep = Annotated[ApiKey, Depends(get_api_key)]


class HashQuery(BaseModel):
    type: Literal["pdq", "md5"] = Field(description="pdq (64 hex digits) or md5 (32 hex digits)")
    value: str = Field(max_length=64, description="the hash in hex, as Meta's reference prints PDQ")
    dihedral: list[str] | None = Field(
        default=None,
        max_length=7,
        description="optional: the PDQ hashes of the other 7 rotations/mirrors; the nearest counts",
    )


class MatchRequest(BaseModel):
    hashes: list[HashQuery] = Field(min_length=1, max_length=MAX_BATCH)


class MatchOut(BaseModel):
    entry_id: str = Field(description="the opaque id of the watchlist entry")
    distance: int = Field(description="PDQ Hamming distance (0 for MD5)")
    match_id: str = Field(description="give feedback on this match with it")


class HashResult(BaseModel):
    value: str
    matches: list[MatchOut]


class MatchResponse(BaseModel):
    results: list[HashResult]


class FeedbackRequest(BaseModel):
    verdict: Literal["confirmed", "not_a_match"]


class FeedbackResponse(BaseModel):
    match_id: str
    verdict: str


@router.post(
    "/api/v1/match",
    response_model=MatchResponse,
    tags=["platform API"],
    summary="Look up to 1,000 media hashes against the watchlist",
    responses={401: {"description": "no valid API key"}, 429: {"description": "rate limited"}},
)
def api_match(request: Request, body: MatchRequest, key: ApiKeyDep, session: SessionDep) -> Response:
    """Each hash's matching watchlist entries with distances. Answers carry no victim or case data."""
    _rate_limit(request, key, len(body.hashes))
    try:
        results = services.match_hashes(
            session, [h.model_dump(exclude_none=True) for h in body.hashes], key.name
        )
    except services.WatchlistError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    session.commit()
    # Built by the service in exactly MatchResponse's shape: skip re-validating a thousand results.
    return Response(json.dumps({"results": results}), media_type="application/json")


@router.post(
    "/api/v1/matches/{match_id}/feedback",
    response_model=FeedbackResponse,
    tags=["platform API"],
    summary="Say whether a match was the victim's media or not",
    responses={401: {"description": "no valid API key"}, 404: {"description": "no such match"}},
)
def api_feedback(
    request: Request, match_id: str, body: FeedbackRequest, key: ApiKeyDep, session: SessionDep
) -> dict[str, str]:
    """Record the platform's verdict on one of its matches; it reaches the case as an alert."""
    _rate_limit(request, key, 1)
    try:
        match = services.record_feedback(session, match_id, body.verdict, key.name)
    except services.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    session.commit()
    return {"match_id": match.public_id, "verdict": body.verdict}


# --- victim side --------------------------------------------------------------------------------


class BankedEntry(BaseModel):
    id: str
    type: str


class BankResponse(BaseModel):
    entries: list[BankedEntry]


@router.get("/case/{token}/protect", include_in_schema=False)
def victim_protect_page(request: Request, token: str, case: VictimCaseDep) -> Response:
    """The in-browser hashing page, sending its hashes to this case's watchlist."""
    from sxr.media.views import render_protect_page

    return render_protect_page(request, submit_url=f"/case/{token}/hashes")


@router.post(
    "/case/{token}/hashes",
    response_model=BankResponse,
    include_in_schema=False,
    dependencies=[Depends(require_same_origin)],
)
def victim_bank_hashes(
    payload: Annotated[dict[str, Any], Body()], case: VictimCaseDep, session: SessionDep
) -> dict[str, Any]:
    """Hashes computed in the victim's browser (the pictures never leave the device)."""
    hashes = payload.get("hashes")
    if not isinstance(hashes, list) or not 0 < len(hashes) <= MAX_BATCH:
        raise HTTPException(status_code=400, detail=f"Send between 1 and {MAX_BATCH} hashes.")
    try:
        entries = services.bank_hashes(session, case.id, hashes, added_by="victim")
    except services.WatchlistError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    session.commit()
    return {"entries": [{"id": e.public_id, "type": e.type} for e in entries]}


@router.post(
    "/case/{token}/hashes/{entry_id}/withdraw",
    include_in_schema=False,
    dependencies=[Depends(require_same_origin)],
)
def victim_withdraw(token: str, entry_id: str, case: VictimCaseDep, session: SessionDep) -> RedirectResponse:
    """The victim takes one of their hashes off the watchlist; it stops matching at once."""
    try:
        services.withdraw_entry(session, entry_id, case_id=case.id)
    except services.NotFound as exc:
        raise HTTPException(status_code=404, detail="We could not find that picture's code.") from exc
    session.commit()
    return RedirectResponse(f"/case/{token}", status_code=303)
