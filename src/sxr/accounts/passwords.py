"""Staff passwords: Argon2id hashes, and the same work done for an unknown e-mail as for a known one."""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2-cffi's default type is Argon2id
# Verified against when the e-mail is unknown, so an unknown e-mail costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """The stored form of `password`."""
    return _hasher.hash(password)


def password_matches(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from (a damaged hash never matches)."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        return _hasher.verify(stored, password)
    return False


def needs_rehash(stored: str) -> bool:
    """Whether `stored` was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)


def burn_time(password: str) -> None:
    """Spend the time a real check takes (for an e-mail nobody has)."""
    password_matches(_DUMMY_HASH, password)
