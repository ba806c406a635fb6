"""Normalisation of message text for matching, with a map from every normalised character to the original.

Offenders disguise details ("s n a p: lily_x09", "maya dot t underscore 22", zero-width spaces inside
handles, full-width digits, Cyrillic look-alike letters). Matching runs on the normalised text; `raw()`
gives back the words as the offender wrote them, for evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Zero-width and bidi controls that hide inside handles and numbers.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
        "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\u3164\uffa0",
    )
)

# Cyrillic and Greek letters that look like Latin ones; replaced only inside tokens that also hold Latin.
HOMOGLYPHS = str.maketrans(
    "аеорсхуіјѕԁһԛԝӏАВЕКМНОРСТХУІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcxyijsdhqwlABEKMHOPCTXYIJSabeiknoptuxABEZHIKMNOPTYX",
)
_HOMOGLYPH_CHARS = frozenset(chr(c) for c in HOMOGLYPHS)

_SPACED_OUT = re.compile(r"(?<![\w@.])(?:[A-Za-z0-9] ){3,}[A-Za-z0-9](?![\w])")
_BRACKETED = re.compile(r"\s*[\[\(\{<]\s*(at|dot|underscore)\s*[\]\)\}>]\s*", re.IGNORECASE)
_SPELLED = re.compile(r"[\w.]+(?: +(?:dot|underscore|period) +[\w.]+)+", re.IGNORECASE)
_SPELLED_SEPARATOR = re.compile(r" +(dot|underscore|period) +", re.IGNORECASE)
_TLDS = frozenset({"com", "net", "org", "co", "uk", "io", "me", "info", "ng", "de", "fr", "ru", "gg", "tv"})
_SPELLED_AT = re.compile(
    r"(?<=\w) +at +(?=[a-z0-9-]+(?:\.|\s+dot\s+)(?:com|net|org|co|uk|io|me|info|de|fr|ng|ru)\b)",
    re.IGNORECASE,
)
_BIT_COIN = re.compile(r"\bbit\s+coins?\b", re.IGNORECASE)
_TOKEN_WITH_LATIN = re.compile(r"[\w.@$£:-]+")
_REPLACEMENTS = {"at": "@", "dot": ".", "period": ".", "underscore": "_"}


@dataclass(slots=True)
class NormalizedText:
    """Normalised text; `offsets[k]` is the index in `original` of normalised character k."""

    original: str
    text: str
    offsets: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that normalised text[start:end] came from."""
        if end <= start:
            at = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1

    def raw(self, start: int, end: int) -> str:
        """The original words behind normalised text[start:end]."""
        a, b = self.original_span(start, end)
        return self.original[a:b]


def _align(replacement: str, matched: str, base: int) -> list[int]:
    """Map each replacement character to a position in the match (greedy subsequence; else where we are)."""
    out = []
    j = 0
    for char in replacement:
        k = matched.find(char, j)
        if k >= 0:
            out.append(base + k)
            j = k + 1
        else:
            out.append(base + min(j, max(len(matched) - 1, 0)))
    return out


def _sub(nt: NormalizedText, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> None:
    """Apply a regex substitution in place, keeping the offset map."""
    pieces: list[str] = []
    offsets: list[int] = []
    last = 0
    text = nt.text
    changed = False
    for m in pattern.finditer(text):
        start, end = m.span()
        new = repl(m)
        if new == m.group(0):
            continue
        changed = True
        pieces.append(text[last:start])
        offsets.extend(nt.offsets[last:start])
        pieces.append(new)
        offsets.extend(nt.offsets[i] for i in _align(new, m.group(0), start)) if end > start else None
        last = end
    if not changed:
        return
    pieces.append(text[last:])
    offsets.extend(nt.offsets[last:])
    nt.text = "".join(pieces)
    nt.offsets = offsets


def _unicode_pass(text: str) -> tuple[str, list[int]]:
    """NFKC character by character, invisible characters dropped, keeping where each came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text):
        if ord(char) in _INVISIBLE:
            continue
        if ord(char) < 128:
            chars.append(char)
            offsets.append(i)
            continue
        if unicodedata.combining(char) and chars:
            # Compose with the previous character (é written as e + U+0301) without moving offsets.
            composed = unicodedata.normalize("NFKC", chars[-1] + char)
            if len(composed) == 1:
                chars[-1] = composed
                continue
        folded = unicodedata.normalize("NFKC", char)
        for piece in folded:
            chars.append(piece)
            offsets.append(i)
    return "".join(chars), offsets


def _fix_homoglyphs(m: re.Match[str]) -> str:
    token = m.group(0)
    if not any(c in _HOMOGLYPH_CHARS for c in token):
        return token
    if not any("a" <= c.lower() <= "z" or c.isdigit() for c in token):
        return token  # a word wholly in Cyrillic or Greek is a word, not a disguised handle
    return token.translate(HOMOGLYPHS)


def _spelled_out(m: re.Match[str]) -> str:
    """ "maya dot t underscore 22" is a handle; "a dot on the map" is not (no digit, `_` or domain)."""
    run = m.group(0)
    last = run.rsplit(" ", 1)[-1].lower()
    if "underscore" in run.lower() or any(c.isdigit() for c in run) or last in _TLDS:
        return _SPELLED_SEPARATOR.sub(lambda s: _REPLACEMENTS[s.group(1).lower()], run)
    return run


def normalize(text: str) -> NormalizedText:
    """Normalise one message's text for matching (see the module docstring)."""
    if text.isascii():
        nt = NormalizedText(text, text, list(range(len(text))))
    else:
        folded, offsets = _unicode_pass(text)
        nt = NormalizedText(text, folded, offsets)
        if any(c in _HOMOGLYPH_CHARS for c in folded):
            _sub(nt, _TOKEN_WITH_LATIN, _fix_homoglyphs)
    lowered = nt.text.lower()
    if "at" in lowered or "dot" in lowered or "underscore" in lowered or "period" in lowered:
        _sub(nt, _BRACKETED, lambda m: _REPLACEMENTS[m.group(1).lower()])
        _sub(nt, _SPELLED, _spelled_out)
        _sub(nt, _SPELLED_AT, lambda m: "@")
    if " " in nt.text:
        _sub(nt, _SPACED_OUT, lambda m: m.group(0).replace(" ", ""))
    if "bit" in lowered:
        _sub(nt, _BIT_COIN, lambda m: "bitcoin")
    return nt
