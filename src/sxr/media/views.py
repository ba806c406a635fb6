"""The victim's page for fingerprinting pictures and videos in the browser (only hashes leave it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sxr.web.templating import templates

router = APIRouter()


def render_protect_page(request: Request, submit_url: str | None = None) -> Response:
    """The protect page; with `submit_url`, the hashes can be sent there (e.g. to a victim's case)."""
    return templates.TemplateResponse(request, "media/protect.html", {"submit_url": submit_url})


@router.get("/protect")
def protect(request: Request) -> Response:
    """Make fingerprints of pictures and videos on this device; nothing is sent from this page."""
    return render_protect_page(request)
