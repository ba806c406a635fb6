"""The staff action "This is the offender's picture" on an evidence picture (issue 18): CSRF and role
checked, audited, the mark shown, the case linked to another holding the same picture; a plain picture
refused in words on the page; the mark taken back. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from linking.test_offender_pictures import _case_with, _file, _picture
from sxr.audit.models import AuditEvent
from sxr.db import session_factory, session_scope
from sxr.linking import services
from sxr.pipeline.links import relink_after_change

from .staff_helpers import add_user, client, sign_in


def test_staff_mark_the_offenders_picture(database_url: str, tmp_path: Path) -> None:
    from PIL import Image

    from sxr.config import get_settings

    with session_factory(database_url)() as session:
        a, item_a = _case_with(session, tmp_path, _file(tmp_path, "profile.png", _picture(3)))
        b, item_b = _case_with(session, tmp_path, _file(tmp_path, "same.png", _picture(3), optimize=True))
        grey = _file(tmp_path, "grey.png", Image.new("RGB", (120, 120), "grey"))
        _c, item_grey = _case_with(session, tmp_path, grey)
        services.mark_offender_picture(session, get_settings(), "officer@example.com", item_b)
        session.commit()
        relink_after_change(session, get_settings(), b)
        ref_a, ref_b, ref_grey, a_id = a.reference, b.reference, _c.reference, a.id
        ids = (item_a.id, item_grey.id)
    add_user(database_url, "officer@example.com", "officer")
    add_user(database_url, "support@example.com", "support")
    c = client()
    csrf = sign_in(c, "officer@example.com")
    page = c.get(f"/staff/cases/{ref_a}").text
    action = f"/staff/cases/{ref_a}/evidence/{ids[0]}/offender-picture"
    assert f'action="{action}"' in page, page[page.find("<main") :][:1500]
    assert "This is the offender's picture" in page
    refused = c.post(action, data={"action": "mark"}, follow_redirects=False)
    assert refused.status_code == 403
    done = c.post(action, data={"action": "mark", "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("#evidence")
    page = c.get(f"/staff/cases/{ref_a}").text
    assert f'id="offender-picture-{ids[0]}"' in page and "Not the offender's picture" in page
    section = page[page.index('id="linked"') :]
    assert ref_b in section[: section.index("</section>")] and "The offender&#39;s picture" in section
    with session_scope(database_url) as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "evidence.offender_picture", AuditEvent.case_id == a_id
            )
        ).all()
        assert len(events) == 1 and "officer" in events[0].actor
    # A plain picture: said on the page, nothing marked.
    plain = c.post(
        f"/staff/cases/{ref_grey}/evidence/{ids[1]}/offender-picture",
        data={"action": "mark", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert plain.status_code == 400 and "too plain" in plain.text
    # Taken back.
    undone = c.post(action, data={"action": "unmark", "csrf_token": csrf}, follow_redirects=False)
    assert undone.status_code == 303
    assert f'id="offender-picture-{ids[0]}"' not in c.get(f"/staff/cases/{ref_a}").text
    # A support worker cannot mark.
    support = client()
    csrf_s = sign_in(support, "support@example.com")
    denied = support.post(action, data={"action": "mark", "csrf_token": csrf_s}, follow_redirects=False)
    assert denied.status_code == 403
