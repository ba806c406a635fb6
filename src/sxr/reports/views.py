"""The victim's download of their report pack: `/case/{token}/report`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from sxr.cases.deps import VictimCaseDep
from sxr.deps import SessionDep, SettingsDep
from sxr.reports.pack import PackError
from sxr.reports.pdf import PdfError
from sxr.reports.services import build_case_pack

router = APIRouter()

SORRY = (
    "Sorry, we could not make your report pack just now. Your report and evidence are safe. "
    "Please try again later."
)


@router.get("/case/{token}/report", name="report_download")
def report_download(
    token: str, case: VictimCaseDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """Build the case's report pack and send it as a download (the file is removed once sent)."""
    folder = Path(tempfile.mkdtemp(prefix="sxr-download-"))  # a pack holds originals: never in the data dir
    out = folder / "pack.zip"
    try:
        build_case_pack(session, settings, case, out, actor="victim (download)")
    except (PackError, PdfError, OSError) as exc:
        _remove(folder)
        raise HTTPException(status_code=503, detail=SORRY) from exc
    return FileResponse(
        out,
        media_type="application/zip",
        filename=f"report-pack-{case.reference}.zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink(missing_ok=True)
    folder.rmdir()
