"""Analysis of conversations: indicators, stages of an extortion, and risk (pure: no web or database)."""

from sxr.analysis.core import Analysis, analyze

__all__ = ["Analysis", "analyze"]
