"""The unseen batches (tests/analysis/unseen) through the real importers and the analysis, vs. the goals."""

from __future__ import annotations

import json
from pathlib import Path

from corpus_scoring import Figures, score_corpus

UNSEEN = Path(__file__).parent / "unseen"
BATCHES = sorted(p for p in UNSEEN.glob("b*") if p.is_dir())


def test_every_batch_kept_its_first_seen_record() -> None:
    assert len(BATCHES) >= 4
    for batch in BATCHES:
        first = json.loads((batch / "first_seen.json").read_text("utf-8"))
        assert first["cases"] == len(list(batch.glob("*/labels.json"))), batch.name
        assert len(first["scored_at_commit"]) == 40


def test_unseen_batches_meet_the_goals_now() -> None:
    pooled = Figures()
    problems: list[str] = []
    for batch in BATCHES:
        f = score_corpus(batch)
        problems += f.problems
        pooled.cases += f.cases
        pooled.found, pooled.false, pooled.missed = (
            pooled.found + f.found,
            pooled.false + f.false,
            pooled.missed + f.missed,
        )
        for into, part in ((pooled.stage_tp, f.stage_tp), (pooled.stage_fp, f.stage_fp),
                           (pooled.stage_fn, f.stage_fn)):  # fmt: skip
            for stage, n in part.items():
                into[stage] += n
        pooled.sextortion += f.sextortion
        pooled.warned_early += f.warned_early
        pooled.benign += f.benign
        pooled.benign_warned += f.benign_warned
    report = pooled.summary() + "\n" + "\n".join(problems)
    assert pooled.cases >= 50 and pooled.benign >= 20
    assert pooled.precision >= 0.98, report
    assert pooled.recall >= 0.95, report
    assert pooled.macro_f1 >= 0.85, report
    assert pooled.early >= 0.90, report
    assert pooled.benign_rate <= 0.05, report
