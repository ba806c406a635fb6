"""The report pack follows the review: rejected details stay out, confirmed ones are marked."""

from __future__ import annotations

from pathlib import Path

from sxr.analysis.services import record_decision
from sxr.cases.services import create_case
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence.services import add_evidence
from sxr.pipeline.derivers import DERIVERS
from sxr.reports.facts import collect_facts

CHAT = (
    "12/03/2026, 21:04 - Lily: heyy u go to st marys?\n"
    "13/03/2026, 21:06 - Lily: add me on snap lily_x09\n"
    "13/03/2026, 21:07 - Lily: or text me on 07700 900461\n"
)


def test_rejected_details_are_left_out_and_confirmed_ones_marked(database_url: str, tmp_path: Path) -> None:
    export = tmp_path / "WhatsApp Chat with Lily.txt"
    export.write_text(CHAT, encoding="utf-8")
    with session_factory(database_url)() as session:
        case, _pin = create_case(session)
        add_evidence(session, get_settings(), case, export, received_by="victim", derivers=DERIVERS)
        before = {(i.kind, i.value) for i in collect_facts(session, get_settings(), case).identifiers}
        assert {("snapchat_username", "lily_x09"), ("phone", "+447700900461")} <= before
        record_decision(session, case.id, "phone", "+447700900461", "rejected", "victim")
        record_decision(session, case.id, "snapchat_username", "lily_x09", "confirmed", "victim")
        session.commit()
        facts = collect_facts(session, get_settings(), case)
    kept = {(i.kind, i.value): i.review for i in facts.identifiers}
    assert ("phone", "+447700900461") not in kept
    assert kept[("snapchat_username", "lily_x09")] == "confirmed"
    assert any("rejected" in gap for gap in facts.gaps)
