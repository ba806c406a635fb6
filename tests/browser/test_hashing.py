"""The protect page hashes pictures and videos in a real Chromium; only hashes ever leave the page."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from sxr.media.pdq import hamming_distance
from sxr.media.vpdq import read_reference_hashes

pytestmark = pytest.mark.browser

MAX_BROWSER_BITS = 10


def _expected(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / "pdq" / "expected.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _record_requests(page: Any) -> list[Any]:
    seen: list[Any] = []

    def record(request: Any) -> None:
        seen.append(request)

    page.on("request", record)
    return seen


def _hash_in_page(page: Any, files: list[Path], timeout_ms: int = 180_000) -> list[dict[str, str | None]]:
    page.set_input_files("#protect-files", [str(f) for f in files])
    page.click("#protect-start")
    page.wait_for_selector("#protect[data-state=hashed]", timeout=timeout_ms)
    rows: list[dict[str, str | None]] = page.eval_on_selector_all(
        "#protect-results li",
        """items => items.map(li => ({pdq: li.getAttribute('data-pdq'),
            quality: li.getAttribute('data-quality'), md5: li.getAttribute('data-md5'),
            frames: li.getAttribute('data-frames'), error: li.getAttribute('data-error')}))""",
    )
    return rows


def _assert_no_media_left(requests: list[Any], live_url: str) -> None:
    for request in requests:
        assert request.url.startswith(live_url) or request.url.startswith(("blob:", "data:")), request.url
        if request.url.startswith(live_url):
            assert request.method == "GET", f"{request.method} {request.url}"
            assert "/static/js/" in request.url, request.url
        assert not request.post_data_buffer, request.url


def test_browser_pdq_matches_reference_and_nothing_leaves(
    page: Any, live_server: Any, shared_data: Path
) -> None:
    expected = _expected(shared_data)
    page.goto("/protect")
    page.wait_for_selector("#protect[data-ready=yes]")
    requests = _record_requests(page)
    rows = _hash_in_page(page, [shared_data / "pdq" / "images" / row["path"] for row in expected])

    assert len(rows) == len(expected)
    distances = {}
    for row, want in zip(rows, expected, strict=True):
        assert row["error"] is None, (want["path"], row["error"])
        assert row["pdq"] is not None and len(row["pdq"]) == 64
        distances[want["path"]] = hamming_distance(row["pdq"], want["pdq_hex"])
        assert abs(int(row["quality"] or -1) - int(want["quality"])) <= 5, want["path"]
    worst = max(distances.values())
    print(f"browser PDQ vs expected.csv: max {worst} bits, total {sum(distances.values())} over {len(rows)}")
    assert worst <= MAX_BROWSER_BITS, distances
    _assert_no_media_left(requests, live_server.url)
    assert page.locator("#protect-not-sent").is_visible()


def test_browser_md5_is_the_files_md5(page: Any, shared_data: Path) -> None:
    import hashlib

    image = shared_data / "pdq" / "images" / "misc" / "wee.jpg"
    page.goto("/protect")
    rows = _hash_in_page(page, [image])
    assert rows[0]["md5"] == hashlib.md5(image.read_bytes()).hexdigest()


def test_browser_sends_only_hashes_when_asked(page: Any, live_server: Any, shared_data: Path) -> None:
    images = [
        shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg",
        shared_data / "pdq" / "images" / "misc" / "small.jpg",
    ]
    page.goto("/protect")
    # The lead serves this page under a victim's case with a submit URL; here a test sink stands in.
    page.evaluate("document.getElementById('protect').setAttribute('data-submit-url', '/test-sink')")
    bodies: list[bytes] = []

    def sink(route: Any) -> None:
        bodies.append(route.request.post_data_buffer or b"")
        route.fulfill(status=200, content_type="application/json", body="{}")

    page.route("**/test-sink", sink)
    requests = _record_requests(page)
    rows = _hash_in_page(page, images)
    _assert_no_media_left(requests, live_server.url)
    assert bodies == []
    page.click("#protect-send")
    page.wait_for_selector("#protect[data-state=sent]")

    assert len(bodies) == 1
    body = bodies[0]
    assert len(body) < 4096
    assert b"\xff\xd8\xff" not in body and b"JFIF" not in body and b"Exif" not in body
    document = json.loads(body)
    assert {entry["type"] for entry in document["hashes"]} == {"pdq", "md5"}
    assert all(entry["name_hint"] is None for entry in document["hashes"])
    assert b"aaa-orig" not in body and b"small.jpg" not in body
    sent_pdq = [entry["value"] for entry in document["hashes"] if entry["type"] == "pdq"]
    # small.jpg is a plain picture (quality 0): the server refuses such a PDQ (it would match other plain
    # pictures), so the page sends only its MD5 and the rest of the batch is not lost.
    assert int(rows[0]["quality"] or -1) >= 50 > int(rows[1]["quality"] or -1)
    assert sent_pdq == [rows[0]["pdq"]]
    assert [entry["value"] for entry in document["hashes"] if entry["type"] == "md5"] == [
        r["md5"] for r in rows
    ]


def test_browser_hashes_a_video_frame_by_frame(page: Any, live_server: Any, shared_data: Path) -> None:
    video = shared_data / "vpdq" / "videos" / "pattern-sd-grey-bar.mp4"
    reference = read_reference_hashes(shared_data / "vpdq" / "hashes" / "pattern-sd-grey-bar.txt")
    page.goto("/protect")
    page.select_option("#protect-rate", "1")
    page.evaluate("document.getElementById('protect').setAttribute('data-submit-url', '/test-sink')")
    bodies: list[bytes] = []
    page.route(
        "**/test-sink",
        lambda route: (
            bodies.append(route.request.post_data_buffer or b""),
            route.fulfill(status=200, body="{}"),
        ),
    )
    requests = _record_requests(page)
    rows = _hash_in_page(page, [video])
    assert rows[0]["error"] is None, rows[0]["error"]
    _assert_no_media_left(requests, live_server.url)
    page.click("#protect-send")
    page.wait_for_selector("#protect[data-state=sent]")
    document = json.loads(bodies[0])
    frames = next(entry["frames"] for entry in document["hashes"] if entry["type"] == "vpdq")
    assert len(frames) == 7  # 6.9 seconds at one frame a second
    for frame in frames:
        nearest = min(reference, key=lambda ref: abs(ref.timestamp - frame["timestamp"]))
        assert hamming_distance(frame["hash"], nearest.hash) <= 31, (frame, nearest)


def test_browser_turned_photo_gives_stored_and_upright_hashes(
    page: Any, shared_data: Path, tmp_path: Path
) -> None:
    from PIL import Image

    from sxr.media.hashing import hash_file

    with Image.open(shared_data / "pdq" / "images" / "bridge-mods" / "aaa-orig.jpg") as original:
        exif = Image.Exif()
        exif[0x0112] = 6  # taken with the phone turned: shown rotated 90 degrees clockwise
        turned = tmp_path / "turned.jpg"
        original.save(turned, quality=95, exif=exif)
    expected = hash_file(turned)["pdq"]
    page.goto("/protect")
    (row,) = _hash_in_page(page, [turned])
    upright = page.get_attribute("#protect-results li", "data-pdq-upright")
    assert row["pdq"] is not None and upright is not None
    stored_bits = hamming_distance(row["pdq"], expected["hash"])
    upright_bits = hamming_distance(upright, expected["upright"]["hash"])
    print(f"turned photo: stored {stored_bits} bits, upright {upright_bits} bits from the Python hashes")
    assert stored_bits <= MAX_BROWSER_BITS
    assert upright_bits <= MAX_BROWSER_BITS
    assert hamming_distance(row["pdq"], upright) > 31


WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_VISIBLE_TEXT = """() => {
  const blocks = 'h1, h2, p, li, label, button';
  const seen = [];
  for (const el of document.querySelectorAll(blocks)) {
    if (el.querySelector(blocks) || !el.checkVisibility()) { continue; }
    const text = el.innerText.trim();
    if (text) { seen.push(text.endsWith('.') ? text : text + '.'); }
  }
  return seen.join(' ');
}"""


def test_protect_page_is_accessible_and_plain(
    page: Any, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textstat
    from axe_playwright_python.sync_playwright import Axe

    try:  # textstat would download NLTK's dictionary: count syllables with Pyphen instead
        import textstat.backend.counts._count_syllables as count_syllables

        monkeypatch.setattr(count_syllables, "get_cmudict", lambda lang: None)
    except ImportError:
        pass
    page.goto("/protect")
    assert page.title() == "Help and advice"
    axe = Axe()
    before = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert before.violations_count == 0, before.generate_report()
    grade = textstat.flesch_kincaid_grade(page.evaluate(_VISIBLE_TEXT))
    print(f"protect page reading grade {grade}")
    assert grade <= 6.0
    _hash_in_page(page, [shared_data / "pdq" / "images" / "misc" / "wee.jpg"])
    after = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert after.violations_count == 0, after.generate_report()
