"""`VictimCaseDep`: the case a `/case/{token}/...` URL opens, after the victim gave reference + PIN."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from sxr.cases.models import Case
from sxr.cases.services import resolve_victim_session
from sxr.deps import SessionDep

EXPIRED_MESSAGE = (
    "This page has closed to keep your report safe. "
    "You can open your report again with your reference and PIN."
)


def get_victim_case(token: str, session: SessionDep) -> Case:
    """Resolve the `{token}` path parameter to its case, or answer 404 with a kind explanation."""
    case = resolve_victim_session(session, token)
    if case is None:
        raise HTTPException(status_code=404, detail=EXPIRED_MESSAGE)
    return case


VictimCaseDep = Annotated[Case, Depends(get_victim_case)]
