"""`analyze`: normalise, find indicators, stages and risk of one conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sxr.analysis.indicators import Indicator, extract_indicators
from sxr.analysis.normalize import NormalizedText, normalize
from sxr.analysis.risk import Risk, assess
from sxr.analysis.stages import MessageCues, assign_stages, message_cues
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


def analyze(conversation: Conversation, *, phone_region: str = "GB") -> Analysis:
    """Analyse a conversation; `phone_region` is the region for numbers written without a country code."""
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
    cues: list[MessageCues] = [message_cues(t.text.lower()) for t in texts]
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
