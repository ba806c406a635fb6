"""Build and verify a report pack for a synthetic case; goal: under 10 s for 5,000 messages, 200 files.

.venv/bin/python bench/report_pack.py            # 1,000 messages, 40 evidence files
.venv/bin/python bench/report_pack.py --full     # 5,000 messages, 200 evidence files (the issue's size)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sxr.reports.facts import (
    HOW_TO_VERIFY,
    EvidenceEntry,
    Production,
    ReportFacts,
    VictimFacts,
    facts_from_analysis,
)
from sxr.reports.pack import build_pack, verify_pack

GOAL_SECONDS = 10.0
STAGES = [
    "contact",
    "flattery",
    "platform_move",
    "image_request",
    "threat",
    "demand",
    "payment",
    "escalation",
]


def synthetic_analysis(messages: int, rng: random.Random) -> dict:
    """An `sxr analyze --json`-shaped document: every tenth message staged, an identifier every 100."""
    out = []
    indicators = []
    for i in range(messages):
        text = f"message {i}: pay £{rng.randint(50, 900)} now or else 🌸 #{i} *x* " + "w" * rng.randint(
            0, 200
        )
        stages = [rng.choice(STAGES)] if i % 10 == 0 else []
        out.append(
            {"i": i, "sender": "Lily 🌸" if i % 2 else "Tom", "sent_at": None, "text": text, "stages": stages}
        )
        if i % 100 == 0:
            indicators.append(
                {"kind": "snapchat_username", "value": f"lily_x{i:04d}", "first_i": i, "raw": text}
            )
    return {"messages": out, "indicators": indicators, "warnings": ["media omitted"], "risk": {"score": 90}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's size: 5,000 messages, 200 files")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--file-kib", type=int, default=256, help="size of each evidence file")
    args = parser.parse_args()
    messages, files = (5000, 200) if args.full else (args.messages, args.files)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        evidence: dict[str, Path | bytes] = {}
        entries = []
        for n in range(files):
            path = folder / f"shot-{n:03d}.png"
            data = os.urandom(args.file_kib * 1024)
            path.write_bytes(data)
            evidence[str(n)] = path
            entries.append(
                EvidenceEntry(
                    str(n),
                    path.name,
                    "screenshot",
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    "2026-11-28T10:00:00+00:00",
                    "victim",
                    f"evidence/{n + 1:04d}-{path.name}",
                )
            )
        analysis = synthetic_analysis(messages, rng)

        start = time.perf_counter()
        idents, payments, timeline, warnings, self_harm = facts_from_analysis(
            analysis, evidence_item="chat.txt"
        )
        facts = ReportFacts(
            case_reference="SXR-BENC-H001",
            production=Production("bench", "2026-11-28T22:00:00+00:00", HOW_TO_VERIFY),
            victim=VictimFacts("a bench case", "2026-11-20", ["Instagram"], "18-24", False),
            identifiers=idents,
            payments=payments,
            timeline=timeline,
            evidence=entries,
            export_warnings=warnings,
            self_harm_mentioned=self_harm,
        )
        built = time.perf_counter()
        result = build_pack(facts, evidence, folder / "pack.zip", Ed25519PrivateKey.generate())
        packed = time.perf_counter()
        check = verify_pack(result.path)
        verified = time.perf_counter()
        assert check.ok, check.problems

    total = verified - start
    print(
        f"report pack: {messages} messages ({len(timeline)} timeline rows), {files} evidence files "
        f"of {args.file_kib} KiB"
    )
    print(f"{'step':<22}{'seconds':>10}")
    print(f"{'gather facts':<22}{built - start:>10.2f}")
    print(f"{'build pack (pdf+zip)':<22}{packed - built:>10.2f}")
    print(f"{'verify pack':<22}{verified - packed:>10.2f}")
    print(f"{'total':<22}{total:>10.2f}")
    print(
        f"goal {GOAL_SECONDS:.0f} s: ratio {total / GOAL_SECONDS:.2f} of the goal "
        f"({'met' if total < GOAL_SECONDS else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
