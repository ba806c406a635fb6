"""Sizes in words a person reads: the limits told to victims, staff pages, upload refusals."""

from __future__ import annotations


def human_size(size: int) -> str:
    """`size` bytes in words a person reads (e.g. "512 MB")."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    return f"{size} bytes"
