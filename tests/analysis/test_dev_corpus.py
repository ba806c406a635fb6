"""The shared dev corpus through the real importers and the analysis, against the issue's goals."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from sxr.analysis import analyze
from sxr.conversations.importers import import_path


def _norm(text: str) -> str:
    for ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff":
        text = text.replace(ch, "")
    return " ".join(text.split()).lower()


def test_dev_corpus_meets_the_goals(shared_data: Path) -> None:
    corpus = shared_data / "conversations" / "dev"
    tp = fp = fn = 0
    stp: dict[str, int] = defaultdict(int)
    sfp: dict[str, int] = defaultdict(int)
    sfn: dict[str, int] = defaultdict(int)
    sextortion = early = benign = benign_warned = 0
    cases = sorted(p.parent for p in corpus.glob("*/labels.json"))
    assert cases
    for case in cases:
        labels = json.loads((case / "labels.json").read_text("utf-8"))
        hint = labels.get("locale_hint") or {}
        conversation = import_path(case / labels["export"], date_order=hint.get("date_order"))
        result = analyze(conversation)
        for m in labels["messages"]:  # labels line up with the importer's messages
            assert _norm(conversation.messages[m["i"]].text).startswith(_norm(m["text_starts"]))
        want = {(i["kind"], i["value"]) for i in labels["indicators"] if i["kind"] != "amount"}
        got = {(i.kind, i.value) for i in result.indicators if i.kind != "amount"}
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        wanted_stages = {m["i"]: set(m["stages"]) for m in labels["messages"]}
        for j, stages in enumerate(result.stages):
            w = wanted_stages.get(j, set())
            for s in set(stages) & w:
                stp[s] += 1
            for s in set(stages) - w:
                sfp[s] += 1
            for s in w - set(stages):
                sfn[s] += 1
        warn = result.risk.first_warning_i
        if labels["is_sextortion"]:
            sextortion += 1
            threat = labels["first_threat_i"]
            early += warn is not None and (warn < threat or warn == threat == 0)
        else:
            benign += 1
            benign_warned += warn is not None
        assert result.is_sextortion == labels["is_sextortion"], case.name
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1s = []
    for s in set(stp) | set(sfp) | set(sfn):
        p = stp[s] / (stp[s] + sfp[s]) if stp[s] + sfp[s] else 0.0
        r = stp[s] / (stp[s] + sfn[s]) if stp[s] + sfn[s] else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    assert precision >= 0.98 and recall >= 0.95, (precision, recall)
    assert sum(f1s) / len(f1s) >= 0.85
    assert early / sextortion >= 0.90
    assert benign_warned / benign <= 0.05
