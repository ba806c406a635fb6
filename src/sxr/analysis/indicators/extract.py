"""Find indicators in a conversation's messages (kinds and normal forms of SCHEMA.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import phonenumbers

from sxr.analysis import lexicon
from sxr.analysis.fastre import compile_fast
from sxr.analysis.indicators.modulus import uk_account_passes
from sxr.analysis.normalize import NormalizedText
from sxr.checksums import (
    is_valid_btc_address,
    is_valid_eth_address,
    is_valid_iban,
    is_valid_tron_address,
)


@dataclass(slots=True)
class Indicator:
    """One indicator of a conversation: listed once, at its first message, with the words it came from."""

    kind: str
    value: str
    first_i: int
    raw: str
    messages: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "first_i": self.first_i,
            "raw": self.raw,
            "messages": list(self.messages),
        }


@dataclass(slots=True)
class _Found:
    kind: str
    value: str
    start: int
    end: int
    raw: str


def _alternation(words: Sequence[str]) -> str:
    return "(?:" + "|".join(words) + ")"


@dataclass(frozen=True, slots=True)
class _Patterns:
    platform_words: dict[str, re.Pattern[str]]
    platform_all: re.Pattern[str]  # every platform word, one named group per kind
    brand_all: re.Pattern[str]
    format_platforms: dict[str, str]
    same_platform: re.Pattern[str]
    mtcn_context: re.Pattern[str]
    moneygram_context: re.Pattern[str]
    reference_words: re.Pattern[str]
    brands: list[tuple[str, re.Pattern[str]]]
    gift_words: re.Pattern[str]
    sort_context: re.Pattern[str]
    account_context: re.Pattern[str]
    phone_context: re.Pattern[str]
    symbols: dict[str, str]
    codes: list[str]
    aliases: dict[str, str]
    words: dict[str, str]
    amount_symbol: re.Pattern[str]
    amount_word: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    lex = lexicon.load("indicators")
    platform_words = {
        kind: re.compile(r"(?<![\w@])" + _alternation(words) + r"(?![\w])")
        for kind, words in lex["platforms"].items()
    }
    platform_all = compile_fast(
        r"(?<![\w@])(?:"
        + "|".join(f"(?P<{kind}>{_alternation(words)})" for kind, words in lex["platforms"].items())
        + r")(?![\w])"
    )
    brand_all = compile_fast(
        r"\b(?:" + "|".join(f"(?P<{b}>{_alternation(w)})" for b, w in lex["gift_card_brands"].items()) + ")"
    )
    cur = lex["currencies"]
    symbols: dict[str, str] = cur["symbols"]
    sym_class = "".join(re.escape(s) for s in symbols)
    codes: list[str] = cur["codes"]
    words: dict[str, str] = cur["words"]
    number = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    amount_symbol = re.compile(
        r"(?<![\w$£€₦])(?:(?P<sym>["
        + sym_class
        + r"])\s?|(?P<code>"
        + "|".join(codes)
        + r")\.?\s?)"
        + number
        + r"(?P<k>\s?k\b|\s?grand\b)?(?![\d,]*\d)"
        + r"(?:\s?(?P<after>"
        + "|".join(codes)
        + r")\b)?",
        re.IGNORECASE,
    )
    amount_word = re.compile(
        r"(?<![\w.,])"
        + number
        + r"(?P<k>\s?k)?\s?(?P<word>"
        + "|".join(words)
        + "|"
        + "|".join(codes)
        + r")\b",
        re.IGNORECASE,
    )
    return _Patterns(
        platform_words=platform_words,
        platform_all=platform_all,
        brand_all=brand_all,
        format_platforms=lex["format_platforms"],
        same_platform=re.compile(r"\b" + _alternation(lex["same_platform"]) + r"\b"),
        mtcn_context=re.compile(_alternation(lex["mtcn_context"])),
        moneygram_context=re.compile(_alternation(lex["moneygram_context"])),
        reference_words=re.compile(_alternation(lex["reference_words"])),
        brands=[(b, re.compile(r"\b" + _alternation(w))) for b, w in lex["gift_card_brands"].items()],
        gift_words=re.compile(r"\b" + _alternation(lex["gift_card_words"]) + r"\b"),
        sort_context=re.compile(_alternation(lex["uk_bank_context"])),
        account_context=re.compile(_alternation(lex["account_context"])),
        phone_context=re.compile(_alternation(lex["phone_context"])),
        symbols=symbols,
        codes=codes,
        aliases=cur.get("aliases", {}),
        words={k.lower(): v for k, v in words.items()},
        amount_symbol=amount_symbol,
        amount_word=amount_word,
    )


_HANDLE = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?"
_URLS: list[tuple[str, re.Pattern[str]]] = [
    ("facebook_profile", re.compile(r"(?:facebook|fb)\.com/profile\.php\?id=(\d{5,20})", re.I)),
    (
        "facebook_profile",
        re.compile(
            r"(?:facebook|fb)\.com/(?!profile\.php|groups/|pages/|share|photo|watch|events/|marketplace|story)"
            r"([A-Za-z0-9.]{5,50})",
            re.I,
        ),
    ),
    ("instagram_username", re.compile(r"(?:instagram\.com|instagr\.am)/(" + _HANDLE + ")", re.I)),
    ("snapchat_username", re.compile(r"snapchat\.com/add/(" + _HANDLE + ")", re.I)),
    ("tiktok_username", re.compile(r"tiktok\.com/@(" + _HANDLE + ")", re.I)),
    (
        "x_username",
        re.compile(r"(?<![\w.])(?:twitter|x)\.com/(?!home|search|i/|intent)([A-Za-z0-9_]{1,15})", re.I),
    ),
    ("telegram_username", re.compile(r"(?<![\w.])(?:t|telegram)\.me/(" + _HANDLE + ")", re.I)),
    ("kik_username", re.compile(r"kik\.me/(" + _HANDLE + ")", re.I)),
    ("paypal_me", re.compile(r"(?:paypal\.me|paypal\.com/paypalme)/([A-Za-z0-9_.-]{1,40}[A-Za-z0-9])", re.I)),
    ("cashapp_cashtag", re.compile(r"cash\.app/\$([A-Za-z][A-Za-z0-9_]{0,20})", re.I)),
]
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_AT_HANDLE = re.compile(r"(?<![\w@.])@(" + _HANDLE + ")")
_SKYPE_LIVE = re.compile(r"(?<![\w])(live:[A-Za-z0-9._-]*[A-Za-z0-9_])", re.I)
_CASHTAG = re.compile(r"(?<![\w$£])[$£]([A-Za-z][A-Za-z0-9_]{1,20})\b")
_NOT_CASHTAGS = frozenset({"usd", "gbp", "eur", "btc", "eth", "usdt", "cad", "aud", "ngn"})
_BECH32 = re.compile(r"(?<![A-Za-z0-9])((?:bc|BC)1[A-Za-z0-9]{6,87})(?![A-Za-z0-9])")
_BASE58_BTC = re.compile(r"(?<![A-Za-z0-9])([13][1-9A-HJ-NP-Za-km-z]{25,34})(?![A-Za-z0-9])")
_TRON = re.compile(r"(?<![A-Za-z0-9])(T[1-9A-HJ-NP-Za-km-z]{33})(?![A-Za-z0-9])")
_ETH = re.compile(r"(?<![A-Za-z0-9])(0x[0-9a-fA-F]{40})(?![A-Za-z0-9])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32})", re.I)
_SORT_CODE = re.compile(r"(?<![\d-])(\d{2})[- ]?(\d{2})[- ]?(\d{2})(?![\d-])")
# "20-09-15 41011166", "20-09-15 / 41011166", the two on lines of their own, "20-09-15 acc 41011166".
_TIGHT_PAIR = re.compile(
    r"(?<![\d-])(\d{2})-(\d{2})-(\d{2})(?:[ ,/;|]{1,3}|\s*\n\s*)"
    r"(?:(?:acc(?:oun)?t?|a/c)(?:\s*(?:no|number|num|#))?\.?\s*[:=-]?\s*)?(\d{8})(?![\d-])",
    re.I,
)
_DASHED_SORT_CODE = re.compile(r"\d{2}-\d{2}-\d{2}$")
_ACCOUNT = re.compile(r"(?<![\d-])(\d{4} ?\d{4})(?![\d-])")
_TEN_DIGITS = re.compile(r"(?<![\d+-])(\d(?:[ -]?\d){9})(?![\d-])")
_EIGHT_DIGITS = re.compile(r"(?<![\d+-])(\d(?:[ -]?\d){7})(?![\d-])")
_ANY_DIGIT = re.compile(r"\d")
_PHONE_HINT = re.compile(r"\+\s?\d|(?<!\d)0\s?\d|\(\s?\d|(?<!\d)\d{3}[\s.-]\d{3}[\s.-]\d{4}(?!\d)")
_DISCORD_TAG = re.compile(r"#\d{4}\b")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9]{20,}")
_FILE_NAME = re.compile(
    r"\.(?:jpe?g|png|gif|webp|heic|mp4|mov|webm|opus|ogg|m4a|pdf|docx?|txt|zip|vcf)$", re.I
)
_GIFT_CODE = re.compile(
    r"(?<![\w-])((?:[A-Z0-9]{3,6}[- ]){1,5}[A-Z0-9]{3,6}"
    r"|(?:[a-z0-9]*\d[a-z0-9]*[- ]){1,5}[a-z0-9]*\d[a-z0-9]*"
    r"|[A-Za-z0-9]{10,25})(?![\w-])"
)
_CONTEXT_HANDLE = re.compile(
    r"\s*(?:(?:'s|\u2019s|is|its|it's|it is|id|name|username|user|handle|me|at|on|add|instead|there|"
    r"now|pls|please|"
    r"plz|too|tho|acc|account|:|-|=|>|👉|,)\s*)*@?(" + _HANDLE + ")"
)
# A handle a few words after the platform's name ("add me on snap btw, new acc: mikeyb.2", "my snap got
# hacked, new one is priyaa.k_"): it must start with a letter and read as a handle, before the sentence ends.
_NEAR_HANDLE = re.compile(r"(?:^|[\s:=,>-])@?([A-Za-z][A-Za-z0-9_.-]{1,28}[A-Za-z0-9_])(?![\w@])")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
# "@example.com" is the tail of an e-mail written over two messages, not a handle.
_DOMAIN_LIKE = re.compile(r"\.(?:com|org|net|co\.uk|co|uk|io|me|info|biz|ng|in|us|de|fr|edu|gov)$")
_BLOCKING = re.compile(r"\b(?:block|blocked|blocking|ban|banned|report|reported|delete) (?:me|my)\b")
_CLOCK = re.compile(r"\d{1,2}[.:]\d{2}(?:am|pm)?$")
_ANSWER_HANDLE = re.compile(r"^\W*(?:it'?s|it is|mine is|i'?m|its|my \w+ is)?\s*@?(" + _HANDLE + r")\b")
_MINE_HANDLE = re.compile(r"\bmine(?:'s|\u2019s| is|:)\s*@?(" + _HANDLE + r")", re.I)
_HANDLE_THEN_PLATFORM = re.compile(r"@?(" + _HANDLE + r")\s+(?:on|in)\s+")
_ALT_ACCOUNT = re.compile(
    r"\b(?:alt|backup|my main|main account|main acc|other one|other account|new account|second account)"
    r"\s*(?:is|:)?\s*@?(" + _HANDLE + ")"
)
_NANP = re.compile(r"^\+?1?[\s.-]?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]\d{4}$")


# Between the parts of an address: a character (spaced on both sides or not at all), a word, a bracketed word.
_SEP = (
    r"(?:[._-]|\s+[._-]\s+|\s+(?:dot|underscore|period)\s+"
    r"|\s*[\[\(\{<]\s*(?:dot|underscore)\s*[\]\)\}>]\s*)"
)
_DOMAIN_SEP = r"(?:\s*[.,]\s*|\s+(?:dot|period)\s+|\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*)"
_SPACED_EMAIL = re.compile(
    r"(?<![\w.+-])(?P<local>[a-z0-9][a-z0-9_%+]*(?:" + _SEP + r"[a-z0-9_%+]+)*)"
    r"(?P<at>\s*@\s*|\s+at\s+|\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*)"
    r"(?P<domain>[a-z0-9-]*[a-z][a-z0-9-]*(?:"
    + _DOMAIN_SEP
    + r"[a-z0-9][a-z0-9-]*)*?"
    + _DOMAIN_SEP
    + r"(?:com|net|org|co\.uk|co|uk|io|me|info|biz|ng|in|us|de|fr|ru|gg|tv|edu|gov|ca|au))(?![\w-])"
)
_SPELLED_PART = re.compile(r"\s*[\[\(\{<]?\s*\b(dot|underscore|period)\b\s*[\]\)\}>]?\s*")
_PART_CHARS = {"dot": ".", "period": ".", "underscore": "_"}


def _handle_like(handle: str) -> bool:
    """A token that reads as a username rather than a word: it has a digit, `_` or `.` and a letter."""
    if not any(c.isalpha() for c in handle) or _FILE_NAME.search(handle):
        return False
    return any(c.isdigit() or c in "_.#" for c in handle)


def _overlaps(found: list[_Found], start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in found)


class _Extractor:
    """Stateful pass over one conversation (context carries across messages)."""

    def __init__(self, conversation_format: str, phone_region: str) -> None:
        self.p = _patterns()
        self.format_kind = self.p.format_platforms.get(conversation_format)
        self.phone_region = phone_region
        self.recent_lower: list[str] = []  # lower-case normalised text of the last messages
        self.recent_kinds: list[list[str]] = []  # the platforms each of the last messages named
        self.recent_brand: list[tuple[int, str, str]] = []  # (message position, sender, brand)
        self.position = 0

    def message(self, nt: NormalizedText, sender: str = "") -> list[_Found]:
        text = nt.text
        lower = text.lower()
        found: list[_Found] = []

        def add(kind: str, value: str, start: int, end: int) -> None:
            found.append(_Found(kind, value, start, end, nt.raw(start, end)))

        # Cheap gates first: most messages hold no digit, link, @ or long token, and skip most matchers.
        digits = sum(map(text.count, "0123456789")) if _ANY_DIGIT.search(text) else 0
        platform_spans = [
            (m.start(), m.end(), m.lastgroup) for m in self.p.platform_all.finditer(lower) if m.lastgroup
        ]
        self._addresses(text, lower, add, found)
        if _LONG_TOKEN.search(text):
            self._crypto(text, add, found)
        self._numbers(text, lower, digits, sender, add, found)
        self._handles(text, lower, platform_spans, add, found)
        if "$" in text or "£" in text:
            for m in _CASHTAG.finditer(text):
                tag = m.group(1).lower()
                if tag not in _NOT_CASHTAGS and not _overlaps(found, m.start(), m.end()):
                    add("cashapp_cashtag", tag, m.start(), m.end())
        if digits:
            self._amounts(text, add, found)
        self._remember(lower, platform_spans, sender)
        return found

    def _addresses(self, text: str, lower: str, add: Any, found: list[_Found]) -> None:
        """Links (they name their platform), e-mail addresses and Skype's live: ids."""
        if "/" in text:  # links first: they name their platform
            for kind, pattern in _URLS:
                for m in pattern.finditer(text):
                    if not _overlaps(found, m.start(), m.end()):
                        add(kind, m.group(1).lower().rstrip("."), m.start(), m.end())
        if "@" in text or " at " in lower or "(at)" in lower or "[at]" in lower:
            self._spaced_emails(lower, add, found)
        if "@" in text:
            for m in _EMAIL.finditer(text):
                if not _overlaps(found, m.start(), m.end()):
                    add("email", m.group(0).lower(), m.start(), m.end())
        if "live:" in lower:
            for m in _SKYPE_LIVE.finditer(text):
                if not _overlaps(found, m.start(), m.end()):
                    add("skype_id", m.group(1).lower(), m.start(), m.end())

    def _numbers(
        self, text: str, lower: str, digits: int, sender: str, add: Any, found: list[_Found]
    ) -> None:
        """Bank accounts, transfer references, gift cards and phone numbers (as many digits as they need)."""
        if digits >= 2:
            window = " \n ".join(self.recent_lower[-4:])
            if digits >= 6:
                self._ibans(text, add, found)
                self._uk_accounts(text, lower, window, add, found)
                self._transfer_references(text, lower, window, add, found)
            self._gift_cards(text, lower, window, sender, add, found)
        if digits >= 7:
            self._phones(text, lower, add, found)

    def _remember(self, lower: str, platform_spans: list[tuple[int, int, str]], sender: str) -> None:
        """Keep what the next messages read in context: the last texts, platforms and gift-card brands."""
        self.recent_lower.append(lower)
        self.recent_kinds.append(list(dict.fromkeys(k for _s, _e, k in platform_spans)))
        if len(self.recent_lower) > 12:
            del self.recent_lower[0]
            del self.recent_kinds[0]
        for m in self.p.brand_all.finditer(lower):
            if m.lastgroup:
                self.recent_brand.append((self.position, sender, m.lastgroup))
        while self.recent_brand and self.recent_brand[0][0] < self.position - 12:
            del self.recent_brand[0]
        self.position += 1

    @staticmethod
    def _spaced_emails(lower: str, add: Any, found: list[_Found]) -> None:
        """E-mails written around spaces or words ("jake dot p at example dot com", "jo . b @ example . com"):
        the longest reading that is a valid address, not the short one a plain match would take."""
        for m in _SPACED_EMAIL.finditer(lower):
            local, at, domain = m.group("local"), m.group("at"), m.group("domain")
            if at.strip() == "@" and at[0].isspace() and not at[-1].isspace():
                continue  # "insta @jaybeatz.uk": a handle after a word, not an address
            plain_at = at.strip() == "at"
            spelled = local != local.replace(" ", "") or "dot" in domain or " " in domain
            if plain_at and not (spelled or any(c.isdigit() or c in "._-" for c in local)):
                continue  # "look at google.com" is not an address
            value = _SPELLED_PART.sub(lambda p: _PART_CHARS[p.group(1)], local + "@" + domain)
            value = value.replace(" ", "").replace(",", ".")
            if not _EMAIL.fullmatch(value):
                continue
            start, end = m.start("local"), m.end("domain")
            if any(f.start < end and start < f.end for f in found):
                continue
            add("email", value, start, end)

    def _crypto(self, text: str, add: Any, found: list[_Found]) -> None:
        """Crypto addresses: only with a valid checksum."""
        for m in _BECH32.finditer(text):
            if is_valid_btc_address(m.group(1)) and not _overlaps(found, m.start(), m.end()):
                add("btc_address", m.group(1).lower(), m.start(), m.end())
        for m in _BASE58_BTC.finditer(text):
            if is_valid_btc_address(m.group(1)) and not _overlaps(found, m.start(), m.end()):
                add("btc_address", m.group(1), m.start(), m.end())
        for m in _TRON.finditer(text):
            if is_valid_tron_address(m.group(1)) and not _overlaps(found, m.start(), m.end()):
                add("tron_address", m.group(1), m.start(), m.end())
        for m in _ETH.finditer(text):
            if is_valid_eth_address(m.group(1)) and not _overlaps(found, m.start(), m.end()):
                add("eth_address", m.group(1).lower(), m.start(), m.end())

    def _ibans(self, text: str, add: Any, found: list[_Found]) -> None:
        from sxr.checksums import IBAN_LENGTHS

        for m in _IBAN.finditer(text):
            compact = m.group(1).replace(" ", "").upper()
            length = IBAN_LENGTHS.get(compact[:2])
            if length is None or len(compact) < length:
                continue
            candidate = compact[:length]
            if not is_valid_iban(candidate):
                continue
            # Find where the candidate ends in the text (spaces included).
            seen = 0
            end = m.start(1)
            while seen < length and end < len(text):
                if text[end] != " ":
                    seen += 1
                end += 1
            if not _overlaps(found, m.start(1), end):
                add("iban", candidate, m.start(1), end)

    def _uk_accounts(self, text: str, lower: str, window: str, add: Any, found: list[_Found]) -> None:
        here = self.p.sort_context.search(lower) is not None
        # An answer to "what's your sort code?" a message or two earlier, written as 12-34-56.
        asked = not here and self.p.sort_context.search(window[-160:]) is not None
        if not here and not asked:
            # "to 20-09-15 41011166": a dashed sort code and its account side by side need no words.
            for tm in _TIGHT_PAIR.finditer(text):
                sort_code, account = "".join(tm.groups()[:3]), tm.group(4)
                if not _overlaps(found, tm.start(), tm.end()) and uk_account_passes(sort_code, account):
                    add("uk_bank_account", f"{sort_code}-{account}", tm.start(), tm.end())
            return
        for sm in _SORT_CODE.finditer(text):
            before = lower[max(0, sm.start() - 25) : sm.start()]
            context = self.p.sort_context.search(before) if here else _DASHED_SORT_CODE.match(sm.group(0))
            if not context or _overlaps(found, sm.start(), sm.end()):
                continue
            sort_code = "".join(sm.groups())
            best = None
            for am in _ACCOUNT.finditer(text):
                if _overlaps(found, am.start(), am.end()) or (sm.start() <= am.start() < sm.end()):
                    continue
                distance = (
                    abs(am.start() - sm.end()) if am.start() >= sm.end() else abs(sm.start() - am.end())
                )
                if distance <= 80 and (best is None or distance < best[0]):
                    best = (distance, am)
            if best is None:
                continue
            am = best[1]
            account = am.group(1).replace(" ", "")
            if not uk_account_passes(sort_code, account):
                continue
            start, end = min(sm.start(), am.start()), max(sm.end(), am.end())
            add("uk_bank_account", f"{sort_code}-{account}", start, end)

    def _transfer_references(self, text: str, lower: str, window: str, add: Any, found: list[_Found]) -> None:
        mtcn_here = self.p.mtcn_context.search(lower)
        if mtcn_here or self.p.mtcn_context.search(window):
            for m in _TEN_DIGITS.finditer(text):
                digits = re.sub(r"\D", "", m.group(1))
                if (
                    len(digits) == 10
                    and not _overlaps(found, m.start(), m.end())
                    and (mtcn_here or len(text.strip()) <= len(m.group(1)) + 40)
                ):
                    add("wu_mtcn", digits, m.start(), m.end())
        mg_here = self.p.moneygram_context.search(lower)
        mg_window = self.p.moneygram_context.search(" ".join(self.recent_lower[-8:]))
        if mg_here or mg_window:
            for m in _EIGHT_DIGITS.finditer(text):
                digits = re.sub(r"\D", "", m.group(1))
                if len(digits) != 8 or _overlaps(found, m.start(), m.end()):
                    continue
                if (
                    mg_here
                    or self.p.reference_words.search(lower)
                    or len(text.strip()) <= len(m.group(1)) + 12
                ):
                    add("moneygram_reference", digits, m.start(), m.end())

    def _gift_cards(
        self, text: str, lower: str, window: str, sender: str, add: Any, found: list[_Found]
    ) -> None:
        brand_here = [b for b, pattern in self.p.brands if pattern.search(lower)]
        # The card is most likely the brand its giver last named, else the brand anyone last named.
        recent_all = [(s, b) for pos, s, b in self.recent_brand if pos >= self.position - 12]
        recent = [b for s, b in recent_all if s != sender] + [b for s, b in recent_all if s == sender]
        recent_near = [b for pos, _s, b in self.recent_brand if pos >= self.position - 3]
        gift_context = self.p.gift_words.search(lower) or self.p.gift_words.search(window)
        if not brand_here and not recent and not gift_context:
            return
        for m in _GIFT_CODE.finditer(text):
            code = re.sub(r"[\s-]", "", m.group(1)).upper()
            if not 10 <= len(code) <= 25 or _overlaps(found, m.start(), m.end()):
                continue
            letters = sum(c.isalpha() for c in code)
            digits = sum(c.isdigit() for c in code)
            # Some cards (Razer Gold, Vanilla) have digit-only PINs: only with a brand named close by.
            digit_pin = letters == 0 and len(code) >= 12 and bool(brand_here or recent_near)
            if (letters < 2 or digits < 2) and not digit_pin:
                continue
            raw = m.group(1)
            # A code is typed in capitals (or in lower case, every group with a digit); a sentence is not.
            groups = re.split(r"[\s-]", raw)
            if raw.upper() != raw and not (
                raw.lower() == raw and all(any(c.isdigit() for c in g) for g in groups)
            ):
                continue
            if "iban" in lower and re.search(r"[A-Z]{2}\d{2}", code):
                continue
            if " " in raw and any(len(part) > 6 for part in raw.split()):
                continue
            brand = brand_here[-1] if brand_here else (recent[-1] if recent else "other")
            add("gift_card", f"{brand}:{code}", m.start(), m.end())

    def _phones(self, text: str, lower: str, add: Any, found: list[_Found]) -> None:
        if sum(c.isdigit() for c in text) < 7:
            return
        context = bool(self.p.phone_context.search(lower))
        if not context and not _PHONE_HINT.search(text):
            return  # no +, leading 0, (area code) or 3-3-4 layout: nothing the rules below would accept
        for match in phonenumbers.PhoneNumberMatcher(
            text, self.phone_region, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            start, end = match.start, match.end
            raw = match.raw_string
            if _overlaps(found, start, end):
                continue
            if start > 0 and text[start - 1] in "£$€₦#":
                continue
            number = match.number
            plus = raw.lstrip().startswith(("+", "00"))
            if (
                not plus
                and not raw.lstrip().startswith("(")
                and not raw.lstrip().startswith("0")
                and not context
            ):
                continue
            if not self._acceptable(number) and not plus and _NANP.match(raw.strip()):
                try:
                    number = phonenumbers.parse(raw, "US")
                except phonenumbers.NumberParseException:
                    continue
            if not self._acceptable(number):
                continue
            add("phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), start, end)

    @staticmethod
    def _acceptable(number: phonenumbers.PhoneNumber) -> bool:
        if phonenumbers.is_valid_number(number):
            return True
        if not phonenumbers.is_possible_number(number):
            return False
        national = str(number.national_number)
        # Ranges set aside for drama and examples (Ofcom 07700 900xxx, NANP 555-01xx): fiction uses them.
        if number.country_code == 44 and national.startswith("7700900"):
            return True
        return number.country_code == 1 and national[3:6] == "555" and national[6:8] == "01"

    def _handles(
        self, text: str, lower: str, platform_spans: list[tuple[int, int, str]], add: Any, found: list[_Found]
    ) -> None:
        if not platform_spans and "@" not in text and len(text) > 60 and " on " not in lower:
            return
        for k in range(len(platform_spans)):
            self._handle_after_platform(text, platform_spans, k, add, found)
        self._handles_before_platform(text, lower, platform_spans, add, found)
        self._alt_handles(text, lower, platform_spans, add, found)
        # "go to snap, mine is name": the platform named earlier in the message
        for m in _MINE_HANDLE.finditer(text) if platform_spans and "mine" in lower else ():
            handle = m.group(1)
            before = [k for ps, _e, k in platform_spans if ps < m.start()]
            at = m.group(0)[: m.start(1) - m.start()].endswith("@")
            if before and (_handle_like(handle) or at) and not _overlaps(found, m.start(1), m.end(1)):
                self._add_handle(before[-1], handle, m.start(1), m.end(1), add)
        self._bare_handles(text, lower, platform_spans, add, found)

    def _handle_after_platform(
        self, text: str, platform_spans: list[tuple[int, int, str]], k: int, add: Any, found: list[_Found]
    ) -> None:
        """ "snap: name", "my insta is @name", "add me on sc name": the handle after the k-th platform."""
        _start, end, platform = platform_spans[k]
        cm = _CONTEXT_HANDLE.match(text, end)
        if not cm:
            return
        handle = cm.group(1)
        at = text[cm.start(1) - 1] == "@" if cm.start(1) > 0 else False
        handle_end = cm.end(1)
        tag = _DISCORD_TAG.match(text, handle_end) if platform == "discord_username" else None
        if tag:  # a legacy Discord name#1234
            handle, handle_end = handle + tag.group(0), tag.end()
        if (_handle_like(handle) or at or text[end : cm.start(1)].strip().startswith(":")) and not _overlaps(
            found, cm.start(1), handle_end
        ):
            self._add_handle(platform, handle, cm.start(1) - (1 if at else 0), handle_end, add)
            return
        # The words up to the sentence's end or the next platform's name, whichever comes first.
        stop = _SENTENCE_END.search(text, end, end + 40)
        limit = min(
            stop.start() if stop else end + 40,
            platform_spans[k + 1][0] if k + 1 < len(platform_spans) else len(text),
        )
        for nm in _NEAR_HANDLE.finditer(text, end):
            near = nm.group(1)
            if nm.start(1) >= limit:
                break
            if (
                len(near) >= 4
                and _handle_like(near)
                and not _DOMAIN_LIKE.search(near.lower())
                and not _overlaps(found, nm.start(1), nm.end(1))
            ):
                self._add_handle(platform, near, nm.start(1), nm.end(1), add)
                break

    def _handles_before_platform(
        self, text: str, lower: str, platform_spans: list[tuple[int, int, str]], add: Any, found: list[_Found]
    ) -> None:
        """ "tyler.fit2 on here", "lily_x09 on snap"."""
        for m in _HANDLE_THEN_PLATFORM.finditer(text) if (" on " in lower or " in " in lower) else ():
            handle = m.group(1)
            if not _handle_like(handle) or _overlaps(found, m.start(1), m.end(1)):
                continue
            rest = lower[m.end() :]
            kind: str | None = None
            for pstart, _pend, pkind in platform_spans:
                if pstart == m.end():
                    kind = pkind
            if kind is None and self.format_kind and re.match(r"(?:here|this app)\b", rest):
                kind = self.format_kind
            if kind:
                self._add_handle(kind, handle, m.start(1), m.end(1), add)

    def _alt_handles(
        self, text: str, lower: str, platform_spans: list[tuple[int, int, str]], add: Any, found: list[_Found]
    ) -> None:
        """ "my alt is @name", "add my backup @name": the platform named here, or this one."""
        for m in _ALT_ACCOUNT.finditer(lower):
            handle = text[m.start(1) : m.end(1)]
            if (_handle_like(handle) or text[m.start(1) - 1] == "@") and not _overlaps(
                found, m.start(1), m.end(1)
            ):
                kind = platform_spans[-1][2] if platform_spans else self.format_kind
                if kind:
                    self._add_handle(kind, handle, m.start(1), m.end(1), add)

    def _bare_handles(
        self, text: str, lower: str, platform_spans: list[tuple[int, int, str]], add: Any, found: list[_Found]
    ) -> None:
        """A bare "@name", or an answer "it's name" to "what's your snap?"."""
        previous_kinds: list[str] = []
        for kinds in reversed(self.recent_kinds[-2:]):
            previous_kinds = kinds
            if previous_kinds:
                break
        candidates = [(m.start(1) - 1, m.end(1), m.group(1)) for m in _AT_HANDLE.finditer(text)]
        answer = _ANSWER_HANDLE.match(text)
        if answer and _handle_like(answer.group(1)) and len(text) <= 60:
            candidates.append((answer.start(1), answer.end(1), answer.group(1)))
        for start, end, handle in candidates:
            if _overlaps(found, start, end) or not any(c.isalpha() for c in handle):
                continue
            at_sign = text[start] == "@" or (start > 0 and text[start - 1] == "@")
            if at_sign and _DOMAIN_LIKE.search(handle.lower()):
                continue
            kind = self._bare_kind(text, lower, start, platform_spans, previous_kinds)
            if kind:
                self._add_handle(kind, handle, start, end, add)

    def _bare_kind(
        self,
        text: str,
        lower: str,
        start: int,
        platform_spans: list[tuple[int, int, str]],
        previous_kinds: list[str],
    ) -> str | None:
        """The platform of a bare handle at `start`: named before it, in the message, or just before."""
        before = [k for ps, _e, k in platform_spans if ps < start]
        if before:
            return before[-1]
        if platform_spans:
            return platform_spans[0][2]
        if self.format_kind and _BLOCKING.search(lower):
            return self.format_kind  # "if u block me i have @name": another account on this app
        if len(previous_kinds) == 1:
            return previous_kinds[0]
        if text[start] == "@" and self.format_kind and self.format_kind != "skype_id":
            return self.format_kind
        return None

    @staticmethod
    def _add_handle(kind: str, handle: str, start: int, end: int, add: Any) -> None:
        value = handle.lower().lstrip("@").rstrip(".")
        if _CLOCK.match(value):  # "snap me at 10.30pm" names a time, not a handle
            return
        if kind == "facebook_profile" and not (
            value.isdigit() or "." in value or any(c.isdigit() for c in value)
        ):
            return
        add(kind, value, start, end)

    def _amounts(self, text: str, add: Any, found: list[_Found]) -> None:
        for m in self.p.amount_symbol.finditer(text):
            if _overlaps(found, m.start(), m.end()):
                continue
            symbol = m.group("sym")
            currency = self.p.symbols[symbol] if symbol else m.group("code").upper()
            if m.group("after") and symbol == "$":  # "$300 AUD": the code says which dollar
                currency = m.group("after").upper()
            currency = self.p.aliases.get(currency, currency)
            value = _amount_value(m.group("num"), m.group("k"))
            if value is not None:
                add("amount", f"{currency}:{value}", m.start(), m.end())
        for m in self.p.amount_word.finditer(text):
            if _overlaps(found, m.start(), m.end()):
                continue
            word = m.group("word").lower()
            currency = self.p.words.get(word, word.upper())
            currency = self.p.aliases.get(currency, currency)
            value = _amount_value(m.group("num"), m.group("k"))
            if value is not None:
                add("amount", f"{currency}:{value}", m.start(), m.end())


def _amount_value(number: str, multiplier: str | None) -> str | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if multiplier:
        value *= 1000
    if value <= 0:
        return None
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.2f}"


_SPLIT_HEAD = re.compile(
    r"(?:(bc1[a-z0-9]{6,})|([13T][1-9A-HJ-NP-Za-km-z]{8,})|(0x[0-9a-fA-F]{8,}))\s*$", re.I
)
_SPLIT_TAIL = re.compile(r"^\s*([A-Za-z0-9]{4,})")


def _join_split_address(head: NormalizedText, tail: NormalizedText) -> tuple[str, str, str] | None:
    """An address split over two messages: (kind, value, raw) when only the joined text is valid."""
    h = _SPLIT_HEAD.search(head.text)
    t = _SPLIT_TAIL.match(tail.text)
    if not h or not t:
        return None
    joined = h.group(0).strip() + t.group(1)
    raw = head.raw(h.start(), h.end()).strip() + " " + tail.raw(t.start(1), t.end(1))
    if joined[:3].lower() == "bc1" and is_valid_btc_address(joined):
        return "btc_address", joined.lower(), raw
    if joined[0] in "13" and is_valid_btc_address(joined):
        return "btc_address", joined, raw
    if joined[0] == "T" and is_valid_tron_address(joined):
        return "tron_address", joined, raw
    if joined.startswith("0x") and is_valid_eth_address(joined):
        return "eth_address", joined.lower(), raw
    return None


_EMAIL_HEAD = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})\s*$")
_EMAIL_TAIL = re.compile(r"^\s*(@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})\b")


def _join_split_email(head: NormalizedText, tail: NormalizedText) -> tuple[str, str] | None:
    """An e-mail whose domain came in the next message ("email is jo.pay" then "@example.com")."""
    if "@" in head.text[-70:] or not tail.text.lstrip().startswith("@"):
        return None
    t = _EMAIL_TAIL.match(tail.text)
    h = _EMAIL_HEAD.search(head.text)
    if not t or not h:
        return None
    value = (h.group(1) + t.group(1)).lower()
    if not _EMAIL.fullmatch(value):
        return None
    return value, head.raw(h.start(1), h.end(1)) + " " + tail.raw(t.start(1), t.end(1))


def extract_indicators(
    texts: Sequence[NormalizedText],
    senders: Sequence[str],
    *,
    conversation_format: str = "plain",
    phone_region: str = "GB",
) -> list[Indicator]:
    """Indicators of a conversation, each once, at its first message, in order of first appearance."""
    extractor = _Extractor(conversation_format, phone_region)
    by_key: dict[tuple[str, str], Indicator] = {}
    for i, nt in enumerate(texts):
        for f in extractor.message(nt, senders[i]):
            _record(by_key, f.kind, f.value, i, f.raw)
        words = nt.text.split()
        if words and i + 1 < len(texts) and senders[i] == senders[i + 1]:
            email = _join_split_email(nt, texts[i + 1])
            if email is not None:
                _record(by_key, "email", email[0], i, email[1])
                _record(by_key, "email", email[0], i + 1, email[1])
        if words and len(words[-1]) >= 8 and i + 1 < len(texts) and senders[i] == senders[i + 1]:
            joined = _join_split_address(nt, texts[i + 1])
            if joined is not None:
                kind, value, raw = joined
                _record(by_key, kind, value, i, raw)
                _record(by_key, kind, value, i + 1, raw)
    return sorted(by_key.values(), key=lambda ind: ind.first_i)


def _record(by_key: dict[tuple[str, str], Indicator], kind: str, value: str, i: int, raw: str) -> None:
    existing = by_key.get((kind, value))
    if existing is None:
        by_key[(kind, value)] = Indicator(kind, value, i, raw, [i])
    elif existing.messages[-1] != i:  # messages are visited in order, so the last one is the newest
        existing.messages.append(i)
