"""The platform API end to end on both databases: a real key, matches, feedback, alerts, withdrawal."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from sxr.accounts.services import create_api_key, revoke_api_key
from sxr.app import create_app
from sxr.cases.services import create_case, open_victim_session
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.media.index import codes_to_hex
from sxr.watchlist import services
from sxr.watchlist.api import KEY_CACHE_SECONDS

BANKED = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "9e107d9d372bb6826bd81d3542a419d6"


def near(value: str, bits: int) -> str:
    """`value` with its lowest `bits` bits flipped."""
    n = int(value, 16) ^ ((1 << bits) - 1)
    return f"{n:064x}"


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    services.reset_live_indexes()


@pytest.fixture
def case_and_key(database_url: str) -> tuple[int, str, str]:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(
            session,
            case.id,
            [{"type": "pdq", "value": BANKED, "quality": 90}, {"type": "md5", "value": MD5}],
            added_by="test",
        )
        key = create_api_key(session, "ExampleChat")
        case_id, reference = case.id, case.reference
    return case_id, reference, key


def client() -> TestClient:
    return TestClient(create_app(get_settings()))


def test_match_feedback_alert_and_withdrawal(case_and_key: tuple[int, str, str], database_url: str) -> None:
    case_id, reference, key = case_and_key
    api = client()
    auth = {"Authorization": f"Bearer {key}"}
    far = "0" * 64
    body = {
        "hashes": [
            {"type": "pdq", "value": near(BANKED, 31)},
            {"type": "pdq", "value": near(BANKED, 32)},
            {"type": "pdq", "value": far},
            {"type": "md5", "value": MD5.upper()},
        ]
    }
    response = api.post("/api/v1/match", json=body, headers=auth)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [len(r["matches"]) for r in results] == [1, 0, 0, 1]
    hit = results[0]["matches"][0]
    assert hit["distance"] == 31
    assert set(hit) == {"entry_id", "distance", "match_id", "trust"}
    assert hit["trust"] == "victim"  # banked by the victim ("test"), not reviewed yet
    # Never any victim data: no reference, no case id, no added_by.
    assert reference not in response.text and "test" not in response.text

    # The same look-up again is the same match, not a second alert.
    again = api.post("/api/v1/match", json=body, headers=auth).json()["results"]
    assert again[0]["matches"][0]["match_id"] == hit["match_id"]
    with session_scope(database_url) as session:
        kinds = [a.kind for a in services.alerts_for_case(session, case_id)]
    assert kinds == ["match", "match"]  # one for the PDQ, one for the MD5

    feedback = api.post(
        f"/api/v1/matches/{hit['match_id']}/feedback", json={"verdict": "confirmed"}, headers=auth
    )
    assert feedback.status_code == 200, feedback.text
    with session_scope(database_url) as session:
        alerts = services.alerts_for_case(session, case_id)
    assert alerts[0].kind == "match_confirmed"
    assert alerts[0].platform == "ExampleChat"

    bad = api.post(f"/api/v1/matches/{hit['match_id']}/feedback", json={"verdict": "maybe"}, headers=auth)
    assert bad.status_code == 422
    missing = api.post("/api/v1/matches/m_nope/feedback", json={"verdict": "confirmed"}, headers=auth)
    assert missing.status_code == 404

    # Withdrawn: stops matching at once, and its matches and alerts are gone.
    services.reset_live_indexes()  # and the index reloads from the database
    with session_scope(database_url) as session:
        services.withdraw_entry(session, hit["entry_id"])
    after = api.post("/api/v1/match", json=body, headers=auth).json()["results"]
    assert after[0]["matches"] == []
    with session_scope(database_url) as session:
        assert [a.kind for a in services.alerts_for_case(session, case_id)] == ["match"]


def test_keys_are_checked_and_revocable(case_and_key: tuple[int, str, str], database_url: str) -> None:
    _case_id, _reference, key = case_and_key
    api = client()
    body = {"hashes": [{"type": "pdq", "value": BANKED}]}
    assert api.post("/api/v1/match", json=body).status_code == 401
    assert (
        api.post(
            "/api/v1/match", json=body, headers={"Authorization": "Bearer " + key[:-1] + "x"}
        ).status_code
        == 401
    )
    assert api.post("/api/v1/match", json=body, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    with session_scope(database_url) as session:
        revoke_api_key(session, "ExampleChat")
    # A process trusts a key it checked for KEY_CACHE_SECONDS (the database is not asked every request);
    # past that, the revoked key is refused.
    time.sleep(KEY_CACHE_SECONDS)
    assert api.post("/api/v1/match", json=body, headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_bad_batches_are_refused(case_and_key: tuple[int, str, str]) -> None:
    _case_id, _reference, key = case_and_key
    api = client()
    auth = {"Authorization": f"Bearer {key}"}
    too_many = {"hashes": [{"type": "md5", "value": MD5}] * 1001}
    assert api.post("/api/v1/match", json=too_many, headers=auth).status_code == 422
    bad_hex = {"hashes": [{"type": "pdq", "value": "g" * 64}]}
    response = api.post("/api/v1/match", json=bad_hex, headers=auth)
    assert response.status_code == 422
    # The hash type's own words (it once said "must be 4 hex digits").
    assert "A PDQ hash is 64 hexadecimal digits" in response.json()["detail"][0]["msg"]


def test_rate_limit_answers_429_with_retry_after(
    case_and_key: tuple[int, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _case_id, _reference, key = case_and_key
    monkeypatch.setenv("SXR_API_RATE", "1")
    monkeypatch.setenv("SXR_API_BURST", "150")
    get_settings.cache_clear()  # the app reads its settings once, as a served process does
    api = client()
    auth = {"Authorization": f"Bearer {key}"}
    batch = {"hashes": [{"type": "md5", "value": MD5}] * 100}
    assert api.post("/api/v1/match", json=batch, headers=auth).status_code == 200
    limited = api.post("/api/v1/match", json=batch, headers=auth)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


def test_bank_validates_and_rejects_plain_pictures(database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        with pytest.raises(services.WatchlistError, match="quality is 20"):
            services.bank_hashes(session, case.id, [{"type": "pdq", "value": BANKED, "quality": 20}], "t")
        with pytest.raises(services.WatchlistError, match="Hash 2"):
            services.bank_hashes(
                session,
                case.id,
                [{"type": "md5", "value": MD5}, {"type": "sha1", "value": "x"}],
                "t",
            )
        assert services.entries_for_case(session, case.id) == []
        rng = np.random.default_rng(3)
        frames = [
            {
                "frame": i,
                "timestamp": float(i),
                "hash": codes_to_hex(rng.integers(0, 2**63, size=(1, 4), dtype=np.uint64) * 2 + 1)[0],
                "quality": 80,
            }
            for i in range(3)
        ]
        entries = services.bank_hashes(session, case.id, [{"type": "vpdq", "frames": frames}], "t")
        assert entries[0].type == "vpdq"
        assert len(entries[0].frames) == 3


def test_victim_banks_from_the_browser_sees_alerts_and_withdraws(database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        key = create_api_key(session, "ExampleChat")
        case_id = case.id
    api = client()
    response = api.post(
        f"/case/{token}/hashes", json={"hashes": [{"type": "pdq", "value": BANKED, "quality": 70}]}
    )
    assert response.status_code == 200, response.text
    entry_id = response.json()["entries"][0]["id"]
    refused = api.post(
        f"/case/{token}/hashes", json={"hashes": [{"type": "pdq", "value": BANKED, "quality": 3}]}
    )
    assert refused.status_code == 422
    assert api.post("/case/not-a-token/hashes", json={"hashes": []}).status_code == 404

    match = api.post(
        "/api/v1/match",
        json={"hashes": [{"type": "pdq", "value": near(BANKED, 4)}]},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    assert match["results"][0]["matches"][0]["entry_id"] == entry_id

    from sxr.web.templating import templates

    with session_scope(database_url) as session:
        html = templates.get_template("watchlist/_alerts.html").render(
            watchlist_alerts=services.alerts_for_case(session, case_id)
        )
    assert "We found a picture that matches one of yours on ExampleChat" in html
    assert "asked them to remove it" in html
    with session_scope(database_url) as session:
        page = templates.get_template("watchlist/_entries.html").render(
            watchlist_entries=services.entries_for_case(session, case_id), token=token
        )
    assert f'action="/case/{token}/hashes/{entry_id}/withdraw"' in page

    withdrawn = api.post(f"/case/{token}/hashes/{entry_id}/withdraw", follow_redirects=False)
    assert withdrawn.status_code == 303
    again = api.post(
        "/api/v1/match",
        json={"hashes": [{"type": "pdq", "value": near(BANKED, 4)}]},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    assert again["results"][0]["matches"] == []


def test_an_entry_deleted_by_another_process_stops_matching_here(database_url: str) -> None:
    import sqlalchemy as sa

    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        (entry,) = services.bank_hashes(
            session, case.id, [{"type": "pdq", "value": BANKED, "quality": 90}], "t"
        )
        entry_id = entry.id
    with session_scope(database_url) as session:
        assert services.lookup(session, [{"type": "pdq", "value": BANKED}])[0]  # loaded in this process
    # Another process (here: plain SQL on its own connection) deletes the row; this index still has it.
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM watchlist_entries WHERE id = :id"), {"id": entry_id})
    engine.dispose()
    with session_scope(database_url) as session:
        assert services.lookup(session, [{"type": "pdq", "value": BANKED}]) == [[]]


def test_alerts_can_be_marked_seen(database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        services.bank_hashes(session, case.id, [{"type": "md5", "value": MD5}], "t")
    with session_scope(database_url) as session:
        services.match_hashes(session, [{"type": "md5", "value": MD5}], "ExampleChat")
    with session_scope(database_url) as session:
        assert [a.seen for a in services.alerts_for_case(session, case.id)] == [False]
        services.mark_alerts_seen(session, case.id)
    with session_scope(database_url) as session:
        assert [a.seen for a in services.alerts_for_case(session, case.id)] == [True]


def test_a_rolled_back_withdrawal_keeps_matching_and_a_rolled_back_add_never_matches(
    database_url: str,
) -> None:
    from sxr.db import session_factory

    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        (entry,) = services.bank_hashes(
            session, case.id, [{"type": "pdq", "value": BANKED, "quality": 90}], "t"
        )
    session = session_factory(database_url)()
    services.withdraw_entry(session, entry.public_id)
    with session_scope(database_url) as other:
        assert services.lookup(other, [{"type": "pdq", "value": BANKED}]) == [[]]  # gone at once
    session.rollback()
    session.close()
    with session_scope(database_url) as other:
        assert len(services.lookup(other, [{"type": "pdq", "value": BANKED}])[0]) == 1

    session = session_factory(database_url)()
    services.bank_hashes(session, case.id, [{"type": "pdq", "value": near(BANKED, 100), "quality": 90}], "t")
    session.rollback()
    session.close()
    with session_scope(database_url) as other:
        assert services.lookup(other, [{"type": "pdq", "value": near(BANKED, 100)}]) == [[]]


def test_dihedral_variants_match_at_the_nearest(case_and_key: tuple[int, str, str]) -> None:
    _case_id, _reference, key = case_and_key
    api = client()
    auth = {"Authorization": f"Bearer {key}"}
    far = "0" * 64
    body = {"hashes": [{"type": "pdq", "value": far, "dihedral": [near(BANKED, 60), near(BANKED, 9)]}]}
    response = api.post("/api/v1/match", json=body, headers=auth)
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert result["value"] == far
    assert [m["distance"] for m in result["matches"]] == [9]
    too_many = {"hashes": [{"type": "pdq", "value": far, "dihedral": [far] * 8}]}
    assert api.post("/api/v1/match", json=too_many, headers=auth).status_code == 422
