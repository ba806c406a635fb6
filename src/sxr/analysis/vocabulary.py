"""The analysis's words, in one place: the kinds of indicator and the stages of an extortion.

Every other part of sxr (review, victim and staff pages, report facts, the PDF, STIX) reads these tables,
so a new kind or stage is added here once (see SCHEMA.md in the labelled conversations for the normal
forms). A pure module: no web, no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Family(StrEnum):
    """What an indicator is to a reader: a way to reach the offender, or where the money went."""

    CONTACT = "contact"  # a phone number or e-mail address
    HANDLE = "handle"  # a name or profile on a platform
    ACCOUNT = "account"  # where money is sent: a cashtag, a PayPal.me name, a bank account
    WALLET = "wallet"  # a cryptocurrency address
    TRANSFER = "transfer"  # a code the payer hands over: a gift card, an MTCN, a MoneyGram reference
    AMOUNT = "amount"  # a sum demanded or paid


# STIX 2.1 observables an indicator becomes (the payment account is sxr's own, see reports/stix.py).
StixObservable = Literal["email-addr", "user-account"]


@dataclass(frozen=True, slots=True)
class IndicatorKind:
    """One kind of indicator: its name (as in SCHEMA.md), its words for people, its family and its
    STIX mapping."""

    name: str
    label: str  # plain words for victims and staff: "Snapchat name"
    report_label: str  # the term a police officer searches for: "Snapchat username"
    family: Family
    stix_observable: StixObservable | None = None
    stix_account_type: str | None = None  # a user-account's account_type ("snapchat")
    profile_url: str | None = None  # the public profile, "{}" standing for the value
    numeric_profile_url: str | None = None  # the profile when the value is a numeric id (Facebook)

    @property
    def is_money(self) -> bool:
        """A payment method, a place money is sent, or a sum."""
        return self.family in (Family.ACCOUNT, Family.WALLET, Family.TRANSFER, Family.AMOUNT)

    @property
    def is_payment_method(self) -> bool:
        """How money was to reach the offender (a method with its reference), not the sum itself."""
        return self.family in (Family.ACCOUNT, Family.WALLET, Family.TRANSFER)

    @property
    def is_payment_details(self) -> bool:
        """Where to send money: given by the offender, it makes a message a demand."""
        return self.family in (Family.ACCOUNT, Family.WALLET)

    @property
    def is_payment_code(self) -> bool:
        """A code the payer hands over: given by the victim after a demand, it is a payment."""
        return self.family is Family.TRANSFER

    def profile_link(self, value: str) -> str | None:
        """The public profile of `value`, where the platform has one."""
        if self.numeric_profile_url is not None and value.isdigit():
            return self.numeric_profile_url.format(value)
        return None if self.profile_url is None else self.profile_url.format(value)

    def display(self, value: str) -> str:
        """`value` as a person reads it: a sum as "£500", anything else as found."""
        return money_text(value) if self.family is Family.AMOUNT else value


_K = IndicatorKind
_BUILT_IN = (
    _K("phone", "Phone number", "Phone number", Family.CONTACT, "user-account", "phone"),
    _K("email", "Email address", "E-mail address", Family.CONTACT, "email-addr"),
    _K(
        "facebook_profile",
        "Facebook profile",
        "Facebook profile",
        Family.HANDLE,
        "user-account",
        "facebook",
        "https://www.facebook.com/{}",
        "https://www.facebook.com/profile.php?id={}",
    ),
    _K(
        "instagram_username",
        "Instagram name",
        "Instagram username",
        Family.HANDLE,
        "user-account",
        "instagram",
        "https://www.instagram.com/{}",
    ),
    _K("snapchat_username", "Snapchat name", "Snapchat username", Family.HANDLE, "user-account", "snapchat"),
    _K(
        "tiktok_username",
        "TikTok name",
        "TikTok username",
        Family.HANDLE,
        "user-account",
        "tiktok",
        "https://www.tiktok.com/@{}",
    ),
    _K(
        "x_username", "X (Twitter) name", "X username", Family.HANDLE, "user-account", "x", "https://x.com/{}"
    ),
    _K(
        "telegram_username",
        "Telegram name",
        "Telegram username",
        Family.HANDLE,
        "user-account",
        "telegram",
        "https://t.me/{}",
    ),
    _K("kik_username", "Kik name", "Kik username", Family.HANDLE, "user-account", "kik"),
    _K("discord_username", "Discord name", "Discord username", Family.HANDLE, "user-account", "discord"),
    _K("skype_id", "Skype name", "Skype ID", Family.HANDLE, "user-account", "skype"),
    _K("cashapp_cashtag", "Cash App name", "Cash App $cashtag", Family.ACCOUNT),
    _K("paypal_me", "PayPal link", "PayPal.me name", Family.ACCOUNT, profile_url="https://paypal.me/{}"),
    _K("btc_address", "Bitcoin address", "Bitcoin address", Family.WALLET),
    _K("eth_address", "Ethereum address", "Ethereum address", Family.WALLET),
    _K("tron_address", "TRON (USDT) address", "Tron address", Family.WALLET),
    _K("iban", "Bank account (IBAN)", "IBAN", Family.ACCOUNT),
    _K("uk_bank_account", "Sort code and account number", "UK bank account", Family.ACCOUNT),
    _K("wu_mtcn", "Western Union number (MTCN)", "Western Union MTCN", Family.TRANSFER),
    _K("moneygram_reference", "MoneyGram reference", "MoneyGram reference", Family.TRANSFER),
    _K("gift_card", "Gift card code", "Gift card", Family.TRANSFER),
    _K("amount", "Money asked for or paid", "Amount", Family.AMOUNT),
)
del _K

# The table. Kept private so that adding a kind goes through `register` (which refuses a clash).
_KINDS: dict[str, IndicatorKind] = {kind.name: kind for kind in _BUILT_IN}


def register(kind: IndicatorKind) -> IndicatorKind:
    """Add a kind of indicator (for a deployment's own kinds); a name already taken is refused."""
    if kind.name in _KINDS:
        raise ValueError(f"{kind.name!r} is already a kind of indicator")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind added with `register` (the built-in kinds stay)."""
    if any(kind.name == name for kind in _BUILT_IN):
        raise ValueError(f"{name!r} is a built-in kind of indicator")
    _KINDS.pop(name, None)


def indicator_kind(name: str) -> IndicatorKind | None:
    """The kind called `name`, or None when there is no such kind."""
    return _KINDS.get(name)


def indicator_kinds() -> Iterator[IndicatorKind]:
    """Every kind of indicator, in the table's order."""
    return iter(list(_KINDS.values()))


def kind_label(name: str) -> str:
    """Plain words for a kind (the name itself for a kind the table does not know)."""
    kind = _KINDS.get(name)
    return name if kind is None else kind.label


def kind_report_label(name: str) -> str:
    """A report's term for a kind (the name itself for a kind the table does not know)."""
    kind = _KINDS.get(name)
    return name if kind is None else kind.report_label


def payment_details(names: set[str]) -> set[str]:
    """Those of `names` that say where to send money (accounts and wallets)."""
    return {n for n in names if (kind := _KINDS.get(n)) is not None and kind.is_payment_details}


def payment_codes(names: set[str]) -> set[str]:
    """Those of `names` that are codes a payer hands over (gift cards, transfer references)."""
    return {n for n in names if (kind := _KINDS.get(n)) is not None and kind.is_payment_code}


def is_payment_method(name: str) -> bool:
    """Whether indicators of kind `name` say how money was to reach the offender."""
    kind = _KINDS.get(name)
    return kind is not None and kind.is_payment_method


# --- money -------------------------------------------------------------------------------------------

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "NGN": "₦", "INR": "₹", "PHP": "₱", "GHS": "GH₵"}


def money_text(value: str) -> str:
    """An amount's normal form (`GBP:500`) as people write it (`£500`); other currencies as `CAD 500`."""
    if ":" not in value:
        return value
    currency, number = value.split(":", 1)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


# --- stages ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of an extortion (SCHEMA.md): its name, its words for people, its place in the order."""

    name: str
    label: str
    order: int
    meaning: str
    # Whether the lexicon (lexicon/stages.yaml) holds cues for it; escalation is worked out from demands.
    cued: bool = True
    # Whether the shipped stage model proposes cues for it (learned.py; the model file lists the same).
    learned: bool = False
    # Safety-critical: it brings crisis support into the report, whoever wrote it.
    safety: bool = False
    # How far along an extortion it is (risk.py: the score is the furthest stage reached).
    risk_score: int = 0
    # What the risk's reasons say when a sextortion reached it.
    risk_reason: str | None = None


_S = Stage
STAGES = (
    _S("contact", "contact", 0, "first approach by a stranger", learned=True, risk_score=5),
    _S("flattery", "flattery", 1, "compliments or romance used to build trust", learned=True, risk_score=10),
    _S(
        "platform_move",
        "move to another app",
        2,
        "asks to continue on another app",
        learned=True,
        risk_score=25,
        risk_reason="asked to move to another app",
    ),
    _S(
        "image_request",
        "asked for images",
        3,
        "asks for intimate photos or video",
        learned=True,
        risk_score=40,
        risk_reason="asked for intimate photos or a video call",
    ),
    _S(
        "threat",
        "threat",
        4,
        "threatens to share images or video",
        learned=True,
        risk_score=75,
        risk_reason="threatened to share images",
    ),
    _S(
        "demand",
        "demand",
        5,
        "asks for money or anything of value",
        learned=True,
        risk_score=85,
        risk_reason="demanded money or gift cards",
    ),
    _S(
        "payment",
        "payment",
        6,
        "a payment is made or confirmed",
        risk_score=90,
        risk_reason="a payment was made: offenders who are paid usually ask again",
    ),
    _S(
        "escalation",
        "escalation",
        7,
        "a new or higher demand after a payment or deadline",
        cued=False,
        risk_score=95,
        risk_reason="asked for more after a payment or a deadline",
    ),
    _S("self_harm", "self-harm mentioned", 8, "the victim speaks of suicide or self-harm", safety=True),
)
del _S
STAGE_NAMES = tuple(stage.name for stage in STAGES)
_STAGES = {stage.name: stage for stage in STAGES}


def stage(name: str) -> Stage | None:
    """The stage called `name`, or None."""
    return _STAGES.get(name)


def stage_label(name: str) -> str:
    """Plain words for a stage (the name itself for one the table does not know)."""
    found = _STAGES.get(name)
    return name if found is None else found.label


def in_stage_order(names: list[str]) -> list[str]:
    """The known stages among `names`, each once, in the order of an extortion."""
    return [s.name for s in STAGES if s.name in names]
