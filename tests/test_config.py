"""One settings object: composed from the domains' sections, secrets checked in production, the data dir
absolute and the same from any folder, and nothing else in sxr reading the environment."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

import sxr.config
from sxr.cli import app
from sxr.cli_support import EXIT_CODES, run
from sxr.config import Settings, SettingsError, get_settings, read_settings, record_deployment
from sxr.db import dispose_engines
from sxr.watchlist.settings import WatchlistSection

SRC = Path(__file__).resolve().parents[1] / "src" / "sxr"
KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()


def test_the_watchlist_section_is_part_of_the_one_settings_object(settings: Settings) -> None:
    assert isinstance(settings, WatchlistSection)
    assert set(WatchlistSection.model_fields) <= set(Settings.model_fields)
    assert not [
        path.relative_to(SRC)
        for path in SRC.rglob("*.py")
        if re.search(r"\bclass \w+\(.*BaseSettings", path.read_text()) and path.name != "config.py"
    ]


# Lines that hand the environment on to a child process, rather than read a setting from it.
PASSED_ON = {"env = dict(os.environ)  # handed on to pg_dump / pg_restore, with the connection added"}


def test_nothing_outside_config_reads_the_environment() -> None:
    readers = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if path.name != "config.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"os\.environ|getenv\(|environ\.get", line) and line.strip() not in PASSED_ON
    ]
    assert readers == []


def test_production_refuses_missing_secrets(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SXR_ENVIRONMENT", "production")
    with pytest.raises(SettingsError) as refused:
        read_settings()
    assert "SXR_MASTER_KEY must be set" in str(refused.value)
    assert "SXR_SIGNING_KEY must be set" in str(refused.value)
    monkeypatch.setenv("SXR_MASTER_KEY", "c2hvcnQ=")
    monkeypatch.setenv("SXR_SIGNING_KEY", KEY)
    with pytest.raises(SettingsError, match="SXR_MASTER_KEY must be base64 of exactly 32 bytes"):
        read_settings()
    monkeypatch.setenv("SXR_MASTER_KEY", KEY)
    with pytest.raises(SettingsError, match="must be different keys"):
        read_settings()
    monkeypatch.setenv("SXR_SIGNING_KEY", OTHER_KEY)
    monkeypatch.setenv("SXR_COOKIE_SECURE", "false")
    with pytest.raises(SettingsError, match="SXR_COOKIE_SECURE=false"):
        read_settings()
    monkeypatch.delenv("SXR_COOKIE_SECURE")
    monkeypatch.setenv("SXR_WEBHOOK_URL", "https://alerts.example.com/sxr")
    with pytest.raises(SettingsError, match="SXR_WEBHOOK_SECRET"):
        read_settings()
    monkeypatch.setenv("SXR_WEBHOOK_SECRET", "a long shared secret for the webhook")
    assert read_settings().environment == "production"
    monkeypatch.setenv("SXR_ENVIRONMENT", "development")
    monkeypatch.delenv("SXR_MASTER_KEY")
    assert read_settings().master_key is None  # a key file in the data dir is fine outside production


def test_a_command_in_production_without_keys_says_so_in_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SXR_ENVIRONMENT", "production")
    get_settings.cache_clear()
    assert run(app, ["staff", "list"]) == EXIT_CODES["environment"]
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "SXR_MASTER_KEY" in err and "Traceback" not in err
    get_settings.cache_clear()


def test_the_signing_key_setting_signs_report_packs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sxr.reports.signing import load_signing_key, public_key_b64

    monkeypatch.setenv("SXR_SIGNING_KEY", KEY)
    key = load_signing_key(settings.data_dir, read_settings().signing_key, create=False)
    assert key is not None and public_key_b64(key) != ""
    assert not (settings.data_dir / "keys").exists()


def test_a_relative_data_dir_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SXR_DATA_DIR", "here/data")
    assert read_settings().data_dir == tmp_path / "here" / "data"
    assert read_settings().resolved_database_url == f"sqlite:///{tmp_path}/here/data/sxr.sqlite3"


def test_without_sxr_data_dir_every_folder_gets_the_checkouts_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SXR_DATA_DIR", raising=False)
    monkeypatch.setattr(sxr.config, "RECORDED_DEPLOYMENT", tmp_path / "none.env")
    checkout = sxr.config.checkout_dir()
    assert checkout is not None and (checkout / "pyproject.toml").is_file()
    seen = set()
    for folder in (tmp_path, tmp_path / "a" / "b", Path("/")):
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(folder)
        seen.add(read_settings().data_dir)
    assert seen == {checkout / "data"}


def test_what_make_run_recorded_is_opened_from_any_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    recorded = tmp_path / "venv" / "sxr.env"
    recorded.parent.mkdir()
    monkeypatch.setattr(sxr.config, "RECORDED_DEPLOYMENT", recorded)
    monkeypatch.setenv("SXR_ENVIRONMENT", "test")
    monkeypatch.delenv("SXR_DATABASE_URL", raising=False)
    # `make run` in the checkout: SXR_DATA_DIR=./data, recorded absolute.
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("SXR_DATA_DIR", "data")
    record_deployment(recorded)
    assert (recorded.stat().st_mode & 0o777) == 0o600
    assert f'SXR_DATA_DIR="{checkout / "data"}"' in recorded.read_text()
    # Later, from another folder, with nothing set: the same database.
    monkeypatch.delenv("SXR_DATA_DIR")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    get_settings.cache_clear()
    added = run(app, ["staff", "add-user", "first@example.com", "--name", "First", "--role", "admin"])
    assert added == 0, capfd.readouterr().err
    capfd.readouterr()
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    assert run(app, ["staff", "list"]) == 0
    assert "first@example.com" in capfd.readouterr().out
    assert (checkout / "data" / "sxr.sqlite3").is_file() and not (elsewhere / "data").exists()
    assert run(app, ["db", "where"]) == 0
    where = capfd.readouterr().out
    assert str(checkout / "data") in where and "recorded by `make run`" in where
    # SXR_DATA_DIR in the environment picks another deployment, and the record is not read at all.
    monkeypatch.setenv("SXR_DATA_DIR", str(tmp_path / "other"))
    get_settings.cache_clear()
    assert read_settings().data_dir == tmp_path / "other"
    dispose_engines()
    get_settings.cache_clear()
