"""`DeriversDep`: the derivers the app factory was given, for routes that add evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request

from sxr.evidence.services import Deriver


def get_derivers(request: Request) -> Sequence[Deriver]:
    """The derivers `create_app` was given (sxr.pipeline's DERIVERS unless a test chose others)."""
    derivers: Sequence[Deriver] = request.app.state.derivers
    return derivers


DeriversDep = Annotated[Sequence[Deriver], Depends(get_derivers)]
