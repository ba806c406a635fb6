#!/usr/bin/env python3
"""Linking at national scale: a generated population of offenders and reports, with ground truth.

The population (every share below is a stated assumption, printed with the figures, never fitted to them):
- Offenders (default 10 000; Zipf-like, most have a few victims, some hundreds). Each runs fake profiles
  whose handles are a girl's name, maybe a joining word, a word and a number (`jess.x.love22`; 60 names,
  8 joiners, 40 words: unrelated offenders can meet on the letters); accounts are banned and made again
  (1-4 accounts: a new number, other separators, look-alike digits `j3ss`, now and then a new word), on
  Snapchat or Instagram; a display name that is mostly the handle's name ("Jess", every sixtieth profile);
  1-3 phones and 1-3 payment routes (PayPal, Cash App, bitcoin, a bank account) used in turn; 1-3
  pictures of "himself" (10% one of 200 stolen photos that unrelated offenders also use); a script of
  about 70 words (20% adapted from one of 8 templates that circulate between groups, a third to two
  thirds of the words changed; all quote common threats).
- Reports carry what the victim kept (REPORT_KINDS): a chat export (50%: the handle 95%, the display
  name 90%, half to all of the script with a few words changed, a phone 30%, a payment route 50%, a
  photo he sent 15%, a few bits off after re-encoding), screenshots (30%: the handle 85%, the name 60%,
  a third to two thirds of the script read by OCR in 60% with a word in twenty garbled, a payment route
  40%, a phone 15%, his profile picture 45%, cut from a screenshot: often 10-30 bits off, sometimes past
  the radius), a payment receipt alone (10%: the route only, an exact value), or nothing kept (10%: the
  chat deleted in panic; the form's own words never link). Noise: a platform's support address quoted
  in 2% of reports (a common value), a one-off number in 10%.

1. Exact linking on DuckDB (sxr.linking.engines.exact_groups + union-find) over every report, timed,
   beside its anchor measured in the same run: the same grouping in plain Python dicts. (Pictures are
   hashed for the sample only: the 1M timing is of handles, phones, payments and noise.)
2. Suggested links on a sample (the reports of --suggest-offenders offenders drawn at random, at most
   --suggest-cap each), with sxr's Splink model (look-alike handles and handle stems, names, MinHash of
   scripts, PDQ pictures within the watchlist's radius) and a plain Splink baseline (Jaro-Winkler on the
   handle and an exact name, parameters estimated by Splink's own EM), each with precision and recall:
   - edge precision: the share of suggested pairs whose cases share an offender;
   - added precision / recall: of the report pairs the suggestions join (transitively, over the exact
     clusters), the share that are true; and the share of true pairs exact linking missed that they join;
     overall, and by the weaker report of each pair: both comparable (a handle, script or picture), one
     holding only exact values, one holding nothing (no model can join those: said, not hidden).

usage: bench/linking.py [--quick] [--reports N] [--offenders N] [--suggest-offenders N] [--suggest-cap N]
                        [--engine duckdb|spark] [--no-baseline]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from sxr.linking import core  # noqa: E402
from sxr.linking.engines import LinkRecord, exact_groups, suggest  # noqa: E402

WORDS = [f"w{k}" for k in range(6000)]
COMMON_PHRASES = [
    "send me a pic",
    "i recorded everything",
    "pay now or i send it to all your followers",
    "you have one hour",
    "dont ignore me",
]
SUPPORT = ("email", "support@example.com")
# Fake profiles' handles and names: a girl's name, sometimes a joining word, a word, a number.
NAMES = [
    "jess",
    "lily",
    "maya",
    "amy",
    "sofia",
    "emma",
    "zoe",
    "ella",
    "mia",
    "ruby",
    "chloe",
    "grace",
    "anna",
    "lucy",
    "holly",
    "katie",
    "megan",
    "amber",
    "jade",
    "leah",
    "erin",
    "niamh",
    "olivia",
    "isla",
    "freya",
    "poppy",
    "daisy",
    "evie",
    "millie",
    "rosie",
    "abbie",
    "tia",
    "kayla",
    "bella",
    "sienna",
    "skye",
    "hannah",
    "lauren",
    "sophie",
    "ellie",
    "libby",
    "molly",
    "nina",
    "tara",
    "gemma",
    "kelly",
    "laura",
    "jenny",
    "cara",
    "alice",
    "beth",
    "rachel",
    "kim",
    "paige",
    "nicole",
    "becky",
    "summer",
]
JOINERS = ("", "", "x", "xo", "its", "the", "lil", "miss")
HANDLE_WORDS = [
    "love",
    "babe",
    "cute",
    "girl",
    "angel",
    "honey",
    "kitty",
    "baby",
    "sweet",
    "peach",
    "bunny",
    "doll",
    "star",
    "moon",
    "rose",
    "cherry",
    "sugar",
    "candy",
    "dreamy",
    "pink",
    "lush",
    "bae",
    "vibes",
    "secret",
    "shy",
    "fun",
    "wild",
    "kiss",
    "heart",
    "luv",
    "xoxo",
    "glow",
    "sunny",
    "chill",
    "snap",
    "pics",
    "private",
    "only",
    "naughty",
]
SEPARATORS = (".", "_", "", ".", "_")
PAYMENT_KINDS = ("paypal_me", "cashapp_cashtag", "btc_address", "bank_account")
# 20% of offenders work from a script template that circulates between groups (so unrelated offenders
# share some wording), 10% use one of a pool of stolen photos that unrelated offenders also steal.
TEMPLATES = 8
STOCK_PHOTOS = 200
# What a report carries, by the evidence the victim had (the shares and rates are the bench's stated
# assumptions, printed with the figures, not fitted to them):
REPORT_KINDS = (
    # kind, share, handle, display name, script (share of it seen), phone, payment, a picture of him
    ("chat export", 0.50, 0.95, 0.90, (0.5, 1.0), 0.30, 0.50, 0.15),
    ("screenshots", 0.30, 0.85, 0.60, (0.3, 0.7), 0.15, 0.40, 0.45),
    ("payment receipt", 0.10, 0.0, 0.0, None, 0.0, 1.0, 0.0),
    ("nothing kept", 0.10, 0.0, 0.0, None, 0.0, 0.0, 0.0),
)
SCREENSHOT_SCRIPT = 0.6  # of screenshot reports, those whose pictures hold enough of his words to read


def _flip(bits: int, n: int, rng: random.Random) -> int:
    for position in rng.sample(range(256), n):
        bits ^= 1 << position
    return bits


class Offender:
    """One offender (a man, or a group working one operation) and what he reuses across victims."""

    def __init__(self, k: int, rng: random.Random, templates: list[list[str]], stock: list[int]) -> None:
        self.k = k
        name = rng.choice(NAMES)
        word = rng.choice(HANDLE_WORDS)
        joiner = rng.choice(JOINERS)
        number = str(rng.choice([rng.randint(1, 99), rng.randint(100, 9999)]))
        parts = [p for p in (name, joiner, word) if p]
        self.base = (parts, number)
        # Accounts are banned and made again: the same handle with a new number, other separators,
        # look-alike digits, or (now and then) a new word; one to four accounts, on Snapchat or Instagram.
        self.accounts = [self._account(rng, first=True)]
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            self.accounts.append(self._account(rng, first=False))
        self.name = name.title() if rng.random() < 0.7 else f"{name.title()} {word}"
        self.phones = [f"+4477009{k:05d}{j}" for j in range(rng.randint(1, 3))]
        self.payments = [
            (rng.choice(PAYMENT_KINDS), f"acct{k}x{j}{rng.randint(0, 999)}") for j in range(rng.randint(1, 3))
        ]
        pictures = [rng.getrandbits(256) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.1:
            pictures[0] = rng.choice(stock)
        self.pictures = pictures
        if rng.random() < 0.2:
            script = list(rng.choice(templates))
            for i in rng.sample(range(len(script)), rng.randint(len(script) // 3, len(script) * 2 // 3)):
                script[i] = rng.choice(WORDS)
        else:
            script = rng.sample(WORDS, 60)
        self.script = script + [w for p in rng.sample(COMMON_PHRASES, 3) for w in p.split()]

    def _account(self, rng: random.Random, first: bool) -> tuple[str, str]:
        parts, number = self.base
        sep = rng.choice(SEPARATORS)
        if not first:
            r = rng.random()
            if r < 0.5:
                number = str(int(number) + rng.randint(1, 9))
            elif r < 0.65:
                parts = [p.replace("e", "3").replace("o", "0").replace("i", "1") for p in parts]
            elif r < 0.8:
                parts = [*parts[:-1], rng.choice(HANDLE_WORDS)]
            # else: the same handle with other separators
        platform = rng.choice(["snapchat_username", "instagram_username"])
        return platform, sep.join(parts) + (sep if rng.random() < 0.3 else "") + number


class Report:
    """What one report carries: indexes into its offender's accounts, phones, payments and pictures."""

    __slots__ = ("account", "kind", "name", "offender", "oneoff", "payment", "phone", "picture", "script")

    def __init__(self, offender: int, kind: int) -> None:
        self.offender, self.kind = offender, kind
        self.account: int | None = None
        self.name = False
        self.script: tuple[float, float] | None = None
        self.phone: int | None = None
        self.payment: int | None = None
        self.picture: int | None = None
        self.oneoff = False


def generate(
    reports: int, offenders: int, seed: int = 18
) -> tuple[list[Offender], list[Report], random.Random]:
    rng = random.Random(seed)
    templates = [rng.sample(WORDS, 60) for _ in range(TEMPLATES)]
    stock = [rng.getrandbits(256) for _ in range(STOCK_PHOTOS)]
    people = [Offender(k, rng, templates, stock) for k in range(offenders)]
    weights = [1.0 / (k + 1) ** 0.8 for k in range(offenders)]
    truth = rng.choices(range(offenders), weights=weights, k=reports)
    kinds = rng.choices(range(len(REPORT_KINDS)), weights=[k[1] for k in REPORT_KINDS], k=reports)
    out = []
    for o, kind in zip(truth, kinds, strict=True):
        _name, _share, handle, name, script, phone, payment, picture = REPORT_KINDS[kind]
        p = people[o]
        r = Report(o, kind)
        if rng.random() < handle:
            r.account = rng.randrange(len(p.accounts))
        r.name = rng.random() < name
        if script is not None and (kind == 0 or rng.random() < SCREENSHOT_SCRIPT):
            start = rng.random() * (1 - script[0])
            r.script = (start, start + rng.uniform(*script))
        if rng.random() < phone:
            r.phone = rng.randrange(len(p.phones))
        if rng.random() < payment:
            r.payment = rng.randrange(len(p.payments))
        if rng.random() < picture:
            r.picture = rng.randrange(len(p.pictures))
        r.oneoff = kind < 2 and rng.random() < 0.1
        out.append(r)
    return people, out, rng


def observables(
    people: list[Offender], reports: list[Report], rng: random.Random
) -> list[tuple[int, str, str]]:
    """The exact values: handles as written, phones, payment routes, the support address, one-off numbers."""
    rows: list[tuple[int, str, str]] = []
    for case_id, r in enumerate(reports):
        p = people[r.offender]
        if r.account is not None:
            rows.append((case_id, *p.accounts[r.account]))
        if r.phone is not None:
            rows.append((case_id, "phone", p.phones[r.phone]))
        if r.payment is not None:
            rows.append((case_id, *p.payments[r.payment]))
        if r.kind < 2 and rng.random() < 0.02:
            rows.append((case_id, *SUPPORT))
        if r.oneoff:  # a number the offender used once
            rows.append((case_id, "phone", f"+4477008{case_id:07d}"))
    return rows


def carries(r: Report) -> str:
    """The subset a report falls in, by what a suggestion could compare."""
    if r.account is not None or r.script is not None or r.picture is not None:
        return "comparable (a handle, script or picture)"
    if r.phone is not None or r.payment is not None or r.oneoff:
        return "only exact values"
    return "nothing to compare"


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_counts(labels: dict[int, int], truth: list[int]) -> tuple[int, int, int]:
    """(pairs joined by `labels`, pairs that are true, true pairs overall) over the cases in `labels`."""
    cells: Counter[tuple[int, int]] = Counter()
    clusters: Counter[int] = Counter()
    offenders: Counter[int] = Counter()
    for case_id, label in labels.items():
        cells[(label, truth[case_id])] += 1
        clusters[label] += 1
        offenders[truth[case_id]] += 1
    joined = sum(pairs(n) for n in clusters.values())
    true_joined = sum(pairs(n) for n in cells.values())
    return joined, true_joined, sum(pairs(n) for n in offenders.values())


def python_groups(rows: list[tuple[int, str, str]]) -> list[list[int]]:
    by_value: dict[tuple[str, str], set[int]] = defaultdict(set)
    for case_id, kind, value in rows:
        by_value[(kind, value)].add(case_id)
    return sorted(sorted(v) for v in by_value.values() if 1 < len(v) <= core.COMMON_CASES)


def exact_bench(rows: list[tuple[int, str, str]], engine: str) -> tuple[float, float, core.Clusters]:
    started = time.perf_counter()
    groups = exact_groups(rows, engine)
    clusters = core.exact_clusters(groups.groups)
    clusters.groups()
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    core.exact_clusters(python_groups(rows)).groups()
    anchor = time.perf_counter() - started
    print(
        f"  common values: {len(groups.common)} (e.g. {groups.common[0][0].value if groups.common else '-'})"
    )
    return seconds, anchor, clusters


def sample_records(
    people: list[Offender],
    reports: list[Report],
    rows: list[tuple[int, str, str]],
    chosen: list[int],
    cap: int,
    rng: random.Random,
) -> tuple[list[LinkRecord], list[tuple[int, str, str]]]:
    """The sample's records (with scripts and pictures, made here) and its exact rows (with pictures)."""
    by_offender: dict[int, list[int]] = defaultdict(list)
    for case_id, r in enumerate(reports):
        by_offender[r.offender].append(case_id)
    ids = sorted(c for o in chosen for c in by_offender[o][:cap])
    keep = set(ids)
    sample_rows = [row for row in rows if row[0] in keep]
    handles: dict[int, list[str]] = defaultdict(list)
    for case_id, kind, value in sample_rows:
        if kind.endswith("_username"):
            handles[case_id].append(value)
    records = []
    for case_id in ids:
        r = reports[case_id]
        p = people[r.offender]
        signature: tuple[int, ...] = ()
        if r.script is not None:
            a, b = (int(x * len(p.script)) for x in r.script)
            words = list(p.script[a:b])
            for _ in range(rng.randint(2, 10) if words else 0):  # the script with words changed
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            if r.kind == 1:  # read from screenshots: OCR garbles a word in twenty
                words = [w if rng.random() > 0.05 else w[::-1] + "~" for w in words]
            signature = core.minhash(core.shingles([" ".join(words)]))
        pictures = []
        if r.picture is not None:
            # A photo he sent, re-encoded by the app: a few bits; his profile picture cut from a
            # screenshot: often more, sometimes past the radius.
            flips = rng.randint(0, 8) if r.kind == 0 else int(rng.triangular(0, 48, 8))
            value = f"{_flip(p.pictures[r.picture], flips, rng):064x}"
            pictures.append(value)
            sample_rows.append((case_id, "pdq", value))
        name = [p.name] if r.name else []
        records.append(LinkRecord(case_id, handles.get(case_id, []), name, signature, pictures))
    return records, sample_rows


def baseline(records: list[LinkRecord]) -> list[tuple[int, int]]:
    """Plain Splink: Jaro-Winkler on the first handle, exact name; u by sampling, m by EM."""
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    table = pa.Table.from_pylist(
        [
            {
                "unique_id": r.case_id,
                "handle": r.handles[0].lower() if r.handles else None,
                "name": r.names[0].lower() if r.names else None,
                "first4": r.handles[0][:4].lower() if r.handles else None,
            }
            for r in records
        ]
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.JaroWinklerAtThresholds("handle", [0.95, 0.88]), cl.ExactMatch("name")],
        blocking_rules_to_generate_predictions=[block_on("handle"), block_on("name"), block_on("first4")],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(table), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match([block_on("handle")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=200_000)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first4"))
    found = linker.inference.predict(threshold_match_probability=0.5).as_record_list()
    return [tuple(sorted((int(p["unique_id_l"]), int(p["unique_id_r"])))) for p in found]  # type: ignore[misc]


RANK = {"comparable (a handle, script or picture)": 2, "only exact values": 1, "nothing to compare": 0}


def _pair_split(
    labels: dict[int, int], truth: list[int], grade: dict[int, int], level: int
) -> tuple[int, int, int]:
    """pair_counts over the pairs whose weaker report is of rank `level` (RANK): pairs among reports of
    rank >= level, less those among reports of rank > level."""
    at_least = pair_counts({c: v for c, v in labels.items() if grade[c] >= level}, truth)
    above = pair_counts({c: v for c, v in labels.items() if grade[c] > level}, truth)
    return at_least[0] - above[0], at_least[1] - above[1], at_least[2] - above[2]


def score(
    name: str,
    found: list[tuple[int, int]],
    exact: core.Clusters,
    case_ids: list[int],
    truth: list[int],
    seconds: float,
    subsets: dict[str, set[int]],
) -> float:
    """Print precision and recall (overall and per subset) of `found` over the exact clusters; the recall."""
    edges_true = sum(1 for a, b in found if truth[a] == truth[b])
    before = {c: exact.find(c) for c in case_ids}
    joined = core.Clusters()
    for c in case_ids:
        joined.union(c, before[c])
    for a, b in found:
        joined.union(a, b)
    after = {c: joined.find(c) for c in case_ids}
    edge_p = edges_true / len(found) if found else float("nan")
    out = float("nan")
    print(f"  {name}: {len(found)} pairs, edge precision {edge_p:.3f}, {seconds:.1f} s")
    grade = {c: RANK[label] for label, inside in subsets.items() for c in inside}
    for label, level in [("all pairs", -1), *sorted(RANK.items(), key=lambda kv: -kv[1])]:
        j0, t0, truth_pairs = (
            _pair_split(before, truth, grade, level) if level >= 0 else pair_counts(before, truth)
        )
        j1, t1, _ = _pair_split(after, truth, grade, level) if level >= 0 else pair_counts(after, truth)
        inside = subsets.get(label, set(case_ids))
        added, added_true = j1 - j0, t1 - t0
        prec = added_true / added if added else float("nan")
        rec = added_true / (truth_pairs - t0) if truth_pairs > t0 else float("nan")
        if level < 0:
            out = rec
        print(
            f"    {label:<42} {len(inside):>6} reports  added precision {prec:.3f}  "
            f"recall of missed pairs {rec:.3f} ({added_true}/{truth_pairs - t0})"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--offenders", type=int, default=10_000)
    parser.add_argument("--suggest-offenders", type=int, default=300)
    parser.add_argument("--suggest-cap", type=int, default=40, help="reports of one offender in the sample")
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain Splink baseline")
    parser.add_argument(
        "--quick", action="store_true", help="100 000 reports, 1 000 offenders, 150 in the sample"
    )
    args = parser.parse_args()
    if args.quick:
        args.reports, args.offenders, args.suggest_offenders = 100_000, 1_000, 150

    started = time.perf_counter()
    people, reports, rng = generate(args.reports, args.offenders)
    truth = [r.offender for r in reports]
    rows = observables(people, reports, rng)
    print(
        f"population: {args.offenders} offenders, {args.reports} reports, {len(rows)} observables "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    kinds = Counter(r.kind for r in reports)
    for k, (label, *_rest) in enumerate(REPORT_KINDS):
        print(f"  {label:<16} {kinds[k] / len(reports):.0%} of reports")
    print(f"exact linking on {args.engine}:")
    seconds, anchor, exact = exact_bench(rows, args.engine)
    labels = {c: exact.find(c) for c in range(args.reports)}
    joined, true_joined, truth_pairs = pair_counts(labels, truth)
    print(
        f"  {seconds:.2f} s (goal <= 30 s for 1M reports); plain-Python anchor {anchor:.2f} s; "
        f"ratio {seconds / anchor:.2f}"
    )
    print(
        f"  pairwise precision {true_joined / joined if joined else float('nan'):.4f}, "
        f"recall {true_joined / truth_pairs:.4f} (exact links alone)"
    )
    del labels, exact

    chosen = rng.sample(range(args.offenders), min(args.suggest_offenders, args.offenders))
    records, sample_rows = sample_records(people, reports, rows, chosen, args.suggest_cap, rng)
    sample_ids = [r.case_id for r in records]
    subsets: dict[str, set[int]] = defaultdict(set)
    for c in sample_ids:
        subsets[carries(reports[c])].add(c)
    print(
        f"suggested links on {len(records)} reports of {len(chosen)} offenders (at most "
        f"{args.suggest_cap} each; goal precision >= 0.9, recall >= 0.8):"
    )
    sub_exact = core.exact_clusters(exact_groups(sample_rows).groups)
    started = time.perf_counter()
    found = [(s.case_a, s.case_b) for s in suggest(records, args.engine)]
    took = time.perf_counter() - started
    found = [(a, b) for a, b in found if sub_exact.find(a) != sub_exact.find(b)]
    score("sxr (Splink + MinHash + PDQ)", found, sub_exact, sample_ids, truth, took, dict(subsets))
    if args.no_baseline:
        return
    started = time.perf_counter()
    try:
        plain = [(a, b) for a, b in baseline(records) if sub_exact.find(a) != sub_exact.find(b)]
        took = time.perf_counter() - started
        score("plain Splink baseline", plain, sub_exact, sample_ids, truth, took, dict(subsets))
    except Exception as exc:  # the baseline's EM can fail to converge: said, not hidden
        print(f"  plain Splink baseline failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
