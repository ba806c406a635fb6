"""A whole victim + staff + platform journey against a real `sxr serve` process; its logs are then
searched for every secret the journey used. None may be there (README "What the logs may contain")."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from PIL import Image

SXR = str(Path(sys.executable).parent / "sxr")
WORDS = "Quillon threatened Marigold about the lakeside photos"
CHAT_NAME = "WhatsApp Chat with Zebedee Fairweather.txt"
PICTURE_NAME = "Screenshot of Zebedee profile.png"
CHAT = (
    "12/03/2026, 21:04 - Zebedee: heyy u go to st marys?\n"
    "12/03/2026, 21:05 - Tom: yeah who is this\n"
    "13/03/2026, 21:10 - Zebedee: send me a pic of u\n"
    "13/03/2026, 21:30 - Zebedee: send £400 to sort code 20-29-59 account 63748472 or everyone sees\n"
)
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "0cc175b9c0f1b6a831c399e269772661"
STAFF_PASSWORD = "purple elephant marmalade 93"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [SXR, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.mark.slow
def test_logs_of_a_whole_journey_hold_no_secret(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SXR_")},
        "SXR_DATA_DIR": str(data),
        "SXR_ENVIRONMENT": "test",
        "SXR_COOKIE_SECURE": "false",  # plain HTTP on loopback
    }
    _run(env, "db", "upgrade")
    _run(env, "staff", "add-user", "officer@example.com", "--name", "Officer Dee", "--role", "officer",
         "--password-stdin", stdin=STAFF_PASSWORD + "\n")  # fmt: skip
    api_key = json.loads(_run(env, "apikey", "create", "acme-video", "--json"))["key"]
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            [SXR, "serve", "--port", str(port)], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            secrets = _journey(f"http://127.0.0.1:{port}", tmp_path, api_key)
        finally:
            server.terminate()
            server.wait(timeout=30)
    log = log_path.read_text(encoding="utf-8")
    lines = [line for line in log.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    routes = {p.get("route") for p in parsed if p.get("msg") == "request"}
    assert {
        "/report/start",
        "/case/{token}",
        "/case/{token}/evidence",
        "/api/v1/match",
        "/staff/login",
    } <= routes
    assert "/case/{token}/delete" in routes and "/staff/cases/{reference}/hold" in routes, " ".join(
        sorted(map(str, routes))
    )
    secrets.update({"PIN": secrets["pin"], "API key": api_key, "staff password": STAFF_PASSWORD})
    secrets.update(
        {"banked PDQ": PDQ, "banked MD5": MD5, "chat file name": CHAT_NAME, "picture name": PICTURE_NAME}
    )
    secrets.update({f"word {w}": w for w in WORDS.split() if len(w) > 5})
    secrets["chat's words"] = "Zebedee"
    lowered = log.lower()
    found = {name: value for name, value in secrets.items() if value and value.lower() in lowered}
    assert found == {}, f"secrets in the logs: {sorted(found)}"


def _journey(base: str, tmp_path: Path, api_key: str) -> dict[str, str]:
    """Every face of sxr once; returns the secrets it used, by name."""
    secrets: dict[str, str] = {}
    picture = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(picture, format="PNG")
    with (
        httpx.Client(base_url=base, timeout=120, follow_redirects=True) as victim,
        httpx.Client(base_url=base, timeout=120, follow_redirects=True) as staff,
    ):
        deadline = time.monotonic() + 60
        while True:
            try:
                if victim.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "sxr serve did not start"
            time.sleep(0.2)
        # The victim starts a report, comes back with reference and PIN (one wrong try first).
        page = victim.post(
            "/report/start",
            data={"age_band": "13-15", "platforms": ["Snapchat"], "what_happened": WORDS},
        ).text
        reference = re.search(r'id="reference">([^<]+)<', page)
        pin = re.search(r'id="pin">([^<]+)<', page)
        first = re.search(r'href="/case/([^"]+)"', page)
        assert reference and pin and first
        secrets.update(reference=reference.group(1), pin=pin.group(1), first_token=first.group(1))
        secrets["reference without dashes"] = reference.group(1).replace("-", "")
        assert (
            victim.post("/report/return", data={"reference": reference.group(1), "pin": "000000"}).status_code
            == 400
        )
        opened = victim.post("/report/return", data={"reference": reference.group(1), "pin": pin.group(1)})
        token = str(opened.url).rsplit("/case/", 1)[1]
        secrets["case token"] = token
        case = f"/case/{token}"
        # Evidence, and hashes made "in the browser".
        upload = victim.post(
            f"{case}/evidence",
            files=[
                ("files", (CHAT_NAME, CHAT.encode("utf-8"), "text/plain")),
                ("files", (PICTURE_NAME, picture.getvalue(), "image/png")),
            ],
        )
        assert upload.status_code == 200 and "Saved 2 files" in upload.text
        banked = victim.post(
            f"{case}/hashes",
            json={"hashes": [
                {"type": "pdq", "value": PDQ, "quality": 90, "name_hint": "beach holiday.jpg"},
                {"type": "md5", "value": MD5},
            ]},
        )  # fmt: skip
        assert banked.status_code == 200, banked.text
        secrets["hashed file's name"] = "beach holiday.jpg"
        assert victim.get(f"{case}/details").status_code == 200
        assert victim.get(f"{case}/no-such-page").status_code == 404
        # A platform matches the banked hash.
        match = victim.post(
            "/api/v1/match",
            headers={"Authorization": f"Bearer {api_key}"},
            json={"hashes": [{"type": "pdq", "value": PDQ}]},
        )
        assert match.status_code == 200 and match.json()["results"][0]["matches"]
        assert victim.post("/api/v1/match", headers={"Authorization": "Bearer sxr_wrongwrongwrong"},
                           json={"hashes": [{"type": "md5", "value": MD5}]}).status_code == 401  # fmt: skip
        # Staff: sign in, the queue, the case, an original downloaded, a hold set and lifted.
        form = staff.get("/staff/login").text
        signed = staff.post(
            "/staff/login",
            data={"email": "officer@example.com", "password": STAFF_PASSWORD, "csrf_token": _csrf(form)},
        )
        assert signed.status_code == 200
        secrets["staff cookie"] = staff.cookies.get("sxr_staff") or ""
        assert secrets["staff cookie"]
        page = staff.get(f"/staff/cases/{reference.group(1)}").text
        csrf = _csrf(page)
        secrets["CSRF token"] = csrf
        item = re.search(r"/evidence/(\d+)/download", page)
        assert item
        original = staff.post(
            f"/staff/cases/{reference.group(1)}/evidence/{item.group(1)}/download",
            data={"reason": "Crime 44/12345/26", "csrf_token": csrf},
        )
        assert original.status_code == 200
        held = staff.post(
            f"/staff/cases/{reference.group(1)}/hold", data={"reason": "Court 9 May", "csrf_token": csrf}
        )
        assert held.status_code == 200 and "On hold" in held.text
        assert victim.post(f"{case}/delete").status_code == 409
        staff.post(
            f"/staff/cases/{reference.group(1)}/hold/lift", data={"reason": "Done", "csrf_token": csrf}
        )
        # Operators look.
        assert victim.get("/readyz").json()["status"] == "ready"
        assert "sxr_http_requests_total" in victim.get("/metrics").text
        # The victim takes a copy and deletes the report.
        copy = victim.get(f"{case}/your-data/copy")
        assert copy.status_code == 200
        with zipfile.ZipFile(io.BytesIO(copy.content)) as zf:
            for entry in json.loads(zf.read("hashes.json"))["evidence"]:
                secrets[f"sha256 of {entry['name']}"] = entry["sha256"]
        done = victim.post(f"{case}/delete")
        assert done.status_code == 200 and "Your report is deleted" in done.text
        assert victim.get(case).status_code == 404
    return secrets
