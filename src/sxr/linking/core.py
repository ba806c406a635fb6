"""The pure core of linking: observables from a stored analysis, exact links, common values, look-alike
keys, MinHash over the offender's scripts, clusters of cases and their harm. No database, no engine.

The offender's side only: an indicator is the offender's when the message it was first written in was
sent by the sender the analysis names as the offender (`offender` in the analysis document). A detail
first written by the victim (their own number, their own PayPal, a gift-card code they paid with) never
becomes an observable, nor does anything the victim typed on the report form.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from sxr.analysis.vocabulary import Family, indicator_kind, kind_label

# A value found in more cases than COMMON_CASES is looked at again: when its cases are unrelated (they
# hold more than COMMON_SPREAD other distinct values per case: a platform's support address, a bank's
# generic sort code, quoted by victims of many offenders) it is common, shown with the reason, and links
# nothing. A prolific offender's PayPal is in hundreds of cases too, but they share his other few details.
COMMON_CASES = 25
COMMON_SPREAD = 0.5
# Kinds that never link: a sum of money is not an identity.
UNLINKABLE_FAMILIES = frozenset({Family.AMOUNT})
# Bounds for hostile input: an analysis with more is cut (and the cut is said by the caller).
MAX_OBSERVABLES_PER_CASE = 200
MAX_SCRIPT_CHARS = 20_000
SHINGLE_WORDS = 3
MINHASH_PERMUTATIONS = 64
MINHASH_BANDS = 32  # 32 bands of 2 rows: scripts overlapping by 0.3 meet in some band 19 times in 20
_ROWS = MINHASH_PERMUTATIONS // MINHASH_BANDS
_PRIME = (1 << 31) - 1


@dataclass(frozen=True, slots=True)
class Observable:
    """One of the offender's identifiers in one case: its kind (the analysis vocabulary) and normal form."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        """The kind in people's words ("Snapchat name")."""
        return kind_label(self.kind)


@dataclass(slots=True)
class CaseProfile:
    """What linking knows of one case: the offender's identifiers, names and words, and the harm facts."""

    case_id: int
    reference: str
    observables: set[Observable] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # the offender's display names in the chats
    script: list[str] = field(default_factory=list)  # the offender's messages, as written
    under_18: bool = False
    self_harm: bool = False
    paid: bool = False
    opened_at: datetime | None = None
    hours_to_threat: float | None = None  # from the first message to the first threat
    problems: list[str] = field(default_factory=list)


def offender_observables(doc: Mapping[str, Any]) -> tuple[set[Observable], set[str], list[str]]:
    """The offender's identifiers, display names and messages in one analysis document.

    Only the offender's side counts: an indicator first written in the victim's message is the victim's
    (or a code they paid with) and is left out, and so are sums of money. A conversation whose offender
    the analysis could not name gives nothing.
    """
    offender = doc.get("offender")
    if not isinstance(offender, str) or not offender:
        return set(), set(), []
    messages = doc.get("messages")
    senders: dict[int, str] = {}
    script: list[str] = []
    size = 0
    for m in messages if isinstance(messages, list) else []:
        if not isinstance(m, dict) or not isinstance(m.get("i"), int):
            continue
        sender = str(m.get("sender") or "")
        senders[m["i"]] = sender
        if sender == offender and size < MAX_SCRIPT_CHARS:
            text = str(m.get("text") or "")[: MAX_SCRIPT_CHARS - size]
            size += len(text)
            script.append(text)
    found: set[Observable] = set()
    indicators = doc.get("indicators")
    for ind in indicators if isinstance(indicators, list) else []:
        if not isinstance(ind, dict) or len(found) >= MAX_OBSERVABLES_PER_CASE:
            continue
        kind, value, first_i = ind.get("kind"), ind.get("value"), ind.get("first_i")
        known = indicator_kind(str(kind))
        if known is None or known.family in UNLINKABLE_FAMILIES or not value or len(str(value)) > 400:
            continue
        if not isinstance(first_i, int) or senders.get(first_i) != offender:
            continue
        found.add(Observable(str(kind), str(value)))
    return found, {offender[:120]}, script


# --- look-alike keys -----------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s._\-@$]+")
_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "$": "s"})


def handle_skeleton(value: str) -> str:
    """A handle with separators, accents and case taken away: `jess.x.love22` and `Jess_x_Love22` meet."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    return _SEPARATORS.sub("", text)[:120]


def letters_skeleton(value: str) -> str:
    """The skeleton with digits read as the letters they imitate (`l1ly` as `llly`): a looser key."""
    return handle_skeleton(value).translate(_LOOKALIKE)


_DIGITS = re.compile(r"[0-9]+")


def handle_stem(value: str) -> str:
    """The handle's letters alone, look-alike digits read as letters and its number dropped: an offender's
    next account after a ban is often his old handle with a new number (`jess.x.love22`, `jess_x_love23`,
    `j3ss.x.l0ve7` all give `jessxlove`). A weaker key than the skeleton: unrelated handles can share it."""
    skeleton = handle_skeleton(value)
    body = skeleton.rstrip("0123456789")  # the trailing number goes first, so `love22` is not `lovebb`
    return _DIGITS.sub("", body.translate(_LOOKALIKE))


def handles(observables: Iterable[Observable]) -> list[str]:
    """The handles among `observables` (any platform), sorted."""
    out = []
    for o in observables:
        kind = indicator_kind(o.kind)
        if kind is not None and kind.family is Family.HANDLE:
            out.append(o.value)
    return sorted(out)


# --- scripts ------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(script: Sequence[str], size: int = SHINGLE_WORDS) -> set[str]:
    """Runs of `size` words across the offender's messages (lowercase), the unit a reused script shares."""
    words = _WORD.findall(" ".join(script).lower()[:MAX_SCRIPT_CHARS])
    if len(words) < size:
        return set()
    return {" ".join(words[k : k + size]) for k in range(len(words) - size + 1)}


def _params() -> tuple[np.ndarray, np.ndarray]:
    a, b = [], []
    for k in range(MINHASH_PERMUTATIONS):
        digest = hashlib.sha256(f"sxr-minhash-{k}".encode()).digest()
        x, y = struct.unpack("<II", digest[:8])
        a.append(x % (_PRIME - 1) + 1)
        b.append(y % _PRIME)
    return np.array(a, dtype=np.uint64)[:, None], np.array(b, dtype=np.uint64)[:, None]


_A, _B = _params()


def minhash(shingle_set: Iterable[str]) -> tuple[int, ...]:
    """A MinHash signature: 64 permutations `(a h + b) mod p` of 31-bit shingle hashes; () for none."""
    hashes = [
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "little") for s in shingle_set
    ]
    if not hashes:
        return ()
    h = np.array(hashes, dtype=np.uint64)[None, :] % np.uint64(_PRIME)
    # a, h < 2^31: a * h + b stays below 2^63, so uint64 never overflows.
    return tuple(int(x) for x in ((_A * h + _B) % np.uint64(_PRIME)).min(axis=1))


def bands(signature: Sequence[int]) -> list[str]:
    """The LSH band keys of a signature: two scripts that share one are compared."""
    if not signature:
        return []
    return [
        f"{band}:"
        + hashlib.blake2b(
            repr(tuple(signature[band * _ROWS : (band + 1) * _ROWS])).encode(), digest_size=8
        ).hexdigest()
        for band in range(MINHASH_BANDS)
    ]


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The share of permutations on which two signatures agree: an estimate of their scripts' overlap."""
    if not a or not b:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


# --- exact links and clusters ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommonValue:
    """A value seen in too many cases to link them: shown with the reason, never used to link."""

    observable: Observable
    cases: int
    others: int = 0  # the distinct other values in those cases

    @property
    def reason(self) -> str:
        return (
            f"Seen in {self.cases} cases that otherwise share little ({self.others} different other "
            "details): probably shared or generic, such as a platform's support address or a bank's "
            "general account, so it does not link cases."
        )


def cases_by_value(profiles: Iterable[CaseProfile]) -> dict[Observable, list[int]]:
    """For each observable, the cases it is found in (sorted)."""
    out: dict[Observable, set[int]] = defaultdict(set)
    for profile in profiles:
        for o in profile.observables:
            out[o].add(profile.case_id)
    return {o: sorted(ids) for o, ids in out.items()}


def is_common(cases: int, others: int, limit: int = COMMON_CASES) -> bool:
    """Whether a value in `cases` cases, whose cases hold `others` distinct other values, is common."""
    return cases > limit and others > COMMON_SPREAD * cases


# For each value in more than `limit` cases: the distinct other values in its cases. DuckDB, Spark,
# SQLite and PostgreSQL all read it; `{table}` has the columns case_id, kind and value.
SPREAD_SQL = """
    WITH big AS (
        SELECT kind, value, count(DISTINCT case_id) AS n FROM {table}
        GROUP BY kind, value HAVING count(DISTINCT case_id) > {limit}
    )
    SELECT big.kind, big.value, big.n, count(DISTINCT o2.kind || ':' || o2.value) AS others
    FROM big
    JOIN {table} o1 ON o1.kind = big.kind AND o1.value = big.value
    JOIN {table} o2 ON o2.case_id = o1.case_id AND NOT (o2.kind = big.kind AND o2.value = big.value)
    GROUP BY big.kind, big.value, big.n
"""


class Clusters:
    """Union-find over case ids: which cases share an offender."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self._parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller id is the root, so the clusters come out the same whatever the order.
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Every cluster of two or more cases, each sorted, the clusters sorted by their first case."""
        out: dict[int, list[int]] = defaultdict(list)
        for x in list(self._parent):
            out[self.find(x)].append(x)
        return sorted((sorted(v) for v in out.values() if len(v) > 1), key=lambda g: g[0])


def exact_clusters(groups: Iterable[Sequence[int]], confirmed: Iterable[tuple[int, int]] = ()) -> Clusters:
    """Cases joined by each group of cases that share a (not common) value, and by confirmed pairs."""
    clusters = Clusters()
    for ids in groups:
        first = ids[0]
        clusters.find(first)
        for other in ids[1:]:
            clusters.union(first, other)
    for a, b in confirmed:
        clusters.union(a, b)
    return clusters


# --- harm ---------------------------------------------------------------------------------------------

UNDER_18_BANDS = frozenset({"under-13", "13-15", "16-17"})


@dataclass(frozen=True, slots=True)
class Harm:
    """How much harm an offender's cases show, and the score they are ranked by (most first)."""

    victims: int
    under_18: int
    self_harm: int
    paid: int
    latest: datetime | None
    fast_escalations: int  # cases where the threat came within a day of the first message
    score: float


def harm(profiles: Sequence[CaseProfile], now: datetime) -> Harm:
    """The harm of a cluster: victims, under-18s, self-harm, money paid, recency, speed of escalation.

    Score = 10 a victim + 15 an under-18 + 25 a case with self-harm + 10 a case where money was paid
    + 5 a case escalated to a threat within 24 hours + 10 when the latest case is under 30 days old
    (5 under 90 days). The weights put a child at risk of self-harm first, then scale.
    """
    latest = max((p.opened_at for p in profiles if p.opened_at is not None), default=None)
    counts = {
        "under_18": sum(p.under_18 for p in profiles),
        "self_harm": sum(p.self_harm for p in profiles),
        "paid": sum(p.paid for p in profiles),
        "fast": sum(1 for p in profiles if p.hours_to_threat is not None and p.hours_to_threat <= 24),
    }
    score = 10.0 * len(profiles) + 15 * counts["under_18"] + 25 * counts["self_harm"] + 10 * counts["paid"]
    score += 5 * counts["fast"]
    if latest is not None:
        days = (now - latest).total_seconds() / 86400
        score += 10 if days <= 30 else 5 if days <= 90 else 0
    return Harm(
        victims=len(profiles),
        under_18=counts["under_18"],
        self_harm=counts["self_harm"],
        paid=counts["paid"],
        latest=latest,
        fast_escalations=counts["fast"],
        score=score,
    )
