"""Webhook delivery to a real loopback server, CSV exchange with HMA, and the CLI contract."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from sxr.accounts.services import create_api_key
from sxr.cases.services import create_case
from sxr.cli import app as cli_app
from sxr.db import session_scope
from sxr.watchlist import services, webhook

BANKED = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
SECRET = "test-webhook-secret"


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    services.reset_live_indexes()


class Receiver:
    """A real HTTP server on loopback that records what it is sent; fails the first request on purpose."""

    def __init__(self) -> None:
        self.bodies: list[tuple[bytes, str]] = []
        self.attempts = 0
        self.received = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.attempts == 1:
                    self.send_response(503)  # the force's system is down for a moment: sxr retries
                    self.end_headers()
                    return
                receiver.bodies.append((body, self.headers.get(webhook.SIGNATURE_HEADER, "")))
                self.send_response(204)
                self.end_headers()
                receiver.received.set()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    monkeypatch.setenv("SXR_WEBHOOK_URL", r.url)
    monkeypatch.setenv("SXR_WEBHOOK_SECRET", SECRET)
    monkeypatch.setattr(webhook, "RETRY_DELAYS", (0.0, 0.2, 0.5))
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_a_match_reaches_the_webhook_signed(receiver: Receiver, database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(session, case.id, [{"type": "pdq", "value": BANKED, "quality": 80}], "t")
        reference = case.reference
    with session_scope(database_url) as session:
        services.match_hashes(session, [{"type": "pdq", "value": BANKED}], "ExampleChat")
    assert receiver.received.wait(10), "the webhook never arrived"
    body, signature = receiver.bodies[0]
    assert receiver.attempts == 2
    assert webhook.verify(body, SECRET, signature)
    assert not webhook.verify(body + b" ", SECRET, signature)
    payload = json.loads(body)
    assert payload["kind"] == "match"
    assert payload["case_reference"] == reference
    assert payload["platform"] == "ExampleChat"
    assert payload["distance"] == 0


def test_csv_round_trip_in_hma_shape(database_url: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    values = [f"{int.from_bytes(rng.bytes(32), 'big'):064x}" for _ in range(20)]
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(
            session,
            case.id,
            [{"type": "pdq", "value": v, "quality": 90} for v in values]
            + [{"type": "md5", "value": "9e107d9d372bb6826bd81d3542a419d6"}],
            "t",
        )
    out = tmp_path / "bank.csv"
    with session_scope(database_url) as session, out.open("w") as handle:
        assert services.export_csv(session, handle) == 21
    text = out.read_text()
    assert text.splitlines()[0] == "signal_type,signal_value"
    assert case.reference not in text
    with session_scope(database_url) as session:
        imported = services.import_csv(session, text, "import:bank.csv")
        assert len(imported) == 21 and all(e.case_id is None for e in imported)
        plain = services.import_csv(session, f"pdq {values[0]}\nvideo_md5 {'a' * 32}\n", "import:te")
        assert [e.type for e in plain] == ["pdq", "md5"]
        assert plain[0].id == imported[0].id  # already banked: not duplicated
        with pytest.raises(services.WatchlistError, match="Line 2"):
            services.import_csv(session, "signal_type,signal_value\nsha1,abc\n", "x")
        # Another bank's degenerate signal is refused too, named by its line.
        with pytest.raises(services.WatchlistError, match="Line 3: This PDQ hash is all zeros"):
            services.import_csv(session, f"signal_type,signal_value\npdq,{values[1]}\npdq,{'0' * 64}\n", "x")
    with session_scope(database_url) as session, (tmp_path / "again.csv").open("w") as handle:
        services.export_csv(session, handle)
    exported_again = (tmp_path / "again.csv").read_text().splitlines()[1:]
    assert set(text.splitlines()[1:]) <= set(exported_again)


def _picture(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    pixels = (rng.random((64, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).resize((256, 256), Image.Resampling.BILINEAR).save(path)
    return path


def test_cli_add_match_withdraw_and_api_keys(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    with session_scope(sqlite_url) as session:
        case, _pin = create_case(session)
        reference = case.reference
    picture = _picture(tmp_path / "a.png", 1)
    other = _picture(tmp_path / "b.png", 2)

    added = runner.invoke(cli_app, ["watchlist", "add", reference, str(picture), "--json"])
    assert added.exit_code == 0, added.output
    entries = json.loads(added.stdout)["entries"]
    assert entries[0]["type"] == "pdq" and len(entries[0]["hash"]) == 64

    # A slightly changed copy still matches; an unrelated picture does not.
    Image.open(picture).resize((200, 200)).save(tmp_path / "copy.jpg", quality=70)
    services.reset_live_indexes()
    matched = runner.invoke(cli_app, ["watchlist", "match", str(tmp_path / "copy.jpg"), str(other), "--json"])
    assert matched.exit_code == 0, matched.output
    files = json.loads(matched.stdout)["files"]
    assert files[0]["matches"][0]["entry_id"] == entries[0]["id"]
    assert files[0]["matches"][0]["distance"] <= 31
    assert files[1]["matches"] == []

    exported = runner.invoke(cli_app, ["watchlist", "export"])
    assert entries[0]["hash"] in exported.stdout

    assert runner.invoke(cli_app, ["watchlist", "withdraw", entries[0]["id"]]).exit_code == 0
    again = runner.invoke(cli_app, ["watchlist", "match", str(tmp_path / "copy.jpg"), "--json"])
    assert json.loads(again.stdout)["files"][0]["matches"] == []
    missing = runner.invoke(cli_app, ["watchlist", "withdraw", entries[0]["id"]])
    assert missing.exit_code == 3 and "no such" in missing.stderr

    no_case = runner.invoke(cli_app, ["watchlist", "add", "SXR-0000-0000", str(picture), "--json"])
    assert no_case.exit_code == 3 and no_case.stdout == ""

    created = runner.invoke(cli_app, ["apikey", "create", "ExampleChat", "--json"])
    assert created.exit_code == 0, created.output
    doc = json.loads(created.stdout)
    assert doc["name"] == "ExampleChat" and doc["key"].startswith("sxr_")
    assert runner.invoke(cli_app, ["apikey", "create", "ExampleChat"]).exit_code == 4
    assert runner.invoke(cli_app, ["apikey", "revoke", "ExampleChat"]).exit_code == 0
    assert runner.invoke(cli_app, ["apikey", "revoke", "ExampleChat"]).exit_code == 3
    with session_scope(sqlite_url) as session:
        assert create_api_key(session, "ExampleChat").startswith("sxr_")  # re-issued after revocation

    csv_file = tmp_path / "in.csv"
    csv_file.write_text(f"signal_type,signal_value\npdq,{BANKED}\n")
    imported = runner.invoke(cli_app, ["watchlist", "import", str(csv_file)])
    assert imported.exit_code == 0, imported.output
    bad = tmp_path / "bad.csv"
    bad.write_text("signal_type,signal_value\npdq,nothex\n")
    refused = runner.invoke(cli_app, ["watchlist", "import", str(bad)])
    assert refused.exit_code == 4 and "hex" in refused.stderr


def test_import_reads_other_column_names_and_headerless_rows(sqlite_url: str) -> None:
    with session_scope(sqlite_url) as session:
        named = services.import_csv(session, f"id,hash,type\n7,{BANKED},pdq\n", "x")
        assert [(e.type, e.value) for e in named] == [("pdq", BANKED)]
        bare = services.import_csv(session, f"md5,{'b' * 32}\n", "x")
        assert [(e.type, e.value) for e in bare] == [("md5", "b" * 32)]
        with pytest.raises(services.WatchlistError, match="no signals"):
            services.import_csv(session, "signal_type,signal_value\n", "x")
