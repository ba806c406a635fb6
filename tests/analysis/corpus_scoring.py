"""A small scorer for labelled corpora (SCHEMA.md): runs the importers and the analysis in-process."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sxr.analysis import analyze
from sxr.conversations.importers import import_path

_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"))


def _norm(text: str) -> str:
    return " ".join(text.translate(_BIDI).split()).lower()


@dataclass
class Figures:
    """The goal figures of one corpus, plus what went wrong where."""

    cases: int = 0
    found: int = 0  # indicators (amounts left out) found and labelled
    false: int = 0
    missed: int = 0
    stage_tp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stage_fp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stage_fn: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sextortion: int = 0
    warned_early: int = 0
    benign: int = 0
    benign_warned: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.false) if self.found + self.false else 0.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 0.0

    def stage_f1(self, stage: str) -> float:
        tp, fp, fn = self.stage_tp[stage], self.stage_fp[stage], self.stage_fn[stage]
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def macro_f1(self) -> float:
        stages = set(self.stage_tp) | set(self.stage_fp) | set(self.stage_fn)
        return sum(self.stage_f1(s) for s in stages) / len(stages) if stages else 0.0

    @property
    def early(self) -> float:
        return self.warned_early / self.sextortion if self.sextortion else 0.0

    @property
    def benign_rate(self) -> float:
        return self.benign_warned / self.benign if self.benign else 0.0

    def summary(self) -> str:
        return (
            f"{self.cases} cases: indicators P {self.precision:.2f} R {self.recall:.2f}; "
            f"stages macro-F1 {self.macro_f1:.2f}; warned before threat {self.early:.0%}; "
            f"benign warned {self.benign_rate:.0%}"
        )


def score_corpus(corpus: Path, stage_model: Any = None) -> Figures:
    """Import and analyse every case of `corpus` and compare with its labels."""
    return score_cases(sorted(p.parent for p in corpus.glob("*/labels.json")), stage_model)


def score_cases(cases: list[Path], stage_model: Any = None) -> Figures:
    """Import and analyse each case folder and compare with its labels (`stage_model`: see `analyze`)."""
    fig = Figures()
    for case in cases:
        labels = json.loads((case / "labels.json").read_text("utf-8"))
        hint = labels.get("locale_hint") or {}
        conversation = import_path(case / labels["export"], date_order=hint.get("date_order"))
        result = analyze(conversation, stage_model=stage_model)
        fig.cases += 1
        name = case.name
        for m in labels["messages"]:
            text = conversation.messages[m["i"]].text or ""
            if not _norm(text).startswith(_norm(m["text_starts"])):
                fig.problems.append(f"{name}: label {m['i']} does not line up with {text[:30]!r}")
        want = {(i["kind"], i["value"]) for i in labels["indicators"] if i["kind"] != "amount"}
        got = {(i.kind, i.value) for i in result.indicators if i.kind != "amount"}
        fig.found += len(want & got)
        fig.false += len(got - want)
        fig.missed += len(want - got)
        fig.problems += [f"{name}: false indicator {k}" for k in sorted(got - want)]
        fig.problems += [f"{name}: missed indicator {k}" for k in sorted(want - got)]
        wanted = {m["i"]: set(m["stages"]) for m in labels["messages"]}
        for j, stages in enumerate(result.stages):
            w, g = wanted.get(j, set()), set(stages)
            for s in g & w:
                fig.stage_tp[s] += 1
            for s in g - w:
                fig.stage_fp[s] += 1
            for s in w - g:
                fig.stage_fn[s] += 1
            if g != w:
                text = (conversation.messages[j].text or "")[:60]
                fig.problems.append(f"{name}[{j}]: got {sorted(g)} want {sorted(w)} {text!r} {result.why[j]}")
        warn = result.risk.first_warning_i
        if labels["is_sextortion"]:
            fig.sextortion += 1
            threat = labels["first_threat_i"]
            if warn is not None and (threat is None or warn < threat or warn == threat == 0):
                fig.warned_early += 1
            else:
                fig.problems.append(f"{name}: warned at {warn}, threat at {threat}")
        else:
            fig.benign += 1
            if warn is not None:
                fig.benign_warned += 1
                fig.problems.append(f"{name}: benign chat warned at {warn}: {result.risk.reasons}")
        if result.is_sextortion != labels["is_sextortion"]:
            fig.problems.append(f"{name}: is_sextortion is {result.is_sextortion}")
    return fig


if __name__ == "__main__":
    figures = score_corpus(Path(sys.argv[1]))
    print("\n".join(figures.problems))
    print(figures.summary())
