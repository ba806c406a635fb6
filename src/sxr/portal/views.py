"""Victim pages: start a confidential report, come back with reference + PIN, see it and add evidence.

No cookies: after reference + PIN, the case opens under `/case/{token}`, where the token is a random,
short-lived capability (stored hashed). Form posts must come from this site (Origin / Sec-Fetch-Site).
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from sxr.cases import services
from sxr.cases.deps import VictimCaseDep
from sxr.cases.models import Case
from sxr.clock import as_utc, utcnow
from sxr.config import Settings
from sxr.deps import SameOriginDep, SessionDep, SettingsDep
from sxr.evidence.limits import EvidenceLimits, EvidenceRejected
from sxr.evidence.models import PARTLY_READ, READ, EvidenceItem
from sxr.evidence.services import (
    add_evidence,
    check_upload,
    choose_date_order,
    list_evidence,
    read_original,
    reading_of,
    readings_of,
)
from sxr.evidence.store import BlobError
from sxr.jobs import services as job_services
from sxr.jobs.deps import JobQueueDep
from sxr.jobs.queue import JobQueue
from sxr.pipeline.confirm import (
    ReadingRefused,
    confirm_reading,
    current_reading,
    form_rows,
    picture_for_browser,
    rows_from_form,
)
from sxr.pipeline.derivers import SCREENSHOT_KINDS
from sxr.pipeline.jobs import DERIVE
from sxr.portal.readings import PENDING_PROGRESS, PROGRESS_WORDS, file_notes, not_read_names, progress_of
from sxr.portal.starts import earlier_start, new_start_token, open_start_token, start_report
from sxr.ratelimits.deps import limit_by_address
from sxr.ratelimits.services import EVIDENCE_UPLOAD, PIN_CHECK, REPORT_START
from sxr.sizes import human_size
from sxr.watchlist.services import alerts_for_case, entries_for_case, mark_alerts_seen
from sxr.web.sealed import MAX_TOKEN_CHARS, open_token, seal_token
from sxr.web.templating import templates
from sxr.web.uploads import Upload, UploadRefused, private_folder, receive_upload

router = APIRouter()

AGE_BAND_LABELS = {
    "under-13": "Under 13",
    "13-15": "13 to 15",
    "16-17": "16 or 17",
    "18-24": "18 to 24",
    "25-plus": "25 or older",
    "prefer-not-to-say": "I would rather not say",
}
KIND_LABELS = {
    "image": "Picture",
    "video": "Video",
    "chat_export": "Chat",
    "archive": "Chat export (zip or tar)",
    "pdf": "PDF",
    "email": "E-mail",
}
STATUS_LABELS = {
    "open": "Your report is saved. Nobody will contact you unless you ask us to.",
    "triaged": "Someone on our team has read your report. Your files are safe with us.",
    "with_police": "Your report has been passed to the police. They deal with it in confidence.",
    "closed": "Your report is closed. Your files are still kept safe. You can still add more.",
}
ACCEPT = ".png,.jpg,.jpeg,.heic,.heif,.webp,.mp4,.mov,.txt,.json,.zip,.tar,.pdf,.eml,image/*,video/*"


def _page(
    request: Request, settings: Settings, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    return templates.TemplateResponse(
        request,
        name,
        context,
        status_code=status_code,
    )


CREATED_PURPOSE = "report created"
CREATED_MAX_AGE = 15 * 60  # seconds the reference-and-PIN page can be shown again (a reload, Back, Forward)
# The plan's app choices as the report form names them (the plan's answers are carried into the form).
PLAN_PLATFORMS = {
    "instagram": "Instagram",
    "snapchat": "Snapchat",
    "tiktok": "TikTok",
    "whatsapp": "WhatsApp",
    "facebook": "Facebook",
    "discord": "Discord",
    "telegram": "Telegram",
    "other": "Somewhere else",
}


@router.get("/report/start")
def start_form(request: Request, settings: SettingsDep) -> Response:
    """The start form under a fresh one-time start token in its address (the plan's answers ride along).

    The token is in the address, not only in the page, so Back from the reference page comes to the same
    form with the same token however the browser reloads it: pressing "Start my report" again finds the
    report it made instead of making another.
    """
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/report/start/{new_start_token(settings)}{query}", status_code=303)


@router.get("/report/start/{start}")
def start_form_for(request: Request, start: str, settings: SettingsDep) -> Response:
    """A few optional questions before a report is opened, with the plan's answers already chosen."""
    from sxr.guidance.views import read_answers

    if open_start_token(settings, start) is None:  # made up, or a form left open for weeks: a fresh one
        return RedirectResponse("/report/start", status_code=303)
    answers, _expired = read_answers(settings, request.query_params.get("t"))
    age = (answers.get("age") or [""])[0]
    chosen = {PLAN_PLATFORMS[a] for a in answers.get("app", ()) if a in PLAN_PLATFORMS}
    return _page(
        request,
        settings,
        "cases/start.html",
        {
            "age_bands": AGE_BAND_LABELS,
            "platforms": services.PLATFORMS,
            "chosen_age": age if age in AGE_BAND_LABELS else "",
            "chosen_platforms": chosen,
            # One start makes one report: pressing the button again finds the report this form made.
            "start_token": start,
        },
    )


@router.post("/report/start")
def start_submit(
    request: Request,
    _same_origin: SameOriginDep,
    session: SessionDep,
    settings: SettingsDep,
    age_band: Annotated[str, Form()] = "",
    platforms: Annotated[list[str] | None, Form()] = None,
    what_happened: Annotated[str, Form(max_length=5000)] = "",
    start: Annotated[str, Form(max_length=MAX_TOKEN_CHARS)] = "",
) -> Response:
    """Open the case and show its reference and PIN, once.

    The form's one-time start token makes a second press (after Back, a double tap, a resent POST) show
    the report the first press made, for as long as its page can be shown; after that, how to come back.
    """
    nonce = open_start_token(settings, start)
    if nonce is not None and (found := earlier_start(session, settings, nonce)) is not None:
        started = found  # not counted against the address: nothing new is made
    else:
        limit_by_address(request, session, REPORT_START)
        answers = services.NewCaseAnswers(
            age_band=age_band or None, platforms=tuple(platforms or ()), what_happened=what_happened
        )
        started = start_report(session, settings, nonce, answers)
    if started.pin is None:
        return _page(request, settings, "cases/made_gone.html", {}, status_code=410)
    token = services.open_victim_session(session, started.case)
    # Committed before the redirect: the browser asks for the page straight away.
    session.commit()
    # POST, then redirect, then GET: reloading the page, or Back then Forward, shows this same report
    # again (for a few minutes) and never makes another. The reference and PIN ride in a sealed token.
    sealed = seal_token(
        settings, CREATED_PURPOSE, {"r": started.case.reference, "p": started.pin, "s": token}
    )
    return RedirectResponse(f"/report/made/{sealed}", status_code=303)


@router.get("/report/made/{sealed}")
def start_made(request: Request, sealed: str, settings: SettingsDep) -> Response:
    """The new report's reference and PIN; after a few minutes, how to come back to the report instead."""
    data = open_token(settings, CREATED_PURPOSE, sealed, max_age=CREATED_MAX_AGE)
    if data is None or not all(isinstance(data.get(k), str) for k in ("r", "p", "s")):
        return _page(request, settings, "cases/made_gone.html", {}, status_code=410)
    return _page(
        request,
        settings,
        "cases/created.html",
        {"reference": data["r"], "pin": data["p"], "case_url": f"/case/{data['s']}"},
    )


@router.get("/report/return")
def return_form(request: Request, settings: SettingsDep) -> Response:
    """Enter reference and PIN to open a report again."""
    return _page(request, settings, "cases/return.html", {"reference": ""})


@router.post("/report/return")
def return_submit(
    request: Request,
    _same_origin: SameOriginDep,
    session: SessionDep,
    settings: SettingsDep,
    reference: Annotated[str, Form(max_length=100)] = "",
    pin: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check reference and PIN; on success, open the case page under a fresh token."""
    error = None
    status_code = 400
    if not reference.strip() or not pin.strip():
        error = "Please enter both your reference and your PIN."
    else:
        # Counted before the PIN check's Argon2 work, so a flood of guesses costs little.
        limit_by_address(request, session, PIN_CHECK)
        try:
            case = services.check_reference_and_pin(session, reference, pin)
        except services.CaseLocked as exc:
            minutes = max(1, int((exc.until - utcnow()).total_seconds() // 60) + 1)
            error = (
                "To keep reports safe, this one is paused after too many tries. "
                f"Please try again in {minutes} minutes."
            )
            status_code = 429
        except services.AccessDenied:
            error = "The reference or PIN is not right. Please check them and try again."
        else:
            token = services.open_victim_session(session, case)
            # Committed before the redirect: the browser asks for the case page straight away.
            session.commit()
            return RedirectResponse(f"/case/{token}", status_code=303)
    return _page(
        request,
        settings,
        "cases/return.html",
        {"reference": reference, "error": error},
        status_code=status_code,
    )


def _case_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    case: Case,
    token: str,
    *,
    saved: list[str] | None = None,
    saved_not_read: list[str] | None = None,
    saved_pending: int = 0,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    items = list_evidence(session, case)
    readings = readings_of(session, case.id)
    jobs = job_services.latest_per_item(session, case.id)
    progress = {item.id: progress_of(jobs.get(item.id), readings.get(item.id)) for item in items}
    pending = {item_id for item_id, key in progress.items() if key in PENDING_PROGRESS}
    notes = file_notes(session, settings, items, pending)
    limits = EvidenceLimits.from_settings(settings)
    zone = ZoneInfo(settings.timezone)  # times as the victim's clock shows them
    watchlist_alerts = alerts_for_case(session, case.id)
    watchlist_entries = entries_for_case(session, case.id)
    if any(not alert.seen for alert in watchlist_alerts):
        mark_alerts_seen(session, case.id)  # shown as "New" this once
    return _page(
        request,
        settings,
        "cases/case.html",
        {
            "case": case,
            "token": token,
            "status_text": STATUS_LABELS.get(case.status, case.status),
            "items": [
                {
                    "name": item.original_name,
                    "kind": KIND_LABELS.get(item.kind, item.kind),
                    "size": human_size(item.size),
                    "received_at": as_utc(item.received_at).astimezone(zone).strftime("%d %B %Y, %H:%M"),
                    # A screenshot whose messages were read can be checked against the picture.
                    "reading_url": f"/case/{token}/evidence/{item.id}/reading"
                    if item.kind in SCREENSHOT_KINDS
                    and (reading := readings.get(item.id)) is not None
                    and reading.state in (READ, PARTLY_READ)
                    else None,
                    "id": item.id,
                    "progress": PROGRESS_WORDS[progress[item.id]],
                    "pending": item.id in pending,
                }
                for item in items
            ],
            "pending": len(pending),
            "saved_pending": saved_pending,
            "saved": saved or [],
            "saved_not_read": saved_not_read or [],
            "notes": notes,
            "back": "case",
            "problems": problems or [],
            "accept": ACCEPT,
            "max_file": human_size(limits.max_file_bytes),
            "watchlist_alerts": watchlist_alerts,
            "watchlist_entries": watchlist_entries,
        },
        status_code=status_code,
    )


@router.get("/case/{token}")
def case_page(
    request: Request, token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The case's status and evidence, with a form to add more."""
    return _case_page(request, session, settings, case, token)


@router.get("/case/{token}/progress")
def case_progress(token: str, case: VictimCaseDep, session: SessionDep) -> Response:
    """How far reading each file has got, for the case page's script (the token is the capability).

    Only ids, fixed words and counts: nothing the victim or an offender wrote is in it.
    """
    items = list_evidence(session, case)
    readings = readings_of(session, case.id)
    jobs = job_services.latest_per_item(session, case.id)
    rows = []
    for item in items:
        key = progress_of(jobs.get(item.id), readings.get(item.id))
        rows.append(
            {"id": item.id, "progress": key, "words": PROGRESS_WORDS[key], "pending": key in PENDING_PROGRESS}
        )
    return JSONResponse(
        {"items": rows, "pending": sum(1 for row in rows if row["pending"])},
        headers={"Cache-Control": "no-store"},
    )


@router.post("/case/{token}/evidence")
async def case_upload(
    request: Request,
    _same_origin: SameOriginDep,
    token: str,
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
    jobs: JobQueueDep,
) -> Response:
    """Store each uploaded file as evidence; say plainly which were saved and which were not, and why.

    The files are streamed to a private folder under the data dir and the upload stops at the first limit
    it goes past (size of a file, number of files), before anything more is written. Reading them (import,
    OCR, analysis) is a job for a worker: the page answers at once and shows how far each file has got.
    """
    await run_in_threadpool(limit_by_address, request, session, EVIDENCE_UPLOAD)
    limits = EvidenceLimits.from_settings(settings)
    with private_folder(settings.data_dir, "upload") as folder:
        try:
            upload = await receive_upload(
                request, folder, max_files=limits.max_upload_files, max_file_bytes=limits.max_file_bytes
            )
        except UploadRefused as exc:
            return await run_in_threadpool(
                _case_page,
                request,
                session,
                settings,
                case,
                token,
                problems=[str(exc)],
                status_code=exc.status,
            )
        return await run_in_threadpool(_store_upload, request, session, settings, case, token, upload, jobs)


def _store_upload(
    request: Request,
    session: Session,
    settings: Settings,
    case: Case,
    token: str,
    upload: Upload,
    jobs: JobQueue,
) -> Response:
    chosen = [f for f in upload.files if f.filename]
    saved: list[str] = []
    saved_items = []
    problems: list[str] = []
    try:
        check_upload(session, settings, case, [f.path for f in chosen])
    except EvidenceRejected as exc:
        return _case_page(request, session, settings, case, token, problems=[str(exc)], status_code=400)
    for uploaded in chosen:
        name = uploaded.filename
        try:
            added = add_evidence(
                session, settings, case, uploaded.path, name=name, received_by="victim", derivers=()
            )
        except EvidenceRejected as exc:
            problems.append(f"{name}: {exc}")
            continue
        except BlobError:
            problems.append(f"{name}: we could not save this file just now. Please try again later.")
            continue
        saved.append(added.item.original_name)
        saved_items.append(added.item)
        if not added.duplicate:
            jobs.submit(session, DERIVE, case_id=case.id, evidence_item_id=added.item.id)
    pending = job_services.pending_items(session, [item.id for item in saved_items])
    return _case_page(
        request,
        session,
        settings,
        case,
        token,
        saved=saved,
        saved_not_read=not_read_names(session, saved_items, pending),
        saved_pending=len(pending),
        problems=problems,
        status_code=400 if problems and not saved else 200,
    )


@router.post("/case/{token}/evidence/{item_id}/dates")
def case_switch_dates(
    request: Request,
    _same_origin: SameOriginDep,
    token: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
    jobs: JobQueueDep,
    order: Annotated[str, Form(max_length=3)] = "",
    back: Annotated[str, Form(max_length=10)] = "case",
) -> Response:
    """Read a file's dates the other way (day first or month first): its details are found again."""
    item = next((i for i in list_evidence(session, case) if i.id == item_id), None)
    if item is None or order not in ("DMY", "MDY"):
        raise HTTPException(status_code=400, detail="That file is not in your report.")
    reading = reading_of(session, item)
    if reading is None or reading.date_how not in ("assumed", "given"):
        # Only a reading the file itself could not settle is switched (and nothing is re-read for nothing).
        raise HTTPException(status_code=400, detail="The dates in that file can only be read one way.")
    if choose_date_order(session, item, actor="victim", date_order=order):
        jobs.submit(session, DERIVE, case_id=case.id, evidence_item_id=item.id, payload={"date_order": order})
    where = "/details" if back == "details" else ""
    return RedirectResponse(f"/case/{token}{where}#file-{item.id}", status_code=303)


@router.post("/case/{token}/leave")
def case_leave(
    request: Request, _same_origin: SameOriginDep, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Close this case page now: every link to this report stops working, on every device."""
    case = services.resolve_victim_session(session, token)
    if case is not None:
        services.revoke_all_victim_sessions(session, case)
    services.revoke_victim_session(session, token)
    session.commit()
    return _page(request, settings, "cases/left.html", {})


def _screenshot(session: Session, case: Case, item_id: int) -> EvidenceItem:
    item = next((i for i in list_evidence(session, case) if i.id == item_id), None)
    if item is None or item.kind not in SCREENSHOT_KINDS:
        raise HTTPException(status_code=404, detail="That picture is not in your report.")
    return item


@router.get("/case/{token}/evidence/{item_id}/picture")
def case_picture(
    token: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The victim's own screenshot, from the locker, to check the messages read from it."""
    item = _screenshot(session, case, item_id)
    # Browsers cannot show HEIC: the page gets a PNG copy made in memory; the original stays evidence.
    data, media_type = picture_for_browser(read_original(settings, item), item.media_type)
    return Response(
        data, media_type=media_type, headers={"Cache-Control": "no-store", "Content-Disposition": "inline"}
    )


def _reading_page(
    request: Request,
    session: Session,
    settings: Settings,
    token: str,
    item: EvidenceItem,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        reading = current_reading(session, settings, item)
    except ReadingRefused as exc:
        reading, problem, status_code = None, problem or str(exc), 500
    rows = form_rows(reading)
    return _page(
        request,
        settings,
        "cases/reading.html",
        {
            "token": token,
            "item": item,
            "rows": rows,
            "confirmed_by": reading.confirmed_by if reading is not None else None,
            "problem": problem,
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status_code,
    )


@router.get("/case/{token}/evidence/{item_id}/reading")
def case_reading(
    request: Request,
    token: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A screenshot beside the messages read from it, to fix and confirm."""
    return _reading_page(request, session, settings, token, _screenshot(session, case, item_id))


@router.post("/case/{token}/evidence/{item_id}/reading")
def case_confirm_reading(
    request: Request,
    _same_origin: SameOriginDep,
    token: str,
    item_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    case: VictimCaseDep,
    session: SessionDep,
    settings: SettingsDep,
    side: Annotated[list[str] | None, Form()] = None,
    text: Annotated[list[str] | None, Form()] = None,
    time: Annotated[list[str] | None, Form()] = None,
    merge: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """Store the messages as the victim says they are; the machine's reading is kept, superseded."""
    item = _screenshot(session, case, item_id)
    try:
        rows = rows_from_form(side, text, time, merge)
        confirm_reading(session, settings, item, rows, actor="victim")
    except ReadingRefused as exc:
        session.rollback()
        return _reading_page(request, session, settings, token, item, problem=str(exc), status_code=400)
    return RedirectResponse(f"/case/{token}/evidence/{item.id}/reading?saved=1", status_code=303)
