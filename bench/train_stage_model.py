#!/usr/bin/env python3
"""Train the learned stage-cue model (src/sxr/analysis/learned.py) and cross-validate it by batch.

Reads every labelled corpus (the shared dev set when present, tests/analysis/heldout in its five
batches, tests/analysis/unseen/bNN), one example per message: its words and the rules' cues, and the
stages its labels give it. Cross-validation leaves one batch out at a time: a model trained on the
other batches runs inside the whole analysis on the batch left out, beside the rules alone, and the
figures of both are printed. Then the model is trained on everything and written to
src/sxr/analysis/stage_model.json (with --write).

usage: bench/train_stage_model.py [--write] [--no-cv] [--threshold 0.6]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "analysis"))

from corpus_scoring import Figures, score_cases  # noqa: E402

from sxr.analysis.learned import MODEL_STAGES, StageModel, conversation_features, train  # noqa: E402
from sxr.analysis.normalize import normalize  # noqa: E402
from sxr.analysis.stages import rule_cues  # noqa: E402
from sxr.conversations.importers import import_path  # noqa: E402

DEV = REPO.parent / "shared" / "data" / "conversations" / "dev"
HELDOUT = REPO / "tests" / "analysis" / "heldout"
UNSEEN = REPO / "tests" / "analysis" / "unseen"
MODEL_PATH = REPO / "src" / "sxr" / "analysis" / "stage_model.json"


def heldout_batch(case: str) -> str:
    """The held-out corpus's batch of a case, from its number (INDEX.md's table)."""
    n = int(re.search(r"-[hb](\d+)$", case).group(1))  # type: ignore[union-attr]
    return f"held-{1 if n < 20 else n // 10}"


def batches() -> dict[str, list[Path]]:
    """Every labelled case folder, by batch."""
    out: dict[str, list[Path]] = defaultdict(list)
    if DEV.is_dir():
        out["dev"] = sorted(p.parent for p in DEV.glob("*/labels.json"))
    for p in sorted(HELDOUT.glob("*/labels.json")):
        out[heldout_batch(p.parent.name)].append(p.parent)
    for folder in sorted(UNSEEN.glob("b*/")):
        out[folder.name] = sorted(p.parent for p in folder.glob("*/labels.json"))
    return dict(out)


def examples(cases: list[Path]) -> tuple[list[list[str]], np.ndarray]:
    """Features and stage targets of every message of the cases."""
    features: list[list[str]] = []
    rows: list[list[float]] = []
    for case in cases:
        labels = json.loads((case / "labels.json").read_text("utf-8"))
        hint = labels.get("locale_hint") or {}
        conversation = import_path(case / labels["export"], date_order=hint.get("date_order"))
        wanted = {m["i"]: set(m["stages"]) for m in labels["messages"]}
        found = [rule_cues(normalize(m.text or "").text.lower()) for m in conversation.messages]
        features.extend(conversation_features([m.sender for m in conversation.messages], found))
        for j in range(len(found)):
            rows.append([1.0 if s in wanted.get(j, ()) else 0.0 for s in MODEL_STAGES])
    return features, np.array(rows).reshape(len(rows), len(MODEL_STAGES))


def fit(features: list[list[str]], targets: np.ndarray, threshold: float) -> StageModel:
    return train(features, targets, thresholds=dict.fromkeys(MODEL_STAGES, threshold))


def line(name: str, f: Figures) -> str:
    return (
        f"{name:22} {f.cases:>3} {f.precision:5.2f} {f.recall:5.2f} {f.macro_f1:6.2f} "
        f"{f.early:7.0%} {f.benign_rate:7.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="write the model trained on every batch")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--threshold", type=float, default=0.6, help="probability at which a cue is added")
    args = parser.parse_args()
    groups = batches()
    data = {g: examples(cases) for g, cases in groups.items()}
    print(f"{sum(len(c) for c in groups.values())} cases, {sum(len(d[0]) for d in data.values())} messages")
    if not args.no_cv:
        print("cross-validation by batch (each batch scored by a model trained on the others)")
        head = f"{'batch / analysis':22} {'n':>3} {'P':>5} {'R':>5} {'stgF1':>6} {'early':>7} {'benign':>7}"
        print(head)
        pooled: dict[str, Figures] = {"rules": Figures(), "rules+model": Figures()}
        for g, cases in groups.items():
            others = [d for h, d in data.items() if h != g]
            feats = [f for d in others for f in d[0]]
            targets = np.vstack([d[1] for d in others])
            start = time.perf_counter()
            model = fit(feats, targets, args.threshold)
            took = time.perf_counter() - start
            for name, stage_model in (("rules", False), ("rules+model", model)):
                f = score_cases(cases, stage_model=stage_model)
                print(line(f"{g} {name}", f) + (f"  (trained in {took:.1f} s)" if name != "rules" else ""))
                merge(pooled[name], f)
        for name, f in pooled.items():
            print(line(f"ALL {name}", f))
    if args.write:
        feats = [f for d in data.values() for f in d[0]]
        targets = np.vstack([d[1] for d in data.values()])
        model = fit(feats, targets, args.threshold)
        MODEL_PATH.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n", "utf-8")
        size = MODEL_PATH.stat().st_size // 1024
        print(f"wrote {MODEL_PATH} ({size} KB, {len(model.vocabulary)} features)")


def merge(into: Figures, f: Figures) -> None:
    """Pool one batch's counts into the running figures."""
    into.cases += f.cases
    into.found += f.found
    into.false += f.false
    into.missed += f.missed
    for s, n in f.stage_tp.items():
        into.stage_tp[s] += n
    for s, n in f.stage_fp.items():
        into.stage_fp[s] += n
    for s, n in f.stage_fn.items():
        into.stage_fn[s] += n
    into.sextortion += f.sextortion
    into.warned_early += f.warned_early
    into.benign += f.benign
    into.benign_warned += f.benign_warned


if __name__ == "__main__":
    main()
