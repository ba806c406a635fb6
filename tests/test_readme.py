"""The README's tables of settings and regions are made from the settings object and the guidance content,
so they stay true: a setting or region added without the README fails here.

`.venv/bin/python tests/test_readme.py` rewrites both tables in README.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from sxr.config import Settings
from sxr.guidance.content import default_content
from sxr.watchlist.settings import WatchlistSection

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = (("settings", "src/sxr/config.py"), ("regions", "src/sxr/guidance/content/services.yaml"))


def _amount(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, int) and name.endswith("_bytes"):
        for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
            if value >= size and value % size == 0:
                return f"{value // size:,} {unit}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}" if value >= 10_000 else str(value)
    if isinstance(value, float):
        return str(value)
    return f"`{value}`"


def _default(name: str, field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "see what it is"
    return _amount(name, field.default)


def settings_table() -> str:
    """Every field of Settings: the variable, its default and what it is."""
    own = [name for name in Settings.model_fields if name not in WatchlistSection.model_fields]
    rows = ["| variable | default | what it is |", "|---|---|---|"]
    for name in [*own, *WatchlistSection.model_fields]:
        field = Settings.model_fields[name]
        assert field.description, f"Settings.{name} needs a description for the README"
        rows.append(f"| `SXR_{name.upper()}` | {_default(name, field)} | {field.description} |")
    return "\n".join(rows)


def regions_table() -> str:
    """Every region of the guidance content: its emergency number and quick-exit page."""
    content = default_content()
    rows = ["| `SXR_REGION` | where | emergency number | quick-exit page |", "|---|---|---|---|"]
    for region in content.regions:
        page = content.region_page(region.code)
        rows.append(f"| `{region.code}` | {region.name} | {page.emergency_phone} | {region.quick_exit.url} |")
    return "\n".join(rows)


def _block(name: str, source: str, table: str) -> str:
    return (
        f"<!-- {name}: made from {source} by tests/test_readme.py; rewrite with "
        f"`.venv/bin/python tests/test_readme.py` -->\n{table}\n<!-- /{name} -->"
    )


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- {name}: .*?<!-- /{name} -->", re.S)


def _tables() -> dict[str, str]:
    return {"settings": settings_table(), "regions": regions_table()}


def test_the_readme_lists_every_setting_with_its_default() -> None:
    found = _pattern("settings").search(README.read_text())
    assert found, "README.md has no settings table"
    assert found.group(0) == _block("settings", SECTIONS[0][1], settings_table()), (
        "the README's settings table is out of date: run .venv/bin/python tests/test_readme.py"
    )


def test_the_readmes_regions_match_the_content() -> None:
    found = _pattern("regions").search(README.read_text())
    assert found, "README.md has no regions table"
    assert found.group(0) == _block("regions", SECTIONS[1][1], regions_table()), (
        "the README's regions table is out of date: run .venv/bin/python tests/test_readme.py"
    )


def test_the_settings_table_would_catch_a_new_setting() -> None:
    assert "`SXR_MASTER_KEY`" in settings_table() and "`SXR_WEBHOOK_URL`" in settings_table()
    assert "| `US` | United States | 911 |" in regions_table()


def rewrite() -> None:
    text = README.read_text()
    tables = _tables()
    for name, source in SECTIONS:
        block = _block(name, source, tables[name])
        text, count = _pattern(name).subn(lambda _m, block=block: block, text)
        if count != 1:
            sys.exit(f"README.md needs one <!-- {name}: ... --> ... <!-- /{name} --> block")
    README.write_text(text)


if __name__ == "__main__":
    rewrite()
