"""The lexicons load, every rule compiles, and the speed-ups never hide a match."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sxr.analysis import lexicon
from sxr.analysis.fastre import Prefilter, token_starts
from sxr.analysis.stages import STAGES, _lexicon

FIXTURES = yaml.safe_load((Path(__file__).parent / "fixtures" / "conversations.yaml").read_text("utf-8"))
TEXTS = [text.lower() for case in FIXTURES for _s, text, _st in case["messages"] if text]


def test_every_stage_has_rules_and_every_rule_compiles() -> None:
    data = lexicon.load("stages")
    for stage in STAGES:
        if stage == "escalation":
            continue
        assert data[stage], stage
        for rule, pattern in data[stage].items():
            assert re.fullmatch(r"[a-z_]+", rule), rule
            re.compile(pattern)
    indicators = lexicon.load("indicators")
    assert set(indicators["platforms"]) >= {"snapchat_username", "instagram_username", "telegram_username"}


def _starts_at_token(text: str, at: int) -> bool:
    return (
        at == 0
        or not (text[at - 1].isalnum() or text[at - 1] == "_")
        or not (text[at].isalnum() or text[at] == "_")
    )


def test_prefilter_never_hides_a_match_at_a_token_start() -> None:
    for prefilter, _fast, plain in COMPILED:
        for text in TEXTS:
            m = plain.search(text)
            if m and _starts_at_token(text, m.start()):
                assert prefilter.may_match(token_starts(text)), (plain.pattern[:40], text)


WORDS = [
    "send",
    "me",
    "a",
    "pic",
    "u",
    "first",
    "ur",
    "so",
    "cute",
    "i",
    "recorded",
    "you",
    "pay",
    "£50",
    "$20",
    "or",
    "everyone",
    "sees",
    "it",
    "snap",
    "add",
    "on",
    "😍",
    "😂",
    "kill",
    "myself",
    "sent",
    "got",
    "more",
]


def _plain(pattern: str) -> re.Pattern[str]:
    """The lexicon pattern without compile_fast's look-ahead."""
    inner = re.match(r"\(\?=\[[^\]]*\]\)\(\?:(.*)\)$", pattern, re.S)
    return re.compile(inner.group(1) if inner else pattern)


COMPILED = [(prefilter, fast, _plain(fast.pattern)) for prefilter, fast in _lexicon().stages.values()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_prefilter_and_lookahead_agree_with_plain_regex(words: list[str]) -> None:
    text = " ".join(words)
    starts = token_starts(text)
    for prefilter, fast, plain in COMPILED:
        found = plain.search(text)
        assert (found is None) == (fast.search(text) is None)
        if found and _starts_at_token(text, found.start()):
            assert prefilter.may_match(starts)


def test_prefilter_gives_up_on_patterns_it_cannot_spell() -> None:
    assert Prefilter(r".*anything").starts is None
    assert Prefilter(r"\w+").starts is None
    assert Prefilter(r"(?:send|post) it").starts == frozenset({"sen", "pos"})


def test_every_stage_pattern_keeps_its_prefilter() -> None:
    # A rule that can start anywhere (a leading class or ^\W*) silently makes every message pay for
    # the whole stage: the analysis then misses its speed goal.
    from sxr.analysis.stages import _lexicon

    for stage, (prefilter, pattern) in _lexicon().stages.items():
        assert prefilter.starts is not None, stage
        assert pattern.pattern.startswith("(?="), stage
