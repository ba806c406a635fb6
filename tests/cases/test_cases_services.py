"""References, PINs, lockout and victim sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from sxr.cases import services
from sxr.cases.models import VictimSession
from sxr.cases.sealing import unseal
from sxr.clock import utcnow
from sxr.config import Settings
from sxr.db import session_factory


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with session_factory(database_url)() as session:
        yield session


def test_references_use_only_unambiguous_characters() -> None:
    for _ in range(200):
        reference = services.new_reference()
        assert re.fullmatch(
            r"SXR-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}", reference
        )
    assert services.normalize_reference(" sxr 7k2m 9qpd ") == "SXR-7K2M-9QPD"
    assert services.normalize_reference("7K2M-9QPD") == "SXR-7K2M-9QPD"
    assert services.normalize_reference("SXR-7K2M-9QP0") is None
    assert services.normalize_reference("'; DROP TABLE cases; --") is None


def test_a_new_case_keeps_only_a_hash_of_its_pin(session: Session, settings: Settings) -> None:
    answers = services.NewCaseAnswers(
        age_band="13-15", platforms=("Instagram", "Not a platform"), what_happened="They asked me to pay."
    )
    case, pin = services.create_case(session, answers, settings)
    session.commit()
    # The victim's words are sealed at rest, and open again with the master key.
    assert case.what_happened is not None and "pay" not in case.what_happened
    assert unseal(settings, case.what_happened) == "They asked me to pay."
    with pytest.raises(ValueError, match="settings"):
        services.create_case(session, answers)
    assert re.fullmatch(r"\d{6}", pin)
    assert case.pin_hash.startswith("$argon2id$") and pin not in case.pin_hash
    assert case.platform_list == ["Instagram"] and case.age_band == "13-15"
    assert services.get_case_by_reference(session, case.reference.lower()) is case


def test_reference_and_pin_open_the_case(session: Session) -> None:
    case, pin = services.create_case(session)
    session.commit()
    assert services.check_reference_and_pin(session, case.reference, pin) is case
    assert (
        services.check_reference_and_pin(session, case.reference.replace("-", " ").lower(), f" {pin} ")
        is case
    )
    with pytest.raises(services.AccessDenied):
        services.check_reference_and_pin(session, case.reference, "000000" if pin != "000000" else "111111")
    with pytest.raises(services.AccessDenied) as unknown:
        services.check_reference_and_pin(session, "SXR-2222-3333", pin)
    assert not isinstance(unknown.value, services.CaseLocked)


def test_repeated_wrong_pins_lock_the_reference_for_longer_each_time(session: Session) -> None:
    case, pin = services.create_case(session)
    session.commit()
    wrong = "000000" if pin != "000000" else "111111"
    now = utcnow()
    for _ in range(services.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(services.AccessDenied) as info:
            services.check_reference_and_pin(session, case.reference, wrong, now=now)
        assert not isinstance(info.value, services.CaseLocked)
    with pytest.raises(services.CaseLocked) as locked:
        services.check_reference_and_pin(session, case.reference, wrong, now=now)
    assert locked.value.until == now + services.FIRST_LOCKOUT
    # While locked even the right PIN does not open it, so guessing gains nothing.
    with pytest.raises(services.CaseLocked):
        services.check_reference_and_pin(session, case.reference, pin, now=now + timedelta(minutes=5))
    later = now + services.FIRST_LOCKOUT + timedelta(seconds=1)
    for _ in range(services.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(services.AccessDenied):
            services.check_reference_and_pin(session, case.reference, wrong, now=later)
    with pytest.raises(services.CaseLocked) as second:
        services.check_reference_and_pin(session, case.reference, wrong, now=later)
    assert second.value.until == later + 2 * services.FIRST_LOCKOUT
    after = later + 2 * services.FIRST_LOCKOUT + timedelta(seconds=1)
    assert services.check_reference_and_pin(session, case.reference, pin, now=after) is case
    assert (case.failed_pin_attempts, case.lockouts, case.locked_until) == (0, 0, None)


def test_failed_attempts_are_counted_even_when_the_caller_rolls_back(
    session: Session, database_url: str
) -> None:
    case, pin = services.create_case(session)
    session.commit()
    with pytest.raises(services.AccessDenied):
        services.check_reference_and_pin(session, case.reference, "999999" if pin != "999999" else "888888")
    session.rollback()
    with session_factory(database_url)() as other:
        fresh = services.get_case_by_reference(other, case.reference)
        assert fresh is not None and fresh.failed_pin_attempts == 1


def test_victim_sessions_expire_when_idle_and_can_be_revoked(session: Session) -> None:
    case, _pin = services.create_case(session)
    token = services.open_victim_session(session, case)
    session.commit()
    stored = session.query(VictimSession).one()
    assert stored.token_hash != token and token not in stored.token_hash
    now = utcnow()
    assert services.resolve_victim_session(session, token, now=now) is case
    assert services.resolve_victim_session(session, token, now=now + timedelta(minutes=25)) is case
    # Use keeps it open: 25 + 25 minutes after the start, but only 25 idle.
    assert services.resolve_victim_session(session, token, now=now + timedelta(minutes=50)) is case
    assert services.resolve_victim_session(session, token, now=now + timedelta(minutes=81)) is None
    assert services.resolve_victim_session(session, token + "x") is None
    assert services.resolve_victim_session(session, "") is None
    other = services.open_victim_session(session, case)
    services.revoke_victim_session(session, other)
    session.commit()
    assert services.resolve_victim_session(session, other) is None
