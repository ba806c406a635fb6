"""UK sort code and account number check (Vocalink modulus checking, the published algorithm).

The weight table (Vocalink's valacdos.txt) is published by Vocalink under its own terms and changes
several times a year; sxr does not ship it. Set SXR_VOCALINK_TABLE to a copy of valacdos.txt to check
accounts against it. Without a table (or for a sort code outside every range) an account is accepted
on its form: six-digit sort code and eight-digit account number, as Vocalink advises for unknown ranges.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path


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
    path = os.environ.get("SXR_VOCALINK_TABLE")
    if not path or not Path(path).is_file():
        return ()
    return tuple(parse_table(Path(path).read_text(encoding="ascii", errors="replace")))


def _check(rule: ModulusRule, digits: list[int]) -> bool:
    if rule.method == "DBLAL":
        total = sum(sum(int(c) for c in str(d * w)) for d, w in zip(digits, rule.weights, strict=True))
        if rule.exception == 1:
            total += 27
        return total % 10 == 0
    total = sum(d * w for d, w in zip(digits, rule.weights, strict=True))
    if rule.method == "MOD10":
        return total % 10 == 0
    if rule.exception == 4:
        return total % 11 == digits[12] * 10 + digits[13]
    if rule.exception == 5:
        remainder = total % 11
        return (remainder == 0 and digits[12] == 0) or (remainder != 1 and 11 - remainder == digits[12])
    return total % 11 == 0


def uk_account_passes(sort_code: str, account: str, table: tuple[ModulusRule, ...] | None = None) -> bool:
    """Whether the pair passes the modulus checks of every rule for its sort code range (see module doc).

    Exceptions 1, 4 and 5 are applied as published; pairs under other exceptions are accepted when any
    one of their rules passes, because those exceptions change digits in ways this module does not model.
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
    simple = all(rule.exception in (None, 1, 4, 5) for rule in rules)
    return all(results) if simple else any(results)
