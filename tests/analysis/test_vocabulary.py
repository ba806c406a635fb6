"""The one vocabulary: every kind the extractor can emit is in the table, and the stage table matches the
lexicon and the shipped stage model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sxr.analysis import lexicon, vocabulary
from sxr.analysis.learned import MODEL_STAGES, shipped_model
from sxr.analysis.vocabulary import Family, IndicatorKind, indicator_kind, money_text

EXTRACT = Path(__file__).parents[2] / "src/sxr/analysis/indicators/extract.py"
# The calls through which extract.py names the kind of what it found.
_EMITTERS = {"add", "_record", "_Found", "_add_handle"}


def _kinds_written_in_extract() -> set[str]:
    """Every kind extract.py writes as a literal: `add("iban", ...)`, `_URLS` pairs, returned tuples."""
    tree = ast.parse(EXTRACT.read_text(encoding="utf-8"))
    kinds: set[str] = set()
    for node in ast.walk(tree):
        first: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in _EMITTERS:
                first = node.args[0]
        elif isinstance(node, ast.Tuple) and len(node.elts) >= 2:
            first = node.elts[0]  # ("instagram_username", re.compile(...)) and return ("btc_address", v, raw)
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and "_" in first.value + "_":
            kinds.add(first.value)
    return {k for k in kinds if k.isidentifier() and k.islower()}


def test_every_kind_the_extractor_can_emit_is_in_the_table() -> None:
    written = _kinds_written_in_extract()
    lex = lexicon.load("indicators")
    # Handles take their kind from the lexicon's platform words and the chat format's own platform.
    from_lexicon = set(lex["platforms"]) | set(lex["format_platforms"].values())
    assert {"iban", "phone", "btc_address", "amount", "instagram_username"} <= written  # the scan sees them
    missing = sorted(k for k in written | from_lexicon if indicator_kind(k) is None)
    assert missing == [], f"kinds the extractor can emit but the vocabulary lacks: {missing}"


def test_the_table_holds_every_kind_of_the_schema() -> None:
    schema = {
        "phone", "email", "facebook_profile", "instagram_username", "snapchat_username", "tiktok_username",
        "x_username", "telegram_username", "kik_username", "discord_username", "skype_id", "cashapp_cashtag",
        "paypal_me", "btc_address", "eth_address", "tron_address", "iban", "uk_bank_account", "wu_mtcn",
        "moneygram_reference", "gift_card", "amount",
    }  # fmt: skip
    assert {k.name for k in vocabulary.indicator_kinds()} == schema


def test_families_say_what_is_money() -> None:
    assert not indicator_kind("snapchat_username").is_money  # type: ignore[union-attr]
    details = vocabulary.payment_details({"btc_address", "iban", "gift_card", "phone"})
    assert details == {"btc_address", "iban"}
    assert vocabulary.payment_codes({"btc_address", "gift_card", "wu_mtcn"}) == {"gift_card", "wu_mtcn"}
    assert vocabulary.is_payment_method("gift_card") and not vocabulary.is_payment_method("amount")
    assert indicator_kind("amount").is_money  # type: ignore[union-attr]


def test_money_reads_as_people_write_it() -> None:
    assert money_text("GBP:500") == "£500"
    assert money_text("USD:18.50") == "$18.50"
    assert money_text("CAD:40") == "CAD 40"
    assert indicator_kind("amount").display("GBP:500") == "£500"  # type: ignore[union-attr]
    assert indicator_kind("iban").display("GB29NWBK60161331926819") == "GB29NWBK60161331926819"  # type: ignore[union-attr]


def test_profile_links() -> None:
    facebook = indicator_kind("facebook_profile")
    assert facebook is not None
    assert (
        facebook.profile_link("100089123456789") == "https://www.facebook.com/profile.php?id=100089123456789"
    )
    assert facebook.profile_link("lily.x") == "https://www.facebook.com/lily.x"
    assert indicator_kind("snapchat_username").profile_link("lily") is None  # type: ignore[union-attr]


def test_a_kind_is_registered_once_and_built_ins_stay() -> None:
    extra = IndicatorKind("signal_username", "Signal name", "Signal username", Family.HANDLE)
    vocabulary.register(extra)
    try:
        with pytest.raises(ValueError):
            vocabulary.register(extra)
        assert vocabulary.kind_label("signal_username") == "Signal name"
    finally:
        vocabulary.unregister("signal_username")
    assert indicator_kind("signal_username") is None
    with pytest.raises(ValueError):
        vocabulary.unregister("phone")


def test_stage_table_matches_the_lexicon_and_the_stage_model() -> None:
    stages = lexicon.load("stages")
    cued = {s.name for s in vocabulary.STAGES if s.cued}
    assert cued <= set(stages), "a stage with cues has no rules in stages.yaml"
    assert [s.order for s in vocabulary.STAGES] == list(range(len(vocabulary.STAGES)))
    assert shipped_model().stages == MODEL_STAGES  # the model file was trained on the learned stages
    assert vocabulary.in_stage_order(["threat", "contact", "nonsense", "contact"]) == ["contact", "threat"]
    assert vocabulary.stage_label("image_request") == "asked for images"
