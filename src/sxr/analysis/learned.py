"""A small learned model of stage cues: logistic regression over a message's words and the rules' own cues.

The rules say what they recognise; this model proposes a cue for a stage the rules did not see in a
message ("ur literally so hot", "tell them. i'm posting at 10"), with the words that weighed most as its
`why`. It only proposes cues: who is the offender, what counts before or after the threat, and whether
a chat is sextortion at all stay the rules' decisions. Trained by `bench/train_stage_model.py` on the
labelled corpora; the weights ship as `stage_model.json` in this package and run offline on a CPU.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import numpy as np

from sxr.analysis.vocabulary import STAGES

# Stages the model may propose (payment, escalation and self_harm stay with the rules: they hang on
# amounts, order and safety words the rules read exactly).
MODEL_STAGES = tuple(stage.name for stage in STAGES if stage.learned)
_AROUND = 8  # words of the other person's message before and after that are features
_TOKEN = re.compile(r"[a-z0-9£$€']+|[\U0001f300-\U0001faff]")


def message_words(lower: str) -> list[str]:
    """A message's words as the model reads them."""
    return _TOKEN.findall(lower)


def message_features(
    words: Sequence[str],
    rule_cues: Iterable[tuple[str, str]],
    *,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    opening: bool = False,
) -> list[str]:
    """The features of one message: its words, word pairs and word beginnings, the rules' cues, the words
    of the other person's message just before and just after it, and whether the sender just started."""
    out = ["<bias>"]
    out.extend(words)
    out.extend(f"{a} {b}" for a, b in pairwise(words))
    # "prettiest", "gorgeousss": the beginning of a long word carries it to words not seen in training.
    out.extend(f"{w[:4]}~" for w in words if len(w) > 5)
    for stage, rule in rule_cues:
        out.append(f"cue:{stage}")
        out.append(f"cue:{stage}/{rule}")
    if len(words) <= 3:
        out.append("<short>")
    if opening:
        out.append("<opening>")
    out.extend(f"<{w}" for w in before)
    out.extend(f">{w}" for w in after)  # "please don't", "who is this": how the other person took it
    return list(dict.fromkeys(out))


def conversation_features(
    senders: Sequence[str], found: Sequence[tuple[str, dict[str, Any]]]
) -> list[list[str]]:
    """`message_features` of every message of a conversation (its rule cues as `rule_cues` gives them)."""
    words = [message_words(lower) for lower, _cues in found]
    seen: dict[str, int] = {}
    out = []
    n = len(senders)
    for j, (sender, (_lower, cues)) in enumerate(zip(senders, found, strict=True)):
        seen[sender] = seen.get(sender, 0) + 1
        # The other person's first words are enough ("please don't", "who is this").
        before = words[j - 1][:_AROUND] if j > 0 and senders[j - 1] != sender else ()
        after = words[j + 1][:_AROUND] if j + 1 < n and senders[j + 1] != sender else ()
        out.append(
            message_features(
                words[j],
                [(c.stage, c.rule) for c in cues.values()],
                before=before,
                after=after,
                opening=seen[sender] <= 3,
            )
        )
    return out


@dataclass(slots=True)
class StageModel:
    """Weights of one logistic regression per stage over hashed-free (vocabulary) features."""

    stages: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: np.ndarray  # (features, stages)
    bias: np.ndarray  # (stages,)
    thresholds: dict[str, float]

    def probabilities(self, features: Sequence[Sequence[str]]) -> np.ndarray:
        """P(stage | message) for each message's features: an array (messages, stages)."""
        vocabulary = self.vocabulary
        bias_id = vocabulary.get("<bias>")
        if not features:
            return np.zeros((0, len(self.stages)))
        if bias_id is None:  # every message has the bias feature, so no message's row is empty below
            raise ValueError("a stage model needs the <bias> feature")
        ids: list[int] = []
        starts: list[int] = []
        for feats in features:
            starts.append(len(ids))
            ids.append(bias_id)
            ids.extend(vocabulary[f] for f in feats if f in vocabulary and f != "<bias>")
        scores = np.add.reduceat(self.weights[np.asarray(ids)], np.asarray(starts), axis=0) + self.bias
        return 1.0 / (1.0 + np.exp(-scores))

    def strongest(self, feats: Sequence[str], stage: str, k: int = 3) -> list[str]:
        """The words of a message that weigh most for `stage` (its `why`)."""
        s = self.stages.index(stage)
        weighted = {
            f: float(self.weights[self.vocabulary[f], s])
            for f in feats
            if f in self.vocabulary and not f.startswith(("<", "cue:"))
        }
        best = sorted(weighted, key=lambda f: -weighted[f])[:k]
        return [f for f in best if weighted[f] > 0]

    def to_json(self) -> dict[str, Any]:
        """The model as stored: features with their weights rounded (a small file)."""
        names = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "stages": list(self.stages),
            "bias": [round(float(b), 4) for b in self.bias],
            "thresholds": self.thresholds,
            "features": {
                name: [round(float(w), 3) for w in self.weights[self.vocabulary[name]]] for name in names
            },
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> StageModel:
        """A model from its stored form."""
        names = list(doc["features"])
        weights = np.array([doc["features"][n] for n in names], dtype=np.float64).reshape(
            len(names), len(doc["stages"])
        )
        return cls(
            stages=tuple(doc["stages"]),
            vocabulary={n: i for i, n in enumerate(names)},
            weights=weights,
            bias=np.array(doc["bias"], dtype=np.float64),
            thresholds={k: float(v) for k, v in doc["thresholds"].items()},
        )


@cache
def shipped_model() -> StageModel | None:
    """The model shipped in the package, or None when the file is absent (the rules work alone)."""
    path = resources.files("sxr.analysis").joinpath("stage_model.json")
    if not path.is_file():
        return None
    return StageModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def train(
    features: Sequence[Sequence[str]],
    targets: np.ndarray,
    *,
    stages: tuple[str, ...] = MODEL_STAGES,
    min_count: int = 2,
    l2: float = 1e-3,
    epochs: int = 300,
    rate: float = 0.1,
    thresholds: dict[str, float] | None = None,
) -> StageModel:
    """Fit a logistic regression per stage (Adam, full batch, L2) on features seen `min_count` times."""
    counts: dict[str, int] = {}
    for feats in features:
        for f in set(feats):
            counts[f] = counts.get(f, 0) + 1
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}
    rows_list: list[int] = []
    cols_list: list[int] = []
    for r, feats in enumerate(features):
        for f in set(feats):
            if f in vocabulary:
                rows_list.append(r)
                cols_list.append(vocabulary[f])
    rows = np.asarray(rows_list)
    cols = np.asarray(cols_list)
    n, v, s = len(features), len(vocabulary), len(stages)
    y = np.asarray(targets, dtype=np.float64)
    # Rare stages weigh their positives up, so that a stage seen 60 times is not drowned by 2,000 others.
    positives = y.sum(axis=0)
    pos_weight = np.sqrt(np.maximum(n - positives, 1) / np.maximum(positives, 1))
    sample_weight = np.where(y > 0, pos_weight, 1.0)
    w = np.zeros((v, s))
    b = np.zeros(s)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        scores = np.tile(b, (n, 1))
        np.add.at(scores, rows, w[cols])
        p = 1.0 / (1.0 + np.exp(-scores))
        g = (p - y) * sample_weight / n
        gw = np.zeros_like(w)
        np.add.at(gw, cols, g[rows])
        gw += l2 * w
        gb = g.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        w -= rate * (mw / (1 - beta1**t)) / (np.sqrt(vw / (1 - beta2**t)) + eps)
        b -= rate * (mb / (1 - beta1**t)) / (np.sqrt(vb / (1 - beta2**t)) + eps)
    return StageModel(
        stages=stages,
        vocabulary=vocabulary,
        weights=w,
        bias=b,
        thresholds=dict(thresholds or dict.fromkeys(stages, 0.5)),
    )
