"""Risk of a conversation in progress: a score, a level, reasons, and the first message to warn at.

The warning is decided message by message, using only what came before (as it would be shown live):
the aim is to warn at the platform move or the image request, before any threat, and to stay quiet
on ordinary chats between people who know each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sxr.analysis.stages import POSSESSION_RULES, STRONG_IMAGE_RULES, MessageCues, StageResult

# How far along an extortion each stage is; the score is the furthest stage reached.
STAGE_SCORES = {
    "contact": 5,
    "flattery": 10,
    "platform_move": 25,
    "image_request": 40,
    "threat": 75,
    "demand": 85,
    "payment": 90,
    "escalation": 95,
}
LEVELS = ((75, "high"), (40, "medium"), (1, "low"), (0, "none"))
_EARLY = 3
_IMAGE_WORDS = re.compile(
    r"\b(?:pics?|photos?|pictures?|selfie|nudes?|video|vid|cam|mine|one)\b"
)  # contact cues count only in a sender's first few messages


@dataclass(slots=True)
class Risk:
    """A conversation's risk: score 0..100, level, first message to warn at, and why."""

    score: int
    level: str
    first_warning_i: int | None
    reasons: list[str] = field(default_factory=list)
    crisis_support_first: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "level": self.level,
            "first_warning_i": self.first_warning_i,
            "reasons": list(self.reasons),
            "crisis_support_first": self.crisis_support_first,
        }


def first_warning(senders: Sequence[str], cues: Sequence[MessageCues]) -> tuple[int | None, str | None]:
    """The first message at which a live warning would be shown, and why (only earlier messages used)."""
    strangers: set[str] = set()
    flattered: set[str] = set()
    asked: set[str] = set()
    counts: dict[str, int] = {}
    laughs: dict[str, int] = {}
    business = False  # the chat is about work or a sale: moving app or asking for photos is normal there
    teased: set[str] = set()  # who has said threat-like things themselves (banter goes both ways)
    for j, (sender, c) in enumerate(zip(senders, cues, strict=True)):
        counts[sender] = counts.get(sender, 0) + 1
        if "contact" in c.cues and counts[sender] <= _EARLY:
            strangers.add(sender)
        if c.stranger_reply and j <= 8:
            strangers.update(s for s in counts if s != sender)
        stranger = sender in strangers
        if "flattery" in c.cues:
            flattered.add(sender)
        # A joking money threat is meant from a stranger or from whoever asked for pictures.
        meant = not c.joke or stranger or (c.money and sender in asked)
        # Friends: the others laughed along or teased back earlier, and this sender never asked for
        # pictures. Among friends only a money threat in earnest warns; an offender's threat comes after
        # asking for pictures, or with money, or from a stranger, before any rapport.
        others = [s for s in counts if s != sender]
        rapport = not stranger and any(laughs.get(s, 0) >= 2 or s in teased for s in others)
        if rapport and sender not in asked and (c.joke or not c.money):
            meant = False
        # "I saved it" or "I have your followers" alone, between people who already talk, is not yet a
        # threat to share: it is one from a stranger, in the chat's opening, after asking for pictures,
        # or with money.
        if c.has("threat", *POSSESSION_RULES) and not (
            stranger or sender in asked or c.money or j < _EARLY or counts[sender] <= 1
        ):
            meant = False
        if "threat" in c.cues and not c.reported and (c.exposure or stranger) and meant:
            return j, f"message {j}: a threat to share images ({c.cues['threat'].words!r})"
        business = business or c.business
        if c.laugh:
            laughs[sender] = laughs.get(sender, 0) + 1
        if c.threat_like:
            teased.add(sender)
        # A strong request ("u go first", "my cam is broken") warns from anyone; a plain "send a pic"
        # or "video call?" only from a new contact who has also flattered.
        # "u first" and "my cam is broken" are strong only about pictures or a call: in this message or
        # after the same sender asked for them ("camera's broken so I can't send pics" asks for nothing).
        # The first request's own rule, or a strong one later in the message from someone who flattered
        # ("send me a pic now, just for me"); a partner's "pic of you in bed?" is neither.
        cue = c.cues.get("image_request")
        if cue is not None and cue.rule not in STRONG_IMAGE_RULES and sender in flattered:
            cue = c.strong_image
        strong = (
            cue is not None
            and cue.rule in STRONG_IMAGE_RULES
            and (
                cue.rule not in ("you_first", "cam_broken")
                or sender in asked
                or (cue.rule == "you_first" and _IMAGE_WORDS.search(cue.words) is not None)
            )
        )
        if "image_request" in c.cues:
            asked.add(sender)
        if "image_request" in c.cues and (strong or (stranger and sender in flattered and not business)):
            return j, f"message {j}: asks for photos or a video call ({c.cues['image_request'].words!r})"
        # A new contact moving the chat elsewhere is the police's warning sign, once they also flatter:
        # gamers and sellers move apps too.
        # "I hardly use this app, add my kik" from someone who flatters: the move itself is the sign.
        # Asking for the other person's number or handle is what old friends do too: not a sign alone.
        moves = "platform_move" in c.cues and (c.cues["platform_move"].rule != "ask_handle" or c.leaving)
        if moves and (stranger or c.leaving) and sender in flattered and not business:
            return (
                j,
                f"message {j}: a new contact asks to move to another app ({c.cues['platform_move'].words!r})",
            )
    return None, None


def assess(senders: Sequence[str], cues: Sequence[MessageCues], result: StageResult) -> Risk:
    """The conversation's risk after its last message."""
    warn_i, warn_reason = first_warning(senders, cues)
    reasons: list[str] = []
    crisis = False
    harm = [j for j, s in enumerate(result.stages) if "self_harm" in s]
    if harm:
        crisis = True
        reasons.append(
            f"message {harm[0]}: speaks of ending their life or self-harm. Show crisis support first."
        )
    score = 0
    reached: dict[str, int] = {}
    for j, stages in enumerate(result.stages):
        for stage in stages:
            reached.setdefault(stage, j)
            score = max(score, STAGE_SCORES.get(stage, 0))
    if result.is_sextortion:
        for stage, text in (
            ("platform_move", "asked to move to another app"),
            ("image_request", "asked for intimate photos or a video call"),
            ("threat", "threatened to share images"),
            ("demand", "demanded money or gift cards"),
            ("payment", "a payment was made: offenders who are paid usually ask again"),
            ("escalation", "asked for more after a payment or a deadline"),
        ):
            if stage in reached:
                reasons.append(f"message {reached[stage]}: {text}")
        if "payment" in reached:
            score = max(score, STAGE_SCORES["payment"])
    elif warn_i is not None and warn_reason:
        score = max(score, 40)
        reasons.append(warn_reason)
    if crisis:
        score = 100
    level = next(name for floor, name in LEVELS if score >= floor)
    if crisis:
        level = "crisis"
    if warn_i is None and result.is_sextortion and result.first_threat_i is not None:
        warn_i = result.first_threat_i
    elif result.is_sextortion and warn_reason and warn_i is not None:
        reasons.insert(1 if crisis else 0, f"first warning at {warn_reason}")
    return Risk(
        score=score, level=level, first_warning_i=warn_i, reasons=reasons, crisis_support_first=crisis
    )
