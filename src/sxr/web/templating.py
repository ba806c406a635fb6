"""One Jinja2 environment for every domain's templates (autoescaped: offenders' words are hostile input)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _template_dirs() -> list[str]:
    dirs = [str(Path(__file__).resolve().parent / "templates")]
    dirs += sorted(str(p) for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web")
    return dirs


environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=environment)
