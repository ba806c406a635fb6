"""One start makes one report.

The start form carries a one-time start token, sealed with the deployment's key when the form is shown.
Making the case records the token's hash in `report_starts` in the same transaction (unique), so pressing
"Start my report" again after Back, a double tap or a resent POST finds the report the first press made.
The PIN is worked out from the token with a key only the server has, so the second press can show the same
reference and PIN (for the few minutes the first page is shown) without the PIN ever being stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sxr.cases import services
from sxr.cases.models import Case, ReportStart
from sxr.clock import as_utc, utcnow
from sxr.config import Settings
from sxr.web.sealed import open_token, seal_token

START_PURPOSE = "report start"
START_MAX_AGE = 30 * 24 * 3600  # a start form left open this long still counts as the same start
MADE_WINDOW = timedelta(minutes=15)  # as long as the reference-and-PIN page itself can be shown again
MAX_NONCE_CHARS = 64


def new_start_token(settings: Settings) -> str:
    """A fresh one-time start token for the form."""
    return seal_token(settings, START_PURPOSE, {"n": secrets.token_urlsafe(24)})


def open_start_token(settings: Settings, token: str | None) -> str | None:
    """The token's nonce, or None when it is missing, forged or too old."""
    data = open_token(settings, START_PURPOSE, token, max_age=START_MAX_AGE)
    nonce = data.get("n") if data else None
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= MAX_NONCE_CHARS:
        return None
    return nonce


def _start_hash(nonce: str) -> str:
    return hashlib.sha256(f"sxr report start\0{nonce}".encode()).hexdigest()


def pin_for_start(settings: Settings, nonce: str) -> str:
    """The PIN a start makes: the same for every press of the same form, unknowable without the key."""
    from sxr.master_key import load_master_key

    key = hashlib.sha256(b"sxr start pin\0" + load_master_key(settings)).digest()
    number = int.from_bytes(hmac.new(key, nonce.encode(), hashlib.sha256).digest(), "big")
    return str(number % 10**services.PIN_DIGITS).zfill(services.PIN_DIGITS)


@dataclass(frozen=True)
class Started:
    """The case a start made; `pin` is None when the reference-and-PIN page can no longer be shown."""

    case: Case
    pin: str | None
    new: bool


def earlier_start(session: Session, settings: Settings, nonce: str) -> Started | None:
    """The report this start token already made, if any."""
    row = session.scalar(select(ReportStart).where(ReportStart.start_hash == _start_hash(nonce)))
    if row is None or row.case_id is None:
        return None
    case = session.get(Case, row.case_id)
    if case is None:
        return None
    fresh = utcnow() - as_utc(row.made_at) <= MADE_WINDOW
    return Started(case, pin_for_start(settings, nonce) if fresh else None, new=False)


def start_report(
    session: Session, settings: Settings, nonce: str | None, answers: services.NewCaseAnswers
) -> Started:
    """Make the case for this start, or find the one it already made; commits.

    Two posts racing with the same token: both insert the same `start_hash` first; the unique constraint
    lets one go on and commit, the other rolls back and finds the first one's case.
    """
    if nonce is None:  # no token (a client that is not our form): one case per post, as before
        case, pin = services.create_case(session, answers, settings)
        session.commit()
        return Started(case, pin, new=True)
    found = earlier_start(session, settings, nonce)
    if found is not None:
        return found
    # Claim the start before the case is made: the racing post waits on the unique start_hash (and on
    # SQLite this write opens the transaction, so the case's savepoint below cannot commit on its own).
    claim = ReportStart(start_hash=_start_hash(nonce), case_id=None)
    session.add(claim)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        found = earlier_start(session, settings, nonce)
        if found is None:
            raise
        return found
    case, pin = services.create_case(session, answers, settings, pin=pin_for_start(settings, nonce))
    claim.case_id = case.id
    session.commit()
    return Started(case, pin, new=True)
