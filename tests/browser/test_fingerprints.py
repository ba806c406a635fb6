"""Issue 17: one very plain picture among normal ones, on /protect and in a report, in a real Chromium.

The plain one is explained and its fingerprint that could match other plain pictures is skipped; the others
are sent (the server has their hashes: checked in the database), and the batch is never refused (no 422).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLOW = 120_000  # hashing in the page and Argon2 on a busy 2-core machine


def _normal_picture(path: Path, seed: int) -> Path:
    """A busy synthetic picture (coloured blocks and lines): plenty of detail for a good fingerprint."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), "white")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(300), rng.randrange(220)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(10, 80), y + rng.randrange(10, 60)), fill=colour)
        draw.line(
            (rng.randrange(320), rng.randrange(240), rng.randrange(320), rng.randrange(240)), fill=0, width=3
        )
    image.save(path, format="PNG")
    return path


def _pictures(tmp_path: Path) -> list[Path]:
    plain = tmp_path / "plain.png"
    Image.new("RGB", (320, 240), (40, 90, 200)).save(plain, format="PNG")
    return [_normal_picture(tmp_path / "beach.png", 1), plain, _normal_picture(tmp_path / "party.png", 2)]


def _hash_in_page(page: Any, files: list[Path]) -> list[dict[str, str | None]]:
    page.set_input_files("#protect-files", [str(f) for f in files])
    page.click("#protect-start")
    page.wait_for_selector("#protect[data-state=hashed]", timeout=SLOW)
    rows: list[dict[str, str | None]] = page.eval_on_selector_all(
        "#protect-results li",
        """items => items.map(li => ({pdq: li.getAttribute('data-pdq'), md5: li.getAttribute('data-md5'),
            quality: li.getAttribute('data-quality'), error: li.getAttribute('data-error'),
            text: li.innerText}))""",
    )
    return rows


def _banked() -> list[tuple[str, str | None]]:
    from sxr.config import get_settings
    from sxr.db import session_scope
    from sxr.watchlist.models import WatchlistEntry

    with session_scope(get_settings().resolved_database_url) as session:
        return [(row.type, row.value) for row in session.scalars(sa.select(WatchlistEntry))]


def test_protect_page_explains_a_plain_picture_and_says_what_next(page: Any, tmp_path: Path) -> None:
    page.goto("/protect")
    page.wait_for_selector("#protect[data-ready=yes]")
    rows = _hash_in_page(page, _pictures(tmp_path))
    assert [row["error"] for row in rows] == [None, None, None]
    assert (
        int(rows[1]["quality"] or -1)
        < 50
        <= min(int(rows[0]["quality"] or -1), int(rows[2]["quality"] or -1))
    )
    assert "very plain" in (rows[1]["text"] or "")
    assert "very plain" not in (rows[0]["text"] or "") + (rows[2]["text"] or "")
    # On its own, the page sends nothing and says what to do next.
    assert page.locator("#protect-not-sent").is_visible()
    assert page.get_by_role("heading", name="What to do next").is_visible()
    assert _banked() == []


def test_a_plain_picture_does_not_stop_the_others_being_sent(page: Any, tmp_path: Path) -> None:
    page.goto("/report/start")
    page.get_by_role("button", name="Start my report").click()
    page.locator("#open-case").click(timeout=SLOW)
    page.locator("#protect-pictures").click(timeout=SLOW)
    page.wait_for_selector("#protect[data-ready=yes]")
    replies: list[int] = []
    page.on("response", lambda r: replies.append(r.status) if r.request.method == "POST" else None)
    rows = _hash_in_page(page, _pictures(tmp_path))
    assert "very plain" in (rows[1]["text"] or "")
    page.click("#protect-send")
    page.wait_for_selector("#protect[data-state=sent]", timeout=SLOW)
    assert replies and 422 not in replies and all(status < 400 for status in replies), replies
    banked = _banked()
    # The normal pictures' fingerprints (PDQ and exact MD5) reached the server.
    for row in (rows[0], rows[2]):
        assert ("pdq", row["pdq"]) in banked and ("md5", row["md5"]) in banked
    # The plain picture: only its exact code; the fingerprint that would match any plain picture is not kept.
    assert ("pdq", rows[1]["pdq"]) not in banked
    assert ("md5", rows[1]["md5"]) in banked
    status = page.locator("#protect-status").inner_text() if page.locator("#protect-status").count() else ""
    assert "try again" not in status.lower()
