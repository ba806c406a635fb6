"""Structured logs: one JSON object a line, holding only what "What the logs may contain" (README) allows.

A line has `ts`, `level`, `logger`, `msg`, and only the `extra` fields named in FIELDS (route templates,
status codes, durations, counts, rule names, error class names). Whatever reaches a message from code we
do not control (uvicorn, libraries) is scrubbed of what looks like a token, a reference, a PIN, a hash
or a case link; an exception is logged as its class and its stack (file, line, function), never its
message, which could carry a file name or a victim's words.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

# The only `extra` fields a log line may carry.
FIELDS = ("event", "method", "route", "status", "duration_ms", "rule", "error", "count", "check")

_SCRUB = (
    (re.compile(r"/case/[^\s/?#\"']+"), "/case/[token]"),
    (re.compile(r"\bSXR[-\s]?[0-9A-Z]{4}[-\s]?[0-9A-Z]{4}\b", re.I), "[reference]"),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), "[hex]"),
    (re.compile(r"\b(?:sxr|wl|m)_[A-Za-z0-9_-]{16,}"), "[key]"),
    (re.compile(r"[A-Za-z0-9_-]{32,}"), "[token]"),
    (re.compile(r"(?<![\d.:])\d{6}(?![\d.:])"), "[digits]"),
)


def scrub(text: str) -> str:
    """`text` with tokens, references, PINs, hashes and case links replaced by their kind."""
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object a line; see the module's docstring for what it may hold."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, (int, float)) or (isinstance(value, str) and name in ("route", "method")):
                line[name] = value
            elif isinstance(value, str):
                line[name] = scrub(value)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            line["exception"] = kind.__name__
            line["stack"] = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Send every logger's records to stderr as JSON lines (uvicorn's too: run it with log_config=None)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Readiness checks ask Alembic for the schema's version: its chatter is not news.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Access lines would hold the path (a case token); sxr logs requests itself, by route template.
    logging.getLogger("uvicorn.access").disabled = True
