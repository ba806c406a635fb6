"""The order of written dates: decided on the export's evidence, assumed from the region only when it must
be, and always said (Conversation.date_reading); the CLI's options are the same for import and analyze."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sxr.cli import app
from sxr.config import Settings, get_settings
from sxr.conversations.importers import import_path
from sxr.conversations.importers.date_order import region_date_order
from sxr.conversations.model import DateOrderAmbiguous, DateReading


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click 8.2 keeps stderr apart already
        return CliRunner()


def _write(tmp_path: Path, body: str, name: str = "WhatsApp Chat with Lily.txt") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _reading(path: Path, **options: str) -> DateReading:
    chat = import_path(path, **options)  # type: ignore[arg-type]
    assert chat.date_reading is not None
    return chat.date_reading


# Every day is 12 or less: only evidence other than "a day above 12" can settle these.
GOES_ON = "03/12/2026, 21:00 - Tom: hi\n04/12/2026, 21:00 - Tom: pay\n05/12/2026, 21:00 - Tom: now\n"
SAME_DAY = "03/12/2026, 21:00 - Tom: hi\n03/12/2026, 21:05 - Tom: pay\n"


def test_a_day_above_12_settles_it(tmp_path: Path) -> None:
    reading = _reading(_write(tmp_path, "03/12/2026, 21:00 - Tom: hi\n25/12/2026, 21:00 - Tom: pay\n"))
    assert (reading.order, reading.how, reading.why) == ("DMY", "inferred", "a day above 12: 25/12/2026")
    assert (reading.example_raw, reading.example) == ("03/12/2026", "2026-12-03")


def test_the_messages_own_order_settles_it(tmp_path: Path) -> None:
    # Read month first these are 12 March, 12 April, 12 May; day first 3, 4, 5 December. Both keep the
    # messages in order, so nothing is inferred from it...
    with pytest.raises(DateOrderAmbiguous, match="--date-order"):
        import_path(_write(tmp_path, GOES_ON))
    # ...but here only day first does.
    body = "11/10/2026, 21:00 - Tom: hi\n12/10/2026, 21:00 - Tom: pay\n01/11/2026, 21:00 - Tom: now\n"
    reading = _reading(_write(tmp_path, body))
    # Day first: 11 Oct, 12 Oct, 1 Nov (in order). Month first: 10 Nov, 10 Dec, 11 Jan (back in time).
    assert (reading.order, reading.how) == ("DMY", "inferred")
    assert reading.why == "only this order keeps the messages in time order"
    backwards_the_other_way = (
        "10/11/2026, 21:00 - Tom: hi\n10/12/2026, 21:00 - Tom: pay\n11/01/2026, 09:00 - Tom: x\n"
    )
    assert _reading(_write(tmp_path, backwards_the_other_way, "b.txt")).order == "MDY"


def test_dates_that_read_the_same_either_way(tmp_path: Path) -> None:
    reading = _reading(_write(tmp_path, "1/1/26, 12:00 - Tom: hi\n1/1/26, 12:01 - Lily: hey\n"))
    assert reading.how == "inferred" and reading.why == "every date reads the same either way: 1/1/26"
    assert reading.example == "2026-01-01"


def test_a_us_style_clock_reads_month_first(tmp_path: Path) -> None:
    reading = _reading(_write(tmp_path, "3/12/26, 9:00\u202fPM - Tom: hi\n"))
    assert (reading.order, reading.how, reading.example) == ("MDY", "inferred", "2026-03-12")
    assert "12-hour clock" in reading.why


def test_given_beats_the_evidence_and_says_so(tmp_path: Path) -> None:
    reading = _reading(_write(tmp_path, SAME_DAY), date_order="MDY")
    assert (reading.order, reading.how, reading.example) == ("MDY", "given", "2026-03-12")


def test_assumed_from_the_region_only_when_nothing_settles_it_and_said(tmp_path: Path) -> None:
    path = _write(tmp_path, SAME_DAY)
    with pytest.raises(DateOrderAmbiguous):
        import_path(path)
    chat = import_path(path, fallback_date_order="DMY")
    assert chat.date_reading == DateReading(
        "DMY", "assumed", "the usual order where this service runs (day first)", "03/12/2026", "2026-12-03"
    )
    assert any("03/12/2026 is read as 3 December 2026" in w for w in chat.warnings)
    # The fallback never overrides evidence.
    inferred = import_path(
        _write(tmp_path, "3/12/26, 9:00\u202fPM - Tom: hi\n", "us.txt"), fallback_date_order="DMY"
    )
    assert inferred.date_reading is not None and inferred.date_reading.how == "inferred"


def test_region_customs() -> None:
    assert [region_date_order(r) for r in ("GB-ENG", "US", "CA", "AU", "PH", None)] == [
        "DMY",
        "MDY",
        "MDY",
        "DMY",
        "MDY",
        "DMY",
    ]


def test_pasted_text_says_how_its_dates_were_read(tmp_path: Path) -> None:
    body = "[03/12/2026 21:00] Tom: hi\n[03/12/2026 21:01] Lily: hey\n[13/12/2026 21:02] Tom: pay\n"
    reading = _reading(_write(tmp_path, body, "pasted.txt"))
    assert (reading.order, reading.how, reading.example) == ("DMY", "inferred", "2026-12-03")


def test_cli_import_and_analyze_share_the_options_and_help(runner: CliRunner) -> None:
    helps = [
        runner.invoke(app, [command, "--help"], terminal_width=200).stdout
        for command in ("import", "analyze")
    ]
    option_lines = [
        [line for line in text.splitlines() if "--date-order" in line or "--tz" in line or "--chat" in line]
        for text in helps
    ]
    assert option_lines[0] == option_lines[1] and option_lines[0]
    assert "DMY, MDY or YMD" in helps[1]


def test_cli_analyze_takes_ymd_and_both_print_the_reading(
    runner: CliRunner, tmp_path: Path, settings: Settings
) -> None:
    path = _write(tmp_path, "2026/12/03, 21:00 - Tom: hi\n2026/12/03, 21:01 - Lily: send £100\n")
    analyzed = runner.invoke(app, ["analyze", str(path), "--date-order", "YMD", "--json"])
    assert analyzed.exit_code == 0, analyzed.stderr
    assert json.loads(analyzed.stdout)["date_reading"]["how"] == "given"
    imported = runner.invoke(app, ["import", str(path), "--json"])
    assert json.loads(imported.stdout)["date_reading"] == {
        "order": "YMD",
        "how": "inferred",
        "why": "the year is written first: 2026/12/03",
        "example_raw": "2026/12/03",
        "example": "2026-12-03",
    }


def test_cli_assumes_the_deployments_custom_and_says_so(
    runner: CliRunner, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, SAME_DAY)
    gb = runner.invoke(app, ["import", str(path)])
    assert gb.exit_code == 0 and "dates: day first (DMY), assumed" in gb.stdout
    assert "03/12/2026 is read as 3 December 2026" in gb.stdout
    monkeypatch.setenv("SXR_REGION", "US")
    get_settings.cache_clear()
    us = runner.invoke(app, ["import", str(path), "--json"])
    assert us.exit_code == 0
    reading = json.loads(us.stdout)["date_reading"]
    assert (reading["order"], reading["how"], reading["example"]) == ("MDY", "assumed", "2026-03-12")
    get_settings.cache_clear()


def test_dates_written_with_full_stops_read_day_first(tmp_path: Path) -> None:
    reading = _reading(_write(tmp_path, "03.12.2026, 21:00 - Tom: hallo\n03.12.2026, 21:05 - Tom: zahl\n"))
    assert (reading.order, reading.how, reading.example) == ("DMY", "inferred", "2026-12-03")
    assert "full stops" in reading.why
    # Evidence that counts more still wins: a day above 12 in second place.
    reading = _reading(_write(tmp_path, "[03.13.26 21:00:00] Tom: hi\n", "b.txt"))
    assert (reading.order, reading.example) == ("MDY", "2026-03-13")


def test_zero_padded_dates_with_a_12_hour_clock_are_no_us_sign(tmp_path: Path) -> None:
    """India writes "03/06/18, 1:55 PM" day first: only unpadded "3/6/18, 1:55 PM" reads as a US phone."""
    padded = import_path(
        _write(tmp_path, "03/06/18, 1:55 PM - Ravi: hi\n03/06/18, 1:56 PM - Asha: hello\n", "in.txt"),
        fallback_date_order="DMY",
    )
    assert padded.date_reading is not None and padded.date_reading.how == "assumed"
    assert padded.messages[0].sent_at is not None and padded.messages[0].sent_at.month == 6
    unpadded = import_path(
        _write(tmp_path, "3/6/18, 1:55 PM - Ravi: hi\n3/6/18, 1:56 PM - Asha: hello\n", "us.txt"),
        fallback_date_order="DMY",
    )
    assert unpadded.date_reading is not None and unpadded.date_reading.how == "inferred"
    assert unpadded.messages[0].sent_at is not None and unpadded.messages[0].sent_at.month == 3
