"""Issue 13's attacks, each against a real server: every one fails cleanly, the server stays up and small,
nothing is lost, and `sxr evidence verify` passes afterwards."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from sxr.cases import services as case_services
from sxr.cases.models import Case
from sxr.config import Settings, get_settings
from sxr.db import session_scope
from sxr.ratelimits.services import PIN_CHECK, REPORT_START

CASE_LINK = re.compile(r'href="(/case/[^"]+)"')
REFERENCE = re.compile(r"SXR-[0-9A-Z]{4}-[0-9A-Z]{4}")
PIN = re.compile(r"\b(\d{6})\b")
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
PASSWORD = "a long password for the tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`sxr serve` as its own process, so its memory can be read from /proc."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = "from sxr.cli import app; app()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sxr serve did not start: {self.stderr()}")
            time.sleep(0.2)

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr(self) -> str:
        if self.process.poll() is None:
            return ""
        return (self.process.stderr.read() if self.process.stderr else b"").decode("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def server(database_url: str, settings: Settings) -> Iterator[ServerProcess]:
    """A real server on this test's database (SQLite and PostgreSQL), small limits for quick attacks."""
    env = dict(os.environ)
    env.update(
        {
            "SXR_MAX_FILE_BYTES": str(2 * 1024 * 1024),
            "SXR_MAX_UPLOAD_FILES": "5",
            "SXR_MAX_UPLOAD_BYTES": str(8 * 1024 * 1024),
            "SXR_COOKIE_SECURE": "false",  # the test server speaks plain HTTP on loopback
        }
    )
    subprocess.run(
        [sys.executable, "-c", "from sxr.cli import app; app()", "db", "upgrade"], env=env, check=True
    )
    process = ServerProcess(env)
    yield process
    process.stop()


def _start_report(client: httpx.Client, **form: str) -> tuple[str, str, str]:
    page = client.post("/report/start", data=form, headers=SAME_SITE, follow_redirects=True)
    assert page.status_code == 200, page.text
    link = CASE_LINK.search(page.text)
    reference = REFERENCE.search(page.text)
    pin = PIN.search(page.text.split("PIN", 1)[1])
    assert link and reference and pin
    return link[1], reference[0], pin[1]


def _verify() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from sxr.cli import app; app()", "evidence", "verify"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )


def test_a_deeply_nested_json_upload_is_refused_in_little_memory(
    server: ServerProcess, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 500_000 + b"]" * 500_000)  # the 1 MB file that took 21.6 GB
    with httpx.Client(base_url=server.url, timeout=60) as client:
        case_url, _, _ = _start_report(client)
        before = server.peak_rss_mb()
        with deep.open("rb") as stream:
            answer = client.post(
                f"{case_url}/evidence", files={"files": ("deep.json", stream)}, headers=SAME_SITE
            )
        assert answer.status_code == 400
        assert "nested far deeper than any real export" in answer.text
        assert server.alive() and client.get("/healthz").status_code == 200
        grown = server.peak_rss_mb() - before
        assert grown < 100, f"the hostile file grew the server by {grown:.0f} MB"
    assert _verify().returncode == 0


def test_a_body_bigger_than_the_limit_is_refused_before_it_is_read(
    server: ServerProcess, settings: Settings
) -> None:
    tmp = settings.data_dir / "tmp"
    with httpx.Client(base_url=server.url, timeout=60) as client:
        case_url, reference, _ = _start_report(client)
        # A declared 600 MB (the limit here is 8 MB): refused at once, before a byte of it is read.
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                f"POST {case_url}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {600 * 1024 * 1024}\r\n\r\n".encode()
            )
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
            reply = received.decode("utf-8", "replace")
        assert reply.startswith("HTTP/1.1 413"), reply[:200]
        assert "too big" in reply and "content-security-policy" in reply.lower()
        assert time.monotonic() - started < 5
        # A form anywhere else may be 2 MB at most.
        big_form = client.post("/report/start", data={"what_happened": "x" * 3_000_000}, headers=SAME_SITE)
        assert big_form.status_code == 413

        # A file over the per-file limit (2 MB here) in a body whose length is not declared up front.
        def chunks() -> Iterator[bytes]:
            yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
            for _ in range(40):
                yield b"hello world\n" * 10_000
            yield b"\r\n--x--\r\n"

        answer = client.post(
            f"{case_url}/evidence",
            content=chunks(),
            headers={**SAME_SITE, "Content-Type": "multipart/form-data; boundary=x"},
        )
        assert answer.status_code == 413 and "the largest file we can keep" in answer.text
        # Too many files in one upload: refused at the first one over, nothing kept.
        files = [("files", (f"chat{n}.txt", b"Hello\n", "text/plain")) for n in range(8)]
        many = client.post(f"{case_url}/evidence", files=files, headers=SAME_SITE)
        assert many.status_code == 413 and "at most 5 files" in many.text
        assert server.alive()
    with session_scope(get_settings().resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None and case.evidence_count == 0
    # Nothing of any upload is left on disk.
    assert not tmp.exists() or not any(tmp.iterdir())


def test_parallel_pin_guesses_get_no_more_than_the_limit(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        _, reference, pin = _start_report(client)
    wrong = "000000" if pin != "000000" else "111111"

    def guess(n: int) -> int:
        # Each guess from its own address would need a trusted proxy; one address is what an attacker has.
        with httpx.Client(base_url=server.url, timeout=120) as c:
            answer = c.post("/report/return", data={"reference": reference, "pin": wrong}, headers=SAME_SITE)
            return answer.status_code if "is not right" in answer.text or answer.status_code != 400 else -1

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(guess, range(18)))
    assert codes.count(400) <= case_services.MAX_FAILED_ATTEMPTS - 1
    assert codes.count(429) >= 18 - case_services.MAX_FAILED_ATTEMPTS
    assert server.alive()


def test_report_start_and_pin_checks_are_limited_per_address(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        codes = [
            client.post("/report/start", data={}, headers=SAME_SITE).status_code
            for _ in range(REPORT_START.per_address + 2)
        ]
        # 303: on to the reference-and-PIN page (POST-redirect-GET).
        assert codes[: REPORT_START.per_address] == [303] * REPORT_START.per_address
        assert codes[-1] == 429
        refused = client.post("/report/start", data={}, headers=SAME_SITE)
        assert "try again in" in refused.text and int(refused.headers["retry-after"]) > 0
        # PIN checks: unknown references still cost a count, before any Argon2 work.
        answers = [
            client.post(
                "/report/return", data={"reference": "SXR-2222-3333", "pin": "123456"}, headers=SAME_SITE
            ).status_code
            for _ in range(PIN_CHECK.per_address + 1)
        ]
        assert answers[-1] == 429 and answers.count(400) == PIN_CHECK.per_address


def test_hostile_words_and_names_are_shown_as_text(server: ServerProcess, database_url: str) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        case_url, reference, _ = _start_report(client, what_happened="They said: pay \u202egpj.exe now")
        chat = "14/03/2025, 21:00 - Jay: send it now\n14/03/2025, 21:01 - Sam: no\n"
        page = client.post(
            f"{case_url}/evidence",
            files={"files": ("photo\u202egnp.txt", chat.encode(), "text/plain")},
            headers=SAME_SITE,
        )
        assert page.status_code == 200 and "\u202e" not in page.text
        # Close revokes every link to the report, not only this one.
        client.post(f"{case_url}/leave", headers=SAME_SITE)
        assert client.get(case_url).status_code == 404
    with session_scope(database_url) as session:
        stored = session.scalar(select(Case.what_happened).where(Case.reference == reference))
    assert stored is not None and "pay" not in stored  # sealed at rest
    # Staff read the victim's words, with the direction override named rather than obeyed.
    from sxr.accounts.staff_users import create_user

    with session_scope(database_url) as session:
        create_user(session, "officer@example.com", "Officer", "officer", PASSWORD)
    with httpx.Client(base_url=server.url, timeout=60) as staff:
        form = staff.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        signed_in = staff.post(
            "/staff/login",
            data={
                "email": "officer@example.com",
                "password": PASSWORD,
                "csrf_token": token[1],
            },
        )
        assert signed_in.status_code == 303, re.findall(r"error[^>]*>([^<]+)", signed_in.text)
        shown = staff.get(f"/staff/cases/{reference}")
    assert shown.status_code == 200
    assert "pay [U+202E]gpj.exe now" in shown.text and "\u202e" not in shown.text


def test_data_at_rest_is_private(server: ServerProcess, settings: Settings) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        _start_report(client, what_happened="MARKER-the-victims-own-words")
    data_dir = settings.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    database = data_dir / "sxr.sqlite3"
    if get_settings().resolved_database_url.startswith("sqlite") and database.exists():
        for path in data_dir.glob("sxr.sqlite3*"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # The victim's words are nowhere under the data dir in the clear (database, WAL, blobs).
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"MARKER-the-victims-own-words" not in path.read_bytes(), path


def test_victim_links_end_after_their_lifetime(database_url: str) -> None:
    from datetime import timedelta

    with session_scope(database_url) as session:
        case, _ = case_services.create_case(session)
        token = case_services.open_victim_session(session, case)
    with session_scope(database_url) as session:
        now = case_services.utcnow()
        # Used every few minutes, the link still ends SESSION_LIFETIME after it was opened.
        session.execute(text("UPDATE victim_sessions SET last_used_at = :now"), {"now": now})
        assert case_services.resolve_victim_session(session, token, now=now) is not None
        later = now + case_services.SESSION_LIFETIME + timedelta(minutes=1)
        session.execute(text("UPDATE victim_sessions SET last_used_at = :t"), {"t": later})
        assert case_services.resolve_victim_session(session, token, now=later) is None


def test_a_crash_left_upload_is_swept_at_start(settings: Settings) -> None:
    from sxr.web.uploads import private_folder, sweep, tmp_root

    root = tmp_root(settings.data_dir)
    dead = root / "upload-999999999-0123456789abcdef"  # no process has this id
    dead.mkdir()
    (dead / "0000").write_bytes(b"a plaintext screenshot")
    with private_folder(settings.data_dir, "upload") as live:
        assert sweep(settings.data_dir) == 1
        assert live.is_dir() and not dead.exists()  # a live request's folder stays
        assert stat.S_IMODE(live.stat().st_mode) == 0o700
    assert not live.exists()


def test_a_deep_json_body_to_the_api_is_a_clean_refusal(settings: Settings, sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    from sxr.app import create_app

    client = TestClient(create_app(get_settings()))
    body = b"[" * 1_000_000 + b"]" * 1_000_000  # 2 MB: at the limit for a JSON body
    answer = client.post("/api/v1/match", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500
    bigger = client.post(
        "/api/v1/match", content=body + b" " * 200_000, headers={"Content-Type": "application/json"}
    )
    assert bigger.status_code == 413 and "too big" in bigger.json()["detail"]
