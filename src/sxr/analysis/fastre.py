"""Compile lexicon patterns so that Python's `re` can skip ahead to where a match could start.

A pattern such as `\\bdaring\\b|\\bspicy\\b` (an alternation whose branches start with `\\b`) makes `re`
try every position of the text; prefixing it with a look-ahead for its possible first characters,
`(?=[ds])`, lets the engine jump between candidates. This matters at thousands of messages a second.
"""

from __future__ import annotations

import re
from re import _constants as sc  # type: ignore[attr-defined]
from re import _parser as sp  # type: ignore[attr-defined]
from typing import Any

_DIGITS = frozenset("0123456789")
_SPACES = frozenset(" \t\n\r\f\v")
_MAX_CLASS = 200


def _class_chars(members: Any, max_range: int) -> set[str] | None:
    """The characters a `[...]` class matches, or None when it is too wide to list."""
    chars: set[str] = set()
    for o, a in members:
        if o is sc.LITERAL:
            chars.add(chr(a))
        elif o is sc.RANGE and a[1] - a[0] <= max_range:
            chars.update(chr(c) for c in range(a[0], a[1] + 1))
        elif o is sc.CATEGORY and a is sc.CATEGORY_DIGIT:
            chars |= _DIGITS
        elif o is sc.CATEGORY and a is sc.CATEGORY_SPACE:
            chars |= _SPACES
        else:
            return None
    return chars


_ZERO_WIDTH = (sc.AT, sc.ASSERT, sc.ASSERT_NOT)
_REPEATS = (sc.MAX_REPEAT, sc.MIN_REPEAT, getattr(sc, "POSSESSIVE_REPEAT", None))


def _first(items: Any) -> tuple[frozenset[str] | None, bool]:
    """(possible first characters or None for any, whether the sequence can match the empty string)."""
    out: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        chars, nullable = _first_of_item(op, av)
        if chars is None:
            return None, False
        out |= chars
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


def _first_of_item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    """One parsed item's possible first characters (None for any) and whether it can match nothing."""
    if op is sc.LITERAL:
        return {chr(av)}, False
    if op is sc.IN:
        return _class_chars(av, _MAX_CLASS), False
    if op is sc.BRANCH:
        chars: set[str] = set()
        nullable = False
        for branch in av[1]:
            f, n = _first(branch)
            if f is None:
                return None, False
            chars |= f
            nullable = nullable or n
        return chars, nullable
    if op is sc.SUBPATTERN:
        f, nullable = _first(av[-1])
        return (None, False) if f is None else (set(f), nullable)
    if op in _REPEATS:
        low, _high, sub = av
        f, n = _first(sub)
        return (None, False) if f is None else (set(f), low == 0 or n)
    return None, False


def compile_fast(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern)`, with a first-character look-ahead when one can be worked out."""
    try:
        chars, nullable = _first(sp.parse(pattern, flags))
    except (re.error, TypeError, ValueError):
        chars, nullable = None, True
    if chars and not nullable:
        cls = "".join(re.escape(c) for c in sorted(chars))
        return re.compile(f"(?=[{cls}])(?:{pattern})", flags)
    return re.compile(pattern, flags)


PREFIX_LENGTH = 3
_MAX_PREFIXES = 5000
_MAX_CLASS_EXPANSION = 40
_TOKEN_STARTS = re.compile(r"(?<!\w)\w{1,3}|[^\w\s]")


class _GiveUp(Exception):
    pass


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _extend(paths: set[str], chars: set[str], done: set[str]) -> set[str]:
    """Append each of `chars` to each open path; a path ends at a token's edge or at PREFIX_LENGTH."""
    out: set[str] = set()
    for path in paths:
        for char in chars:
            if char.isspace():
                if path:
                    done.add(path)
                else:
                    out.add(path)
            elif not path:
                if _is_word(char):
                    out.add(char)
                else:
                    done.add(char)  # a symbol or emoji is a token of its own
            elif _is_word(char) and len(path) < PREFIX_LENGTH:
                out.add(path + char)
            else:
                done.add(path)
    finished = {p for p in out if len(p) >= PREFIX_LENGTH}
    done |= finished
    return out - finished


def _expand(items: list[Any], paths: set[str], done: set[str]) -> None:
    """Add to `done` every token start (<= PREFIX_LENGTH word characters, or a symbol) a match begins with."""
    for index, (op, av) in enumerate(items):
        if not paths:
            return
        if op in _ZERO_WIDTH:
            continue
        if op is sc.BRANCH or op is sc.SUBPATTERN or op in _REPEATS:
            _expand_group(op, av, items[index + 1 :], paths, done)
            return
        chars = _item_chars(op, av)
        if chars is None:
            # Cannot be spelled out (`.`, `\w`, `[^...]`): the token start known so far must do.
            if "" in paths:
                raise _GiveUp
            done.update(paths)
            return
        paths = _extend(paths, chars, done)
        if len(paths) + len(done) > _MAX_PREFIXES:
            raise _GiveUp
    if "" in paths:
        raise _GiveUp  # the pattern can match without any character
    done.update(paths)


def _item_chars(op: Any, av: Any) -> set[str] | None:
    """The characters one plain item matches, or None when they cannot be listed."""
    if op is sc.LITERAL:
        return {chr(av)}
    if op is sc.IN:
        return _class_chars(av, _MAX_CLASS_EXPANSION)
    if op is sc.CATEGORY and av is sc.CATEGORY_DIGIT:
        return set(_DIGITS)
    return None


def _expand_group(op: Any, av: Any, rest: list[Any], paths: set[str], done: set[str]) -> None:
    """Expand an alternation, a group or a repeat, each followed by the `rest` of the pattern."""
    if op is sc.BRANCH:
        for branch in av[1]:
            _expand(list(branch) + rest, set(paths), done)
    elif op is sc.SUBPATTERN:
        _expand(list(av[-1]) + rest, paths, done)
    else:
        low, high, sub = av
        for times in range(low, min(high, low + PREFIX_LENGTH + 1) + 1):
            _expand(list(sub) * times + rest, set(paths), done)


class Prefilter:
    """A quick test on the starts of a text's tokens that rules out texts a pattern cannot match.

    Built from the pattern's possible first token (up to PREFIX_LENGTH word characters, or one symbol).
    Patterns are matched at token starts: a match that begins inside a word is not looked for.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.starts: frozenset[str] | None
        done: set[str] = set()
        try:
            _expand(list(sp.parse(pattern, flags)), {""}, done)
        except (_GiveUp, re.error, RecursionError):
            self.starts = None
            return
        self.starts = frozenset(done)

    def may_match(self, starts: set[str]) -> bool:
        """False only when the pattern cannot match at a token start; `starts` is `token_starts(text)`."""
        return self.starts is None or not self.starts.isdisjoint(starts)


def token_starts(text: str) -> set[str]:
    """The first PREFIX_LENGTH characters of every word of `text`, and every symbol or emoji."""
    return set(_TOKEN_STARTS.findall(text))
