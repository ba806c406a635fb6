"""Routes: the platform API (match, feedback), the victim's hash upload and withdrawal, and staff review."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from sxr.accounts.deps import CsrfSessionDep, OptionalStaffSessionDep
from sxr.accounts.models import ApiKey, StaffSession, StaffUser
from sxr.accounts.roles import can
from sxr.accounts.services import authenticate_api_key
from sxr.accounts.staff_audit import audit, clean_reason
from sxr.accounts.staff_users import StaffError
from sxr.cases.deps import VictimCaseDep
from sxr.cases.models import Case
from sxr.cases.services import get_case_by_reference
from sxr.clock import as_utc
from sxr.deps import SessionDep
from sxr.media.hashing import HASH_TYPES as SIGNALS
from sxr.ratelimits.deps import limit_by_address
from sxr.ratelimits.services import HASH_BANKING
from sxr.watchlist import services
from sxr.watchlist.api_docs import platform_openapi, reading
from sxr.watchlist.settings import get_watchlist_settings
from sxr.web.security import require_same_origin
from sxr.web.templating import templates


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


def _hex_text(digits: int, description: str) -> Any:
    # The pattern is for the document (and clients made from it); the hash type's plug-in checks the
    # value itself, so a bad one is refused in its words, not a regular expression's.
    return Field(
        max_length=digits,
        description=description,
        json_schema_extra={"pattern": f"^[0-9a-fA-F]{{{digits}}}$"},
    )


class _Query(BaseModel):
    type: str
    value: str

    @model_validator(mode="after")
    def _check_value(self) -> _Query:
        self.value = SIGNALS[self.type].validate(self.value)
        return self


class PdqQuery(_Query):
    type: Literal["pdq"] = Field(description="a PDQ hash of a picture")
    value: str = _hex_text(64, "the PDQ hash in hex (64 digits), as Meta's reference prints it")
    dihedral: list[Annotated[str, _hex_text(64, "a PDQ hash in hex")]] | None = Field(
        default=None,
        max_length=services.MAX_DIHEDRAL,
        description="optional: the PDQ hashes of the other 7 rotations/mirrors; the nearest counts",
    )

    @model_validator(mode="after")
    def _check_dihedral(self) -> PdqQuery:
        if self.dihedral:
            self.dihedral = [SIGNALS["pdq"].validate(v) for v in self.dihedral]
        return self


class Md5Query(_Query):
    type: Literal["md5"] = Field(description="an MD5 of a file's bytes")
    value: str = _hex_text(32, "the MD5 in hex (32 digits)")


HashQuery = Annotated[PdqQuery | Md5Query, Field(discriminator="type")]


class MatchRequest(BaseModel):
    hashes: list[HashQuery] = Field(min_length=1, max_length=MAX_BATCH)
    min_trust: Trust = Field(
        default="victim",
        description='"reviewed": match only entries staff have reviewed; "victim" (the default): all entries',
    )


class MatchOut(BaseModel):
    entry_id: str = Field(description="the opaque id of the watchlist entry")
    distance: int = Field(ge=0, le=256, description="PDQ Hamming distance (0 for MD5)")
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


# --- victim side --------------------------------------------------------------------------------


class BankFrame(BaseModel):
    frame: int | None = Field(default=None, ge=0, le=services.MAX_FRAME_NUMBER)
    timestamp: float = Field(default=0.0, ge=0, le=services.MAX_TIMESTAMP, allow_inf_nan=False)
    hash: str = Field(max_length=64)
    quality: int = Field(ge=0, le=100)


class BankHash(BaseModel):
    type: Literal["pdq", "md5", "vpdq"]
    value: str | None = Field(default=None, max_length=64)
    quality: int | None = Field(default=None, ge=0, le=100)
    frames: list[BankFrame] | None = Field(default=None, max_length=services.MAX_VPDQ_FRAMES)
    # The page may send the file's name; it is not stored (only the hash is).
    name_hint: str | None = Field(default=None, max_length=1000)


class BankRequest(BaseModel):
    hashes: list[BankHash] = Field(min_length=1, max_length=MAX_BATCH)


class BankedEntry(BaseModel):
    id: str
    type: str


class SkippedHash(BaseModel):
    index: int  # the place of the hash in the request, from 0
    reason: str  # in words for the victim
    problem: str  # what the check found, for staff and tests ("Hash 2: This PDQ hash is all zeros...")


class BankResponse(BaseModel):
    entries: list[BankedEntry]
    skipped: list[SkippedHash] = []


def _skip_reason(kind: object) -> str:
    if kind == "vpdq":
        return (
            "This video is very plain (nearly one colour all through), so it cannot be watched for safely. "
            "Its exact copy can still be found."
        )
    if kind == "pdq":
        return (
            "This picture is very plain (nearly one colour), so only an exact copy of it can be found. "
            "The rest were still sent."
        )
    return "This fingerprint could not be read, so it was skipped. The rest were still sent."


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
    request: Request, body: BankRequest, case: VictimCaseDep, session: SessionDep
) -> Response:
    """Hashes computed in the victim's browser (the pictures never leave the device)."""
    try:
        limit_by_address(request, session, HASH_BANKING)  # before any work; shared by every process
    except HTTPException as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    hashes = [h.model_dump(exclude_none=True, exclude={"name_hint"}) for h in body.hashes]
    # Each picture is judged on its own: a very plain one is skipped and said so; the rest are sent.
    usable, skipped = [], []
    for index, item in enumerate(hashes):
        try:
            services.validate_hash(item)
        except services.WatchlistError as exc:
            reason = _skip_reason(item.get("type"))
            skipped.append({"index": index, "reason": reason, "problem": f"Hash {index + 1}: {exc}"})
        else:
            usable.append(item)
    if not usable:
        detail = f"None of these could be used, so nothing was added. {skipped[0]['problem']}"
        return JSONResponse({"detail": detail, "skipped": skipped}, status_code=422)
    # Refusals are JSON with words (the page shows `detail`), not the HTML error page.
    try:
        entries = services.bank_hashes(session, case.id, usable, added_by="victim")
    except services.QuotaReached as exc:
        session.commit()  # the note to staff stays; nothing else was stored
        return JSONResponse({"detail": str(exc)}, status_code=403)
    except services.WatchlistError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    session.commit()
    return JSONResponse(
        {"entries": [{"id": e.public_id, "type": e.type} for e in entries], "skipped": skipped}
    )


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


# --- staff side: review and remove a case's entries ---------------------------------------------


def _staff_user(staff_session: StaffSession, action: str, what: str) -> StaffUser:
    user = staff_session.user
    if user.must_change_password:
        raise HTTPException(status_code=403, detail="Please change your password first, at /staff/password.")
    if not can(user, action):
        raise HTTPException(status_code=403, detail=f"Your role ({user.role}) does not allow you to {what}.")
    return user


def _staff_case(session: SessionDep, reference: str) -> Case:
    case = get_case_by_reference(session, reference)
    if case is None:
        raise HTTPException(status_code=404, detail="There is no case with that reference.")
    return case


def _when(moment: datetime | None) -> str:
    return "" if moment is None else as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _staff_entries_page(
    request: Request,
    session: SessionDep,
    staff_session: StaffSession,
    case: Case,
    *,
    problem: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    from sxr.audit.models import AuditEvent

    user = staff_session.user
    entries = services.entries_for_case(session, case.id)
    frames = services.frame_counts(session, [e.id for e in entries if e.type == "vpdq"])
    notes = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case.id, AuditEvent.action == "watchlist.quota_reached")
            .order_by(AuditEvent.at.desc())
            .limit(10)
        )
    )
    audit(session, user, "watchlist.view", case=case, subject=f"{len(entries)} entries")
    session.commit()
    return templates.TemplateResponse(
        request,
        "watchlist/staff_entries.html",
        {
            "user": user,
            "csrf_token": staff_session.csrf_secret,
            "case": case,
            "entries": entries,
            "frames": frames,
            "quota": services.case_quota(),
            "use": services.quota_use(session, case.id),
            "notes": notes,
            "can_review": can(user, "review"),
            "problem": problem,
            "done": done,
            "when": _when,
        },
        status_code=status_code,
    )


@router.get("/staff/cases/{reference}/watchlist", include_in_schema=False)
def staff_watchlist(
    request: Request,
    reference: str,
    session: SessionDep,
    staff_session: OptionalStaffSessionDep,
    done: Literal["reviewed", "removed"] | None = None,
) -> Response:
    """A case's watchlist entries with their trust levels, and the quota the victim's hashes use."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    _staff_user(staff_session, "view", "see watchlist entries")
    case = _staff_case(session, reference)
    return _staff_entries_page(request, session, staff_session, case, done=done)


EntryIdsForm = Annotated[list[str], Form(description="the public ids of the chosen entries")]


def _chosen(entry_id: list[str], everything: str) -> list[str] | None:
    """The entry ids a staff form chose (None: all of the case's entries)."""
    if everything == "yes":
        return None
    ids = [e for e in entry_id if e]
    if not ids:
        raise services.WatchlistError("Please choose at least one entry, or all of them.")
    if any(len(e) > 64 for e in ids):
        raise services.NotFound("This case has no such watchlist entry.")
    return ids


@router.post("/staff/cases/{reference}/watchlist/review", include_in_schema=False)
def staff_review_entries(
    request: Request,
    reference: str,
    session: SessionDep,
    staff_session: CsrfSessionDep,
    entry_id: EntryIdsForm = [],  # noqa: B006 - FastAPI copies form defaults
    everything: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Mark entries reviewed: platforms that match only reviewed entries now see them."""
    user = _staff_user(staff_session, "review", "review watchlist entries")
    case = _staff_case(session, reference)
    try:
        chosen = _chosen(entry_id, everything)
        changed = services.review_entries(session, case.id, user.actor, chosen)
    except services.WatchlistError as exc:
        session.rollback()
        return _staff_entries_page(request, session, staff_session, case, problem=str(exc), status_code=400)
    audit(
        session,
        user,
        "watchlist.review",
        case=case,
        subject=f"{changed} entries reviewed: " + ("all" if chosen is None else ", ".join(chosen)),
    )
    session.commit()
    return RedirectResponse(f"/staff/cases/{case.reference}/watchlist?done=reviewed", status_code=303)


@router.post("/staff/cases/{reference}/watchlist/remove", include_in_schema=False)
def staff_remove_entries(
    request: Request,
    reference: str,
    session: SessionDep,
    staff_session: CsrfSessionDep,
    entry_id: EntryIdsForm = [],  # noqa: B006 - FastAPI copies form defaults
    everything: Annotated[str, Form(max_length=3)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Take entries off the watchlist (they stop matching at once), with a reason for the audit trail."""
    user = _staff_user(staff_session, "review", "remove watchlist entries")
    case = _staff_case(session, reference)
    try:
        why = clean_reason(reason)
        chosen = _chosen(entry_id, everything)
        removed = services.remove_entries(session, case.id, chosen)
    except (services.WatchlistError, StaffError) as exc:
        session.rollback()
        return _staff_entries_page(request, session, staff_session, case, problem=str(exc), status_code=400)
    audit(
        session,
        user,
        "watchlist.remove",
        case=case,
        subject=f"{removed} entries removed: " + ("all" if chosen is None else ", ".join(chosen)),
        why=why,
    )
    session.commit()
    return RedirectResponse(f"/staff/cases/{case.reference}/watchlist?done=removed", status_code=303)
