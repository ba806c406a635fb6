"""The staff portal: sign in, the case queue, a case page, downloads, report packs, reviews, status.

Every page that shows case data and every change or disclosure is an audit event. Sessions live in
an HttpOnly, SameSite=Strict, Secure cookie on /staff (SXR_COOKIE_SECURE=false only for plain-HTTP
development); every form carries the
session's CSRF token (the sign-in form a double-submit token of its own).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from sxr.accounts import staff_sessions, staff_users
from sxr.accounts.deps import COOKIE_NAME, CsrfSessionDep, OptionalStaffSessionDep
from sxr.accounts.models import StaffSession, StaffUser
from sxr.accounts.roles import can
from sxr.accounts.staff_audit import audit, clean_reason
from sxr.accounts.staff_users import StaffError
from sxr.analysis.vocabulary import kind_label, money_text, stage_label
from sxr.audit.services import record
from sxr.cases.models import Case
from sxr.cases.sealing import unseal
from sxr.cases.services import get_case_by_reference
from sxr.clock import utcnow
from sxr.config import Settings
from sxr.deps import SessionDep, SettingsDep
from sxr.evidence import ledger
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import open_original, read_original
from sxr.jobs.models import FAILED
from sxr.jobs.services import jobs_of_case
from sxr.linking import services as link_services
from sxr.linking.export import FORMATS as EXPORT_FORMATS
from sxr.linking.export import edges_csv, graphml, link_graph, offender_stix
from sxr.linking.models import LinkSuggestion
from sxr.pipeline import confirm
from sxr.pipeline.confirm import ReadingRefused, current_reading, form_rows, picture_for_browser
from sxr.pipeline.derivers import SCREENSHOT_KINDS
from sxr.pipeline.jobs import KIND_WORDS
from sxr.pipeline.links import relink_after_change
from sxr.ratelimits.deps import request_address
from sxr.ratelimits.services import (
    STAFF_ACCOUNT,
    STAFF_ACCOUNT_AT_ADDRESS,
    STAFF_LOGIN,
    RateLimited,
    count,
    forget,
    hit,
)
from sxr.reports.pack import PackError
from sxr.reports.pdf import PdfError
from sxr.reports.services import build_case_pack
from sxr.retention.services import retention_panel
from sxr.sizes import human_size
from sxr.staff import casework, holds, linked, words
from sxr.staff import queue as queues
from sxr.staff import trends as force_trends
from sxr.staff.audit_trail import case_audit_trail, recent_audit_events, record_case_view
from sxr.web.templating import templates

router = APIRouter(prefix="/staff")

LOGIN_COOKIE = "sxr_staff_login"
LOGIN_WRONG = "That e-mail address or password is not right."
LOGIN_LOCKED = "Too many failed sign-ins. Please wait 15 minutes and try again, or ask an administrator."
PACK_FAILED = "The report pack could not be built just now. Nothing was lost; please try again later."


def _secure(request: Request) -> bool:
    # Secure always (a reverse proxy's Host header says nothing of what the browser used), unless a
    # development deployment on plain HTTP says otherwise (SXR_COOKIE_SECURE=false).
    settings: Settings = request.app.state.settings
    return settings.cookie_secure


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/staff",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    where = words.zone(settings.timezone)
    now = utcnow()

    def when(moment: datetime | None) -> str:
        return words.local_time(moment, where)

    return templates.TemplateResponse(
        request,
        name,
        {
            "when": when,
            "written_time": words.written_time,
            "message_time": lambda iso, written: words.message_time(iso, written, where),
            "how_long": lambda since: words.age_in_words(since, now),
            "human_size": human_size,
            "status_labels": words.STATUS_LABELS,
            "status_label": words.status_label,
            "action_label": words.action_label,
            "event_subject": words.event_subject,
            "age_band_label": words.age_band_label,
            "kind_label": kind_label,
            "stage_label": stage_label,
            "money_text": money_text,
            **context,
        },
        status_code=status_code,
    )


def _login_page(
    request: Request, problem: str | None = None, email: str = "", status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = _render(
        request,
        "staff/login.html",
        {"csrf_token": token, "problem": problem, "email": email},
        status_code=status_code,
    )
    _set_cookie(request, response, LOGIN_COOKIE, token, max_age=3600)
    return response


@router.get("/login", name="staff_login")
def login_form(request: Request, staff_session: OptionalStaffSessionDep) -> Response:
    """The sign-in form (or the queue, when already signed in)."""
    if staff_session is not None:
        return RedirectResponse(_home(staff_session.user), status_code=303)
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check e-mail and password; on success open a session and go to the case queue."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, "This form has expired. Please try again.", email, status_code=403)
    address = request_address(request)
    # Accounts are known by a hash in the counters, whether or not they exist.
    account = hashlib.sha256(staff_users.normalize_email(email).encode("utf-8")).hexdigest()[:32]
    pair = f"{account}|{address}"
    try:
        # Counted before the password's Argon2 check, so parallel guesses are all counted.
        hit(session, STAFF_LOGIN, address)
        hit(session, STAFF_ACCOUNT, account)
        hit(session, STAFF_ACCOUNT_AT_ADDRESS, pair)
    except RateLimited:
        _audit_failed_login(session, email)
        return _login_page(request, LOGIN_LOCKED, email, status_code=429)
    try:
        user = staff_sessions.authenticate(session, email, password)
    except staff_sessions.LoginLocked:
        _audit_failed_login(session, email)
        return _login_page(request, LOGIN_LOCKED, email, status_code=429)
    except staff_sessions.LoginFailed:
        _audit_failed_login(session, email)
        if count(session, STAFF_ACCOUNT_AT_ADDRESS, pair) >= STAFF_ACCOUNT_AT_ADDRESS.per_address:
            return _login_page(request, LOGIN_LOCKED, email, status_code=429)
        return _login_page(request, LOGIN_WRONG, email, status_code=400)
    token = staff_sessions.open_session(session, user)
    forget(session, STAFF_ACCOUNT_AT_ADDRESS, pair)
    audit(session, user, "staff.login")
    session.commit()
    response = RedirectResponse(_home(user), status_code=303)
    _set_cookie(
        request, response, COOKIE_NAME, token, max_age=int(staff_sessions.SESSION_LIFETIME.total_seconds())
    )
    response.delete_cookie(LOGIN_COOKIE, path="/staff")
    return response


def _audit_failed_login(session: Session, email: str) -> None:
    record(session, actor=f"staff:{email.strip().lower()}"[:120], action="staff.login_failed")
    session.commit()


@router.post("/logout")
def logout(request: Request, session: SessionDep, staff_session: CsrfSessionDep) -> Response:
    """End this session and go back to the sign-in form."""
    staff_sessions.end_session(session, staff_session)
    audit(session, staff_session.user, "staff.logout")
    session.commit()
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(
        COOKIE_NAME, path="/staff", secure=_secure(request), httponly=True, samesite="strict"
    )
    return response


def _home(user: StaffUser) -> str:
    return "/staff/password" if user.must_change_password else "/staff/cases"


@router.get("/password", name="staff_password")
def password_form(request: Request, staff_session: OptionalStaffSessionDep) -> Response:
    """The form to change one's password (required after a generated one)."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    return _password_page(request, staff_session)


def _password_page(
    request: Request, staff_session: StaffSession, problem: str | None = None, status_code: int = 200
) -> Response:
    return _render(
        request,
        "staff/password.html",
        {"user": staff_session.user, "csrf_token": staff_session.csrf_secret, "problem": problem},
        status_code=status_code,
    )


@router.post("/password")
def change_password(
    request: Request,
    session: SessionDep,
    staff_session: CsrfSessionDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change the password; other sessions of this user end."""
    try:
        staff_users.change_password(session, staff_session, current_password, new_password, confirm_password)
    except StaffError as exc:
        return _password_page(request, staff_session, str(exc), status_code=400)
    audit(session, staff_session.user, "staff.password_changed")
    session.commit()
    return RedirectResponse("/staff/cases", status_code=303)


def _require(user: StaffUser, action: str, what: str) -> None:
    if user.must_change_password:
        raise HTTPException(status_code=403, detail="Please change your password first, at /staff/password.")
    if not can(user, action):
        raise HTTPException(status_code=403, detail=f"Your role ({user.role}) does not allow you to {what}.")


def _case_or_404(session: Session, reference: str) -> Case:
    case = get_case_by_reference(session, reference)
    if case is None:
        raise HTTPException(status_code=404, detail="There is no case with that reference.")
    return case


@router.get("/cases", name="staff_cases")
def case_queue(
    request: Request,
    session: SessionDep,
    staff_session: OptionalStaffSessionDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
    risk: Annotated[str | None, Query(max_length=16)] = None,
    content: Annotated[str | None, Query(max_length=16)] = None,
    age: Annotated[str | None, Query(max_length=32)] = None,
    self_harm: Annotated[str | None, Query(max_length=8)] = None,
    paid: Annotated[str | None, Query(max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=queues.SEARCH_MAX)] = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """The case queue: reports with something in them first, newest first (or sorted as asked), filtered,
    searched by reference or the offender's identifier, a page at a time."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    user = staff_session.user
    if user.must_change_password:
        return RedirectResponse("/staff/password", status_code=303)
    settings: Settings = request.app.state.settings
    filters = {
        "status": status if status in words.STATUS_LABELS else None,
        "risk": risk if risk in queues.RISK_LEVELS else None,
        "content": content if content in queues.CONTENT_FILTERS else None,
        "age": age if age in words.AGE_BAND_LABELS else None,
        "self_harm": self_harm if self_harm in queues.FLAG_FILTERS else None,
        "paid": paid if paid in queues.FLAG_FILTERS else None,
        "q": " ".join((q or "").split()) or None,
        "sort": sort if sort in queues.SORTS else None,
    }
    queue = queues.case_queue(
        session,
        status=filters["status"],
        risk=filters["risk"],
        content=filters["content"],
        age_band=filters["age"],
        self_harm=filters["self_harm"],
        paid=filters["paid"],
        search=filters["q"],
        sort=filters["sort"],
        phone_region=settings.phone_region,
        page=page,
    )
    # What was searched for is on the audit trail too: an identifier search is a look at the cases.
    subject = " ".join(f"{k}={v}" for k, v in filters.items() if v) or None
    audit(session, user, "case_queue.view", subject=subject)
    session.commit()
    chosen = {k: v for k, v in filters.items() if v}
    return _render(
        request,
        "staff/cases.html",
        {
            "user": user,
            "csrf_token": staff_session.csrf_secret,
            "queue": queue,
            "rows": queue.rows,
            "link_counts": linked.link_counts(session, [r.case_id for r in queue.rows]),
            "filtered": any(v for k, v in filters.items() if k != "sort"),
            "sorts": queues.SORTS,
            "age_bands": words.AGE_BAND_LABELS,
            **filters,
            "page_url": lambda n: "/staff/cases?" + urlencode({**chosen, "page": n}),
            "sort_url": lambda key: "/staff/cases?" + urlencode({**chosen, "sort": key}),
        },
    )


@router.get("/audit", name="staff_audit")
def audit_trail(request: Request, session: SessionDep, staff_session: OptionalStaffSessionDep) -> Response:
    """The newest audit events across all cases (administrators only)."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    user = staff_session.user
    _require(user, "audit", "read the whole audit trail")
    events = recent_audit_events(session)
    audit(session, user, "audit.view")
    session.commit()
    return _render(
        request, "staff/audit.html", {"user": user, "csrf_token": staff_session.csrf_secret, "events": events}
    )


def _case_page(
    request: Request,
    session: Session,
    settings: Settings,
    staff_session: StaffSession,
    case: Case,
    *,
    problem: str | None = None,
    status_code: int = 200,
    linked_from: str | None = None,
    why: str | None = None,
) -> Response:
    user = staff_session.user
    overview = casework.case_overview(session, settings, case)
    record_case_view(session, user, case, linked_from=linked_from, why=why)
    session.commit()
    trail = case_audit_trail(session, case)
    jobs = jobs_of_case(session, case.id)
    return _render(
        request,
        "staff/case.html",
        {
            "jobs": jobs,
            "jobs_failed": sum(1 for job in jobs if job.state == FAILED),
            "job_words": KIND_WORDS,
            "job_files": {item.id: item.original_name for item in overview.evidence},
            "user": user,
            "csrf_token": staff_session.csrf_secret,
            "case": case,
            "what_happened": unseal(settings, case.what_happened),
            "o": overview,
            "next_steps": casework.next_steps(overview),
            "trail": trail,
            "problem": problem,
            "can_review": can(user, "review"),
            "can_disclose": can(user, "disclose"),
            "can_change_status": can(user, "change_status"),
            "can_hold": can(user, "hold"),
            "retention": retention_panel(session, settings, case),
            "linked": linked.case_links(session, case),
            "offender_pictures": link_services.offender_pictures(session, case.id),
            "shared_label": linked.shared_label,
            "shared_text": linked.shared_text,
        },
        status_code=status_code,
    )


@router.get("/cases/{reference}", name="staff_case")
def case_page(
    request: Request,
    reference: str,
    session: SessionDep,
    settings: SettingsDep,
    staff_session: OptionalStaffSessionDep,
    linked_from: Annotated[str | None, Query(max_length=40)] = None,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """One case: overview and next steps, the chat, evidence, details to review, watchlist and alerts,
    audit.

    Another victim's case reached through a link (`linked_from`, the case the link was on) is opened only
    with a reason, which goes on the audit trail with the view.
    """
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    if staff_session.user.must_change_password:
        return RedirectResponse("/staff/password", status_code=303)
    case = _case_or_404(session, reference)
    if linked_from is None:
        return _case_page(request, session, settings, staff_session, case)
    origin = _case_or_404(session, linked_from)
    try:
        why = clean_reason(reason)
    except StaffError as exc:
        return _render(
            request,
            "staff/linked_reason.html",
            {
                "user": staff_session.user,
                "csrf_token": staff_session.csrf_secret,
                "case": case,
                "origin": origin,
                "problem": str(exc) if reason is not None else None,
            },
            status_code=400 if reason is not None else 200,
        )
    return _case_page(request, session, settings, staff_session, case, linked_from=origin.reference, why=why)


@router.get("/trends", name="staff_trends")
def trends_page(request: Request, session: SessionDep, staff_session: OptionalStaffSessionDep) -> Response:
    """The force's trends as charts the server draws; each with a CSV download."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    user = staff_session.user
    _require(user, "trends", "see the force's trends")
    charts = force_trends.force_trends(session)
    audit(session, user, "trends.view")
    session.commit()
    return _render(
        request,
        "staff/trends.html",
        {
            "user": user,
            "csrf_token": staff_session.csrf_secret,
            "charts": charts,
            "suppress_below": force_trends.SUPPRESS_BELOW,
            "layout": {
                "width": force_trends.CHART_WIDTH,
                "bar": force_trends.BAR_HEIGHT,
                "label": force_trends.LABEL_WIDTH,
            },
        },
    )


@router.get("/trends/{name}.csv")
def trends_csv(
    name: Annotated[str, PathParam(max_length=40)],
    session: SessionDep,
    staff_session: OptionalStaffSessionDep,
) -> Response:
    """One chart's figures as CSV, counts from 1 to 4 suppressed (an audit event)."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    user = staff_session.user
    _require(user, "trends", "download the force's trends")
    chart = next((c for c in force_trends.force_trends(session) if c.name == name), None)
    if chart is None:
        raise HTTPException(status_code=404, detail="There is no such chart.")
    audit(session, user, "trends.export", subject=chart.name)
    session.commit()
    return Response(
        force_trends.chart_csv(chart),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="sxr-trends-{chart.name}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _download_name(name: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "evidence"
    return f"attachment; filename=\"{ascii_name[:100]}\"; filename*=UTF-8''{quote(name[:200], safe='')}"


def _record_disclosure(
    session: Session, user: StaffUser, case: Case, item: Any, action: str, details: dict[str, str]
) -> None:
    """An original leaves the locker for a person: an audit event with the reason, and an "exported"
    ledger entry (the caller commits)."""
    audit(
        session,
        user,
        action,
        case=case,
        subject=f"evidence item {item.id} sha256:{item.sha256}",
        why=details["why"],
    )
    ledger.append(
        session,
        case.id,
        "exported",
        actor=user.actor,
        evidence_item_id=item.id,
        sha256=item.sha256,
        details=details,
    )


@router.post("/cases/{reference}/evidence/{item_id}/download")
def download_original(
    request: Request,
    reference: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    staff_session: CsrfSessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Send one evidence item's original, decrypted, as a download (an audit event and a ledger entry)."""
    user = staff_session.user
    _require(user, "disclose", "download originals")
    case = _case_or_404(session, reference)
    item = session.get(EvidenceItem, item_id)
    if item is None or item.case_id != case.id:
        raise HTTPException(status_code=404, detail="This case has no such evidence item.")
    try:
        why = clean_reason(reason)
    except StaffError as exc:
        return _case_page(request, session, settings, staff_session, case, problem=str(exc), status_code=400)
    chunks = open_original(settings, item)
    _record_disclosure(session, user, case, item, "evidence.download", {"download": "original", "why": why})
    session.commit()
    # Never rendered by the browser: an offender's HTML or SVG must stay a file.
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={"Content-Disposition": _download_name(item.original_name), "Cache-Control": "no-store"},
    )


@router.post("/cases/{reference}/report-pack")
def build_report_pack(
    request: Request,
    reference: str,
    session: SessionDep,
    settings: SettingsDep,
    staff_session: CsrfSessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Build the case's report pack and send the zip (an audit event; the ledger records the pack too)."""
    user = staff_session.user
    _require(user, "disclose", "build report packs")
    case = _case_or_404(session, reference)
    try:
        why = clean_reason(reason)
    except StaffError as exc:
        return _case_page(request, session, settings, staff_session, case, problem=str(exc), status_code=400)
    folder = Path(tempfile.mkdtemp(prefix="sxr-staff-pack-"))  # a pack holds originals: never in the data dir
    out = folder / "pack.zip"
    try:
        result, _facts = build_case_pack(session, settings, case, out, actor=user.actor)
    except (PackError, PdfError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(status_code=503, detail=PACK_FAILED) from exc
    audit(session, user, "report_pack.build", case=case, subject=f"merkle root {result.merkle_root}", why=why)
    session.commit()
    return FileResponse(
        out,
        media_type="application/zip",
        filename=f"report-pack-{case.reference}.zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.post("/cases/{reference}/details")
def review_detail(
    reference: str,
    session: SessionDep,
    settings: SettingsDep,
    staff_session: CsrfSessionDep,
    kind: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=400)] = "",
    decision: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Confirm or reject one of the offender's details; rejected ones are kept apart, not deleted."""
    user = staff_session.user
    _require(user, "review", "confirm or reject details")
    case = _case_or_404(session, reference)
    try:
        casework.review_detail(session, user, case, kind, value, decision)
    except StaffError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    session.commit()
    relink_after_change(session, settings, case)  # a failure is put on the case's audit trail
    return RedirectResponse(f"/staff/cases/{case.reference}#details", status_code=303)


@router.post("/cases/{reference}/status")
def change_status(
    reference: str,
    session: SessionDep,
    staff_session: CsrfSessionDep,
    status: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Move a case to another status."""
    user = staff_session.user
    _require(user, "change_status", "change a case's status")
    case = _case_or_404(session, reference)
    try:
        casework.set_status(session, user, case, status)
    except StaffError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/staff/cases/{case.reference}", status_code=303)


def _staff_screenshot(session: Session, case: Case, item_id: int) -> Any:
    item = session.get(EvidenceItem, item_id)
    if item is None or item.case_id != case.id or item.kind not in SCREENSHOT_KINDS:
        raise HTTPException(status_code=404, detail="This case has no such screenshot.")
    return item


def _reading_page(
    request: Request,
    session: Session,
    settings: Settings,
    staff_session: StaffSession,
    case: Case,
    item: Any,
    *,
    picture: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    user = staff_session.user
    try:
        reading = current_reading(session, settings, item)
    except ReadingRefused as exc:
        reading, problem, status_code = None, problem or str(exc), 500
    audit(session, user, "evidence.reading.view", case=case, subject=f"evidence item {item.id}")
    session.commit()
    return _render(
        request,
        "staff/reading.html",
        {
            "user": user,
            "csrf_token": staff_session.csrf_secret,
            "case": case,
            "item": item,
            "rows": form_rows(reading),
            "confirmed_by": reading.confirmed_by if reading is not None else None,
            "picture": picture,
            "problem": problem,
            "saved": request.query_params.get("saved") == "1",
            "can_disclose": can(user, "disclose"),
        },
        status_code=status_code,
    )


@router.get("/cases/{reference}/evidence/{item_id}/reading")
def reading_page(
    request: Request,
    reference: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    staff_session: OptionalStaffSessionDep,
) -> Response:
    """The messages read from a screenshot, to fix and confirm (the picture is shown on a stated reason)."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    _require(staff_session.user, "review", "check what was read from screenshots")
    case = _case_or_404(session, reference)
    item = _staff_screenshot(session, case, item_id)
    return _reading_page(request, session, settings, staff_session, case, item)


@router.post("/cases/{reference}/evidence/{item_id}/reading/picture")
def reading_picture(
    request: Request,
    reference: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    staff_session: CsrfSessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Show the screenshot beside its reading: a disclosure of the original, so a reason, audit and ledger."""
    user = staff_session.user
    _require(user, "review", "check what was read from screenshots")
    _require(user, "disclose", "see originals")
    case = _case_or_404(session, reference)
    item = _staff_screenshot(session, case, item_id)
    try:
        why = clean_reason(reason)
    except StaffError as exc:
        return _reading_page(
            request, session, settings, staff_session, case, item, problem=str(exc), status_code=400
        )
    data, media_type = picture_for_browser(read_original(settings, item), item.media_type)
    _record_disclosure(session, user, case, item, "evidence.view", {"shown": "original", "why": why})
    session.commit()
    # Inline in this one response (the CSP allows data: images): no URL that serves the original.
    picture = f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"
    return _reading_page(request, session, settings, staff_session, case, item, picture=picture)


@router.post("/cases/{reference}/evidence/{item_id}/reading")
def confirm_screenshot_reading(
    request: Request,
    reference: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    staff_session: CsrfSessionDep,
    side: Annotated[list[str] | None, Form()] = None,
    text: Annotated[list[str] | None, Form()] = None,
    time: Annotated[list[str] | None, Form()] = None,
    merge: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """Store the messages as staff say they are; the machine's reading is kept, superseded."""
    user = staff_session.user
    _require(user, "review", "confirm what was read from screenshots")
    case = _case_or_404(session, reference)
    item = _staff_screenshot(session, case, item_id)
    try:
        rows = confirm.rows_from_form(side, text, time, merge)
        changed = confirm.confirm_reading(
            session, settings, item, rows, actor="staff", ledger_actor=user.actor
        )
    except confirm.ReadingRefused as exc:
        session.rollback()
        return _reading_page(
            request, session, settings, staff_session, case, item, problem=str(exc), status_code=400
        )
    if changed:
        audit(session, user, "evidence.reading.confirm", case=case, subject=f"evidence item {item.id}")
        session.commit()
    return RedirectResponse(
        f"/staff/cases/{case.reference}/evidence/{item.id}/reading?saved=1", status_code=303
    )


@router.post("/cases/{reference}/evidence/{item_id}/offender-picture")
def offender_picture(
    request: Request,
    reference: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    staff_session: CsrfSessionDep,
    action: Annotated[str, Form(max_length=16)] = "mark",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Mark an evidence picture as the offender's own (his profile picture, a photo he sent), or take the
    mark back: its PDQ hash links cases. Audited; the case's links are worked out again."""
    user = staff_session.user
    _require(user, "review", "mark the offender's pictures")
    case = _case_or_404(session, reference)
    item = session.get(EvidenceItem, item_id)
    if item is None or item.case_id != case.id or item.kind != "image":
        raise HTTPException(status_code=404, detail="This case has no such picture.")
    try:
        why = clean_reason(reason) if reason.strip() else None
        if action == "unmark":
            link_services.unmark_offender_picture(session, user.actor, item, why)
        else:
            link_services.mark_offender_picture(session, settings, user.actor, item, why)
    except (StaffError, link_services.LinkError) as exc:
        session.rollback()
        return _case_page(request, session, settings, staff_session, case, problem=str(exc), status_code=400)
    session.commit()
    relink_after_change(session, settings, case)  # a failure is put on the case's audit trail
    return RedirectResponse(f"/staff/cases/{case.reference}#evidence", status_code=303)


@router.post("/cases/{reference}/links/{suggestion_id}")
def decide_link(
    reference: str,
    suggestion_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    staff_session: CsrfSessionDep,
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Confirm or reject a suggested link from the case page (kept, audited on both cases)."""
    user = staff_session.user
    _require(user, "review", "confirm or reject suggested links")
    case = _case_or_404(session, reference)
    suggestion = session.get(LinkSuggestion, suggestion_id)
    if suggestion is None or case.id not in (suggestion.case_a, suggestion.case_b):
        raise HTTPException(status_code=404, detail="This case has no such suggested link.")
    try:
        why = clean_reason(reason)
        link_services.decide(session, user.actor, suggestion_id, decision, why)
    except (StaffError, link_services.LinkError) as exc:
        session.rollback()
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/staff/cases/{case.reference}#linked", status_code=303)


@router.get("/offenders", name="staff_offenders")
def offenders_page(request: Request, session: SessionDep, staff_session: OptionalStaffSessionDep) -> Response:
    """Offenders linked across cases, most harm first."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    user = staff_session.user
    _require(user, "view", "see offenders")
    found = link_services.offenders(session, limit=200)
    audit(session, user, "offenders.view")
    session.commit()
    return _render(
        request,
        "staff/offenders.html",
        {"user": user, "csrf_token": staff_session.csrf_secret, "offenders": found},
    )


@router.get("/offenders/{offender_id}", name="staff_offender")
def offender_page(
    request: Request,
    offender_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    staff_session: OptionalStaffSessionDep,
) -> Response:
    """One offender: his cases, a timeline across victims, identifiers, payment routes, platforms."""
    if staff_session is None:
        return RedirectResponse("/staff/login", status_code=303)
    user = staff_session.user
    _require(user, "view", "see offenders")
    page = linked.offender_page(session, settings, offender_id)
    if page is None:
        raise HTTPException(status_code=404, detail="There is no such offender.")
    audit(
        session,
        user,
        "offender.view",
        subject=f"offender {offender_id}: {', '.join(page.view.references)}"[:500],
    )
    session.commit()
    return _render(
        request,
        "staff/offender.html",
        {
            "user": user,
            "csrf_token": staff_session.csrf_secret,
            "p": page,
            "can_download": can(user, "disclose"),
            "ownership_rule": linked.OWNERSHIP_RULE,
        },
    )


@router.post("/offenders/{offender_id}/stix")
def offender_stix_download(
    offender_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    session: SessionDep,
    staff_session: CsrfSessionDep,
) -> Response:
    """The offender's STIX 2.1 bundle as a download (an audit event)."""
    user = staff_session.user
    _require(user, "disclose", "download an offender's STIX bundle")
    try:
        bundle = offender_stix(session, offender_id)
    except link_services.LinkError as exc:
        raise HTTPException(status_code=404, detail="There is no such offender.") from exc
    audit(session, user, "offender.stix", subject=f"offender {offender_id}")
    session.commit()
    return Response(
        bundle,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="sxr-offender-{offender_id}.stix.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/links/export")
def links_export(
    session: SessionDep,
    staff_session: CsrfSessionDep,
    format: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """The graph of linked cases as GraphML or CSV edges (an audit event)."""
    user = staff_session.user
    _require(user, "disclose", "download the graph of linked cases")
    if format not in EXPORT_FORMATS:
        raise HTTPException(status_code=400, detail="The format is graphml or csv.")
    graph = link_graph(session)
    body = graphml(graph) if format == "graphml" else edges_csv(graph)
    audit(session, user, "links.export", subject=f"{format}: {len(graph.nodes)} nodes")
    session.commit()
    media = "application/graphml+xml" if format == "graphml" else "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="sxr-links.{format}"',
            "Cache-Control": "no-store",
        },
    )


holds.add_routes(router)  # put a case on hold, lift a hold: staff/holds.py
