"""One Jinja2 environment for every domain's templates (autoescaped: offenders' words are hostile input)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _template_dirs() -> list[str]:
    dirs = [str(Path(__file__).resolve().parent / "templates")]
    dirs += sorted(str(p) for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web")
    return dirs


# Direction overrides and isolates can make an offender's "gpj.exe" read as "exe.jpg", or reorder a
# sort code on the page: shown as what they are, as the report PDF does. Other controls become U+FFFD.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
_NEUTRAL = {ord(ch): f"[U+{ord(ch):04X}]" for ch in BIDI_CONTROLS}
_NEUTRAL.update({code: "\ufffd" for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)})


def neutralise(value: object) -> object:
    """Every value a template prints: bidi controls named, other control characters replaced."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(_NEUTRAL)
    return value


environment = Environment(
    finalize=neutralise,
    loader=ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def deployment_context(request: Request) -> dict[str, Any]:
    """What every page shows of the deployment, as the app factory put it in `app.state.page_context`
    (the region's emergency service and quick-exit page: content, never typed into a template)."""
    context: dict[str, Any] = request.app.state.page_context
    return context


templates = Jinja2Templates(env=environment, context_processors=[deployment_context])
