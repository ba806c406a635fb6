"""Fixtures shared by every test: settings in a temporary data dir, databases (SQLite and PostgreSQL),
the shared reference data, a live server and a real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sxr.config import Settings, get_settings
from sxr.db import dispose_engines

# Test mode of the job queue: each job runs at once in the process that queues it (huey's immediate mode),
# so a test that uploads finds what was derived right after. tests/jobs starts real workers on real queues.
os.environ["SXR_QUEUE_URL"] = "immediate"

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CHROMIUM = Path(os.environ.get("SXR_CHROMIUM", "/usr/bin/chromium"))
POSTGRES_URL = os.environ.get(
    "SXR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _required(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def skip_or_fail(reason: str, required_by: str) -> None:
    """Skip with `reason`, or fail when the environment variable `required_by` says this leg must run."""
    if _required(required_by) or (required_by == "SXR_REQUIRE_SHARED_DATA" and _required("CI")):
        pytest.fail(f"{reason} (and {required_by} requires it)")
    pytest.skip(reason)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data: skips where it is absent (a fresh clone elsewhere); CI requires it."""
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"reference data not found at {SHARED_DATA}", "SXR_REQUIRE_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings for a throwaway deployment on SQLite in a temporary data dir (also set in the environment,
    so CLI commands run in-process or as subprocesses see the same deployment)."""
    monkeypatch.setenv("SXR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SXR_ENVIRONMENT", "test")
    monkeypatch.delenv("SXR_DATABASE_URL", raising=False)
    monkeypatch.delenv("SXR_MASTER_KEY", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
    dispose_engines()


def _postgres_admin_url() -> str:
    return POSTGRES_URL


def _admin_engine() -> sa.Engine:
    return sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """One migrated PostgreSQL database per test run; each test copies it (CREATE DATABASE ... TEMPLATE),
    which is much faster than migrating a fresh database every time."""
    from sxr.migrations import upgrade

    name = f"sxr_tpl_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception:  # any failure to reach the server means this leg cannot run
        admin.dispose()
        yield None
        return
    url = make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    dispose_engines()
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _create_postgres_database(template: str | None) -> str:
    if template is None:
        skip_or_fail(f"PostgreSQL not reachable at {_postgres_admin_url()}", "SXR_REQUIRE_POSTGRES")
    name = f"sxr_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_postgres_url(postgres_template: str | None) -> Iterator[str]:
    """A new PostgreSQL database that was never migrated (for the first-open path), dropped after."""
    if postgres_template is None:
        skip_or_fail(f"PostgreSQL not reachable at {_postgres_admin_url()}", "SXR_REQUIRE_POSTGRES")
    name = f"sxr_empty_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    yield url
    dispose_engines()
    _drop_postgres_database(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test run; each test gets a copy."""
    from sxr.migrations import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "sxr.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    dispose_engines()
    return path


def _fresh_sqlite(settings: Settings, template: Path) -> str:
    url = settings.resolved_database_url
    shutil.copyfile(template, url.removeprefix("sqlite:///"))
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_template: Path,
) -> Iterator[str]:
    """A fresh, migrated database: once on SQLite, once on PostgreSQL. Sets SXR_DATABASE_URL too."""
    if request.param == "sqlite":
        url = _fresh_sqlite(settings, sqlite_template)
    else:
        url = _create_postgres_database(request.getfixturevalue("postgres_template"))
    monkeypatch.setenv("SXR_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    dispose_engines()
    if request.param == "postgresql":
        _drop_postgres_database(url)


@pytest.fixture
def sqlite_url(settings: Settings, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite database, for tests that need a database but not both kinds."""
    return _fresh_sqlite(settings, sqlite_template)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """A real uvicorn server in a thread, on a free loopback port."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from sxr.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Settings, sqlite_url: str) -> Iterator[LiveServer]:
    server = LiveServer(get_settings())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        skip_or_fail(f"Chromium not found at {CHROMIUM}", "SXR_REQUIRE_BROWSER")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed", "SXR_REQUIRE_BROWSER")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser: object, live_server: LiveServer) -> Iterator[object]:
    """A fresh phone-sized browser context (390 px wide) on the live server."""
    from playwright.sync_api import Browser

    assert isinstance(chromium_browser, Browser)
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def reading_grade(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], float]:
    """Flesch-Kincaid grade by textstat, syllables counted with Pyphen (nothing downloaded at run time)."""
    import textstat

    try:
        import textstat.backend.counts._count_syllables as count_syllables
    except ImportError:  # an older textstat counts with Pyphen only
        pass
    else:
        monkeypatch.setattr(count_syllables, "get_cmudict", lambda lang: None)

    def grade(texts: list[str]) -> float:
        prose = " ".join(t if t.rstrip()[-1] in ".!?" else f"{t}." for t in texts)
        return float(textstat.flesch_kincaid_grade(prose))

    return grade
