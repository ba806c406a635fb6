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
from sxr.analysis.vocabulary import STAGES

# How far along an extortion each stage is; the score is the furthest stage reached.
STAGE_SCORES = {s.name: s.risk_score for s in STAGES if s.risk_score}
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


@dataclass(slots=True)
class _Watch:
    """What a live warning knows after each message: who is new, who flattered, asked, laughed or teased."""

    strangers: set[str] = field(default_factory=set)
    flattered: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    laughs: dict[str, int] = field(default_factory=dict)
    business: bool = False  # the chat is about work or a sale: moving app or asking for photos is normal
    teased: set[str] = field(default_factory=set)  # who said threat-like things (banter goes both ways)

    def see(self, j: int, sender: str, c: MessageCues) -> str | None:
        """Take in message `j`; the reason to warn at it, or None."""
        self.counts[sender] = self.counts.get(sender, 0) + 1
        if "contact" in c.cues and self.counts[sender] <= _EARLY:
            self.strangers.add(sender)
        if c.stranger_reply and j <= 8:
            self.strangers.update(s for s in self.counts if s != sender)
        stranger = sender in self.strangers
        if "flattery" in c.cues:
            self.flattered.add(sender)
        threat = "threat" in c.cues and not c.reported and (c.exposure or stranger)
        if threat and self._meant(j, sender, c, stranger):
            return f"message {j}: a threat to share images ({c.cues['threat'].words!r})"
        self.business = self.business or c.business
        if c.laugh:
            self.laughs[sender] = self.laughs.get(sender, 0) + 1
        if c.threat_like:
            self.teased.add(sender)
        strong = self._strong_image(sender, c)
        if "image_request" in c.cues:
            self.asked.add(sender)
        if "image_request" in c.cues and (
            strong or (stranger and sender in self.flattered and not self.business)
        ):
            return f"message {j}: asks for photos or a video call ({c.cues['image_request'].words!r})"
        # A new contact moving the chat elsewhere is the police's warning sign, once they also flatter:
        # gamers and sellers move apps too.
        # "I hardly use this app, add my kik" from someone who flatters: the move itself is the sign.
        # Asking for the other person's number or handle is what old friends do too: not a sign alone.
        moves = "platform_move" in c.cues and (c.cues["platform_move"].rule != "ask_handle" or c.leaving)
        if moves and (stranger or c.leaving) and sender in self.flattered and not self.business:
            return (
                f"message {j}: a new contact asks to move to another app ({c.cues['platform_move'].words!r})"
            )
        return None

    def _meant(self, j: int, sender: str, c: MessageCues, stranger: bool) -> bool:
        """Whether a threat is meant, not banter."""
        # A joking money threat is meant from a stranger or from whoever asked for pictures.
        meant = not c.joke or stranger or (c.money and sender in self.asked)
        # Friends: the others laughed along or teased back earlier, and this sender never asked for
        # pictures. Among friends only a money threat in earnest warns; an offender's threat comes after
        # asking for pictures, or with money, or from a stranger, before any rapport.
        others = [s for s in self.counts if s != sender]
        rapport = not stranger and any(self.laughs.get(s, 0) >= 2 or s in self.teased for s in others)
        if rapport and sender not in self.asked and (c.joke or not c.money):
            meant = False
        # "I saved it" or "I have your followers" alone, between people who already talk, is not yet a
        # threat to share: it is one from a stranger, in the chat's opening, after asking for pictures,
        # or with money.
        if c.has("threat", *POSSESSION_RULES) and not (
            stranger or sender in self.asked or c.money or j < _EARLY or self.counts[sender] <= 1
        ):
            meant = False
        return meant

    def _strong_image(self, sender: str, c: MessageCues) -> bool:
        """A request for pictures strong enough to warn from anyone."""
        # A strong request ("u go first", "my cam is broken") warns from anyone; a plain "send a pic"
        # or "video call?" only from a new contact who has also flattered.
        # "u first" and "my cam is broken" are strong only about pictures or a call: in this message or
        # after the same sender asked for them ("camera's broken so I can't send pics" asks for nothing).
        # The first request's own rule, or a strong one later in the message from someone who flattered
        # ("send me a pic now, just for me"); a partner's "pic of you in bed?" is neither.
        cue = c.cues.get("image_request")
        if cue is not None and cue.rule not in STRONG_IMAGE_RULES and sender in self.flattered:
            cue = c.strong_image
        return (
            cue is not None
            and cue.rule in STRONG_IMAGE_RULES
            and (
                cue.rule not in ("you_first", "cam_broken")
                or sender in self.asked
                or (cue.rule == "you_first" and _IMAGE_WORDS.search(cue.words) is not None)
            )
        )


def first_warning(senders: Sequence[str], cues: Sequence[MessageCues]) -> tuple[int | None, str | None]:
    """The first message at which a live warning would be shown, and why (only earlier messages used)."""
    watch = _Watch()
    for j, (sender, c) in enumerate(zip(senders, cues, strict=True)):
        reason = watch.see(j, sender, c)
        if reason is not None:
            return j, reason
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
    score, reached = _furthest(result.stages)
    if result.is_sextortion:
        reasons.extend(
            f"message {reached[s.name]}: {s.risk_reason}"
            for s in STAGES
            if s.risk_reason and s.name in reached
        )
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


def _furthest(stages: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The score of the furthest stage reached, and the first message of each stage."""
    score = 0
    reached: dict[str, int] = {}
    for j, names in enumerate(stages):
        for name in names:
            reached.setdefault(name, j)
            score = max(score, STAGE_SCORES.get(name, 0))
    return score, reached
