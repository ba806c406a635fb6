"""Analysis of conversations: indicators, stages of an extortion, and risk (pure: no web or database)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sxr.analysis.core import Analysis, analyze

__all__ = ["Analysis", "analyze"]


def __getattr__(name: str) -> object:
    # The core (NumPy, the lexicons) is imported when first used, not with the package: `sxr analyze
    # --help` imports sxr.analysis.cli, and with it this package.
    if name in __all__:
        from sxr.analysis import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
