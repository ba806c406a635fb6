"""The pure core and the engines: look-alike keys, MinHash, common values, harm; and the same links on
DuckDB and Spark from the same input."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta

import pytest

from sxr.linking import core
from sxr.linking.engines import EngineError, LinkRecord, exact_groups, suggest


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`, or fail where SXR_REQUIRE_SPARK says the Spark leg must run."""
    if os.environ.get("SXR_REQUIRE_SPARK", "") not in ("", "0"):
        pytest.fail(f"{reason} (and SXR_REQUIRE_SPARK requires it)")
    pytest.skip(reason)


def test_lookalike_handles_share_a_skeleton() -> None:
    assert core.handle_skeleton("jess.x.love22") == core.handle_skeleton("Jess_X_Love22") == "jessxlove22"
    assert core.handle_skeleton("jess.x.love22") != core.handle_skeleton("j3ss.x.l0ve22")
    assert core.letters_skeleton("j3ss.x.l0ve22") == core.letters_skeleton("jess-x-love22")
    assert core.handle_skeleton("ｊｅｓｓ") == "jess"  # full-width letters fold


def test_minhash_estimates_the_overlap_of_scripts() -> None:
    words = [f"w{k}" for k in range(200)]
    a = core.minhash(core.shingles([" ".join(words)]))
    b = core.minhash(core.shingles([" ".join(words[:150] + [f"x{k}" for k in range(50)])]))
    c = core.minhash(core.shingles([" ".join(f"y{k}" for k in range(200))]))
    assert core.estimated_jaccard(a, a) == 1.0
    assert 0.45 <= core.estimated_jaccard(a, b) <= 0.85  # true Jaccard 147/253 = 0.58
    assert core.estimated_jaccard(a, c) < 0.1
    assert core.minhash(core.shingles(["too short"])) == ()
    assert set(core.bands(a)) & set(core.bands(a[:]))


def test_only_the_offenders_side_becomes_observables() -> None:
    doc = {
        "offender": "Jess",
        "messages": [
            {"i": 0, "sender": "Jess", "text": "snap jess.x.love22"},
            {"i": 1, "sender": "Sam", "text": "my number 07700 900999"},
            {"i": 2, "sender": "Jess", "text": "i know 07700 900999, pay £50"},
        ],
        "indicators": [
            {"kind": "snapchat_username", "value": "jess.x.love22", "first_i": 0},
            {"kind": "phone", "value": "+447700900999", "first_i": 1},  # the victim wrote it first
            {"kind": "amount", "value": "GBP:50", "first_i": 2},  # a sum is no identity
            {"kind": "no_such_kind", "value": "x", "first_i": 0},
        ],
    }
    found, names, script = core.offender_observables(doc)
    assert found == {core.Observable("snapchat_username", "jess.x.love22")}
    assert names == {"Jess"} and len(script) == 2
    assert core.offender_observables({**doc, "offender": None}) == (set(), set(), [])


def test_a_value_in_too_many_unrelated_cases_is_shown_with_its_reason_and_links_nothing() -> None:
    # A support address quoted in 30 cases of different offenders (each with its own handle) is common.
    rows = [(k, "email", "support@example.com") for k in range(1, 31)]
    rows += [(k, "snapchat_username", f"someone{k}") for k in range(1, 31)]
    rows += [(1, "phone", "+1"), (2, "phone", "+1")]
    # A prolific offender's PayPal in 40 cases that share his two phones is not.
    rows += [(k, "paypal_me", "prolific") for k in range(100, 140)]
    rows += [(k, "phone", f"+44{k % 2}") for k in range(100, 140)]
    groups = exact_groups(rows, limit=25)
    assert [1, 2] in groups.groups and list(range(100, 140)) in groups.groups
    assert not any(3 in g for g in groups.groups)
    ((observable, n, others),) = groups.common
    assert (observable.value, n, others) == ("support@example.com", 30, 31)
    assert "does not link cases" in core.CommonValue(observable, n, others).reason


def test_harm_puts_children_self_harm_and_recency_first() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def profile(k: int, **kw: object) -> core.CaseProfile:
        p = core.CaseProfile(k, f"R{k}", opened_at=now - timedelta(days=200))
        for name, value in kw.items():
            setattr(p, name, value)
        return p

    adults = core.harm([profile(1), profile(2), profile(3)], now)
    child = core.harm([profile(4, under_18=True, self_harm=True), profile(5, opened_at=now)], now)
    assert child.score > adults.score
    assert (child.victims, child.under_18, child.self_harm) == (2, 1, 1)
    fast = core.harm([profile(6, hours_to_threat=2.0), profile(7, paid=True)], now)
    assert fast.fast_escalations == 1 and fast.paid == 1


def _population(seed: int = 7) -> tuple[list[tuple[int, str, str]], list[LinkRecord]]:
    """Twenty offenders of three cases each: handles written several ways, scripts reused with noise."""
    rng = random.Random(seed)
    rows: list[tuple[int, str, str]] = []
    records: list[LinkRecord] = []
    case_id = 0
    for o in range(20):
        base = f"offender{o}xx{rng.randint(10, 99)}"
        script = " ".join(f"word{rng.randint(0, 5000)}" for _ in range(60))
        for v in range(3):
            case_id += 1
            handle = [base, base.replace("xx", ".x."), base.replace("xx", "_x_")][v]
            words = script.split()
            words[rng.randrange(len(words))] = "changed"
            rows.append((case_id, "phone", f"+4477009{o:05d}" if v < 2 else f"+4477008{case_id:05d}"))
            records.append(
                LinkRecord(case_id, [handle], [f"name{o}"], core.minhash(core.shingles([" ".join(words)])))
            )
    return rows, records


def test_suggestions_find_lookalikes_on_duckdb() -> None:
    _rows, records = _population()
    found = suggest(records, "duckdb")
    pairs = {(s.case_a, s.case_b) for s in found}
    truth = {(3 * o + a, 3 * o + b) for o in range(20) for a, b in ((1, 2), (1, 3), (2, 3))}
    assert pairs == truth
    assert all(s.evidence for s in found)


@pytest.mark.slow
def test_spark_gives_the_same_links_as_duckdb() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark is not installed (pip install 'sxr[spark]')")
    rows, records = _population()
    try:
        spark_found = suggest(records, "spark")
    except EngineError as exc:
        skip_or_fail(f"Spark cannot run here: {exc}")
        return
    assert spark_found == suggest(records, "duckdb")
    assert exact_groups(rows, "spark").groups == exact_groups(rows, "duckdb").groups


def test_a_focused_run_scores_only_the_new_cases_pairs() -> None:
    _rows, records = _population()
    everything = suggest(records, "duckdb")
    focused = suggest(records, "duckdb", focus=4)
    assert focused == [s for s in everything if 4 in (s.case_a, s.case_b)]
    assert len(focused) == 2


def _stem_pair() -> list[LinkRecord]:
    """Two cases whose handles meet only on their stem, with a little of one script: below SUGGEST_AT."""
    words = [f"w{k}" for k in range(100)]
    a = core.minhash(core.shingles([" ".join(words)]))
    b = core.minhash(core.shingles([" ".join(words[:20] + [f"x{k}" for k in range(80)])]))
    return [LinkRecord(1, ["jess.x.love22"], ["Jess"], a), LinkRecord(2, ["jess_x_love29"], ["Jess"], b)]


def test_analysts_decisions_reestimate_the_model() -> None:
    from sxr.linking.engines import Decided, Weights, pair_levels, reestimate

    records = _stem_pair()
    levels = pair_levels(records[0], records[1], None)
    assert levels == {"handle": "stem", "name": "in_handle", "script": "some", "picture": None}
    fixed = Weights()
    assert reestimate([]) == fixed
    assert suggest(records, "duckdb") == []  # the fixed model: a stem and a little script are not enough
    # Analysts confirmed forty links whose handles met only on their stem: the stem level's m rises.
    confirmed = [Decided({"handle": "stem", "name": None, "script": None, "picture": None}, 0.6, True)] * 40
    learned = reestimate(confirmed)
    assert learned.get("handle", "stem")[0] > fixed.get("handle", "stem")[0] * 3
    assert learned.get("handle", "same")[0] < fixed.get("handle", "same")[0]
    assert sum(m for _n, m, _u in learned.levels["handle"]) == pytest.approx(1.0)
    assert learned.source == "re-estimated from 40 confirmed and 0 rejected links"
    (found,) = suggest(records, "duckdb", weights=learned)
    assert (found.case_a, found.case_b) == (1, 2) and found.score >= 0.5
    assert {e["why"] for e in found.evidence} >= {
        "the same handle with its numbers changed",
        "a reused script",
    }
    # Fifty rejected links that rested on "most of the same script" (scored 0.97): that level's u rises,
    # so its Bayes factor falls; the rest of the model is as it was, and u's stay a distribution.
    rejected = [Decided({"handle": None, "name": None, "script": "most", "picture": None}, 0.97, False)] * 50
    doubted = reestimate(rejected)
    assert doubted.get("script", "most")[1] == pytest.approx(fixed.get("script", "most")[1] * 51 / 2.5)
    assert doubted.get("handle", "same") == fixed.get("handle", "same")
    assert sum(u for _n, _m, u in doubted.levels["script"]) == pytest.approx(1.0)


def test_near_duplicate_pictures_are_suggested_with_their_distance() -> None:
    rng = random.Random(5)
    face = rng.getrandbits(256)
    near = face ^ sum(1 << p for p in rng.sample(range(256), 12))
    far = face ^ sum(1 << p for p in rng.sample(range(256), 60))
    records = [
        LinkRecord(1, pictures=[f"{face:064x}"]),
        LinkRecord(2, pictures=[f"{near:064x}"]),
        LinkRecord(3, pictures=[f"{far:064x}"]),
    ]
    (found,) = suggest(records, "duckdb")
    assert (found.case_a, found.case_b) == (1, 2)
    assert found.evidence == (
        {"kind": "picture", "value": "12 of 256 bits differ", "why": "the same picture of the offender"},
    )
    # A tighter radius (a deployment's setting) and the pair is no longer near.
    assert suggest(records, "duckdb", radius=10) == []
    # Handles that disagree weigh against a picture alone (a stolen photo used by two offenders).
    records[0].handles, records[1].handles = ["jess.x.love22"], ["maya_babe_7"]
    assert suggest(records, "duckdb") == []
