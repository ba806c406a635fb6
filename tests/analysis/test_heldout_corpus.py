"""The held-out corpus (tests/analysis/heldout) through the real importers and the analysis, vs. the goals."""

from __future__ import annotations

from pathlib import Path

from corpus_scoring import score_corpus

HELDOUT = Path(__file__).parent / "heldout"


def test_heldout_corpus_meets_the_goals() -> None:
    figures = score_corpus(HELDOUT)
    report = figures.summary() + "\n" + "\n".join(figures.problems)
    assert figures.cases >= 30
    assert figures.benign >= 12
    assert not [p for p in figures.problems if "does not line up" in p], report
    assert figures.precision >= 0.98, report
    assert figures.recall >= 0.95, report
    assert figures.macro_f1 >= 0.85, report
    assert figures.early >= 0.90, report
    assert figures.benign_rate <= 0.05, report


def test_scorer_counts_what_it_should(tmp_path: Path) -> None:
    # A labelled case whose labels are wrong on purpose: the scorer must notice every mistake.
    case = tmp_path / "one"
    case.mkdir()
    (case / "chat.txt").write_text(
        "Me: hi\nOffender: send £50 to paypal.me/someone99 or i post ur pics to ur family\n", "utf-8"
    )
    (case / "labels.json").write_text(
        '{"case": "one", "format": "plain", "export": "chat.txt", "victim": "Me", "offender": null,'
        ' "is_sextortion": false, "messages": [], "first_threat_i": null,'
        ' "indicators": [{"kind": "email", "value": "nobody@example.com", "first_i": 0}]}',
        "utf-8",
    )
    figures = score_corpus(tmp_path)
    assert figures.cases == 1 and figures.benign == 1
    assert figures.missed == 1 and figures.false == 1 and figures.found == 0
    assert figures.benign_warned == 1
    assert sum(figures.stage_fp.values()) >= 1
