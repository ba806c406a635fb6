"""The learned stage-cue model: it trains, it ships, and what it adds carries its words as `why`."""

from __future__ import annotations

import numpy as np
from analysis_helpers import conversation

from sxr.analysis import analyze
from sxr.analysis.learned import MODEL_STAGES, StageModel, message_features, shipped_model, train

FLATTERY = MODEL_STAGES.index("flattery")


def _toy_model() -> StageModel:
    texts = [
        ("ur a total dreamboat", True),
        ("omg ur such a dreamboat", True),
        ("dreamboat honestly", True),
        ("see you at practice", False),
        ("did u finish the essay", False),
        ("lol ok", False),
    ] * 4
    features = [message_features(t.split(), []) for t, _ in texts]
    targets = np.zeros((len(texts), len(MODEL_STAGES)))
    for r, (_t, flattering) in enumerate(texts):
        targets[r, FLATTERY] = float(flattering)
    return train(features, targets, epochs=150, thresholds=dict.fromkeys(MODEL_STAGES, 0.5))


def test_training_learns_a_word_and_round_trips_through_json() -> None:
    model = _toy_model()
    dreamboat = message_features(["ur", "a", "dreamboat"], [])
    practice = message_features(["see", "you", "at", "practice"], [])
    probabilities = model.probabilities([dreamboat, practice])
    assert probabilities[0, FLATTERY] > 0.8 > 0.2 > probabilities[1, FLATTERY]
    again = StageModel.from_json(model.to_json())
    assert np.allclose(again.probabilities([message_features(["dreamboat"], [])]),
                       model.probabilities([message_features(["dreamboat"], [])]), atol=1e-2)  # fmt: skip


def test_a_model_cue_is_explained_by_its_words() -> None:
    chat = conversation(
        [
            ("Stranger", "hey we have mutual friends"),
            ("Stranger", "ur a dreamboat"),
            ("Me", "haha"),
            ("Stranger", "i recorded u. pay £200 or ur family sees it"),
        ]
    )
    with_model = analyze(chat, stage_model=_toy_model())
    assert "flattery" in with_model.stages[1]
    assert with_model.why[1]["flattery"].startswith("flattery/model:")
    assert "dreamboat" in with_model.why[1]["flattery"]
    rules_only = analyze(chat, stage_model=False)
    assert "flattery" not in rules_only.stages[1]


def test_the_shipped_model_loads_and_knows_the_rules_cues() -> None:
    model = shipped_model()
    assert model is not None
    assert model.stages == MODEL_STAGES
    assert "<bias>" in model.vocabulary and "cue:threat" in model.vocabulary
    assert all(0.0 < t <= 1.0 for t in model.thresholds.values())
