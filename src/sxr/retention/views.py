"""The victim's own data: download everything their report holds, and delete their report.

`/case/{token}/your-data` says both in plain words; deleting asks once more on its own page. A report
on hold (staff need it for an investigation or a court date) cannot be deleted; the page says so kindly,
without the reason, and the download still works.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from sxr.cases.deps import VictimCaseDep
from sxr.cases.models import Case
from sxr.clock import as_utc
from sxr.config import Settings
from sxr.deps import SessionDep, SettingsDep
from sxr.evidence.store import BlobError
from sxr.retention import services
from sxr.retention.victim_copy import write_victim_copy
from sxr.web.security import require_same_origin
from sxr.web.templating import templates

router = APIRouter()

COPY_FAILED = (
    "Sorry, we could not make your copy just now. Your report and files are safe. Please try again later."
)
DELETE_FAILED = (
    "Sorry, we could not delete your report just now. Nothing has changed. Please try again later."
)


def _page(
    request: Request, settings: Settings, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _on_hold(session: SessionDep, case: Case) -> bool:
    return services.active_hold(session, case.id) is not None


@router.get("/case/{token}/your-data")
def your_data(
    request: Request, token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Take a copy of everything, or delete the report: what each means."""
    return _page(
        request,
        settings,
        "retention/your_data.html",
        {"token": token, "case": case, "on_hold": _on_hold(session, case)},
    )


@router.get("/case/{token}/your-data/copy")
def download_copy(token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep) -> Response:
    """Everything the report holds, as one zip (made outside the data dir, removed once sent)."""
    folder = Path(tempfile.mkdtemp(prefix="sxr-copy-"))
    out = folder / "copy.zip"
    try:
        write_victim_copy(session, settings, case, out)
    except (BlobError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        session.rollback()
        raise HTTPException(status_code=503, detail=COPY_FAILED) from exc
    session.commit()
    return FileResponse(
        out,
        media_type="application/zip",
        # A neutral name: a shared downloads folder says nothing about what it is.
        filename="my-files.zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.get("/case/{token}/delete")
def delete_form(
    request: Request, token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Ask once more, saying what deleting means."""
    return _page(
        request,
        settings,
        "retention/delete.html",
        {"token": token, "case": case, "on_hold": _on_hold(session, case)},
    )


@router.post("/case/{token}/delete")
def delete_report(
    request: Request, token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Delete the report now (refused while on hold); every link to it stops working."""
    require_same_origin(request)
    reference = case.reference
    try:
        result = services.erase_case(session, settings, case, reason=services.VICTIM_REQUEST, actor="victim")
    except services.CaseOnHold:
        session.rollback()
        return _page(
            request,
            settings,
            "retention/delete.html",
            {"token": token, "case": case, "on_hold": True},
            status_code=409,
        )
    except Exception as exc:
        session.rollback()
        raise HTTPException(status_code=503, detail=DELETE_FAILED) from exc
    when = as_utc(result.erasure.at).astimezone(ZoneInfo(settings.timezone))
    return _page(
        request,
        settings,
        "retention/deleted.html",
        {
            "reference": reference,
            "when": when.strftime("%d %B %Y at %H:%M"),
        },
    )
