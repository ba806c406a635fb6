"""The offender's own pictures link cases (issue 18): staff mark an evidence picture as his (his profile
picture, a photo he sent; never the victim's images), its PDQ hash becomes an observable; the same picture
links exactly, a near-duplicate (re-encoded, within the watchlist's radius) is suggested with the evidence,
an unrelated picture links nothing; a plain picture is refused in words; marks are audited and can be taken
back. Through the services and the staff page, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.audit.models import AuditEvent
from sxr.cases.models import Case
from sxr.cases.services import create_case
from sxr.config import get_settings
from sxr.db import session_factory
from sxr.evidence.models import EvidenceItem
from sxr.evidence.services import add_evidence
from sxr.linking import services
from sxr.linking.models import CaseObservable, OffenderPicture
from sxr.pipeline.links import relink_after_change


def _picture(seed: int, size: int = 320) -> Image.Image:
    """A synthetic 'photo': overlapping coloured shapes (seeded), so PDQ has edges to read."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 255, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x0, y0 = (int(v) for v in rng.integers(0, size, 2))
        w, h = (int(v) for v in rng.integers(10, size // 2, 2))
        draw.ellipse([x0, y0, x0 + w, y0 + h], fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return image


def _file(tmp: Path, name: str, image: Image.Image, fmt: str = "PNG", **kw: object) -> Path:
    path = tmp / name
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kw)
    path.write_bytes(buffer.getvalue())
    return path


def _case_with(session: Session, tmp: Path, path: Path) -> tuple[Case, EvidenceItem]:
    case, _pin = create_case(session)
    session.commit()
    added = add_evidence(session, get_settings(), case, path, received_by="victim", derivers=[])
    return case, added.item


def test_the_offenders_picture_links_cases(database_url: str, tmp_path: Path) -> None:
    settings = get_settings()
    face = _picture(1)
    with session_factory(database_url)() as session:
        a, item_a = _case_with(session, tmp_path, _file(tmp_path, "profile.png", face))
        # The same picture again (another victim's screenshot of the same profile, as a file).
        b, item_b = _case_with(session, tmp_path, _file(tmp_path, "his-photo.png", face, optimize=True))
        # His picture re-encoded and made smaller by an app: a near-duplicate.
        small = face.resize((250, 250))
        c, item_c = _case_with(session, tmp_path, _file(tmp_path, "sent.jpg", small, "JPEG", quality=60))
        d, item_d = _case_with(session, tmp_path, _file(tmp_path, "other.png", _picture(99)))
        for case, item in ((a, item_a), (b, item_b), (c, item_c), (d, item_d)):
            services.mark_offender_picture(session, settings, "officer@example.com", item, "his profile")
            session.commit()
            assert relink_after_change(session, settings, case) is None
        marks = services.offender_pictures(session, a.id)
        assert list(marks) == [item_a.id] and len(marks[item_a.id].pdq) == 64
        pdq_a = marks[item_a.id].pdq
        links = {link.case_id: link for link in services.linked_cases(session, a.id)}
        # The same picture: an exact link on its PDQ hash, shown as the shared value.
        assert links[b.id].kind == "exact"
        assert [(s.kind, s.value) for s in links[b.id].shared] == [("pdq", pdq_a)]
        # The near-duplicate: suggested, with the distance as the evidence.
        assert links[c.id].kind == "suggested" and links[c.id].score >= 0.5
        (why,) = [s for s in links[c.id].shared if s.kind == "picture"]
        assert why.value.endswith("of 256 bits differ") and int(why.value.split()[0]) <= settings.match_radius
        assert d.id not in links
        # Marking the same item twice keeps one mark; the mark is audited on the case.
        services.mark_offender_picture(session, settings, "officer@example.com", item_a)
        assert session.scalar(select(OffenderPicture.id).where(OffenderPicture.case_id == a.id)) is not None
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.offender_picture"))
        )
        assert sorted(e.case_id for e in events) == sorted([a.id, b.id, c.id, d.id])
        assert all(e.why == "his profile" for e in events)
        # Taken back (it was not his): the link goes on the next relink.
        assert services.unmark_offender_picture(session, "officer@example.com", item_b, "a stock photo")
        session.commit()
        relink_after_change(session, settings, b)
        assert b.id not in {link.case_id for link in services.linked_cases(session, a.id)}
        assert not session.scalars(
            select(CaseObservable).where(CaseObservable.case_id == b.id, CaseObservable.kind == "pdq")
        ).all()
        assert not services.unmark_offender_picture(session, "officer@example.com", item_b)


def test_a_plain_or_unreadable_picture_is_refused_in_words(sqlite_url: str, tmp_path: Path) -> None:
    settings = get_settings()
    with session_factory(sqlite_url)() as session:
        _case, plain = _case_with(
            session, tmp_path, _file(tmp_path, "grey.png", Image.new("RGB", (200, 200), "grey"))
        )
        with pytest.raises(services.LinkError, match="too plain"):
            services.mark_offender_picture(session, settings, "officer@example.com", plain)
        (tmp_path / "notes.txt").write_text("not a picture at all")
        _case2, text = _case_with(session, tmp_path, tmp_path / "notes.txt")
        with pytest.raises(services.LinkError, match="could not be read as a picture"):
            services.mark_offender_picture(session, settings, "officer@example.com", text)
        assert session.scalars(select(OffenderPicture)).all() == []
