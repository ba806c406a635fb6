"""The platform API (look-ups, feedback) and its own description: every hash type from the registry."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.orm import Session

from sxr.accounts.services import authenticate_api_key
from sxr.config import Settings
from sxr.deps import SessionDep
from sxr.media.signal import MAX_NAME_LENGTH, MAX_VALUE_LENGTH, MediaHashType
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.ratelimits.buckets import TokenLeases
from sxr.watchlist import services
from sxr.watchlist.api_docs import platform_openapi, reading
from sxr.watchlist.hashes import Query, parse_query_batch
from sxr.watchlist.matching import match_queries
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


def _leases(request: Request) -> TokenLeases:
    # One set of leases per app (tests build many apps; a process serves one).
    leases: TokenLeases | None = getattr(request.app.state, "api_leases", None)
    if leases is None:
        leases = request.app.state.api_leases = TokenLeases()
    return leases


def _rate_limit(request: Request, session: Session, key: PlatformKey, cost: int) -> None:
    """Spend `cost` hashes of the key's bucket, shared by every process (429 with Retry-After past it).
    One bucket per issued key: a re-issued key starts afresh."""
    settings: Settings = request.app.state.settings
    wait = _leases(request).take(session, f"api:{key.prefix}", cost, settings.api_rate, settings.api_burst)
    if wait > 0:
        raise HTTPException(
            status_code=429,
            detail="Too many hashes for this API key; try again later.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


# Declared as HTTP bearer auth, so the OpenAPI document (and any client made from it) knows the scheme.
bearer = HTTPBearer(auto_error=False, description="the platform's API key, as issued by `sxr apikey create`")

# A key checked against the database is trusted this long by the process that checked it: a revoked key
# stops working everywhere within this time (tests/watchlist/test_serving.py revokes one and sees it).
KEY_CACHE_SECONDS = 2.0
MAX_CACHED_KEYS = 1000


@dataclass(frozen=True)
class PlatformKey:
    """A live API key as a request needs it: the platform's name and the key's public prefix."""

    name: str
    prefix: str


class KeyCache:
    """Live keys this process has checked lately, by the SHA-256 of the whole key (never the key)."""

    def __init__(self) -> None:
        self._keys: dict[bytes, tuple[PlatformKey, float]] = {}
        self._lock = threading.Lock()

    def check(self, session: Session, presented: str) -> PlatformKey | None:
        """The live key for `presented`, or None; the database is asked at most every KEY_CACHE_SECONDS."""
        digest = hashlib.sha256(presented.strip().encode()).digest()
        now = time.monotonic()
        with self._lock:
            cached = self._keys.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        row = authenticate_api_key(session, presented)
        with self._lock:
            if row is None:
                self._keys.pop(digest, None)
                return None
            if len(self._keys) >= MAX_CACHED_KEYS:
                self._keys.clear()
            found = PlatformKey(row.name, row.prefix)
            self._keys[digest] = (found, now + KEY_CACHE_SECONDS)
        return found


def _key_cache(request: Request) -> KeyCache:
    cache: KeyCache | None = getattr(request.app.state, "api_keys", None)
    if cache is None:
        cache = request.app.state.api_keys = KeyCache()
    return cache


def get_api_key(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> PlatformKey:
    """The platform's live API key from `Authorization: Bearer KEY`, or 401."""
    key = _key_cache(request).check(session, credentials.credentials) if credentials is not None else None
    if key is None:
        raise HTTPException(
            status_code=401,
            detail="A valid API key is needed: Authorization: Bearer KEY.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return key


ApiKeyDep = Annotated[PlatformKey, Depends(get_api_key)]


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


class CheckedHashQuery(HashQuery):
    """A hash checked one at a time by its type, for the words of a refusal: a valid batch is checked
    as a whole (`parse_query_batch`), and this runs only when that found a problem."""

    @model_validator(mode="after")
    def _check(self) -> CheckedHashQuery:
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


class CheckedMatchRequest(MatchRequest):
    hashes: list[CheckedHashQuery] = Field(min_length=1, max_length=MAX_BATCH)  # type: ignore[assignment]


def _checked_queries(body: MatchRequest) -> list[Query]:
    """The batch in normal form, or 422 naming each hash that is not valid in its type's own words."""
    queries = parse_query_batch(body.hashes)
    if queries is not None:
        return queries
    try:
        checked = CheckedMatchRequest.model_validate(body.model_dump())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    # The two checks agree (tests/watchlist/test_serving.py); were they not to, the careful one decides.
    return [(SIGNAL_TYPES[h.type], [h.value, *(h.dihedral or [])]) for h in checked.hashes]


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
    queries = _checked_queries(body)
    _rate_limit(request, session, key, len(queries))
    try:
        results = match_queries(session, queries, key.name, min_trust=body.min_trust)
    except services.WatchlistError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    session.commit()
    # Built by the service in exactly MatchResponse's shape: skip re-validating a thousand results.
    return Response(orjson.dumps({"results": results}), media_type="application/json")


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
    _rate_limit(request, session, key, 1)
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
