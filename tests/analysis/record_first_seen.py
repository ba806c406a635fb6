#!/usr/bin/env python3
"""Record a new batch's first-seen figures (before any change is made for it) in its first_seen.json.

usage: .venv/bin/python tests/analysis/record_first_seen.py tests/analysis/unseen/bNN
Scores the batch with the analysis as committed (rules and the shipped stage model) and with the rules
alone, and writes both with the commit they were measured at. Refuses to overwrite an existing record.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus_scoring import Figures, score_corpus


def figures_json(f: Figures) -> dict[str, Any]:
    """The goal figures of a scored batch, and every miss."""
    stages = sorted(set(f.stage_tp) | set(f.stage_fp) | set(f.stage_fn))
    return {
        "cases": f.cases,
        "benign": f.benign,
        "indicators": {
            "found": f.found,
            "false": f.false,
            "missed": f.missed,
            "precision": round(f.precision, 3),
            "recall": round(f.recall, 3),
        },
        "stage_macro_f1": round(f.macro_f1, 3),
        "stage_f1": {s: round(f.stage_f1(s), 3) for s in stages},
        "warned_before_threat": round(f.early, 3),
        "sextortion": f.sextortion,
        "warned_early": f.warned_early,
        "benign_warned_share": round(f.benign_rate, 3),
        "benign_warned": f.benign_warned,
        "problems": f.problems,
    }


def main() -> None:
    batch = Path(sys.argv[1])
    out = batch / "first_seen.json"
    if out.exists():
        sys.exit(f"{out} exists: a batch is seen first only once")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True).stdout
    if dirty.strip():
        sys.exit("src/ has uncommitted changes: commit src first (the record names the commit)")
    shipped = score_corpus(batch)
    rules = score_corpus(batch, stage_model=False)
    doc = {
        "scored_at_commit": commit,
        "scored_on": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "note": "scored before any change to the analysis was made for this batch",
        **figures_json(shipped),
        "rules_alone": figures_json(rules),
    }
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"{batch.name}: {shipped.summary()}\n{batch.name} (rules alone): {rules.summary()}")


if __name__ == "__main__":
    main()
