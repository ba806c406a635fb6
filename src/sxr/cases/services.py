"""Cases: creating a confidential report, checking a reference + PIN, and victim sessions."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sxr.cases.models import Case, CaseSearchIdentifier, VictimSession
from sxr.cases.sealing import seal
from sxr.clock import as_utc, utcnow
from sxr.config import Settings

# No 0/O, 1/I/L or U/V confusion: what is read aloud or copied by hand comes back the same.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PREFIX = "SXR"
PIN_DIGITS = 6
MAX_FAILED_ATTEMPTS = 5
FIRST_LOCKOUT = timedelta(minutes=15)
LONGEST_LOCKOUT = timedelta(hours=24)
SESSION_IDLE = timedelta(minutes=30)
# However busy, a case page link stops working this long after the PIN opened it.
SESSION_LIFETIME = timedelta(hours=8)
# last_used_at is written at most this often, so reading pages is not a write per request.
SESSION_TOUCH_EVERY = timedelta(minutes=1)

AGE_BANDS = ("under-13", "13-15", "16-17", "18-24", "25-plus", "prefer-not-to-say")
PLATFORMS = (
    "Instagram", "Snapchat", "TikTok", "WhatsApp", "Facebook", "Discord", "Telegram", "Kik",
    "Omegle or video chat", "A dating app", "A game", "Somewhere else",
)  # fmt: skip

_hasher = PasswordHasher()
# Verified against when the reference is unknown, so an unknown reference costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
_REFERENCE_SHAPE = re.compile(
    rf"^{REFERENCE_PREFIX}([{REFERENCE_ALPHABET}]{{4}})([{REFERENCE_ALPHABET}]{{4}})$"
)


class AccessDenied(Exception):
    """Reference and PIN do not match (the message never says which one was wrong)."""


class CaseLocked(AccessDenied):
    """Too many wrong PINs: the reference is locked until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__("too many tries")
        self.until = until


@dataclass(frozen=True)
class NewCaseAnswers:
    """What a victim chose to tell us when starting a report (all optional)."""

    age_band: str | None = None
    platforms: tuple[str, ...] = ()
    what_happened: str | None = None


def new_reference() -> str:
    """A random reference like `SXR-7K2M-9QPD` (29^8, about 5 × 10^11 possibilities)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"


def normalize_reference(text: str) -> str | None:
    """The canonical form of a typed reference (any case, spaces or dashes), or None if it cannot be one."""
    compact = re.sub(r"[\s\-_.]", "", text).upper()
    if not compact.startswith(REFERENCE_PREFIX):
        compact = REFERENCE_PREFIX + compact
    match = _REFERENCE_SHAPE.match(compact)
    if not match:
        return None
    return f"{REFERENCE_PREFIX}-{match.group(1)}-{match.group(2)}"


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def normalize_pin(text: str) -> str:
    return re.sub(r"\s", "", text)


def create_case(
    session: Session,
    answers: NewCaseAnswers | None = None,
    settings: Settings | None = None,
    *,
    pin: str | None = None,
) -> tuple[Case, str]:
    """Create a case; returns it with its PIN, which is shown once and never stored in the clear.

    The victim's own words are sealed with the master key, so `settings` is needed when there are any.
    `pin` is for a PIN worked out from a one-time start token (sxr.portal.starts); else one is drawn.
    """
    answers = answers or NewCaseAnswers()
    if pin is None:
        pin = new_pin()
    elif not re.fullmatch(rf"\d{{{PIN_DIGITS}}}", pin):
        raise ValueError(f"a PIN is {PIN_DIGITS} digits")
    age_band = answers.age_band if answers.age_band in AGE_BANDS else None
    platforms = "\n".join(p for p in answers.platforms if p in PLATFORMS) or None
    what = (answers.what_happened or "").strip()[:5000] or None
    if what is not None:
        if settings is None:
            raise ValueError("create_case needs the settings to seal what the victim wrote")
        what = seal(settings, what)
    pin_hash = _hasher.hash(pin)
    for _attempt in range(5):
        case = Case(
            reference=new_reference(),
            pin_hash=pin_hash,
            age_band=age_band,
            platforms=platforms,
            what_happened=what,
        )
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
        except IntegrityError:
            continue  # a reference collision: draw another
        return case, pin
    raise RuntimeError("could not draw an unused reference")


def get_case_by_reference(session: Session, reference: str) -> Case | None:
    """The case with this reference (typed in any reasonable form), or None."""
    canonical = normalize_reference(reference)
    if canonical is None:
        return None
    return session.scalar(select(Case).where(Case.reference == canonical))


def check_reference_and_pin(
    session: Session, reference: str, pin: str, *, now: datetime | None = None
) -> Case:
    """The case when reference and PIN match; raises AccessDenied or CaseLocked.

    Each guess is counted (and committed) before its PIN is checked, by one atomic update that refuses
    once MAX_FAILED_ATTEMPTS are in flight or spent: parallel guesses cannot get more tries than that.
    """
    now = now or utcnow()
    case = get_case_by_reference(session, reference)
    if case is None:
        _burn_time(pin)
        raise AccessDenied("reference or PIN not right")
    attempt = _take_attempt(session, case, now)
    if attempt is None:
        session.refresh(case)
        until = as_utc(case.locked_until) if case.locked_until is not None else now + FIRST_LOCKOUT
        raise CaseLocked(max(until, now + timedelta(minutes=1)))
    ok: bool
    try:
        ok = _hasher.verify(case.pin_hash, normalize_pin(pin))
    except (VerificationError, InvalidHashError):
        ok = False
    if ok:
        session.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(failed_pin_attempts=0, lockouts=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )
        session.refresh(case)
        return case
    if attempt >= MAX_FAILED_ATTEMPTS:
        until = _lock(session, case, now)
        raise CaseLocked(until)
    raise AccessDenied("reference or PIN not right")


def _burn_time(pin: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_DUMMY_HASH, normalize_pin(pin))


def _take_attempt(session: Session, case: Case, now: datetime) -> int | None:
    """Count one guess before it is checked: its number, or None when the case is locked or out of tries.

    Only SQL updates touch the counters: an attribute set on `case` would be flushed again at the end of
    the request, over what parallel requests wrote since.
    """
    taken = session.execute(
        update(Case)
        .where(
            Case.id == case.id,
            Case.failed_pin_attempts < MAX_FAILED_ATTEMPTS,
            (Case.locked_until.is_(None)) | (Case.locked_until <= now),
        )
        .values(failed_pin_attempts=Case.failed_pin_attempts + 1)
        .returning(Case.failed_pin_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    # The count must survive whatever the caller does next (an error page rolls back).
    session.commit()
    return None if taken is None else int(taken)


def _lock(session: Session, case: Case, now: datetime) -> datetime:
    # Each lockout doubles the wait: 15 min, 30 min, 1 h ... up to a day.
    session.refresh(case)
    wait = min(FIRST_LOCKOUT * (2**case.lockouts), LONGEST_LOCKOUT)
    until = now + wait
    session.execute(
        update(Case)
        .where(Case.id == case.id)
        .values(failed_pin_attempts=0, lockouts=Case.lockouts + 1, locked_until=until)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return until


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_victim_session(session: Session, case: Case) -> str:
    """A new random token for `case` (only its hash is kept); it goes in the URL path `/case/{token}`."""
    token = secrets.token_urlsafe(32)
    session.add(VictimSession(case_id=case.id, token_hash=_token_hash(token)))
    session.flush()
    return token


def resolve_victim_session(session: Session, token: str, *, now: datetime | None = None) -> Case | None:
    """The case a live token opens, or None when it is unknown, revoked or idle too long."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    victim_session = session.scalar(
        select(VictimSession).where(VictimSession.token_hash == _token_hash(token))
    )
    if victim_session is None or victim_session.revoked_at is not None:
        return None
    # A stored hash was found by an index lookup; compare again in constant time all the same.
    if not hmac.compare_digest(victim_session.token_hash, _token_hash(token)):
        return None
    last_used = as_utc(victim_session.last_used_at)
    if now - last_used > SESSION_IDLE or now - as_utc(victim_session.created_at) > SESSION_LIFETIME:
        return None
    if now - last_used > SESSION_TOUCH_EVERY:
        victim_session.last_used_at = now
        session.flush()
    return session.get(Case, victim_session.case_id)


def revoke_victim_session(session: Session, token: str) -> None:
    """End a victim session (the Leave button)."""
    session.execute(
        update(VictimSession)
        .where(VictimSession.token_hash == _token_hash(token), VictimSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def revoke_all_victim_sessions(session: Session, case: Case) -> None:
    """End every victim session of a case (e.g. when staff suspect someone else has the PIN)."""
    session.execute(
        update(VictimSession)
        .where(VictimSession.case_id == case.id, VictimSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def note_risk(session: Session, case_id: int, risk: object) -> None:
    """Keep a case's highest risk on its row (an analysis's `risk`), for the staff queue."""
    if not isinstance(risk, dict) or not risk.get("level"):
        return
    try:
        score = float(risk.get("score") or 0)
    except (TypeError, ValueError):
        return
    session.execute(
        update(Case)
        .where(Case.id == case_id, (Case.risk_score.is_(None)) | (Case.risk_score < score))
        .values(risk_level=str(risk["level"])[:16], risk_score=score)
        .execution_options(synchronize_session=False)
    )


SEARCH_IDENTIFIERS_PER_ANALYSIS = 500  # a hostile chat full of "identifiers" must not flood the index


def note_analysis(session: Session, case_id: int, document: object, *, identifiers: bool = True) -> None:
    """Keep on the case what the staff queue and trends show from an analysis document: its risk, whether
    self-harm was mentioned or a payment made, minutes from the first message to the first threat, and the
    offender's identifiers (kind and normal form, as the analysis gives them) for searching the queue,
    unless `identifiers` is False (one chat of many in a whole-account download, noted by the caller with
    `note_identifiers` once it knows which chats bear on the offender)."""
    if not isinstance(document, dict):
        return
    note_risk(session, case_id, document.get("risk"))
    messages = [m for m in document.get("messages") or [] if isinstance(m, dict)]
    stages = {str(s) for m in messages for s in (m.get("stages") or [])}
    values: dict[str, object] = {}
    if "self_harm" in stages:
        values["self_harm"] = True
    if "payment" in stages or "escalation" in stages:
        values["paid"] = True
    minutes = _threat_after_minutes(messages)
    if minutes is not None:
        values["threat_after_minutes"] = minutes
    if values:
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if identifiers:
        note_identifiers(session, case_id, document.get("indicators"))


def note_identifiers(session: Session, case_id: int, indicators: object) -> None:
    """Keep an analysis's indicators (its `indicators` list) in the case's identifier search index."""
    if not isinstance(indicators, list):
        return
    known = {
        (kind, value)
        for kind, value in session.execute(
            select(CaseSearchIdentifier.kind, CaseSearchIdentifier.value).where(
                CaseSearchIdentifier.case_id == case_id
            )
        )
    }
    found = [i for i in indicators if isinstance(i, dict)]
    for indicator in found[:SEARCH_IDENTIFIERS_PER_ANALYSIS]:
        key = (str(indicator.get("kind", ""))[:40], str(indicator.get("value", ""))[:400])
        if key[0] and key[1] and key not in known:
            known.add(key)
            session.add(CaseSearchIdentifier(case_id=case_id, kind=key[0], value=key[1]))
    session.flush()


def _threat_after_minutes(messages: list[dict[str, object]]) -> int | None:
    """Whole minutes from the first dated message to the first dated threat (None without both)."""
    first: datetime | None = None
    for message in messages:
        try:
            sent = datetime.fromisoformat(str(message.get("sent_at"))) if message.get("sent_at") else None
        except ValueError:
            sent = None
        if sent is None:
            continue
        first = first or sent
        if "threat" in (message.get("stages") or []):  # type: ignore[operator]
            try:
                return max(0, int((as_utc(sent) - as_utc(first)).total_seconds() // 60))
            except TypeError:
                return None
    return None
