"""What each staff role may do.

| action                                   | admin | officer | analyst | support |
|------------------------------------------|-------|---------|---------|---------|
| see the case queue and a case page       | yes   | yes     | yes     | yes     |
| confirm or reject the offender's details | yes   | yes     | yes     | no      |
| download an original, build a report pack| yes   | yes     | yes     | no      |
| change a case's status                   | yes   | yes     | no      | no      |
| read the whole audit trail (/staff/audit)| yes   | no      | no      | no      |
| put a case on hold, or lift a hold       | yes   | yes     | no      | no      |
| see the force's trends and download them | yes   | yes     | yes     | no      |

Support workers sit with victims: they see what the case holds (facts, hashes, details, timeline,
alerts) but never take copies of the evidence out of the locker, nor decide about it.
"""

from __future__ import annotations

from sxr.accounts.models import ROLES, StaffUser

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ROLES,
    "review": ("admin", "officer", "analyst"),
    "disclose": ("admin", "officer", "analyst"),
    "change_status": ("admin", "officer"),
    "audit": ("admin",),
    "hold": ("admin", "officer"),
    "trends": ("admin", "officer", "analyst"),
}


def can(user: StaffUser, action: str) -> bool:
    """Whether `user`'s role allows `action` (a key of PERMISSIONS)."""
    return user.active and user.role in PERMISSIONS.get(action, ())
