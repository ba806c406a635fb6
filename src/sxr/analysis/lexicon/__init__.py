"""Keyword lexicons (YAML): indicator context words and stage cues (UK, US, Pidgin-flavoured English)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(name: str) -> Any:
    """The parsed lexicon `<name>.yaml` shipped in this package."""
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
