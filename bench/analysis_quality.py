#!/usr/bin/env python3
"""Quality of `sxr analyze` on a labelled corpus, and iocsearcher's indicator extraction in the same run.

Runs the `sxr` command (next to this Python, or on PATH) on every case of the corpus (default
../shared/data/conversations/dev) and prints per indicator kind and per stage precision and recall, the
share of sextortion chats warned before the first threat, and the share of benign chats warned at all.
Then gives the same message texts to iocsearcher and counts found, missed and false indicators for
both tools (amounts left out: iocsearcher has no such kind).

With no CORPUS_DIR it scores the shared dev corpus and then the project's held-out corpus
(tests/analysis/heldout, written by other hands than the dev set); or give the directories to score.
Then, for each unseen batch (tests/analysis/unseen/bNN), it prints the figures recorded when the batch
was first scored (before any change made for it: the honest estimate for chats nobody tuned on) next
to its figures now, and the cross-validated figures of the learned stage model (leave one batch out).

usage: bench/analysis_quality.py [CORPUS_DIR ...] [--sxr PATH] [--no-cv]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "conversations" / "dev"
HELDOUT_CORPUS = REPO / "tests" / "analysis" / "heldout"
UNSEEN = REPO / "tests" / "analysis" / "unseen"

# iocsearcher's names for the kinds it can report, and how to bring its values to SCHEMA.md's normal form.
IOC_KINDS = {
    "bitcoin": "btc_address",
    "ethereum": "eth_address",
    "tron": "tron_address",
    "email": "email",
    "phoneNumber": "phone",
    "iban": "iban",
    "facebookHandle": "facebook_profile",
    "instagramHandle": "instagram_username",
    "twitterHandle": "x_username",
    "telegramHandle": "telegram_username",
    "tiktokHandle": "tiktok_username",
    "skypeHandle": "skype_id",
    "youtubeHandle": None,
}


def _norm_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    for ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff":
        text = text.replace(ch, "")
    return " ".join(text.split()).lower()


def _ioc_value(kind: str, value: str) -> str:
    if (
        kind in ("eth_address", "email")
        or kind.endswith("_username")
        or kind in ("facebook_profile", "skype_id")
    ):
        return value.lower().lstrip("@")
    if kind == "btc_address" and value.lower().startswith("bc1"):
        return value.lower()
    if kind == "iban":
        return value.replace(" ", "").upper()
    return value


def run_sxr(sxr: str, case: Path, labels: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    args = [sxr, "analyze", str(case / labels["export"]), "--json"]
    hint = labels.get("locale_hint") or {}
    if hint.get("date_order"):
        args += ["--date-order", hint["date_order"]]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
    return json.loads(done.stdout), None


def pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", nargs="*", type=Path)
    default_sxr = Path(sys.executable).parent / "sxr"
    parser.add_argument("--sxr", default=str(default_sxr) if default_sxr.exists() else shutil.which("sxr"))
    parser.add_argument("--no-cv", action="store_true", help="skip the learned model's cross-validation")
    args = parser.parse_args()
    if not args.sxr:
        sys.exit("sxr is not installed: pip install -e '.[bench]'")
    corpora = args.corpus or [c for c in (DEFAULT_CORPUS, HELDOUT_CORPUS) if c.is_dir()]
    try:
        from iocsearcher.searcher import Searcher

        searcher: Any = Searcher()
    except ImportError:
        searcher = None
    for n, corpus in enumerate(corpora):
        if n:
            print()
        print(f"== {corpus}")
        report(corpus, args.sxr, searcher)
    if not args.corpus:
        print()
        unseen_batches()
        if not args.no_cv:
            print()
            cross_validation()


def _figures(doc: dict[str, Any]) -> str:
    ind = doc["indicators"]
    return (
        f"P {ind['precision']:.2f} R {ind['recall']:.2f}  stages {doc['stage_macro_f1']:.2f}  "
        f"early {doc['warned_before_threat']:4.0%}  benign {doc['benign_warned_share']:4.0%}"
    )


def unseen_batches() -> None:
    """Each unseen batch: its first-seen figures (as recorded) and its figures now (in-process)."""
    sys.path.insert(0, str(REPO / "tests" / "analysis"))
    from corpus_scoring import score_corpus
    from record_first_seen import figures_json

    print(f"== unseen batches ({UNSEEN}): first seen (before any change made for them) -> now")
    for batch in sorted(p for p in UNSEEN.glob("b*") if (p / "first_seen.json").is_file()):
        first = json.loads((batch / "first_seen.json").read_text("utf-8"))
        now = figures_json(score_corpus(batch))
        print(f"{batch.name} ({first['cases']} cases, {first['benign']} benign)")
        print(f"  first seen  {_figures(first)}   at {first['scored_at_commit'][:8]}")
        if "rules_alone" in first:
            print(f"  ... rules   {_figures(first['rules_alone'])}   (same commit, without the model)")
        print(f"  now         {_figures(now)}")
    print("goals: P >= 0.98, R >= 0.95, stages macro-F1 >= 0.85, early >= 90%, benign <= 5%")


def cross_validation() -> None:
    """The learned stage model, cross-validated by batch (bench/train_stage_model.py)."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "train_stage_model.py")], capture_output=True, text=True
    )
    print(done.stdout.rstrip() or done.stderr.strip().splitlines()[-1])


def report(corpus: Path, sxr: str, searcher: Any) -> None:
    """Score `sxr analyze` (and iocsearcher, when given) on one labelled corpus and print the figures."""
    cases = sorted(p.parent for p in corpus.glob("*/labels.json"))
    if not cases:
        sys.exit(f"no labelled cases in {corpus}")

    ind: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # kind -> tp, fp, fn
    stg: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    ours = [0, 0, 0]
    ioc = [0, 0, 0]
    sextortion = early = benign = benign_warned = errors = 0
    sxr_seconds = ioc_seconds = 0.0
    for case in cases:
        labels = json.loads((case / "labels.json").read_text("utf-8"))
        start = time.perf_counter()
        out, error = run_sxr(sxr, case, labels)
        sxr_seconds += time.perf_counter() - start
        want = {(i["kind"], i["value"]) for i in labels["indicators"] if i["kind"] != "amount"}
        if out is None:
            errors += 1
            print(f"{case.name}: error: {error}")
            continue
        got = {(i["kind"], str(i["value"])) for i in out["indicators"] if i["kind"] != "amount"}
        for k in want & got:
            ind[k[0]][0] += 1
        for k in got - want:
            ind[k[0]][1] += 1
        for k in want - got:
            ind[k[0]][2] += 1
        ours[0] += len(want & got)
        ours[1] += len(got - want)
        ours[2] += len(want - got)
        # Stages, aligned on the labels' text_starts as the shared scorer does.
        messages = out["messages"]
        wanted = {}
        for m in labels["messages"]:
            for j in (m["i"], m["i"] - 1, m["i"] + 1):
                if 0 <= j < len(messages) and _norm_text(messages[j]["text"]).startswith(
                    _norm_text(m["text_starts"])
                ):
                    wanted[j] = set(m["stages"])
                    break
        for j, m in enumerate(messages):
            g, w = set(m.get("stages") or []), wanted.get(j, set())
            for s in g & w:
                stg[s][0] += 1
            for s in g - w:
                stg[s][1] += 1
            for s in w - g:
                stg[s][2] += 1
        warn = out["risk"]["first_warning_i"]
        if labels["is_sextortion"]:
            sextortion += 1
            threat = labels["first_threat_i"]
            early += warn is not None and (warn < threat or warn == threat == 0)
        else:
            benign += 1
            benign_warned += warn is not None
        if searcher is not None:
            start = time.perf_counter()
            found: set[tuple[str, str]] = set()
            for m in messages:
                for ioc_result in searcher.search_data(m["text"] or ""):
                    kind = IOC_KINDS.get(ioc_result.name)
                    if kind:
                        found.add((kind, _ioc_value(kind, ioc_result.value)))
            ioc_seconds += time.perf_counter() - start
            ioc[0] += len(want & found)
            ioc[1] += len(found - want)
            ioc[2] += len(want - found)

    print(f"{'indicator kind':22} {'P':>5} {'R':>5}   tp  fp  fn")
    for kind in sorted(ind):
        tp, fp, fn = ind[kind]
        p, r = pr(tp, fp, fn)
        print(f"{kind:22} {p:5.2f} {r:5.2f} {tp:4} {fp:3} {fn:3}")
    f1s = []
    print(f"\n{'stage':22} {'P':>5} {'R':>5} {'F1':>5}   tp  fp  fn")
    for stage in sorted(stg):
        tp, fp, fn = stg[stage]
        p, r = pr(tp, fp, fn)
        f = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f)
        print(f"{stage:22} {p:5.2f} {r:5.2f} {f:5.2f} {tp:4} {fp:3} {fn:3}")
    p, r = pr(*ours)
    macro = sum(f1s) / max(len(f1s), 1)
    print(f"\nindicators: P {p:.2f} R {r:.2f} (goal 0.98 / 0.95); stage macro-F1 {macro:.2f} (goal 0.85)")
    share = early / max(sextortion, 1)
    print(f"sextortion chats warned before the first threat: {early}/{sextortion} ({share:.0%}, goal >= 90%)")
    share = benign_warned / max(benign, 1)
    print(f"benign chats warned: {benign_warned}/{benign} ({share:.0%}, goal <= 5%); errors {errors}")
    head = "indicator extraction (no amounts)"
    print(f"\n{head:34} {'found':>6} {'missed':>7} {'false':>6} {'P':>5} {'R':>5}")
    print(f"{'sxr analyze':34} {ours[0]:>6} {ours[2]:>7} {ours[1]:>6} {p:5.2f} {r:5.2f}")
    if searcher is not None:
        ip, ir = pr(*ioc)
        print(f"{'iocsearcher (same messages)':34} {ioc[0]:>6} {ioc[2]:>7} {ioc[1]:>6} {ip:5.2f} {ir:5.2f}")
        ratio = (ours[0] / ioc[0]) if ioc[0] else float("inf")
        print(
            f"found ratio sxr / iocsearcher: {ratio:.2f}x; seconds: sxr analyze (import + analysis, "
            f"a process per case) {sxr_seconds:.1f}, iocsearcher (extraction only) {ioc_seconds:.1f}"
        )
    else:
        print("iocsearcher is not installed (pip install -e '.[bench]'): no anchor")


if __name__ == "__main__":
    main()
