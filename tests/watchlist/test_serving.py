"""`sxr serve --workers 2` for real, on both databases: two processes share one port, one API key's rate
limit (its token bucket is in the database) and a key's revocation (within KEY_CACHE_SECONDS); and the
batch check of a look-up agrees with the one-by-one check that words its refusals."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sxr.accounts.services import create_api_key, revoke_api_key
from sxr.cases.services import create_case
from sxr.db import session_scope
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist import services
from sxr.watchlist.api import KEY_CACHE_SECONDS, CheckedMatchRequest, MatchRequest
from sxr.watchlist.hashes import parse_query_batch

MD5 = "9e107d9d372bb6826bd81d3542a419d6"
RATE, BURST = 1, 300  # hashes a second, and at once: three batches of 100, whichever process serves them


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Workers:
    """`sxr serve --workers 2` as its own process tree, on a free loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        code = "from sxr.cli import main; main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", str(self.port), "--workers", "2", "--no-worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 300  # a loaded 2-core machine starts two workers slowly
        while self._get("/healthz") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"sxr serve --workers 2 did not start: {self._stderr()}")
            time.sleep(0.2)

    def _get(self, path: str) -> int | None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            return None

    def _stderr(self) -> str:
        return (self.process.stderr.read() if self.process.stderr else b"").decode("utf-8", "replace")

    def workers(self) -> list[int]:
        """The worker processes (multiprocessing's resource tracker is a child too, and serves nothing)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [
            int(pid)
            for pid in children
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]

    def owner(self, conn: http.client.HTTPConnection) -> int | None:
        """The worker process that holds this client connection's other end (read from /proc)."""
        assert conn.sock is not None
        client_port = conn.sock.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if (
                state == "01"
                and int(local.split(":")[1], 16) == self.port
                and int(remote.split(":")[1], 16) == client_port
            ):
                inode = fields[9]
        for pid in self.workers():
            fds = Path(f"/proc/{pid}/fd")
            for fd in fds.iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue
        return None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def served(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workers, str]]:
    services.reset_live_indexes()
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(session, case.id, [{"type": "md5", "value": MD5}], added_by="test")
        key = create_api_key(session, "ExampleChat")
    env = dict(os.environ, SXR_API_RATE=str(RATE), SXR_API_BURST=str(BURST))
    server = Workers(env)
    yield server, key
    server.stop()


def _one_on_each(server: Workers) -> dict[int, http.client.HTTPConnection]:
    """A kept-alive connection held by each of the two workers (the kernel hands new ones to either)."""
    held: dict[int, http.client.HTTPConnection] = {}
    spare = []
    for _ in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        owner = server.owner(conn)
        if owner is not None and owner not in held:
            held[owner] = conn
        else:
            spare.append(conn)
        if len(held) == 2:
            break
    for conn in spare:
        conn.close()
    assert len(held) == 2, f"the connections reached only workers {sorted(held)} of {server.workers()}"
    return held


def _match(conn: http.client.HTTPConnection, key: str, n: int) -> tuple[int, dict[str, str], object]:
    body = json.dumps({"hashes": [{"type": "md5", "value": MD5}] * n})
    conn.request(
        "POST",
        "/api/v1/match",
        body=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    payload = json.loads(response.read())
    return response.status, {k.lower(): v for k, v in response.getheaders()}, payload


def test_two_workers_share_one_rate_limit_and_a_revocation(
    served: tuple[Workers, str], database_url: str
) -> None:
    server, key = served
    assert len(server.workers()) == 2
    first, second = _one_on_each(server).values()
    # Three batches of 100 fill the key's bucket of 300, alternating between the processes; a process
    # counting alone would let each of them have 300.
    answers = [_match(conn, key, 100) for conn in (first, second, first, second, first, second)]
    statuses = [status for status, _headers, _body in answers]
    assert statuses == [200, 200, 200, 429, 429, 429], statuses
    status, headers, body = answers[3]
    assert body == {"detail": "Too many hashes for this API key; try again later."}
    assert int(headers["retry-after"]) >= 1
    matched = answers[0][2]
    assert isinstance(matched, dict) and matched["results"][0]["matches"]  # the entry is found

    with session_scope(database_url) as session:
        revoke_api_key(session, "ExampleChat")
    time.sleep(KEY_CACHE_SECONDS)
    for conn in (first, second):
        status, _headers, _body = _match(conn, key, 1)
        assert status == 401  # every process has let the revoked key go
        conn.close()


@pytest.mark.parametrize(
    "hashes",
    [
        [{"type": "pdq", "value": "F" * 64}, {"type": "md5", "value": f"  {MD5.upper()} "}],
        [{"type": "pdq", "value": "f" * 64, "dihedral": ["0" * 64] * 7}],
        [{"type": "pdq", "value": "f" * 64, "dihedral": ["0" * 64] * 8}],
        [{"type": "md5", "value": MD5, "dihedral": [MD5]}],
        [{"type": "md5", "value": MD5, "dihedral": []}],
        [{"type": "vpdq", "value": "f" * 64}],
        [{"type": "PDQ", "value": "f" * 64}],
        [{"type": "pdq", "value": "f" * 63}],
        [{"type": "pdq", "value": "g" * 64}, {"type": "md5", "value": MD5}],
        [{"type": "sha256", "value": "ab" * 32}],
    ],
)
def test_the_batch_check_agrees_with_the_one_by_one_check(hashes: list[dict[str, object]]) -> None:
    body = MatchRequest.model_validate({"hashes": hashes})
    batch = parse_query_batch(body.hashes)
    try:
        checked = CheckedMatchRequest.model_validate({"hashes": hashes})
    except ValueError:
        assert batch is None
        return
    assert batch is not None
    assert [(signal.name, values) for signal, values in batch] == [
        (SIGNAL_TYPES[h.type].name, [h.value, *(h.dihedral or [])]) for h in checked.hashes
    ]
