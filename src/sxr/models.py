"""Imports every domain's models so that `Base.metadata` knows every table (Alembic and tests use it)."""

from __future__ import annotations

import importlib
import pkgutil

import sxr
from sxr.db import Base


def load_all_models() -> type[Base]:
    """Import `sxr.<domain>.models` for every domain that has one."""
    for module in pkgutil.iter_modules(sxr.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"sxr.{module.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"sxr.{module.name}.models":
                    raise
    return Base
