"""The victim checks the details found in a chat: confirm, reject (kept apart), change their mind."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import get_settings

CHAT = (
    "23/03/2026, 21:10 - Lily: hey saw u on quick add, ur cute. add me on snap: lily_x09\n"
    "23/03/2026, 21:11 - Sam: ok\n"
    "23/03/2026, 21:12 - Lily: send me a pic, u first\n"
    "23/03/2026, 21:20 - Lily: I recorded it. pay £100 to paypal.me/lilypays09 or ur followers see it\n"
    "23/03/2026, 21:21 - Sam: my mate's snap is sam_mate22 he can help\n"
)


def test_victim_confirms_and_rejects_found_details(database_url: str) -> None:
    client = TestClient(create_app(get_settings()))
    page = client.post("/report/start", data={"age_band": "16-17", "what_happened": "asked for money"})
    case_url = re.search(r'href="(/case/[^"]+)"', page.text)
    assert case_url
    url = case_url.group(1)
    upload = client.post(
        f"{url}/evidence", files=[("files", ("WhatsApp Chat with Lily.txt", CHAT.encode(), "text/plain"))]
    )
    assert upload.status_code == 200, upload.text

    details = client.get(f"{url}/details")
    assert details.status_code == 200
    assert "lily_x09" in details.text and "lilypays09" in details.text and "sam_mate22" in details.text
    assert 'id="details-rejected"' not in details.text

    done = client.post(
        f"{url}/details",
        data={"kind": "snapchat_username", "value": "sam_mate22", "decision": "rejected"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    client.post(
        f"{url}/details", data={"kind": "snapchat_username", "value": "lily_x09", "decision": "confirmed"}
    )
    page = client.get(f"{url}/details").text
    rejected = page[page.index('id="details-rejected"') :]
    confirmed = page[page.index('id="details-confirmed"') : page.index('id="details-rejected"')]
    assert "sam_mate22" in rejected and "lily_x09" not in rejected
    assert "lily_x09" in confirmed

    # Something that was never found cannot be slipped in.
    bad = client.post(
        f"{url}/details", data={"kind": "phone", "value": "+447700900999", "decision": "confirmed"}
    )
    assert bad.status_code == 400
    # Another site cannot decide for the victim.
    cross = client.post(
        f"{url}/details",
        data={"kind": "snapchat_username", "value": "lily_x09", "decision": "rejected"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert cross.status_code == 403


def test_details_are_cards_in_peoples_words_and_money_is_never_asked_if_it_is_theirs(sqlite_url: str) -> None:
    """Issue 17: labels from the indicator kinds' table, "£100" not a code, no "is this theirs?" for a sum."""
    client = TestClient(create_app(get_settings()))
    page = client.post("/report/start", data={})
    case_url = re.search(r'href="(/case/[^"]+)"', page.text)
    assert case_url
    url = case_url.group(1)
    client.post(
        f"{url}/evidence", files=[("files", ("WhatsApp Chat with Lily.txt", CHAT.encode(), "text/plain"))]
    )
    html = client.get(f"{url}/details").text
    assert '<ul id="details-undecided" class="detail-cards">' in html and "<table" not in html
    assert "Snapchat name" in html and "snapchat_username</p>" not in html
    card = re.search(r'<li class="detail-card">(?:(?!</li>).)*£100(?:(?!</li>).)*</li>', html, re.S)
    assert card, "the sum is shown as £100"
    assert "Yes, this is right" in card.group(0) and "theirs" not in card.group(0)
    assert "GBP:100" not in html.replace('value="GBP:100"', "")
