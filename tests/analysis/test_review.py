"""The victim's or staff's confirm/reject of found details: recorded, kept, never deleted."""

from __future__ import annotations

import pytest

from sxr.analysis.indicators import Indicator
from sxr.analysis.models import IndicatorDecision
from sxr.analysis.services import ReviewError, decision_history, record_decision, review
from sxr.cases.services import create_case
from sxr.db import session_scope


def test_decisions_are_recorded_and_rejected_kept_apart(database_url: str) -> None:
    snap = Indicator("snapchat_username", "lily_x09", 3, "snap: lily_x09", [3])
    phone = Indicator("phone", "+447700900123", 5, "07700 900123", [5])
    mtcn = Indicator("wu_mtcn", "1482915330", 9, "148 291 5330", [9])
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        case_id = case.id
        record_decision(session, case_id, "snapchat_username", "lily_x09", "confirmed", "victim")
        record_decision(session, case_id, "phone", "+447700900123", "confirmed", "victim")
        # The victim changes their mind: the later decision wins, the earlier one stays on record.
        record_decision(session, case_id, "phone", "+447700900123", "rejected", "victim", raw="07700 900123")
    with session_scope(database_url) as session:
        result = review(session, case_id, [snap, phone, mtcn])
        assert [i.value for i in result.confirmed] == ["lily_x09"]
        assert [i.value for i in result.rejected] == ["+447700900123"]
        assert [i.value for i in result.undecided] == ["1482915330"]
        history = decision_history(session, case_id)
        assert [(r.kind, r.decision) for r in history] == [
            ("snapchat_username", "confirmed"),
            ("phone", "confirmed"),
            ("phone", "rejected"),
        ]
        assert all(r.decided_at is not None for r in history)
        assert session.query(IndicatorDecision).count() == 3


def test_bad_decisions_are_refused(database_url: str) -> None:
    with session_scope(database_url) as session:
        case, _pin = create_case(session)
        with pytest.raises(ReviewError):
            record_decision(session, case.id, "phone", "+447700900123", "maybe", "victim")
        with pytest.raises(ReviewError):
            record_decision(session, case.id, "shoe_size", "9", "confirmed", "victim")
        with pytest.raises(ReviewError):
            record_decision(session, case.id, "phone", "", "confirmed", "victim")
