"""Attacks on the watchlist, as a stranger would make them: poisoning with floods and degenerate hashes,
numbers that once gave 500s, and what platforms and staff can do about entries only a victim vouches for."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from sxr.accounts.services import create_api_key
from sxr.app import create_app
from sxr.audit.models import AuditEvent
from sxr.cases.services import create_case, open_victim_session
from sxr.config import get_settings
from sxr.db import session_scope
from sxr.media.exact import Md5Signal
from sxr.media.pdq import PdqSignal, hash_image
from sxr.watchlist import services

LiveServer = Any  # tests/conftest.py's LiveServer: .url of a real uvicorn on loopback
PASSWORD = "correct horse battery staple"

RNG_SEED = 13


def random_pdq(rng: np.random.Generator) -> str:
    """A hash shaped like a real picture's: 128 of its 256 bits set, at random places."""
    return f"{sum(1 << int(b) for b in rng.choice(256, size=128, replace=False)):064x}"


def flip(value: str, bits: int, rng: np.random.Generator) -> str:
    """`value` with `bits` distinct random bits flipped."""
    n = int(value, 16)
    for bit in rng.choice(256, size=bits, replace=False):
        n ^= 1 << int(bit)
    return f"{n:064x}"


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    services.reset_live_indexes()
    yield
    services.reset_live_indexes()


def victim(database_url: str) -> tuple[int, str, str]:
    """A case opened the way a stranger can (no account), its victim token, and a platform's API key."""
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        token = open_victim_session(session, case)
        key = create_api_key(session, f"ExampleChat-{case.id}")
        return case.id, token, key


# --- degenerate hashes --------------------------------------------------------------------------

ZEROS, ONES = "0" * 64, "f" * 64


def _degenerate() -> list[tuple[str, dict[str, object], str]]:
    rng = np.random.default_rng(RNG_SEED)
    block16 = "a5c3"  # 8 of 16 bits set: the repeat, not the bit count, gives it away
    block64 = random_pdq(rng)[:16]
    near_repeat = flip(block64 * 4, 12, rng)
    few_bits = f"{(1 << 40) - 1:064x}"
    many_bits = f"{((1 << 256) - 1) ^ ((1 << 40) - 1):064x}"
    return [
        ("all zeros", {"type": "pdq", "value": ZEROS, "quality": 100}, "all zeros"),
        ("all ones", {"type": "pdq", "value": ONES, "quality": 100}, "all ones"),
        ("too few bits", {"type": "pdq", "value": few_bits, "quality": 100}, "has 40 of its 256 bits set"),
        ("too many bits", {"type": "pdq", "value": many_bits, "quality": 100}, "has 216 of its 256 bits set"),
        ("16-bit block", {"type": "pdq", "value": block16 * 16, "quality": 100}, "a 16-bit pattern repeated"),
        ("64-bit block", {"type": "pdq", "value": block64 * 4, "quality": 100}, "pattern repeated"),
        ("near repeat", {"type": "pdq", "value": near_repeat, "quality": 100}, "a 64-bit pattern repeated"),
        ("low quality", {"type": "pdq", "value": random_pdq(rng), "quality": 49}, "quality is 49, below 50"),
        ("empty file", {"type": "md5", "value": Md5Signal.empty_file}, "MD5 of an empty file"),
        (
            "video frame",
            {"type": "vpdq", "frames": [{"frame": 0, "timestamp": 0.0, "hash": ZEROS, "quality": 90}]},
            "Frame 1: This PDQ hash is all zeros",
        ),
    ]


@pytest.mark.parametrize(("name", "item", "words"), _degenerate(), ids=[d[0] for d in _degenerate()])
def test_degenerate_hashes_are_skipped_each_with_its_own_words_and_the_rest_are_sent(
    sqlite_url: str, name: str, item: dict[str, object], words: str
) -> None:
    """Issue 17: each picture is judged on its own; a plain one no longer refuses the whole batch."""
    case_id, token, _key = victim(sqlite_url)
    api = TestClient(create_app(get_settings()))
    good = {"type": "pdq", "value": random_pdq(np.random.default_rng(1)), "quality": 90}
    response = api.post(f"/case/{token}/hashes", json={"hashes": [good, item]})
    assert response.status_code == 200, response.text
    [skipped] = response.json()["skipped"]
    assert skipped["index"] == 1 and skipped["problem"].startswith("Hash 2: ") and words in skipped["problem"]
    assert "plain" in skipped["reason"] or "could not be read" in skipped["reason"]
    with session_scope(sqlite_url) as session:
        stored = services.entries_for_case(session, case_id)
        assert [e.value for e in stored] == [good["value"]]  # the good one was sent
    alone = api.post(f"/case/{token}/hashes", json={"hashes": [item]})
    assert alone.status_code == 422 and words in alone.json()["detail"]


def test_real_pictures_and_random_bits_pass_the_checks() -> None:
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(2000):
        PdqSignal.refuse_degenerate(random_pdq(rng))
    # Independent random bits pass too, bar the 1 in 15,000 or so whose count strays 32 from 128.
    loose = [f"{int.from_bytes(rng.bytes(32), 'big'):064x}" for _ in range(2000)]
    refused = sum(1 for v in loose if not 96 <= int(v, 16).bit_count() <= 160)
    for value in loose:
        if 96 <= int(value, 16).bit_count() <= 160:
            PdqSignal.refuse_degenerate(value)
    assert refused <= 2
    pixels = (rng.random((48, 48, 3)) * 255).astype(np.uint8)
    picture = Image.fromarray(pixels).resize((320, 320), Image.Resampling.BICUBIC)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    png.seek(0)
    stored = hash_image(png).stored
    assert stored.quality >= 50
    PdqSignal.refuse_degenerate(stored.hash)
    assert int(stored.hash, 16).bit_count() == 128  # what the band around 128 is built on


def test_video_frames_below_the_quality_floor_may_be_plain(sqlite_url: str) -> None:
    case_id, _token, _key = victim(sqlite_url)
    rng = np.random.default_rng(RNG_SEED)
    frames = [
        {"frame": 0, "timestamp": 0.0, "hash": ZEROS, "quality": 0},  # a black frame: never matched
        {"frame": 1, "timestamp": 0.2, "hash": random_pdq(rng), "quality": 90},
    ]
    with session_scope(sqlite_url) as session:
        (entry,) = services.bank_hashes(session, case_id, [{"type": "vpdq", "frames": frames}], "victim")
        assert len(entry.frames) == 2


# --- the 500s -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        ('{"frame": 1180591620717411303424, "timestamp": 0.0, "HASH", "quality": 90}', "less than or equal"),
        ('{"frame": 0, "timestamp": NaN, "HASH", "quality": 90}', "finite number"),
        ('{"frame": 0, "timestamp": Infinity, "HASH", "quality": 90}', "finite number"),
        ('{"frame": 0, "timestamp": -Infinity, "HASH", "quality": 90}', "finite number"),
        ('{"frame": 0, "timestamp": 1e300, "HASH", "quality": 90}', "less than or equal"),
        ('{"frame": -1, "timestamp": 0.0, "HASH", "quality": 90}', "greater than or equal"),
        ('{"frame": 0, "timestamp": 0.0, "HASH", "quality": 1e999}', "finite number"),
        ('{"frame": 0, "timestamp": 0.0, "HASH", "quality": 99999999999999999999999}', "less than or equal"),
    ],
)
def test_numbers_that_gave_500s_are_a_clean_422_on_a_real_server(
    live_server: LiveServer, sqlite_url: str, frame: str, words: str
) -> None:
    _case_id, token, key = victim(sqlite_url)
    frame_hash = random_pdq(np.random.default_rng(RNG_SEED))
    # Raw JSON: Python's parser (and so the server's) accepts NaN and Infinity, which strict JSON has not.
    body = '{"hashes": [{"type": "vpdq", "frames": [FRAME]}]}'.replace("FRAME", frame).replace(
        '"HASH"', f'"hash": "{frame_hash}"'
    )
    with httpx.Client(base_url=live_server.url) as http:
        response = http.post(
            f"/case/{token}/hashes", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, response.text
        problems = response.json()["detail"]
        assert any(words in p["msg"] for p in problems), problems
        assert "NaN" not in response.text and "Infinity" not in response.text  # input never echoed

        # The platform API too: NaN where a string belongs, a huge number, a hash too long.
        auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        for bad in (
            '{"hashes": [{"type": NaN, "value": "x"}]}',
            '{"hashes": [{"type": "pdq", "value": 1e999}]}',
            '{"hashes": [{"type": "md5", "value": "' + "a" * 100_000 + '"}]}',
            '{"hashes": [], "min_trust": "anyone"}',
            '{"hashes": [{"type": "pdq", "value": "' + "0" * 64 + '", "dihedral": [' + '"x",' * 7 + '"x"]}]}',
            "[" * 5000 + "]" * 5000,
        ):
            answer = http.post("/api/v1/match", content=bad, headers=auth)
            # Too deep to parse is a 400 with words; everything else a 422 with the problems listed.
            assert answer.status_code in (400, 422), (bad[:80], answer.text[:300])
            assert answer.json()["detail"]
        assert http.get("/healthz").status_code == 200  # still up


def test_a_bad_hash_is_described_by_its_own_type(database_url: str) -> None:
    _case_id, token, key = victim(database_url)
    api = TestClient(create_app(get_settings()))
    auth = {"Authorization": f"Bearer {key}"}
    for kind, value, words in (
        ("pdq", "g" * 64, "A PDQ hash is 64 hexadecimal digits"),
        ("pdq", "ab", "A PDQ hash is 64 hexadecimal digits"),
        ("md5", "a" * 31, "An MD5 hash is 32 hexadecimal digits"),
    ):
        response = api.post("/api/v1/match", json={"hashes": [{"type": kind, "value": value}]}, headers=auth)
        assert response.status_code == 422
        msg = response.json()["detail"][0]["msg"]
        assert words in msg and "4 hex digits" not in msg
        banked = api.post(
            f"/case/{token}/hashes", json={"hashes": [{"type": kind, "value": value, "quality": 90}]}
        )
        assert banked.status_code == 422 and words in banked.json()["detail"]
    frame = {"frame": 0, "timestamp": 0.0, "hash": "z" * 64, "quality": 90}
    video = api.post(f"/case/{token}/hashes", json={"hashes": [{"type": "vpdq", "frames": [frame]}]})
    assert "Frame 1: A vPDQ frame hash is 64 hexadecimal digits" in video.json()["detail"]


# --- quota, trust, review -------------------------------------------------------------------------


def _pictures(rng: np.random.Generator, n: int) -> list[dict[str, object]]:
    return [{"type": "pdq", "value": random_pdq(rng), "quality": 90} for _ in range(n)]


def test_quota_refuses_in_words_and_notes_it_for_staff_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SXR_WATCHLIST_CASE_PICTURES", "30")
    monkeypatch.setenv("SXR_WATCHLIST_CASE_VIDEOS", "1")
    get_settings.cache_clear()
    case_id, token, _key = victim(database_url)
    api = TestClient(create_app(get_settings()))
    rng = np.random.default_rng(RNG_SEED)
    first = _pictures(rng, 20)
    assert api.post(f"/case/{token}/hashes", json={"hashes": first}).status_code == 200
    # Sending the same ones again costs nothing: they are already there.
    assert api.post(f"/case/{token}/hashes", json={"hashes": first}).status_code == 200
    over = api.post(f"/case/{token}/hashes", json={"hashes": _pictures(rng, 11)})
    assert over.status_code == 403
    words = over.json()["detail"]
    assert "We can keep 30 codes from your pictures" in words and "has 20 waiting" in words
    assert "these 11 were not added" in words and "Nothing you sent before is lost" in words
    again = api.post(f"/case/{token}/hashes", json={"hashes": _pictures(rng, 11)})
    assert again.status_code == 403
    frames = [{"frame": i, "timestamp": i / 5, "hash": random_pdq(rng), "quality": 90} for i in range(3)]
    video = {"type": "vpdq", "frames": frames}
    assert api.post(f"/case/{token}/hashes", json={"hashes": [video]}).status_code == 200
    two = api.post(f"/case/{token}/hashes", json={"hashes": [video]})
    assert two.status_code == 403 and "We can keep 1 videos" in two.json()["detail"]
    with session_scope(database_url) as session:
        notes = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "watchlist.quota_reached"
            )
        ).all()
        assert len(notes) == 1  # once an hour, however often the flood knocks
        assert notes[0].subject.startswith("11 hashes refused")
        assert services.quota_use(session, case_id).pictures == 20

        # Staff review frees the quota: the next ten fit.
        assert services.review_entries(session, case_id, "staff:officer@example.com") == 21
    assert api.post(f"/case/{token}/hashes", json={"hashes": _pictures(rng, 30)}).status_code == 200


def test_platforms_see_trust_and_may_ask_for_reviewed_entries_only(database_url: str) -> None:
    case_id, token, key = victim(database_url)
    api = TestClient(create_app(get_settings()))
    rng = np.random.default_rng(RNG_SEED)
    value = random_pdq(rng)
    assert (
        api.post(
            f"/case/{token}/hashes", json={"hashes": [{"type": "pdq", "value": value, "quality": 80}]}
        ).status_code
        == 200
    )
    auth = {"Authorization": f"Bearer {key}"}
    query = {"hashes": [{"type": "pdq", "value": flip(value, 5, rng)}]}
    everyone = api.post("/api/v1/match", json=query, headers=auth).json()["results"][0]["matches"]
    assert [m["trust"] for m in everyone] == ["victim"]
    reviewed_only = api.post("/api/v1/match", json=query | {"min_trust": "reviewed"}, headers=auth)
    assert reviewed_only.json()["results"][0]["matches"] == []
    with session_scope(database_url) as session:
        services.review_entries(session, case_id, "staff:officer@example.com")
    now = api.post("/api/v1/match", json=query | {"min_trust": "reviewed"}, headers=auth).json()
    assert [m["trust"] for m in now["results"][0]["matches"]] == ["reviewed"]


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff passwords hashed with cheap Argon2id parameters (as tests/staff does): still Argon2id."""
    from argon2 import PasswordHasher

    from sxr.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("dummy"))


def add_user(database_url: str, email: str, role: str) -> None:
    from sxr.accounts.staff_users import create_user

    with session_scope(database_url) as session:
        create_user(session, email, f"Test {role}", role, PASSWORD)


def staff_client() -> TestClient:
    # https: the staff cookie is Secure off loopback, and the test client honours that.
    return TestClient(create_app(get_settings()), base_url="https://testserver")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(c: TestClient, email: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    form = c.get("/staff/login")
    done = c.post(
        "/staff/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return csrf_of(c.get("/staff/cases").text)


def watchlist_audit(database_url: str, case_id: int) -> list[tuple[str, str | None, str | None]]:
    with session_scope(database_url) as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
        )
        return [(e.action, e.subject, e.why) for e in rows if e.action.startswith("watchlist.")]


def test_staff_review_and_remove_entries_audited(database_url: str, cheap_argon2: None) -> None:
    case_id, token, key = victim(database_url)
    rng = np.random.default_rng(RNG_SEED)
    values = [random_pdq(rng) for _ in range(3)]
    with session_scope(database_url) as session:
        entries = services.bank_hashes(
            session, case_id, [{"type": "pdq", "value": v, "quality": 90} for v in values], "victim"
        )
        ids = [e.public_id for e in entries]
        from sxr.cases.models import Case

        reference = session.get(Case, case_id).reference
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "support@example.com", "support")
    c = staff_client()
    csrf = sign_in(c, "officer@example.com")
    case_page = c.get(f"/staff/cases/{reference}")
    assert f'href="/staff/cases/{reference}/watchlist"' in case_page.text
    page = c.get(f"/staff/cases/{reference}/watchlist")
    assert page.status_code == 200
    assert page.text.count("the victim's word, not reviewed") == 3
    assert "3 of 2000" in page.text
    url = f"/staff/cases/{reference}/watchlist"

    assert c.post(f"{url}/review", data={"entry_id": [ids[0]]}).status_code == 403  # no CSRF token
    done = c.post(
        f"{url}/review", data={"csrf_token": csrf, "entry_id": [ids[0], ids[1]]}, follow_redirects=False
    )
    assert done.status_code == 303
    unknown = c.post(f"{url}/review", data={"csrf_token": csrf, "entry_id": ["wl_nothing"]})
    assert unknown.status_code == 400 and "no such watchlist entry" in unknown.text
    no_reason = c.post(f"{url}/remove", data={"csrf_token": csrf, "entry_id": [ids[2]]})
    assert no_reason.status_code == 400 and "Please say why" in no_reason.text
    why = "victim asked on the phone, ref 123"
    removed = c.post(
        f"{url}/remove",
        data={"csrf_token": csrf, "entry_id": [ids[2]], "reason": why},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    with session_scope(database_url) as session:
        left = {e.public_id: e.trust for e in services.entries_for_case(session, case_id)}
    assert left == {ids[0]: "reviewed", ids[1]: "reviewed"}
    api = TestClient(create_app(get_settings()))
    gone = api.post(
        "/api/v1/match",
        json={"hashes": [{"type": "pdq", "value": values[2]}]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert gone.json()["results"][0]["matches"] == []  # a removed entry stops matching at once

    actions = watchlist_audit(database_url, case_id)
    assert ("watchlist.review", f"2 entries reviewed: {ids[0]}, {ids[1]}", None) in actions
    assert (
        "watchlist.remove",
        f"1 entries removed: {ids[2]}",
        why,
    ) in actions
    assert any(a == "watchlist.view" for a, _, _ in actions)

    viewer = staff_client()
    viewer_csrf = sign_in(viewer, "support@example.com")
    refused = viewer.post(f"{url}/review", data={"csrf_token": viewer_csrf, "everything": "yes"})
    assert refused.status_code == 403
    assert "not allow you to review" in refused.text
    assert token  # the victim's token never appears on staff pages
    assert token not in page.text


# --- the flood, at full size, on a real server -------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_hashes_from_one_anonymous_case_stop_at_the_quota(
    live_server: LiveServer, sqlite_url: str
) -> None:
    case_id, token, key = victim(sqlite_url)
    quota = get_settings().watchlist_case_pictures
    rng = np.random.default_rng(RNG_SEED)
    answers, took = [], []
    batches = [_pictures(rng, 1000) for _ in range(10)]
    started = time.perf_counter()
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        for batch in batches:
            body = json.dumps({"hashes": batch})
            sent = time.perf_counter()
            answers.append(
                http.post(f"/case/{token}/hashes", content=body, headers={"Content-Type": "application/json"})
            )
            took.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - started
        assert [a.status_code for a in answers] == [200] * (quota // 1000) + [403] * (10 - quota // 1000)
        assert "were not added" in answers[-1].json()["detail"]
        # What did get in is the victim's word only: a platform asking for reviewed entries sees none.
        banked_one = {"type": "pdq", "value": batches[0][0]["value"]}
        auth = {"Authorization": f"Bearer {key}"}
        everyone = http.post("/api/v1/match", json={"hashes": [banked_one]}, headers=auth).json()
        assert [m["trust"] for m in everyone["results"][0]["matches"]] == ["victim"]
        careful = http.post(
            "/api/v1/match", json={"hashes": [banked_one], "min_trust": "reviewed"}, headers=auth
        )
        assert careful.json()["results"][0]["matches"] == []
    with session_scope(sqlite_url) as session:
        assert services.quota_use(session, case_id).pictures == quota
    banked, refused = took[: quota // 1000], took[quota // 1000 :]
    print(
        f"10,000 hashes from one case: {quota} banked, the rest refused, in {elapsed:.1f} s; a batch of "
        f"1,000 banked in {max(banked):.2f} s at most, refused in {max(refused):.2f} s at most"
    )


@pytest.mark.slow
def test_parallel_floods_cannot_pass_the_quota_together(live_server: LiveServer, sqlite_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    case_id, token, _key = victim(sqlite_url)
    quota = get_settings().watchlist_case_pictures
    rng = np.random.default_rng(RNG_SEED + 1)
    batches = [json.dumps({"hashes": _pictures(rng, 1000)}) for _ in range(6)]

    def send(body: str) -> int:
        with httpx.Client(base_url=live_server.url, timeout=120) as http:
            response = http.post(
                f"/case/{token}/hashes", content=body, headers={"Content-Type": "application/json"}
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(send, batches))
    assert sorted(codes) == [200] * (quota // 1000) + [403] * (6 - quota // 1000), codes
    with session_scope(sqlite_url) as session:
        assert services.quota_use(session, case_id).pictures == quota


def test_parallel_banking_is_one_at_a_time_per_case(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("SXR_WATCHLIST_CASE_PICTURES", "50")
    get_settings.cache_clear()
    case_id, _token, _key = victim(database_url)
    rng = np.random.default_rng(RNG_SEED + 2)
    batches = [_pictures(rng, 30) for _ in range(4)]

    def bank(batch: list[dict[str, object]]) -> str:
        try:
            with session_scope(database_url) as session:
                services.bank_hashes(session, case_id, batch, "victim")
        except services.QuotaReached:
            return "refused"
        return "banked"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(bank, batches))
    assert outcomes == ["banked", "refused", "refused", "refused"]
    with session_scope(database_url) as session:
        assert services.quota_use(session, case_id).pictures == 30
