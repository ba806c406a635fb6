"""Issue 18's "done when": three victims of one offender (his phone written three ways, one PayPal) are
linked exactly through real chat exports going through the real pipeline; a fourth with only a look-alike
handle is suggested; an unrelated one is not; the victims' own details never link. On both databases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.analysis.services import record_decision
from sxr.audit.models import AuditEvent
from sxr.cases.models import Case
from sxr.cases.services import create_case
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence.services import add_evidence
from sxr.linking import services
from sxr.linking.models import CaseObservable, LinkDecision
from sxr.pipeline.derivers import DERIVERS
from sxr.pipeline.links import relink_after_change

from .chats import jess_script, lookalike_script, thread, unrelated_script, write

PHONE = "+447700900461"
PAYPAL = "jessxlove22"
VICTIM_OWN = "+447700900999"


@dataclass
class Population:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case


def _case(
    session: Session,
    tmp: Path,
    name: str,
    offender: str,
    victim: str,
    lines: list[tuple[str, str]],
    age_band: str | None,
) -> Case:
    case, _pin = create_case(session)
    case.age_band = age_band
    session.commit()
    export = write(tmp, f"{name}/message_1.json", thread(offender, victim, lines))
    add_evidence(session, get_settings(), case, export, received_by="victim", derivers=DERIVERS)
    return case


def _population(session: Session, tmp: Path) -> Population:
    return Population(
        a=_case(
            session, tmp, "a", "Jess", "Sam", jess_script("Sam", "07700 900461", "07700 900999"), "13-15"
        ),
        b=_case(session, tmp, "b", "Jess", "Ali", jess_script("Ali", "+44 7700 900461"), "16-17"),
        c=_case(session, tmp, "c", "Jess", "Kim", jess_script("Kim", "0044-7700-900-461"), "18-24"),
        d=_case(session, tmp, "d", "Jessie", "Lee", lookalike_script("Lee"), "13-15"),
        e=_case(session, tmp, "e", "Max", "Sam", unrelated_script("Sam", "07700 900999"), "13-15"),
    )


def test_one_offender_three_victims_linked_exactly_a_lookalike_suggested(
    database_url: str, tmp_path: Path
) -> None:
    with session_factory(database_url)() as session:
        p = _population(session, tmp_path)
        links = {link.reference: link for link in services.linked_cases(session, p.a.id)}
        assert {ref for ref, link in links.items() if link.kind == "exact"} == {p.b.reference, p.c.reference}
        for ref in (p.b.reference, p.c.reference):
            shared = {(s.kind, s.value) for s in links[ref].shared}
            # The phone was written three ways: one normal form links them.
            assert {("phone", PHONE), ("paypal_me", PAYPAL)} <= shared
            assert links[ref].score == 1.0
        suggested = links[p.d.reference]
        assert suggested.kind == "suggested" and 0.5 <= suggested.score < 1
        assert any(s.kind == "handle" and "jess_x_love22" in s.value for s in suggested.shared)
        assert p.e.reference not in links
        assert services.linked_cases(session, p.e.id) == []
        # The victim's own number (given by Sam in two cases, repeated by Jess) never becomes an observable.
        own = session.scalars(select(CaseObservable).where(CaseObservable.value == VICTIM_OWN)).all()
        assert own == []
        ranked = services.offenders(session)
        assert [set(o.references) for o in ranked] == [{p.a.reference, p.b.reference, p.c.reference}]
        assert (ranked[0].victims, ranked[0].under_18, ranked[0].paid) == (3, 2, 0)


def test_a_confirmed_suggestion_joins_the_offender_and_is_audited(database_url: str, tmp_path: Path) -> None:
    with session_factory(database_url)() as session:
        p = _population(session, tmp_path)
        # The look-alike is suggested with each of the three (the exact links are not suggested again).
        found = services.suggestions(session)
        assert sorted((s.case_a, s.case_b) for s in found) == [
            (p.a.id, p.d.id),
            (p.b.id, p.d.id),
            (p.c.id, p.d.id),
        ]
        suggestion = found[0]
        services.decide(
            session, "Analyst Example", suggestion.id, "confirmed", "same snap handle, same script"
        )
        session.commit()
        (offender,) = services.offenders(session)
        assert p.d.reference in offender.references and offender.victims == 4
        assert services.offender_of_case(session, p.d.id) == offender
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "link.confirmed")).all()
        assert sorted(e.case_id for e in events if e.case_id is not None) == sorted(
            [suggestion.case_a, suggestion.case_b]
        )
        assert all(e.actor == "Analyst Example" and e.why for e in events)
        # The decision stands through a rebuild (it is fed back into every clustering), and the rebuild's
        # suggestion model is re-estimated from it (engines.reestimate).
        result = services.rebuild(session, get_settings())
        session.commit()
        assert result.model == "re-estimated from 1 confirmed and 0 rejected links"
        (offender,) = services.offenders(session)
        assert offender.victims == 4


def test_a_rejected_suggestion_is_kept_and_not_suggested_again(sqlite_url: str, tmp_path: Path) -> None:
    with session_factory(sqlite_url)() as session:
        p = _population(session, tmp_path)
        for suggestion in services.suggestions(session):
            services.decide(session, "Analyst Example", suggestion.id, "rejected", "different person")
        session.commit()
        result = services.rebuild(session, get_settings())
        session.commit()
        assert result.model == "re-estimated from 0 confirmed and 3 rejected links"
        assert services.suggestions(session) == []
        assert all(link.kind == "exact" for link in services.linked_cases(session, p.a.id))
        assert set(session.scalars(select(LinkDecision.decision))) == {"rejected"}
        with pytest.raises(services.LinkError, match="confirmed"):
            services.decide(session, "Analyst Example", suggestion.id, "maybe")


def test_links_follow_a_review(sqlite_url: str, tmp_path: Path) -> None:
    with session_factory(sqlite_url)() as session:
        p = _population(session, tmp_path)
        # Staff reject every detail of case c: it no longer links.
        for kind, value in (("phone", PHONE), ("paypal_me", PAYPAL), ("snapchat_username", "jess.x.love22")):
            record_decision(session, p.c.id, kind, value, "rejected", "Officer Example")
        session.commit()
        assert relink_after_change(session, get_settings(), p.c) is None
        exact = {link.reference for link in services.linked_cases(session, p.a.id) if link.kind == "exact"}
        assert exact == {p.b.reference}
        (offender,) = services.offenders(session)
        assert offender.victims == 2
