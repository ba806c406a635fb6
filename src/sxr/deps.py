"""FastAPI dependencies, each named once as a typed alias so a route's signature says what it needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sxr.config import Settings
from sxr.db import session_factory
from sxr.web.security import require_same_origin


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    settings: Settings = request.app.state.settings
    session = session_factory(settings.resolved_database_url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_db)]
# A form post that must come from this site (403 otherwise); declare it as `_same_origin: SameOriginDep`.
SameOriginDep = Annotated[None, Depends(require_same_origin)]
