"""UK sort code and account number check (Vocalink modulus checking, the published algorithm).

The weight table (Vocalink's valacdos.txt) is published by Vocalink under its own terms and changes
several times a year; sxr does not ship it. Set SXR_VOCALINK_TABLE to a copy of valacdos.txt to check
accounts against it. Without a table (or for a sort code outside every range) an account is accepted
on its form: six-digit sort code and eight-digit account number, as Vocalink advises for unknown ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class ModulusRule:
    """A row of the weight table: sort code range, method, 14 weights (u v w x y z a b c d e f g h)."""

    start: int
    end: int
    method: str  # MOD10 | MOD11 | DBLAL
    weights: tuple[int, ...]
    exception: int | None = None


def parse_table(text: str) -> list[ModulusRule]:
    """Rows of a valacdos.txt-format table."""
    rules = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 17:
            continue
        exception = int(parts[17]) if len(parts) > 17 and parts[17].isdigit() else None
        rules.append(
            ModulusRule(
                int(parts[0]), int(parts[1]), parts[2].upper(), tuple(int(w) for w in parts[3:17]), exception
            )
        )
    return rules


@cache
def _default_table() -> tuple[ModulusRule, ...]:
    from sxr.config import get_settings

    path = get_settings().vocalink_table
    if path is None or not path.is_file():
        return ()
    return tuple(parse_table(path.read_text(encoding="ascii", errors="replace")))


def _weights(rule: ModulusRule, digits: list[int]) -> tuple[int, ...]:
    """The rule's weights after exceptions 7 and 10, which zero u..b for some accounts."""
    zero_first = (rule.exception == 7 and digits[12] == 9) or (
        rule.exception == 10 and digits[6] * 10 + digits[7] in (9, 99) and digits[12] == 9
    )
    return (0,) * 8 + rule.weights[8:] if zero_first else rule.weights


def _check(rule: ModulusRule, digits: list[int]) -> bool:
    # Exception 6: foreign currency accounts (a = 4..8 and g = h) cannot be checked; accept them.
    if rule.exception == 6 and 4 <= digits[6] <= 8 and digits[12] == digits[13]:
        return True
    weights = _weights(rule, digits)
    if rule.method == "DBLAL":
        # Exception 3: when c is 6 or 9 the double alternate check is not made.
        if rule.exception == 3 and digits[8] in (6, 9):
            return True
        total = sum(sum(int(c) for c in str(d * w)) for d, w in zip(digits, weights, strict=True))
        if rule.exception == 1:
            total += 27
        return total % 10 == 0
    total = sum(d * w for d, w in zip(digits, weights, strict=True))
    if rule.method == "MOD10":
        return total % 10 == 0
    if rule.exception == 4:
        return total % 11 == digits[12] * 10 + digits[13]
    return total % 11 == 0


def uk_account_passes(sort_code: str, account: str, table: tuple[ModulusRule, ...] | None = None) -> bool:
    """Whether the pair passes the modulus checks of every rule for its sort code range (see module doc).

    Exceptions 1, 3, 4, 6, 7 and 10 are applied as published; pairs under other exceptions (2, 5, 8, 9,
    11 to 14 change sort codes or digits in ways this module does not model) pass when any of their rules
    passes.
    """
    if len(sort_code) != 6 or len(account) != 8 or not (sort_code + account).isdigit():
        return False
    rules = [
        r for r in (table if table is not None else _default_table()) if r.start <= int(sort_code) <= r.end
    ]
    if not rules:
        return True
    digits = [int(c) for c in sort_code + account]
    results = [_check(rule, digits) for rule in rules]
    simple = all(rule.exception in (None, 1, 3, 4, 6, 7, 10) for rule in rules)
    return all(results) if simple else any(results)
