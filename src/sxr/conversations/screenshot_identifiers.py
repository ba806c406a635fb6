"""Identifiers read off a screenshot, checked against their own form: doubts are shown, never 'corrected'.

OCR confuses a few characters (l, I and 1; O and 0; rn and m; g and q; S and 5). Inside ordinary words that
rarely matters; inside an e-mail address, a web address, a handle, a wallet or an IBAN one character is
the difference between the right person and a stranger. For each such token this module tries the
look-alike readings and checks them against the kind's own rules (the wallets' and IBANs' checksums, the
web and mail domains everyone knows): where another reading fits better, or where the recogniser was
unsure, the message gets a note saying what else it may be. The text read stays as read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from sxr.checksums import (
    is_valid_btc_address,
    is_valid_eth_address,
    is_valid_iban,
    is_valid_tron_address,
)

# What the recogniser mixes up, each way round.
LOOK_ALIKES: dict[str, tuple[str, ...]] = {
    "l": ("I", "1"),
    "I": ("l", "1"),
    "1": ("l", "I"),
    "O": ("0",),
    "0": ("O", "o"),
    "o": ("0",),
    "q": ("g",),
    "g": ("q",),
    "S": ("5",),
    "5": ("S",),
    "rn": ("m",),
    "m": ("rn",),
}
# Domains people write in chats; a read domain one look-alike away from one of these is a doubt.
KNOWN_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com",
        "live.co.uk",
        "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
        "gmx.com", "mail.com", "example.com", "example.org", "example.net", "google.com", "facebook.com",
        "instagram.com", "snapchat.com", "tiktok.com", "telegram.org", "t.me", "wa.me", "whatsapp.com",
        "discord.com", "discord.gg", "paypal.com", "paypal.me", "cash.app", "venmo.com", "revolut.me",
        "monzo.me", "x.com", "twitter.com", "youtube.com", "apple.com", "microsoft.com", "amazon.com",
        "amazon.co.uk", "bit.ly", "onlyfans.com",
    }
)  # fmt: skip
MAX_READINGS = 256

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")
_WEB = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?:/\S*)?")
_WALLET = re.compile(
    r"\b(?:0x[0-9A-Za-z]{40}|T[0-9A-Za-z]{33}|[13][0-9A-Za-z]{25,34}|bc1[0-9A-Za-z]{6,87})\b"
)
_IBAN = re.compile(r"\b[A-Z]{2}[0-9O]{2}[A-Z0-9lo]{10,30}\b")
_CASHTAG_AS_S = re.compile(
    r"\b[Cc][Aa][Ss][Hh]\s?[Aa][Pp][Pp]\b\W{0,3}(?:\w+\s){0,2}?(?P<token>S[A-Z][A-Za-z0-9_]{1,20})\b"
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}|\b[A-Za-z]+[._][A-Za-z0-9_.]*\d\w*\b")


def readings(token: str) -> Iterator[str]:
    """The token as read, then every other way its look-alike characters could be read (up to a limit)."""
    spots: list[tuple[int, int, tuple[str, ...]]] = []
    index = 0
    while index < len(token):
        if token.startswith("rn", index):
            spots.append((index, 2, ("rn", "m")))
            index += 2
            continue
        char = token[index]
        if char in LOOK_ALIKES:
            spots.append((index, 1, (char, *LOOK_ALIKES[char])))
        index += 1
    yield token
    count = 0
    for choice in itertools.product(*(options for _, _, options in spots)):
        out, last = [], 0
        for (start, length, _), pick in zip(spots, choice, strict=True):
            out.append(token[last:start] + pick)
            last = start + length
        candidate = "".join(out) + token[last:]
        if candidate != token:
            count += 1
            if count > MAX_READINGS:
                return
            yield candidate


def _domain_known(host: str) -> bool:
    host = host.lower()
    return any(host == domain or host.endswith("." + domain) for domain in KNOWN_DOMAINS)


def _host(token: str) -> str:
    token = re.sub(r"^https?://", "", token, flags=re.IGNORECASE)
    return token.split("@")[-1].split("/")[0]


def _better(token: str, fits: Callable[[str], bool]) -> list[str]:
    """Other readings of the token that fit the rule when the token as read does not."""
    if fits(token):
        return []
    found = [candidate for candidate in itertools.islice(readings(token), 1, None) if fits(candidate)]
    if not found:
        return []
    # The fewest characters changed: one misread letter is likelier than two.
    fewest = min(_changes(token, candidate) for candidate in found)
    return list(dict.fromkeys(c for c in found if _changes(token, c) == fewest))[:3]


def _changes(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


def _domain_fits(token: str) -> bool:
    return _domain_known(_host(token))


def _wallet_fits(token: str) -> bool:
    return is_valid_eth_address(token) or is_valid_btc_address(token) or is_valid_tron_address(token)


def doubts(text: str, confidence: float | None) -> list[str]:
    """Plain notes on the identifiers in one machine-read message that may have been misread."""
    found = _Doubts()
    _address_doubts(text, found)
    _payment_doubts(text, found)
    if confidence is not None and confidence < 0.85:
        _handle_doubts(text, found)
    return found.notes


class _Doubts:
    """The notes on one message, one per identifier."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.seen: set[str] = set()

    def note(self, token: str, others: list[str], why: str) -> None:
        if token in self.seen:
            return
        self.seen.add(token)
        alternatives = " or ".join(f'"{other}"' for other in others)
        self.notes.append(f'"{token}" may be {alternatives} ({why}); check it on the screenshot.')


def _address_doubts(text: str, found: _Doubts) -> None:
    """E-mail and web addresses that read as a well-known one with a letter changed."""
    for match in _EMAIL.finditer(text):
        token = match.group(0).rstrip(".")
        # Only the domain: the part before @ has no rule to check against.
        local, _, domain = token.partition("@")
        others = [f"{local}@{other}" for other in _better(domain, _domain_known)]
        if others:
            found.note(token, others, "a well-known address")
    for match in _WEB.finditer(text):
        token = match.group(0).rstrip(".,!?")
        if (
            "@" in text[max(0, match.start() - 1) : match.start()]
            or token in found.seen
            or "." not in _host(token)
        ):
            continue
        others = _better(token, _domain_fits)
        if others:
            found.note(token, others, "a well-known web address")


def _payment_doubts(text: str, found: _Doubts) -> None:
    """Wallets and IBANs whose checksum fits another reading (or none), and cashtags read with an S."""
    for match in _WALLET.finditer(text):
        token = match.group(0)
        others = _better(token, _wallet_fits)
        if others:
            found.note(token, others, "its checksum fits")
        elif not _wallet_fits(token) and len(token) >= 26:
            found.note(token, ["a different address"], "its checksum does not fit as read")
    for match in _IBAN.finditer(text):
        token = match.group(0)
        others = _better(token, is_valid_iban)
        if others:
            found.note(token, others, "its check digits fit")
    for match in _CASHTAG_AS_S.finditer(text):
        # "$" is often read as "S": after "cashapp" a capital S glued to a name is likely a cashtag.
        token = match.group("token")
        found.note(token, [f"${token[1:]}"], "a Cash App cashtag")


def _handle_doubts(text: str, found: _Doubts) -> None:
    """The recogniser was unsure: handles have no rule to check, so every look-alike reading is a doubt."""
    for match in _HANDLE.finditer(text):
        token = match.group(0)
        if token in found.seen or not any(char in token for char in "lI1O0rnmqg5S"):
            continue
        others = list(itertools.islice(readings(token), 1, 3))
        if others:
            found.note(token, others, "the letters were hard to read")
