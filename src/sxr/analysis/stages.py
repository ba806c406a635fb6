"""Stages of an extortion, per message, from the lexicon's cues and the shape of the conversation.

Cues are found message by message (`message_cues`); `assign_stages` then decides who, if anyone, is
extorting whom and keeps only the cues that fit SCHEMA.md's conventions (grooming stages come from the
stranger, payments after a demand, escalation after a payment, and a benign chat carries only self_harm).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from sxr.analysis import lexicon, vocabulary
from sxr.analysis.fastre import Prefilter, compile_fast, token_starts

STAGES = vocabulary.STAGE_NAMES
_CUE_STAGES = tuple(stage.name for stage in vocabulary.STAGES if stage.cued)


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexicon rule that fired: the stage, the rule's id and the words it matched."""

    stage: str
    rule: str
    words: str

    def why(self) -> str:
        return f"{self.stage}/{self.rule}: \u201c{self.words}\u201d"


@dataclass(frozen=True, slots=True)
class _Lexicon:
    stages: dict[str, tuple[Prefilter, re.Pattern[str]]]
    escalation_more: re.Pattern[str]
    escalation_remainder: re.Pattern[str]
    missed_deadline: re.Pattern[str]
    joke: re.Pattern[str]
    reported: re.Pattern[str]
    stranger_reply: re.Pattern[str]
    not_image_request: re.Pattern[str]
    exposure: re.Pattern[str]
    distress: re.Pattern[str]
    money: re.Pattern[str]
    strong_image: re.Pattern[str]
    leaving: re.Pattern[str]


@cache
def _lexicon() -> _Lexicon:
    data = lexicon.load("stages")
    stages = {}
    for stage in _CUE_STAGES:
        rules: dict[str, str] = data[stage]
        combined = "|".join(f"(?P<{rule}>{pattern})" for rule, pattern in rules.items())
        stages[stage] = (Prefilter(combined), compile_fast(combined))
    return _Lexicon(
        stages=stages,
        escalation_more=compile_fast(data["escalation"]["more"]),
        escalation_remainder=compile_fast(data["escalation"]["remainder"]),
        missed_deadline=compile_fast(data["escalation"]["missed_deadline"]),
        joke=compile_fast(data["joke"]),
        reported=compile_fast(data["reported"]),
        stranger_reply=compile_fast(data["stranger_reply"]),
        not_image_request=compile_fast(data["not_image_request"]),
        exposure=compile_fast(data["exposure"]),
        distress=compile_fast(data["victim_distress"]),
        money=compile_fast("|".join(data["demand"][r] for r in ("pay", "amount", "method"))),
        strong_image=compile_fast(
            "|".join(f"(?P<{r}>{data['image_request'][r]})" for r in STRONG_IMAGE_RULES)
        ),
        leaving=compile_fast(data["platform_move"]["leave_here"]),
    )


@dataclass(slots=True)
class MessageCues:
    """Every cue found in one message, plus the flags that qualify them."""

    cues: dict[str, Cue] = field(default_factory=dict)
    joke: bool = False
    reported: bool = False
    stranger_reply: bool = False
    more: str | None = None
    remainder: bool = False
    missed_deadline: bool = False
    already: bool = False
    exposure: bool = False
    distress: bool = False
    money: bool = False
    strong_image: Cue | None = None  # a strong image request anywhere in the message, not only the first
    leaving: bool = False  # "I hardly use this app": moving away from where the chat is
    conditional: bool = False  # "or", "unless", "if": the threat is a condition
    debt: bool = False  # money asked back for a shared cost or a loan, not demanded
    business: bool = False  # work or a sale: a logo, a quote, "is it still available"
    laugh: bool = False  # "lol", "haha", 😂: the tone of friends
    threat_like: bool = False  # says something that reads as a threat (meant or not)
    numbers: tuple[float, ...] = ()  # every number written in a demand, with or without a currency

    def has(self, stage: str, *rules: str) -> bool:
        cue = self.cues.get(stage)
        return cue is not None and (not rules or cue.rule in rules)


def message_cues(lower: str) -> MessageCues:
    """The cues in one message's normalised, lower-case text."""
    return qualify_cues(*rule_cues(lower))


def rule_cues(lower: str) -> tuple[str, dict[str, Cue]]:
    """The lexicon's cues in one message (and its text with stretched words shortened)."""
    cues: dict[str, Cue] = {}
    if not lower.strip():
        return lower, cues
    # "sooo cuuute" -> "so cute": stretched words are how people type, not new words.
    if _STRETCHED_HINT.search(lower):
        lower = _STRETCHED.sub(r"\1", lower)
    # "ive saved it", "im posting": the apostrophe people leave out.
    if "ive " in lower or "im " in lower:
        lower = _CONTRACTED.sub(lambda m: _CONTRACTIONS[m.group(0)], lower)
    starts = token_starts(lower)
    for stage, (prefilter, pattern) in _lexicon().stages.items():
        if not prefilter.may_match(starts):
            continue
        m = pattern.search(lower)
        if m is not None and m.lastgroup is not None:
            cues[stage] = Cue(stage, m.lastgroup, m.group(0).strip())
    return lower, cues


def qualify_cues(lower: str, cues: dict[str, Cue]) -> MessageCues:
    """A message's cues (the lexicon's, and any the stage model proposed) with the flags that qualify them."""
    lex = _lexicon()
    out = MessageCues(cues=cues)
    if not lower.strip():
        return out
    if "image_request" in cues and lex.not_image_request.search(lower):
        del cues["image_request"]
    if "image_request" in cues:
        strong = lex.strong_image.search(lower)
        if strong is not None and strong.lastgroup is not None:
            out.strong_image = Cue("image_request", strong.lastgroup, strong.group(0).strip())
    if "platform_move" in cues:
        out.leaving = lex.leaving.search(lower) is not None
    if "threat" in cues or "self_harm" in cues or "demand" in cues:
        out.joke = lex.joke.search(lower) is not None
        out.reported = lex.reported.search(lower) is not None
    if "threat" in cues:
        out.exposure = lex.exposure.search(lower) is not None
        out.conditional = _CONDITIONAL.search(lower) is not None
    out.stranger_reply = (
        "?" in lower or "think so" in lower or "who" in lower
    ) and lex.stranger_reply.search(lower) is not None
    if "demand" in cues:
        more = lex.escalation_more.search(lower)
        out.more = more.group(0) if more else None
        out.remainder = lex.escalation_remainder.search(lower) is not None
        out.missed_deadline = lex.missed_deadline.search(lower) is not None
        out.numbers = tuple(float(n.replace(",", "")) for n in _NUMBER.findall(lower))
    out.already = "already" in lower
    out.laugh = any(w in lower for w in _LAUGHS)
    out.business = _BUSINESS.search(lower) is not None
    out.threat_like = "threat" in cues and not out.reported
    out.distress = lex.distress.search(lower) is not None
    out.money = "demand" in out.cues and lex.money.search(lower) is not None
    if out.money and _DEBT.search(lower):  # "pay me back the £20": a debt between friends
        out.money, out.debt = False, True
    return out


_CONTRACTED = re.compile(r"\b(?:ive|im)\b")
_CONTRACTIONS = {"ive": "i've", "im": "i'm"}
_CONDITIONAL = re.compile(r"\b(?:or|unless|if|otherwise|else)\b")
_DEBT = re.compile(
    r"\bpay (?:me |u |you )?back\b|\bfor the (?:\w+ )?(?:pizza|tickets?|taxi|uber|cab|gas|petrol|rent|bills?|"
    r"food|drinks|cinema|concert|dinner|lunch|groceries|utilities|takeaway)\b|\bsplit (?:it|the)\b"
)
_BUSINESS = compile_fast(
    r"\b(?:logo|invoice|quote|project|deposit|delivery|collection|listing|booking|freelanc\w*|upwork|fiverr|"
    r"commission|my rate|rate is|rate card|collab|sponsor\w*|brand deal|still available|for sale|brief|"
    r"contract|portfolio|marketplace)\b"
)
_LAUGHS = ("lol", "haha", "lmao", "lmfao", "jk", "\U0001f602", "\U0001f923", "\U0001f61c", "\U0001f480")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w.])")
_STRETCHED_HINT = re.compile(r"([a-z])\1\1")
_STRETCHED = re.compile(r"([a-z])\1{2,}")

# Threat rules that only say what the sender holds ("I saved it", "I have your followers").
POSSESSION_RULES = ("recorded", "have_images", "have_your_people", "list_shown")
# Rules whose image cue is strong enough to warn whoever sends it; the rest warn only from a stranger.
STRONG_IMAGE_RULES = ("cam_broken", "you_first", "private", "no_one_sees")
_NEW_IMAGES = re.compile(r"\b(?:more|another|new|again|\d+)\b")


@dataclass(slots=True)
class StageResult:
    """Stages per message with their reasons, who the offender is, and whether this is sextortion."""

    stages: list[list[str]]
    why: list[dict[str, str]]
    is_sextortion: bool
    offender: str | None
    first_threat_i: int | None


def _threatening(c: MessageCues) -> bool:
    """A threat cue that is not reported speech (a joke is judged by what follows: a money demand)."""
    return "threat" in c.cues and not c.reported


def _inferred_threat(senders: Sequence[str], cues: Sequence[MessageCues]) -> tuple[str, int] | None:
    """A threat the lexicon missed: after asking for images, a message the other person pleads at,
    followed by a money demand from the same sender."""
    n = len(senders)
    asked: set[str] = set()
    for j in range(n):
        sender = senders[j]
        if "image_request" in cues[j].cues:
            asked.add(sender)
            continue
        if sender not in asked:
            continue
        pleads = any(senders[k] != sender and cues[k].distress for k in range(j + 1, min(n, j + 3)))
        pays = any(senders[k] == sender and cues[k].money for k in range(j, min(n, j + 8)))
        if pleads and pays:
            return sender, j
    return None


def _within(sorted_positions: Sequence[int], low: int, high: int) -> bool:
    """Whether any of the sorted positions lies in [low, high]."""
    at = bisect_left(sorted_positions, low)
    return at < len(sorted_positions) and sorted_positions[at] <= high


_NEAR = 10  # messages between a threat and the demand (or another threat) that makes it extortion


def find_offender(senders: Sequence[str], cues: Sequence[MessageCues]) -> tuple[str | None, bool]:
    """The participant who threatens and demands, and whether the conversation is sextortion.

    A threat counts when it is about the victim's images or people (or follows a request for images)
    and is not all in jest; it must be backed nearby: money asked for in the same or the next few
    messages, a second threat, or the other person pleading straight after.
    """
    n = len(senders)
    best: tuple[int, str] | None = None
    for sender in dict.fromkeys(senders):
        mine = [j for j in range(n) if senders[j] == sender]
        asked = [j for j in mine if "image_request" in cues[j].cues]  # sorted, as are the lists below
        # "I saved it" alone counts from someone who asked for pictures, with money, or in the
        # chat's opening (a stranger's first words); between people who already talk it is not a threat.
        threats = [
            j
            for j in mine
            if _threatening(cues[j])
            and (cues[j].exposure or _within(asked, j - 3 * _NEAR, j - 1))
            and (
                not cues[j].has("threat", *POSSESSION_RULES)
                or cues[j].money
                or j < 3
                or _within(asked, j - 3 * _NEAR, j - 1)
            )
        ]
        if not threats:
            continue
        money = [j for j in mine if cues[j].money and j >= threats[0]]
        backed = 0
        for ti, t in enumerate(threats):
            paid_for = _within(money, t, t + _NEAR)
            repeated = (ti > 0 and t - threats[ti - 1] <= 2 * _NEAR) or (
                ti + 1 < len(threats) and threats[ti + 1] - t <= 2 * _NEAR
            )
            pleaded = any(senders[k] != sender and cues[k].distress for k in range(t + 1, min(n, t + 3)))
            more_images = _within(asked, t, t + _NEAR)
            # "send 3 more or I post it": images demanded under the threat, in the same breath
            # or "something more for me?" - "no" - "you will, or I tag your friends list in this one"
            images_now = (
                ("image_request" in cues[t].cues or _within(asked, t - 3, t - 1))
                and not cues[t].joke
                and cues[t].conditional
            )
            if paid_for or images_now or ((repeated or pleaded) and (money or more_images)):
                backed += 1
        # "lol i got u. $500 or i send it to ur job" after asking for pictures: laughing is no joke there.
        earnest = any(not cues[j].joke for j in threats + money) or any(
            cues[t].money and _within(asked, t - 3 * _NEAR, t - 1) for t in threats
        )
        if backed and earnest:
            score = 2 * len(threats) + len(money)
            if best is None or score > best[0]:
                best = (score, sender)
    return (best[1], True) if best else (None, False)


def _amounts(kinds_values: Sequence[tuple[str, str]]) -> list[float]:
    out = []
    for kind, value in kinds_values:
        if kind == "amount":
            try:
                out.append(float(value.split(":", 1)[1]))
            except ValueError:
                continue
    return out


@dataclass(slots=True)
class _Marks:
    """The stages of every message, each with the reason it was given."""

    stages: list[list[str]]
    why: list[dict[str, str]]

    def mark(self, j: int, stage: str, reason: str) -> None:
        if stage not in self.stages[j]:
            self.stages[j].append(stage)
            self.why[j][stage] = reason

    def result(self, is_sextortion: bool, offender: str | None, first_threat: int | None) -> StageResult:
        for names in self.stages:
            names.sort(key=STAGES.index)
        return StageResult(self.stages, self.why, is_sextortion, offender, first_threat)


def assign_stages(
    senders: Sequence[str],
    cues: Sequence[MessageCues],
    message_indicators: Sequence[Sequence[tuple[str, str]]],
) -> StageResult:
    """Stages of every message (see the module docstring)."""
    n = len(senders)
    marks = _Marks([[] for _ in range(n)], [{} for _ in range(n)])
    offender, is_sextortion = find_offender(senders, cues)
    if not is_sextortion:
        inferred = _inferred_threat(senders, cues)
        if inferred is not None:
            offender, at = inferred
            is_sextortion = True
            cues = list(cues)
            cues[at].cues["threat"] = Cue(
                "threat", "inferred", "the other person pleads right after this message"
            )
    for j, c in enumerate(cues):
        # Banter ("this homework is killing me lol") is not self-harm in an ordinary chat; under
        # extortion every such message counts, whatever the emoji.
        if (
            "self_harm" in c.cues
            and not c.reported
            and senders[j] != offender
            and (is_sextortion or not c.joke)
        ):
            marks.mark(j, "self_harm", c.cues["self_harm"].why())
    if not is_sextortion or offender is None:
        return marks.result(False, None, None)
    own = [j for j in range(n) if senders[j] == offender]
    first_threat = next(j for j in own if "threat" in cues[j].cues and not cues[j].reported)
    extortion = _Extortion(marks, first_threat, own[0])
    for j in range(n):
        kinds = {k for k, _v in message_indicators[j]}
        amounts = _amounts(message_indicators[j])
        if senders[j] == offender:
            extortion.offender_message(j, cues[j], kinds, amounts)
        else:
            extortion.victim_message(j, cues[j], kinds, amounts)
        if "payment" in marks.stages[j]:
            extortion.any_payment = True
    return marks.result(True, offender, first_threat)


@dataclass(slots=True)
class _Extortion:
    """Walks an extortion message by message: what was demanded, paid and left, to mark each message."""

    marks: _Marks
    first_threat: int
    first_own: int
    first_demand: int | None = None
    last_victim_payment: int | None = None
    any_payment: bool = False
    highest_offender_amount: float | None = None
    last_offender_amount: float | None = None  # the largest sum in the offender's latest demand
    last_victim_amount: float | None = None
    remainder: float | None = None  # what is left of the last demand after a part payment
    missed: bool = False  # the offender said a deadline passed

    def offender_message(self, j: int, c: MessageCues, kinds: set[str], amounts: list[float]) -> None:
        """Mark one of the offender's messages."""
        before_threat = j < self.first_threat
        self._grooming(j, c, before_threat)
        if not before_threat and "threat" in c.cues:
            self.marks.mark(j, "threat", c.cues["threat"].why())
        demand = None if before_threat else self._demand_reason(c, kinds)
        if demand:
            self.marks.mark(j, "demand", demand)
            if self.first_demand is None:
                self.first_demand = j
            self._escalation(j, c, amounts)
        if (
            c.has("payment", "received")
            and self.last_victim_payment is not None
            and j - self.last_victim_payment <= 3
            and not before_threat
        ):
            self.marks.mark(j, "payment", c.cues["payment"].why())
            self.last_victim_payment = None
        if amounts:
            self.highest_offender_amount = max([*amounts, self.highest_offender_amount or 0.0])
        if amounts and "demand" in self.marks.stages[j]:
            self.last_offender_amount = max(amounts)

    def _grooming(self, j: int, c: MessageCues, before_threat: bool) -> None:
        """Contact, flattery, a move to another app and requests for images."""
        mark = self.marks.mark
        if j == self.first_own and before_threat and "threat" not in c.cues:
            cue = c.cues.get("contact")
            mark(
                j,
                "contact",
                cue.why() if cue else "contact/first_message: the first message from a new contact",
            )
        if before_threat and "flattery" in c.cues:
            mark(j, "flattery", c.cues["flattery"].why())
        if "platform_move" in c.cues:
            mark(j, "platform_move", c.cues["platform_move"].why())
        if "image_request" in c.cues:
            # After the threat, only a request for new images counts ("send 3 more or I post"),
            # not "I'll send your pic to everyone".
            after_ok = (
                c.has("image_request", "send_pic", "private")
                and not c.money
                and _NEW_IMAGES.search(c.cues["image_request"].words) is not None
            )
            if before_threat or after_ok:
                mark(j, "image_request", c.cues["image_request"].why())

    def _demand_reason(self, c: MessageCues, kinds: set[str]) -> str | None:
        """Why a message after the threat is a demand, or None."""
        # Deadlines and "or I post" are demands once money was asked for; before that (or when
        # only more images are wanted) they are part of the threat.
        if "demand" in c.cues and (c.money or self.first_demand is not None):
            return c.cues["demand"].why()
        if details := vocabulary.payment_details(kinds):
            return "demand/payment_details: " + ", ".join(sorted(details))
        return None

    def _escalation(self, j: int, c: MessageCues, amounts: list[float]) -> None:
        """A demand after a payment or a missed deadline that asks for more is an escalation."""
        # The rest of a demand that was part paid ("i want the other $150") is not a new demand.
        remainder = self.remainder
        rest_of_demand = remainder is not None and any(
            abs(a - remainder) < 0.01 for a in (*amounts, *c.numbers)
        )
        # After a payment, or once a deadline has passed ("too late, now it's £800").
        self.missed = self.missed or c.missed_deadline
        if not (self.any_payment or self.missed) or c.remainder or rest_of_demand:
            return
        escalate = None
        highest = self.highest_offender_amount
        if c.more:
            escalate = f"escalation/more_after_payment: \u201c{c.more}\u201d"
        elif amounts and highest is not None and max(amounts) > highest:
            escalate = f"escalation/higher_amount: {max(amounts):g} after a payment"
        if escalate:
            self.marks.mark(j, "escalation", escalate)

    def victim_message(self, j: int, c: MessageCues, kinds: set[str], amounts: list[float]) -> None:
        """Mark one of the other person's messages: a payment after a demand."""
        if self.first_demand is not None and j > self.first_demand and not c.already:
            reason = None
            if c.has("payment", "sent"):
                reason = c.cues["payment"].why()
            elif codes := vocabulary.payment_codes(kinds):
                reason = "payment/code_given: " + ", ".join(sorted(codes))
            if reason:
                self.marks.mark(j, "payment", reason)
                self.last_victim_payment = j
                self.any_payment = True
                paid = max(amounts) if amounts else self.last_victim_amount
                owed = self.last_offender_amount
                self.remainder = (
                    owed - paid if paid is not None and owed is not None and paid < owed else None
                )
        if amounts:
            self.last_victim_amount = max(amounts)
