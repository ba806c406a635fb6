"""`analyze`: normalise, find indicators, stages and risk of one conversation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sxr.analysis.indicators import Indicator, extract_indicators
from sxr.analysis.learned import StageModel, conversation_features, shipped_model
from sxr.analysis.normalize import NormalizedText, normalize
from sxr.analysis.risk import Risk, assess
from sxr.analysis.stages import Cue, MessageCues, assign_stages, qualify_cues, rule_cues
from sxr.conversations.model import Conversation


@dataclass(slots=True)
class Analysis:
    """What the analysis found in one conversation."""

    conversation: Conversation
    stages: list[list[str]]
    why: list[dict[str, str]]
    indicators: list[Indicator]
    risk: Risk
    is_sextortion: bool
    offender: str | None

    def to_json(self) -> dict[str, Any]:
        """The `sxr analyze --json` document: the conversation plus stages, why, indicators and risk."""
        out = self.conversation.to_json()
        for message, stages, why in zip(out["messages"], self.stages, self.why, strict=True):
            message["stages"] = stages
            message["why"] = why
        out["indicators"] = [indicator.to_json() for indicator in self.indicators]
        out["risk"] = self.risk.to_json()
        out["is_sextortion"] = self.is_sextortion
        out["offender"] = self.offender
        return out


def analyze(
    conversation: Conversation,
    *,
    phone_region: str = "GB",
    stage_model: StageModel | Literal[False] | None = None,
) -> Analysis:
    """Analyse a conversation; `phone_region` is the region for numbers written without a country code.

    `stage_model` is the learned model of stage cues to use: None for the one shipped, False for none
    (the rules alone), or another (cross-validation trains its own).
    """
    messages = conversation.messages
    texts: list[NormalizedText] = [normalize(m.text or "") for m in messages]
    senders = [m.sender for m in messages]
    indicators = extract_indicators(
        texts, senders, conversation_format=conversation.format, phone_region=phone_region
    )
    per_message: list[list[tuple[str, str]]] = [[] for _ in messages]
    for indicator in indicators:
        for i in indicator.messages:
            per_message[i].append((indicator.kind, indicator.value))
    found = [rule_cues(t.text.lower()) for t in texts]
    model = shipped_model() if stage_model is None else (stage_model or None)
    if model is not None and found:
        add_model_cues(model, senders, found)
    cues: list[MessageCues] = [qualify_cues(lower, rule) for lower, rule in found]
    result = assign_stages(senders, cues, per_message)
    risk = assess(senders, cues, result)
    return Analysis(
        conversation=conversation,
        stages=result.stages,
        why=result.why,
        indicators=indicators,
        risk=risk,
        is_sextortion=result.is_sextortion,
        offender=result.offender,
    )


def add_model_cues(
    model: StageModel, senders: Sequence[str], found: list[tuple[str, dict[str, Cue]]]
) -> None:
    """Add the stage model's cue to each message where the lexicon saw no cue of that stage."""
    features = conversation_features(senders, found)
    probabilities = model.probabilities(features)
    for s, stage in enumerate(model.stages):
        threshold = model.thresholds.get(stage, 1.0)
        for j in (probabilities[:, s] >= threshold).nonzero()[0]:
            rule = found[j][1]
            if stage not in rule:
                words = ", ".join(f"\u2018{w}\u2019" for w in model.strongest(features[j], stage))
                rule[stage] = Cue(stage, "model", f"{words} (p {probabilities[j, s]:.2f})")
