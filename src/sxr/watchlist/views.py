"""Routes: the victim's hash upload and withdrawal, and staff review; the platform API is in `api`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from sxr.accounts.deps import CsrfSessionDep, OptionalStaffSessionDep
from sxr.accounts.models import StaffSession, StaffUser
from sxr.accounts.roles import can
from sxr.accounts.staff_audit import audit, clean_reason
from sxr.accounts.staff_users import StaffError
from sxr.cases.deps import VictimCaseDep
from sxr.cases.models import Case
from sxr.cases.services import get_case_by_reference
from sxr.clock import as_utc
from sxr.deps import SessionDep
from sxr.media.signal import MAX_FRAME_NUMBER, MAX_FRAMES, MAX_NAME_LENGTH, MAX_TIMESTAMP, MAX_VALUE_LENGTH
from sxr.ratelimits.deps import limit_by_address
from sxr.ratelimits.services import HASH_BANKING
from sxr.watchlist import services
from sxr.watchlist.api import MAX_BATCH, PlainValidationRoute
from sxr.watchlist.api import router as platform_api
from sxr.web.security import require_same_origin
from sxr.web.templating import templates

router = APIRouter(route_class=PlainValidationRoute)
router.include_router(platform_api)


# --- victim side --------------------------------------------------------------------------------


class BankFrame(BaseModel):
    frame: int | None = Field(default=None, ge=0, le=MAX_FRAME_NUMBER)
    timestamp: float = Field(default=0.0, ge=0, le=MAX_TIMESTAMP, allow_inf_nan=False)
    hash: str = Field(max_length=MAX_VALUE_LENGTH)
    quality: int = Field(ge=0, le=100)


class BankHash(BaseModel):
    # Any registered hash type: the service checks it (and says which types there are) in words.
    type: str = Field(max_length=MAX_NAME_LENGTH)
    value: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    quality: int | None = Field(default=None, ge=0, le=100)
    frames: list[BankFrame] | None = Field(default=None, max_length=MAX_FRAMES)
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
    frames = services.frame_counts(session, [e.id for e in entries if e.framed])
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
