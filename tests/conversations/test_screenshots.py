"""Chat screenshots drawn with Pillow and read back by the real OCR models, offline."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from PIL import Image
from typer.testing import CliRunner

from chat_render import render_chat
from sxr.cli import app
from sxr.conversations.chat_layout import Block, TextLine, assign_sides
from sxr.conversations.model import Conversation, ExportError
from sxr.conversations.screenshots import (
    is_screenshot,
    load_image,
    ocr_engine,
    parse_time,
    read_screenshots,
    tidy_text,
)

CHAT: list[tuple[str, ...]] = [
    ("left", "hey its jay_smith.22 add me on snap", "21:04"),
    ("right", "who is this?", "21:05"),
    ("left", "I have your pics. Pay £500 or I send them to everyone", "21:06"),
    ("right", "please dont do this", "21:07"),
    ("left", "Send it to account 4829105736 today", "21:08"),
    ("left", "or cashapp $LilyPays09 now", "21:09"),
    ("right", "I only have £40", "21:10"),
]
IDENTIFIERS = {0: "jay_smith.22", 2: "£500", 4: "4829105736", 5: "$LilyPays09", 6: "£40"}


@pytest.fixture(scope="module")
def engine() -> Iterator[object]:
    """One OCR engine for the whole module: the models load once per process."""
    yield ocr_engine()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A handful of screenshots in the formats and themes victims send."""
    folder = tmp_path_factory.mktemp("shots")
    out: dict[str, Path] = {}
    light = render_chat(
        CHAT,
        size=(1170, 2532),
        style="imessage-light",
        separators={0: "Today 21:04"},
        receipt="Delivered",
    )[0]
    assert len(light.bubbles) == len(CHAT) and light.separators == ["Today 21:04"]
    out["light.png"] = folder / "light.png"
    light.image.save(out["light.png"])
    dark = render_chat(
        CHAT,
        size=(1080, 2400),
        style="whatsapp-dark",
        header="Jay Smith",
        separators={0: "12 February 2024", 3: "Messages are end-to-end encrypted"},
    )[0]
    assert len(dark.bubbles) == len(CHAT) and len(dark.separators) == 2
    out["dark.png"] = folder / "dark.png"
    dark.image.save(out["dark.png"])
    # A JPEG re-saved at quality 60, as after sharing through a messenger.
    jpeg = render_chat(CHAT, size=(1080, 2400), style="whatsapp-light")[0].image
    first = io.BytesIO()
    jpeg.save(first, format="JPEG", quality=85)
    out["shared.jpg"] = folder / "shared.jpg"
    Image.open(first).save(out["shared.jpg"], format="JPEG", quality=60)
    pillow_heif.register_heif_opener()
    heic = render_chat(CHAT, size=(1170, 2532), style="imessage-dark", keyboard=True)[0].image
    out["photo.heic"] = folder / "photo.heic"
    heic.save(out["photo.heic"], format="HEIF", quality=90)
    return out


def _check(conversation: Conversation, path: Path) -> None:
    """Every message, in order, on the right side, with the identifiers read exactly."""
    messages = conversation.messages
    assert [m.sender for m in messages] == [side for side, *_ in CHAT], [m.text for m in messages]
    for index, identifier in IDENTIFIERS.items():
        assert identifier in messages[index].text.split(), messages[index].text
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    width, height = Image.open(path).size
    for message in messages:
        assert message.machine_read
        assert message.source.file == path.name
        assert message.source.sha256 == digest
        assert message.source.confidence is not None and 0.5 <= message.source.confidence <= 1
        x0, y0, x1, y1 = message.source.box or (0, 0, 0, 0)
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        # Left bubbles sit on the left half of the screen, right ones on the right.
        if message.sender == "left":
            assert x0 < width * 0.15  # (beside an avatar in some apps)
        else:
            assert x1 > width * 0.9
    assert [p.id for p in conversation.participants] == ["left", "right"]
    assert any("confirm" in warning for warning in conversation.warnings)


def test_light_iphone(engine: object, shots: dict[str, Path]) -> None:
    conversation = read_screenshots([shots["light.png"]])
    assert conversation.format == "screenshot"
    _check(conversation, shots["light.png"])
    texts = " ".join(m.text for m in conversation.messages)
    # The status bar, the input box and the receipt are not messages.
    assert "9:41" not in texts and "iMessage" not in texts and "87%" not in texts
    assert "Delivered" not in texts
    assert conversation.messages[0].sent_at_raw == "Today 21:04"
    assert conversation.participants[0].name == "Jay"
    assert conversation.messages[1].text == "who is this?"
    document = conversation.to_json()
    assert document["messages"][0]["machine_read"] is True
    assert len(document["messages"][0]["source"]["box"]) == 4


def test_dark_android_whatsapp_times_in_bubbles(engine: object, shots: dict[str, Path]) -> None:
    conversation = read_screenshots([shots["dark.png"]], tz="Europe/London")
    _check(conversation, shots["dark.png"])
    # The date pill and each bubble's own time make a full time stamp.
    assert [m.sent_at_raw for m in conversation.messages] == [f"12 February 2024 {time}" for *_, time in CHAT]
    first = conversation.messages[0].sent_at
    assert first is not None and first.isoformat() == "2024-02-12T21:04:00+00:00"
    assert not any("February" in m.text for m in conversation.messages)
    # A centred pill that is not a date is a notice, not a message.
    assert [n.text for n in conversation.notices] == ["Messages are end-to-end encrypted"]
    # The time is the message's time, not part of its text.
    assert not any("21:0" in m.text or "21:1" in m.text for m in conversation.messages)
    assert conversation.participants[0].name == "Jay Smith"


def test_jpeg_resaved_at_quality_60(engine: object, shots: dict[str, Path]) -> None:
    _check(read_screenshots([shots["shared.jpg"]]), shots["shared.jpg"])


def test_heic_dark_with_keyboard(engine: object, shots: dict[str, Path]) -> None:
    assert is_screenshot(shots["photo.heic"])
    conversation = read_screenshots([shots["photo.heic"]])
    _check(conversation, shots["photo.heic"])
    # No key of the keyboard became a message (the last message is the last bubble).
    assert conversation.messages[-1].text == CHAT[-1][1]


def test_instagram_like_avatars_and_a_name_at_the_top_left(engine: object, tmp_path: Path) -> None:
    path = tmp_path / "insta.png"
    render_chat(CHAT, size=(1170, 2532), style="instagram-dark", header="jay_smith.22")[0].image.save(path)
    conversation = read_screenshots([path])
    _check(conversation, path)
    # The name beside the avatar is the header, not a message from the left.
    assert conversation.participants[0].name == "jay_smith.22"
    assert conversation.title == "jay_smith.22"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("style", "words", "shift"), [("imessage-dark", "", 0), ("whatsapp-light", " and more words to wrap", 80)]
)
def test_two_overlapping_screenshots_make_one_conversation(
    engine: object, tmp_path: Path, style: str, words: str, shift: int
) -> None:
    chat = [
        ("left" if n % 3 else "right", f"message {n} {word}{words}")
        for n, word in enumerate(
            [
                "alpha",
                "bravo",
                "charlie",
                "delta",
                "echo",
                "foxtrot",
                "golf",
                "hotel",
                "india",
                "juliet",
                "kilo",
                "lima",
                "mike",
                "november",
                "oscar",
                "papa",
                "quebec",
                "romeo",
                "sierra",
                "tango",
            ]
        )
    ]
    first, second = render_chat(
        chat, size=(1080, 2400), style=style, windows=2, overlap_messages=3, scroll_shift=shift
    )
    shared = {b.text for b in first.bubbles} & {b.text for b in second.bubbles}
    assert len(shared) >= 2  # the drawing really overlaps
    paths = [tmp_path / "1.png", tmp_path / "2.webp"]
    first.image.save(paths[0])
    second.image.save(paths[1], format="WEBP", lossless=True)
    conversation = read_screenshots(paths)
    texts = [m.text for m in conversation.messages]
    shown = [text for _, text in chat if any(text == b.text for b in first.bubbles + second.bubbles)]
    assert texts == shown
    assert [m.sender for m in conversation.messages] == [s for s, t in chat if t in shown]
    assert [m.i for m in conversation.messages] == list(range(len(texts)))
    assert not any("does not overlap" in warning for warning in conversation.warnings)
    files = [m.source.file for m in conversation.messages]
    assert files[0] == "1.png" and files[-1] == "2.webp"


def test_reading_makes_no_network_connection(
    engine: object, shots: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ocr_engine.cache_clear()
    try:
        conversation = read_screenshots([shots["dark.png"]])
    finally:
        ocr_engine.cache_clear()
    assert conversation.messages
    import rapidocr_onnxruntime

    package = Path(rapidocr_onnxruntime.__file__).resolve().parent
    assert ocr_engine().model_dir == package / "models"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in a few bytes (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_bad_input_gets_a_clear_error(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(60000, 60000))
    with pytest.raises(ExportError, match="too big"):
        read_screenshots([bomb])
    # Under Pillow's own bomb limit, but far more pixels than any phone screenshot.
    bomb.write_bytes(_png_header_only(7000, 7000))
    with pytest.raises(ExportError, match="7000 x 7000 pixels: too big"):
        read_screenshots([bomb])

    text = tmp_path / "notes.png"
    text.write_text("this is not an image")
    assert not is_screenshot(text)
    with pytest.raises(ExportError, match="not an image"):
        read_screenshots([text])

    good = io.BytesIO()
    render_chat(CHAT[:2], size=(540, 1200))[0].image.save(good, format="PNG")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    assert is_screenshot(truncated)
    with pytest.raises(ExportError, match="could not be read"):
        load_image(truncated)

    with pytest.raises(ExportError, match="Cannot open"):
        read_screenshots([tmp_path / "missing.png"])
    with pytest.raises(ExportError, match="No screenshots"):
        read_screenshots([])
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ExportError):
        read_screenshots([empty])


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("pay f500 or l send", "pay £500 or I send"),
        ("f5o0", "£500"),
        ("$LilyPays09", "$LilyPays09"),
        ("jay_smith.22", "jay_smith.22"),
        ("in 1 hour", "in 1 hour"),
        ("account 4829105736", "account 4829105736"),
        ("￡1,000", "£1,000"),
        ("lol", "lol"),
        ("Ihave your pics", "I have your pics"),
        ("cashapp$LilyPays09", "cashapp $LilyPays09"),
        ("my paypal is lily. pays@example.com", "my paypal is lily.pays@example.com"),
        ("ok. bye", "ok. bye"),
        ("It is Iris", "It is Iris"),
        ("pay £500 orl send", "pay £500 or I send"),
        ("a girl said", "a girl said"),
        ("I already sent floo please", "I already sent £100 please"),
        ("what a fool", "what a fool"),
        ("Flo said", "Flo said"),
    ],
)
def test_tidy_text(raw: str, tidy: str) -> None:
    assert tidy_text(raw) == tidy


def test_a_bubble_as_wide_as_the_screen_takes_the_side_of_its_colour() -> None:
    grey, blue = (233, 233, 235), (11, 132, 254)

    def block(box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> Block:
        return Block("message", [TextLine(box, "text", 0.9)], box, colour=colour)

    blocks = [
        block((36, 100, 700, 200), grey),
        block((500, 220, 1134, 300), blue),
        block((40, 320, 1130, 500), blue),  # both gaps small: only the colour tells
        block((38, 520, 1132, 600), grey),
    ]
    assign_sides(blocks, 1170)
    assert [b.side for b in blocks] == ["left", "right", "right", "left"]


def test_sxr_import_prints_the_screenshot_conversation(engine: object, shots: dict[str, Path]) -> None:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click 8.2 keeps stderr apart already
        runner = CliRunner()
    result = runner.invoke(app, ["import", str(shots["light.png"]), "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "screenshot"
    assert [m["sender"] for m in doc["messages"]] == [side for side, *_ in CHAT]
    first = doc["messages"][0]
    assert first["machine_read"] is True and first["source"]["file"] == "light.png"
    assert len(first["source"]["box"]) == 4 and 0.5 <= first["source"]["confidence"] <= 1
    broken = shots["light.png"].with_name("broken.png")
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    failed = runner.invoke(app, ["import", str(broken), "--json"])
    assert failed.exit_code == 1 and failed.stdout == ""
    assert "broken.png" in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.parametrize(
    ("stamp", "iso"),
    [
        ("12 February 2024 21:04", "2024-02-12T21:04:00+00:00"),
        ("Mon, 12 Feb 2024 at 9:04 PM", "2024-02-12T21:04:00+00:00"),
        ("13/04/2024 21:04", "2024-04-13T21:04:00+01:00"),
        ("03/04/2024 21:04", None),  # March or April: left for a person to say
        ("Today 21:04", None),
        ("12 February 2024", None),
    ],
)
def test_time_stamps_become_times_only_when_complete(stamp: str, iso: str | None) -> None:
    parsed = parse_time(stamp, ZoneInfo("Europe/London"))
    assert (parsed.isoformat() if parsed else None) == iso


def test_is_screenshot_looks_at_the_bytes_not_the_name(tmp_path: Path) -> None:
    image = Image.new("RGB", (64, 128), "white")
    for fmt, suffix in [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif"), ("BMP", "bmp")]:
        path = tmp_path / f"shot.{suffix}"
        image.save(path, format=fmt)
        assert is_screenshot(path), fmt
        renamed = path.rename(tmp_path / f"{suffix}.txt")
        assert is_screenshot(renamed), fmt
    for name, data in [("chat.png", b"hello"), ("a.zip", b"PK\x03\x04rest"), ("b.pdf", b"%PDF-1.7")]:
        (tmp_path / name).write_bytes(data)
        assert not is_screenshot(tmp_path / name), name
    assert not is_screenshot(tmp_path / "missing.png")
