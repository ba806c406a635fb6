"""Staff users, sign-in, sessions, roles, and what the staff portal reads and changes on a case.

Roles (what each may do; every one of these actions is an audit event):

| action                                   | admin | officer | analyst | support |
|------------------------------------------|-------|---------|---------|---------|
| see the case queue and a case page       | yes   | yes     | yes     | yes     |
| confirm or reject the offender's details | yes   | yes     | yes     | no      |
| download an original, build a report pack| yes   | yes     | yes     | no      |
| change a case's status                   | yes   | yes     | no      | no      |
| read the whole audit trail (/staff/audit)| yes   | no      | no      | no      |
| put a case on hold, or lift a hold       | yes   | yes     | no      | no      |

Support workers sit with victims: they see what the case holds (facts, hashes, details, timeline,
alerts) but never take copies of the evidence out of the locker, nor decide about it. Disclosures
(downloads and report packs) need a reason. Staff users are managed from the CLI (`sxr staff ...`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.orm import Session

from sxr.analysis.vocabulary import kind_label, stage_label
from sxr.cases.models import Case, as_utc, utcnow
from sxr.config import Settings
from sxr.staff.models import ROLES, StaffSession, StaffUser

log = logging.getLogger(__name__)

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ROLES,
    "review": ("admin", "officer", "analyst"),
    "disclose": ("admin", "officer", "analyst"),
    "change_status": ("admin", "officer"),
    "audit": ("admin",),
    "hold": ("admin", "officer"),
}
# Stored values of `Case.status` ("open" is what a new case starts with) and how staff see them.
STATUS_LABELS = {"open": "New", "triaged": "Triaged", "with_police": "With police", "closed": "Closed"}

SESSION_LIFETIME = timedelta(hours=8)
SESSION_IDLE = timedelta(minutes=30)
# last_seen_at is written at most this often, so reading pages is not a write per request.
SESSION_TOUCH_EVERY = timedelta(seconds=30)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
REASON_MIN, REASON_MAX = 3, 500
QUEUE_PAGE_SIZE = 50
TIMELINE_LIMIT = 500

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
_hasher = PasswordHasher()  # argon2-cffi's default type is Argon2id
# Verified against when the e-mail is unknown, so an unknown e-mail costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class StaffError(ValueError):
    """A staff user could not be created or changed; the message says why."""


class LoginFailed(Exception):
    """E-mail or password not right, or the user is deactivated (the message never says which)."""


class LoginLocked(LoginFailed):
    """Too many wrong passwords for this user: sign-in is refused until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__("too many tries")
        self.until = until


def can(user: StaffUser, action: str) -> bool:
    """Whether `user`'s role allows `action` (a key of PERMISSIONS)."""
    return user.active and user.role in PERMISSIONS.get(action, ())


# --- users ----------------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    """The stored form of an e-mail address (trimmed, lower case); StaffError when it is not one."""
    clean = email.strip().lower()
    if not _EMAIL.match(clean) or len(clean) > 254:
        raise StaffError(f"{email!r} is not an e-mail address.")
    return clean


def new_password() -> str:
    """A random initial password (about 120 bits), shown once to whoever creates the user."""
    return secrets.token_urlsafe(15)


def create_user(
    session: Session, email: str, display_name: str, role: str, password: str | None = None
) -> tuple[StaffUser, str]:
    """Add a staff user; returns it with its password (generated when not given)."""
    email = normalize_email(email)
    display_name = " ".join(display_name.split())
    if not display_name or len(display_name) > 120:
        raise StaffError("A display name is 1 to 120 characters.")
    if role not in ROLES:
        raise StaffError(f"A role is one of {', '.join(ROLES)}, not {role!r}.")
    generated = password is None
    if password is None:
        password = new_password()
    else:
        _check_new_password(password)
    if session.scalar(select(StaffUser).where(StaffUser.email == email)) is not None:
        raise StaffError(f"There is already a staff user {email}.")
    user = StaffUser(
        email=email,
        display_name=display_name,
        role=role,
        password_hash=_hasher.hash(password),
        active=True,
        must_change_password=generated,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user, password


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"A password is at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > 1024:
        raise StaffError("A password is at most 1024 characters long.")


def change_password(
    session: Session, staff_session: StaffSession, current: str, new: str, confirm: str
) -> None:
    """Change the signed-in user's password; every other session of theirs ends."""
    user = staff_session.user
    ok = False
    with contextlib.suppress(VerificationError, InvalidHashError):
        ok = _hasher.verify(user.password_hash, current)
    if not ok:
        raise StaffError("Your current password is not right.")
    if new != confirm:
        raise StaffError("The two new passwords are not the same.")
    if new == current:
        raise StaffError("Please choose a password you have not used here before.")
    _check_new_password(new)
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    session.execute(
        update(StaffSession)
        .where(
            StaffSession.user_id == user.id,
            StaffSession.id != staff_session.id,
            StaffSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()


def get_user(session: Session, email: str) -> StaffUser | None:
    try:
        email = normalize_email(email)
    except StaffError:
        return None
    return session.scalar(select(StaffUser).where(StaffUser.email == email))


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def deactivate_user(session: Session, email: str) -> StaffUser:
    """Stop a staff user from signing in, and end every session they have open."""
    user = get_user(session, email)
    if user is None:
        raise StaffError(f"There is no staff user {email}.")
    user.active = False
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return user


# --- signing in -----------------------------------------------------------------------------------


def authenticate(session: Session, email: str, password: str, *, now: datetime | None = None) -> StaffUser:
    """The user when e-mail and password match an active user; LoginFailed or LoginLocked otherwise.

    Failures are counted on the user (and committed at once, since the caller shows an error page). An
    administrator's lock (locked_until) is honoured; guessing is limited by the view, by account and
    address, so that nobody can lock an officer out from elsewhere.
    """
    now = now or utcnow()
    user = get_user(session, email)
    if user is None:
        _burn_time(password)
        raise LoginFailed("e-mail or password not right")
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        raise LoginLocked(as_utc(user.locked_until))
    ok = False
    with contextlib.suppress(VerificationError, InvalidHashError):
        ok = _hasher.verify(user.password_hash, password)
    if ok and user.active:
        if user.failed_logins or user.locked_until is not None:
            user.failed_logins, user.locked_until = 0, None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        session.flush()
        return user
    if not ok:
        # Counted for the record; sign-in limits (by account and address) are the view's, so a stranger
        # cannot lock an officer out.
        session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id)
            .values(failed_logins=StaffUser.failed_logins + 1)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    raise LoginFailed("e-mail or password not right")


def _burn_time(password: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_DUMMY_HASH, password)


# --- sessions -------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user: StaffUser) -> str:
    """A new random session token for `user` (only its hash is kept); it goes in the staff cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=_token_hash(token), user_id=user.id, csrf_secret=secrets.token_hex(32))
    )
    session.flush()
    return token


def resolve_session(
    session: Session, token: str | None, *, now: datetime | None = None
) -> StaffSession | None:
    """The live session a cookie token opens, or None (unknown, ended, too old, idle, user deactivated)."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    found = session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if found is None or found.ended_at is not None or not found.user.active:
        return None
    if not hmac.compare_digest(found.token_hash, _token_hash(token)):
        return None
    if now - as_utc(found.created_at) > SESSION_LIFETIME or now - as_utc(found.last_seen_at) > SESSION_IDLE:
        return None
    if now - as_utc(found.last_seen_at) > SESSION_TOUCH_EVERY:
        found.last_seen_at = now
        session.flush()
    return found


def end_session(session: Session, staff_session: StaffSession) -> None:
    staff_session.ended_at = utcnow()
    session.flush()


def check_csrf(staff_session: StaffSession, token: str | None) -> bool:
    """Whether a form's CSRF token is this session's."""
    return bool(token) and hmac.compare_digest(staff_session.csrf_secret, str(token))


def clean_reason(reason: str | None) -> str:
    """A disclosure's reason, trimmed; StaffError when missing or too long."""
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN:
        raise StaffError("Please say why you need this (a few words, e.g. the crime or request number).")
    if len(text) > REASON_MAX:
        raise StaffError(f"Please keep the reason under {REASON_MAX} characters.")
    return text


# --- audit ----------------------------------------------------------------------------------------


def audit(
    session: Session,
    user: StaffUser,
    action: str,
    *,
    case: Case | None = None,
    subject: str | None = None,
    why: str | None = None,
) -> None:
    """Record an audit event: `user` did `action` (to `case`, about `subject`, because `why`)."""
    from sxr.audit.services import record

    record(
        session,
        actor=user.actor,
        action=action,
        case_id=case.id if case is not None else None,
        subject=subject[:255] if subject else None,
        why=why,
    )


def audit_trail(session: Session, case: Case, limit: int = 100) -> list[Any]:
    """The case's most recent audit events, newest first."""
    from sxr.audit.models import AuditEvent

    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def recent_audit_events(session: Session, limit: int = 200) -> list[tuple[Any, str | None]]:
    """The newest audit events of every kind, each with its case's reference (if any)."""
    from sxr.audit.models import AuditEvent

    rows = session.execute(
        select(AuditEvent, Case.reference)
        .outerjoin(Case, AuditEvent.case_id == Case.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, reference) for event, reference in rows]


# --- the case queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One case in the queue."""

    reference: str
    status: str
    created_at: datetime
    risk_level: str | None
    alert_count: int
    evidence_count: int = 0
    has_content: bool = False
    not_read: int = 0  # evidence items the derivers could not read (in full): a flag in the queue


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, with the counts that say what else there is."""

    rows: list[QueueRow]
    total: int  # cases that match the filters
    page: int
    pages: int
    empty: int  # of those, reports with nothing in them (listed after the others)
    by_status: dict[str, int]


RISK_LEVELS = ("high", "medium", "low")
CONTENT_FILTERS = ("with", "empty")


def _alert_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    from sxr.watchlist.models import WatchlistAlert

    rows = session.execute(
        select(WatchlistAlert.case_id, func.count())
        .where(WatchlistAlert.case_id.in_(case_ids))
        .group_by(WatchlistAlert.case_id)
    )
    return {int(case_id): int(count) for case_id, count in rows}


def _has_content() -> ColumnElement[bool]:
    # Anything a person put in: a file, or their own words (sealed, but whether there are any is plain).
    return or_(Case.evidence_count > 0, Case.what_happened.is_not(None))


def case_queue(
    session: Session,
    *,
    status: str | None = None,
    risk: str | None = None,
    content: str | None = None,
    page: int = 1,
    per_page: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """A page of cases: reports with something in them first, newest first; never a blob decrypted.

    A flood of empty reports cannot push a real one out of sight: they sort below it, and the counts
    say how many there are.
    """
    filters = []
    if status:
        filters.append(Case.status == status)
    if risk:
        filters.append(Case.risk_level == risk)
    if content == "with":
        filters.append(_has_content())
    elif content == "empty":
        filters.append(~_has_content())
    total = int(session.scalar(select(func.count()).select_from(Case).where(*filters)) or 0)
    empty = int(session.scalar(select(func.count()).select_from(Case).where(*filters, ~_has_content())) or 0)
    by_status = {
        str(value): int(n)
        for value, n in session.execute(select(Case.status, func.count()).group_by(Case.status))
    }
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        select(Case, _has_content())
        .where(*filters)
        .order_by(case((_has_content(), 0), else_=1), Case.created_at.desc(), Case.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    found = list(session.execute(query))
    ids = [c.id for c, _ in found]
    alerts = _alert_counts(session, ids) if found else {}
    from sxr.evidence.services import not_read_counts

    not_read = not_read_counts(session, ids) if found else {}
    rows = [
        QueueRow(
            c.reference,
            c.status,
            c.created_at,
            c.risk_level,
            alerts.get(c.id, 0),
            c.evidence_count,
            bool(has_content),
            not_read.get(c.id, 0),
        )
        for c, has_content in found
    ]
    return QueuePage(rows, total, page, pages, empty, by_status)


# --- a case page ----------------------------------------------------------------------------------


@dataclass
class Detail:
    """One of the offender's details (an indicator) with where it was first seen and its review."""

    kind: str
    value: str
    raw: str | None
    first_i: int | None
    first_sender: str | None
    first_sent_at: str | None
    first_text: str | None
    evidence_item: str
    evidence_item_id: int
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @property
    def label(self) -> str:
        """The kind in words ("Snapchat name"), from the analysis vocabulary."""
        return kind_label(self.kind)


@dataclass(frozen=True)
class TimelineRow:
    """A message that carries a stage of the extortion."""

    evidence_item: str
    i: int
    sent_at: str | None
    sender: str
    stages: list[str]
    text: str

    @property
    def stage_labels(self) -> list[str]:
        """The stages in words ("move to another app"), from the analysis vocabulary."""
        return [stage_label(s) for s in self.stages]


@dataclass
class CaseOverview:
    """Everything the case page shows."""

    case: Case
    evidence: list[Any] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    rejected: list[Detail] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    timeline_cut: int = 0
    risk: dict[str, Any] | None = None
    self_harm: bool = False
    alerts: list[Any] = field(default_factory=list)
    matches: list[Any] = field(default_factory=list)
    watchlist_entries: int = 0
    warnings: list[str] = field(default_factory=list)
    # Evidence the derivers could not read (EvidenceReading rows, with the item's name) and how each
    # conversation's written dates were read (its date_reading, with the item's name).
    not_read: list[tuple[str, Any]] = field(default_factory=list)
    date_readings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def not_read_count(self) -> int:
        """How many files could not be read (in full); a file without a chat is not counted."""
        return sum(1 for _name, reading in self.not_read if reading.state != "no_chat")


def case_overview(session: Session, settings: Settings, case: Case) -> CaseOverview:
    """Gather a case's evidence, the offender's details with their reviews, timeline, risk and alerts."""
    from sxr.analysis.services import case_analyses, current_decisions
    from sxr.evidence.models import NO_CHAT, NOT_READ_STATES
    from sxr.evidence.services import list_evidence, readings_of

    overview = CaseOverview(case=case)
    overview.evidence = list_evidence(session, case)
    readings = readings_of(session, case.id)
    for item in overview.evidence:
        reading = readings.get(item.id)
        if reading is not None and (reading.state in NOT_READ_STATES or reading.state == NO_CHAT):
            overview.not_read.append((item.original_name, reading))
    seen: set[tuple[str, str]] = set()
    details: list[Detail] = []
    analyses, problems = case_analyses(session, settings, case)
    overview.warnings.extend(problems)
    for analysis in analyses:
        date_reading = analysis.document.get("date_reading")
        if analysis.relevant and isinstance(date_reading, dict):
            overview.date_readings.append((analysis.item.original_name, date_reading))
        if analysis.relevant:
            _add_analysis(overview, details, seen, analysis.item, analysis.document)
    decisions = current_decisions(session, case.id)
    for detail in details:
        row = decisions.get((detail.kind, detail.value))
        if row is not None:
            detail.decision, detail.decided_by, detail.decided_at = (
                row.decision,
                row.decided_by,
                row.decided_at,
            )
        (overview.rejected if detail.decision == "rejected" else overview.details).append(detail)
    if len(overview.timeline) > TIMELINE_LIMIT:
        overview.timeline_cut = len(overview.timeline) - TIMELINE_LIMIT
        overview.timeline = overview.timeline[:TIMELINE_LIMIT]
    _add_watchlist(session, overview)
    return overview


def _add_analysis(
    overview: CaseOverview, details: list[Detail], seen: set[tuple[str, str]], item: Any, doc: dict[str, Any]
) -> None:
    messages = [m for m in doc.get("messages") or [] if isinstance(m, dict)]
    by_i = {m.get("i"): m for m in messages}
    for ind in doc.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        key = (str(ind.get("kind")), str(ind.get("value")))
        if key in seen:
            continue
        seen.add(key)
        first_i = ind.get("first_i")
        first = by_i.get(first_i, {})
        details.append(
            Detail(
                kind=key[0],
                value=key[1],
                raw=None if ind.get("raw") is None else str(ind.get("raw")),
                first_i=first_i if isinstance(first_i, int) else None,
                first_sender=None if not first else str(first.get("sender", "")),
                first_sent_at=first.get("sent_at"),
                first_text=None if not first else str(first.get("text", "")),
                evidence_item=item.original_name,
                evidence_item_id=item.id,
            )
        )
    for m in messages:
        stages = [str(s) for s in m.get("stages") or []]
        if not stages:
            continue
        overview.self_harm = overview.self_harm or "self_harm" in stages
        overview.timeline.append(
            TimelineRow(
                evidence_item=item.original_name,
                i=int(m.get("i", 0)),
                sent_at=m.get("sent_at"),
                sender=str(m.get("sender", "")),
                stages=stages,
                text=str(m.get("text", "")),
            )
        )
    risk = doc.get("risk")
    if isinstance(risk, dict) and (
        overview.risk is None or float(risk.get("score") or 0) > float(overview.risk.get("score") or 0)
    ):
        overview.risk = risk


def _add_watchlist(session: Session, overview: CaseOverview) -> None:
    try:
        from sxr.watchlist import services as watchlist
        from sxr.watchlist.models import WatchlistEntry, WatchlistMatch
    except ImportError:
        return
    case_id = overview.case.id
    overview.alerts = watchlist.alerts_for_case(session, case_id)
    overview.watchlist_entries = len(watchlist.entries_for_case(session, case_id))
    overview.matches = list(
        session.scalars(
            select(WatchlistMatch)
            .join(WatchlistEntry, WatchlistMatch.entry_id == WatchlistEntry.id)
            .where(WatchlistEntry.case_id == case_id)
            .order_by(WatchlistMatch.created_at.desc(), WatchlistMatch.id.desc())
        )
    )


def find_case(session: Session, reference: str) -> Case | None:
    from sxr.cases.services import get_case_by_reference

    return get_case_by_reference(session, reference)


def set_status(session: Session, user: StaffUser, case: Case, status: str, why: str | None = None) -> None:
    """Change a case's status (an audit event says from what to what)."""
    if status not in STATUS_LABELS:
        raise StaffError(f"A status is one of {', '.join(STATUS_LABELS)}.")
    before = case.status
    case.status = status
    if status != before:
        case.closed_at = utcnow() if status == "closed" else None
    audit(session, user, "case.status", case=case, subject=f"{before} -> {status}", why=why)
    session.flush()


def review_detail(
    session: Session, user: StaffUser, case: Case, kind: str, value: str, decision: str
) -> None:
    """Confirm or reject one of the offender's details of a case (recorded by the analysis domain)."""
    from sxr.analysis.services import ReviewError, record_decision

    try:
        record_decision(session, case.id, kind, value, decision, user.actor)
    except ReviewError as exc:
        raise StaffError(str(exc)) from exc
    audit(session, user, f"detail.{decision}", case=case, subject=f"{kind}: {value}"[:255])
