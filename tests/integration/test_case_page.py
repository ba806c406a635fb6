"""The victim's case page brings the domains together: alerts from platform matches, the codes being
watched for, the in-browser hashing page bound to the case, the details review and the report pack."""

from __future__ import annotations

import re
import secrets

from fastapi.testclient import TestClient

from sxr.accounts.services import create_api_key
from sxr.app import create_app
from sxr.cases.services import create_case, open_victim_session
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.watchlist.services import reset_live_indexes


def _case_with_session(url: str) -> str:
    with session_factory(url)() as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        session.commit()
    return token


def test_a_platform_match_becomes_a_kind_alert_on_the_case_page(database_url: str) -> None:
    reset_live_indexes()
    token = _case_with_session(database_url)
    with session_factory(database_url)() as session:
        key = create_api_key(session, "example-platform")
        session.commit()
    client = TestClient(create_app(get_settings()))
    picture = secrets.token_hex(32)
    same_site = {"sec-fetch-site": "same-origin"}
    banked = client.post(
        f"/case/{token}/hashes",
        json={"hashes": [{"type": "pdq", "value": picture, "quality": 100}]},
        headers=same_site,
    )
    assert banked.status_code == 200, banked.text
    page = client.get(f"/case/{token}")
    assert "Nothing found so far" in page.text
    assert "Codes we are watching for" in page.text

    near = f"{int(picture, 16) ^ 0b1011:064x}"  # three bits away: the same picture, re-encoded
    found = client.post(
        "/api/v1/match",
        json={"hashes": [{"type": "pdq", "value": near}]},
        headers={"authorization": f"Bearer {key}"},
    )
    assert found.status_code == 200
    assert [m["distance"] for m in found.json()["results"][0]["matches"]] == [3]

    page = client.get(f"/case/{token}")
    assert "matches one of yours on example-platform" in page.text
    assert "New</strong>" in page.text
    assert "New</strong>" not in client.get(f"/case/{token}").text  # seen once, then not new


def test_the_case_page_links_to_details_protect_and_report(sqlite_url: str) -> None:
    token = _case_with_session(sqlite_url)
    client = TestClient(create_app(get_settings()))
    page = client.get(f"/case/{token}").text
    for path in ("details", "protect", "report"):
        assert f'href="/case/{token}/{path}"' in page
    protect = client.get(f"/case/{token}/protect")
    assert protect.status_code == 200
    assert re.search(rf'data-submit-url="/case/{token}/hashes"', protect.text)
    assert client.get("/case/not-a-token/protect").status_code == 404


def test_hashes_from_another_site_are_refused(sqlite_url: str) -> None:
    token = _case_with_session(sqlite_url)
    client = TestClient(create_app(get_settings()))
    refused = client.post(
        f"/case/{token}/hashes",
        json={"hashes": [{"type": "md5", "value": "0" * 32}]},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert refused.status_code == 403
