"""The platform API (look-ups, feedback) and its own description: every hash type from the registry."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sxr.accounts.models import ApiKey
from sxr.accounts.services import authenticate_api_key
from sxr.deps import SessionDep
from sxr.media.signal import MAX_NAME_LENGTH, MAX_VALUE_LENGTH, MediaHashType
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist import services
from sxr.watchlist.api_docs import platform_openapi, reading
from sxr.watchlist.settings import get_watchlist_settings
from sxr.web.templating import templates

# A bound on the other forms one hash may bring (PDQ's 7 rotations and mirrors): each type allows its own
# number, checked with its own words; this only caps the work before that.
MAX_VARIANTS = 32


class PlainValidationRoute(APIRoute):
    """A request that does not fit its model gets 422 with the problems in words, never its input echoed
    back (a NaN in it would make the JSON answer itself fail, a 500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                problems = [
                    {
                        "loc": list(e.get("loc", ())),
                        "msg": str(e.get("msg", "")),
                        "type": str(e.get("type", "")),
                    }
                    for e in exc.errors()[:MAX_PROBLEMS]
                ]
                return JSONResponse({"detail": problems}, status_code=422)

        return route


router = APIRouter(route_class=PlainValidationRoute)

MAX_BATCH = 1000
# A thousand bad hashes need not come back as a thousand problems: the first few say what is wrong.
MAX_PROBLEMS = 20


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


# Declared as HTTP bearer auth, so the OpenAPI document (and any client made from it) knows the scheme.
bearer = HTTPBearer(auto_error=False, description="the platform's API key, as issued by `sxr apikey create`")


def get_api_key(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey:
    """The platform's live API key from `Authorization: Bearer KEY`, or 401."""
    row = authenticate_api_key(session, credentials.credentials) if credentials is not None else None
    if row is None:
        raise HTTPException(
            status_code=401,
            detail="A valid API key is needed: Authorization: Bearer KEY.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return row


ApiKeyDep = Annotated[ApiKey, Depends(get_api_key)]


Trust = Literal["victim", "reviewed"]


def _hex(digits: int, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "maxLength": digits,
        "pattern": f"^[0-9a-fA-F]{{{digits}}}$",
        "description": description,
    }


def _query_option(signal: type[MediaHashType[Any]]) -> dict[str, Any]:
    """The OpenAPI shape of a look-up of one hash type."""
    properties: dict[str, Any] = {
        "type": {"type": "string", "const": signal.name, "description": signal.description},
        "value": _hex(signal.hex_digits, f"the hash in hex ({signal.hex_digits} digits)"),
    }
    variants = signal.max_variants
    properties["dihedral"] = {
        "anyOf": [
            {
                "type": "array",
                "items": _hex(signal.hex_digits, f"a {signal.name} hash in hex"),
                "maxItems": variants,
            },
            {"type": "null"},
        ],
        "description": (
            f"optional: up to {variants} other forms of the same hash (rotations and mirrors); "
            "the nearest counts"
            if variants
            else f"{signal.name} hashes have no other forms: leave this out"
        ),
    }
    return {
        "type": "object",
        "title": f"{signal.name} hash",
        "properties": properties,
        "required": ["type", "value"],
    }


def _query_schema(schema: dict[str, Any]) -> None:
    # One option a hash type that can be looked up, read from the registry when the document is made,
    # so a type added to the registry is in the document (and accepted) with nothing else changed.
    for key in ("properties", "required", "type"):
        schema.pop(key, None)
    schema["oneOf"] = [_query_option(signal) for signal in SIGNAL_TYPES.single()]


class HashQuery(BaseModel):
    """One hash to look up: its type (one of the registry's) and its value, checked by its type."""

    model_config = ConfigDict(json_schema_extra=_query_schema)

    type: str = Field(max_length=MAX_NAME_LENGTH)
    value: str = Field(max_length=MAX_VALUE_LENGTH)
    dihedral: list[Annotated[str, Field(max_length=MAX_VALUE_LENGTH)]] | None = Field(
        default=None, max_length=MAX_VARIANTS
    )

    @model_validator(mode="after")
    def _check(self) -> HashQuery:
        single = SIGNAL_TYPES.single()
        signal = SIGNAL_TYPES.get(self.type)
        if signal is None or signal not in single:
            raise ValueError(f"type must be {SIGNAL_TYPES.words(single)}")
        self.value = signal.validate(self.value)
        if self.dihedral:
            if len(self.dihedral) > signal.max_variants:
                raise ValueError(
                    f"{signal.name} hashes may bring at most {signal.max_variants} dihedral hashes"
                )
            self.dihedral = [signal.validate(v) for v in self.dihedral]
        return self


class MatchRequest(BaseModel):
    hashes: list[HashQuery] = Field(min_length=1, max_length=MAX_BATCH)
    min_trust: Trust = Field(
        default="victim",
        description='"reviewed": match only entries staff have reviewed; "victim" (the default): all entries',
    )


class MatchOut(BaseModel):
    entry_id: str = Field(description="the opaque id of the watchlist entry")
    distance: int = Field(
        ge=0, le=256, description="how far apart the hashes are: PDQ's Hamming distance, 0 for exact hashes"
    )
    match_id: str = Field(description="give feedback on this match with it")
    trust: Trust = Field(
        description='"victim": the victim submitted it and staff have not reviewed it yet; '
        '"reviewed": staff reviewed it (or an operator banked it)'
    )


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


class Problem(BaseModel):
    loc: list[str | int] = Field(description="where in the request: body, then field names and positions")
    msg: str = Field(description="what is wrong, in words")
    type: str = Field(description="a short code for the kind of problem")


class ErrorBody(BaseModel):
    """Every error the platform API answers: words, or a list of problems with the request."""

    detail: str | list[Problem]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {
        400: "the body could not be read as JSON (for example it is nested too deeply)",
        401: "no valid API key",
        403: "this key may not do that",
        404: "no such match",
        413: "the request is too large",
        422: "the request is not valid; `detail` says what is wrong",
        429: "too many requests or hashes for now; Retry-After says when to try again",
    }
    return {code: {"model": ErrorBody, "description": words[code]} for code in codes}


@router.post(
    "/api/v1/match",
    response_model=MatchResponse,
    tags=["platform API"],
    summary="Look up to 1,000 media hashes against the watchlist",
    responses=_errors(400, 401, 403, 413, 422, 429),
)
def api_match(request: Request, body: MatchRequest, key: ApiKeyDep, session: SessionDep) -> Response:
    """Each hash's matching watchlist entries with distances and trust levels. Answers carry no victim
    or case data."""
    _rate_limit(request, key, len(body.hashes))
    try:
        queries = [h.model_dump(exclude_none=True) for h in body.hashes]
        results = services.match_hashes(session, queries, key.name, min_trust=body.min_trust)
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
    responses=_errors(400, 401, 403, 404, 413, 422, 429),
)
def api_feedback(
    request: Request,
    match_id: Annotated[str, Path(max_length=64, description="the match_id a look-up gave")],
    body: FeedbackRequest,
    key: ApiKeyDep,
    session: SessionDep,
) -> dict[str, str]:
    """Record the platform's verdict on one of its matches; it reaches the case as an alert."""
    _rate_limit(request, key, 1)
    try:
        match = services.record_feedback(session, match_id, body.verdict, key.name)
    except services.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    session.commit()
    return {"match_id": match.public_id, "verdict": body.verdict}


# --- the platform API's own description ---------------------------------------------------------


@router.get("/api/openapi.json", include_in_schema=False)
def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document of the platform API (staff and victim pages are not an API)."""
    return JSONResponse(platform_openapi(request.app))


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    """The platform API's documentation, read from its OpenAPI document on the server (no script)."""
    doc = platform_openapi(request.app)
    operations, schemas = reading(doc)
    return templates.TemplateResponse(
        request, "watchlist/api_docs.html", {"doc": doc, "operations": operations, "schemas": schemas}
    )
