"""Stages, is_sextortion and warnings on hand-written conversations (phrased unlike the dev corpus)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from analysis_helpers import conversation

from sxr.analysis import analyze
from sxr.analysis.stages import STAGES

FIXTURES = yaml.safe_load((Path(__file__).parent / "fixtures" / "conversations.yaml").read_text("utf-8"))


def _run(case: dict[str, Any]) -> Any:
    return analyze(conversation([(s, t) for s, t, _ in case["messages"]], case["format"]))


@pytest.mark.parametrize("case", FIXTURES, ids=[c["name"] for c in FIXTURES])
def test_fixture(case: dict[str, Any]) -> None:
    result = _run(case)
    assert result.is_sextortion == case["is_sextortion"]
    for j, (_sender, text, want) in enumerate(case["messages"]):
        assert set(result.stages[j]) == set(want), f"message {j}: {text!r} -> {result.why[j]}"
        assert set(result.why[j]) == set(result.stages[j])
    assert {(i.kind, i.value) for i in result.indicators} == {(k, v) for k, v, _ in case["indicators"]}
    assert {(i.kind, i.value, i.first_i) for i in result.indicators} == {tuple(x) for x in case["indicators"]}
    warn = result.risk.first_warning_i
    if case["is_sextortion"]:
        first_threat = case["first_threat_i"]
        assert warn is not None and (warn < first_threat or warn == first_threat == 0)
        assert result.risk.level in ("high", "crisis")
    else:
        assert warn is None
        assert result.risk.level in ("none", "low")


def test_stage_names_are_schema_names() -> None:
    for case in FIXTURES:
        for _s, _t, stages in case["messages"]:
            assert set(stages) <= set(STAGES)


def test_self_harm_from_the_victim_puts_crisis_support_first() -> None:
    case = next(c for c in FIXTURES if c["name"] == "teen-catfish-instagram")
    result = _run(case)
    assert result.risk.crisis_support_first
    assert result.risk.level == "crisis"
    assert "crisis support" in result.risk.reasons[0]


def test_payment_keeps_risk_high() -> None:
    pairs = [
        ("X", "hey saw u on quick add, ur cute"),
        ("V", "hi"),
        ("X", "send me a pic, u first"),
        ("V", ""),
        ("X", "I recorded it. pay £100 or I send it to all your followers"),
        ("V", "sent £100"),
        ("X", "got it"),
        ("V", "please delete it"),
        ("X", "ok"),
    ]
    result = analyze(conversation(pairs))
    assert "payment" in result.stages[5] and "payment" in result.stages[6]
    assert result.risk.score >= 90 and result.risk.level == "high"
    assert any("pay" in reason for reason in result.risk.reasons)


def test_self_harm_in_ordinary_chat_still_counts() -> None:
    result = analyze(conversation([("A", "how was the exam"), ("B", "honestly i want to kill myself")]))
    assert result.stages[1] == ["self_harm"]
    assert not result.is_sextortion and result.risk.crisis_support_first


def test_why_names_the_rule_and_words() -> None:
    pairs = [
        ("X", "hi, we have mutuals"),
        ("X", "I screen recorded the call. pay $300 or your family sees it"),
    ]
    result = analyze(conversation(pairs))
    assert "threat/" in result.why[1]["threat"]
    assert "\u201c" in result.why[1]["threat"]


def test_to_json_has_the_contract_keys() -> None:
    case = FIXTURES[0]
    doc = _run(case).to_json()
    assert {"format", "participants", "messages", "notices", "warnings"} <= set(doc)
    assert {"indicators", "risk", "is_sextortion"} <= set(doc)
    assert {"score", "level", "first_warning_i", "reasons"} <= set(doc["risk"])
    assert all({"stages", "why", "i", "sender", "text"} <= set(m) for m in doc["messages"])
    assert all({"kind", "value", "first_i", "raw"} <= set(i) for i in doc["indicators"])


def test_a_threat_the_lexicon_misses_is_inferred_from_the_plea_and_the_demand() -> None:
    pairs = [
        ("X", "hey saw u on quick add, ur cute"),
        ("V", "hi"),
        ("X", "send me a pic, u first"),
        ("V", ""),
        ("X", "heh. everything has consequences unless you cooperate"),
        ("V", "please dont do this"),
        ("X", "$300 on cash app $BadGuy77 in 1 hour"),
    ]
    result = analyze(conversation(pairs))
    assert result.is_sextortion and result.offender == "X"
    assert "threat" in result.stages[4] and "inferred" in result.why[4]["threat"]
    assert "demand" in result.stages[6]
    assert result.risk.first_warning_i == 2


def test_pleading_without_images_or_money_is_not_sextortion() -> None:
    pairs = [("A", "I'm telling mum you broke the vase"), ("B", "please dont do this"), ("A", "lol ok")]
    assert not analyze(conversation(pairs)).is_sextortion


def test_escalation_after_a_missed_deadline_without_payment() -> None:
    pairs = [
        ("X", "hey saw u on quick add, ur cute"),
        ("V", "hi"),
        ("X", "send me a pic, u first"),
        ("V", ""),
        ("X", "I recorded it. pay £100 by 6pm or I send it to all your followers"),
        ("V", "please no"),
        ("X", "its 7pm. you didnt pay so now its £300"),
    ]
    result = analyze(conversation(pairs))
    assert result.stages[4] == ["threat", "demand"]
    assert result.stages[6] == ["demand", "escalation"]


def test_empty_and_blank_conversations() -> None:
    empty = analyze(conversation([])).to_json()
    assert empty["messages"] == [] and empty["indicators"] == [] and empty["is_sextortion"] is False
    assert empty["risk"]["first_warning_i"] is None and empty["risk"]["level"] == "none"
    blank = analyze(conversation([("", ""), ("B", "   ")]))
    assert blank.stages == [[], []] and blank.risk.score == 0
