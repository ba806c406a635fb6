"""The victim pages over HTTP: start, confirmation, return, case page, upload; no cookies; same origin."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from PIL import Image

from sxr.app import create_app
from sxr.config import get_settings


def start_report(client: TestClient) -> tuple[str, str, str]:
    page = client.post(
        "/report/start",
        data={"age_band": "16-17", "platforms": ["Snapchat"], "what_happened": "<b>asked for money</b>"},
    )
    assert page.status_code == 200
    reference = re.search(r'id="reference">([^<]+)<', page.text)
    pin = re.search(r'id="pin">([^<]+)<', page.text)
    case_url = re.search(r'href="(/case/[^"]+)"', page.text)
    assert reference and pin and case_url
    assert "cannot show your PIN again" in page.text
    assert urlsplit(str(page.url)).path.startswith("/report/made/")  # after a POST-redirect-GET
    return reference.group(1), pin.group(1), case_url.group(1)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(out, format="PNG")
    return out.getvalue()


def test_report_return_and_upload(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    assert "Start a private report" in client.get("/report/start").text
    reference, pin, _first_url = start_report(client)

    wrong = client.post("/report/return", data={"reference": reference, "pin": "12345"})
    assert wrong.status_code == 400 and "reference or PIN is not right" in wrong.text
    unknown = client.post("/report/return", data={"reference": "SXR-2222-2222", "pin": pin})
    assert unknown.status_code == 400 and "reference or PIN is not right" in unknown.text

    opened = client.post(
        "/report/return", data={"reference": reference.lower(), "pin": pin}, follow_redirects=False
    )
    assert opened.status_code == 303
    case_url = opened.headers["location"]
    page = client.get(case_url)
    assert reference in page.text and "You have not added any evidence yet" in page.text

    hostile = '<img src=x onerror="alert(1)">.txt'
    upload = client.post(
        f"{case_url}/evidence",
        files=[
            ("files", ("screenshot.png", png_bytes(), "image/png")),
            ("files", (hostile, b"12/03/2025, 21:14 - Alex: send a pic\n", "text/plain")),
            ("files", ("virus.png", b"MZ\x90\x00" + bytes(300), "image/png")),
        ],
    )
    assert upload.status_code == 200
    # The picture is too small to hold words: saved, and said, never "all went well".
    assert "We saved 2 files, but we could not read one of them" in upload.text
    assert "could not read the words in this picture" in upload.text
    assert "virus.png: We cannot keep this kind of file" in upload.text
    assert "screenshot.png" in upload.text
    assert '<img src=x onerror="alert(1)">' not in upload.text
    assert "&lt;img src=x onerror=" in upload.text
    for response in (opened, page, upload):
        assert "set-cookie" not in response.headers


def test_cross_site_posts_are_refused(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    evil = client.post("/report/start", data={}, headers={"origin": "https://evil.example.com"})
    assert evil.status_code == 403
    _reference, _pin, case_url = start_report(client)
    cross = client.post(
        f"{case_url}/evidence",
        files=[("files", ("chat.txt", b"hello\n", "text/plain"))],
        headers={"sec-fetch-site": "cross-site"},
    )
    assert cross.status_code == 403
    assert "You have not added any evidence yet" in client.get(case_url).text


def test_closed_or_made_up_links_show_a_kind_page(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    _reference, _pin, case_url = start_report(client)
    assert client.post(f"{case_url}/leave").status_code == 200
    closed = client.get(case_url)
    assert closed.status_code == 404 and "closed to keep your report safe" in closed.text
    assert client.get("/case/not-a-real-token").status_code == 404
    assert (
        client.post(
            "/case/not-a-real-token/evidence", files=[("files", ("a.txt", b"hi\n", "text/plain"))]
        ).status_code
        == 404
    )
