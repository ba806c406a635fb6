"""Every number and link the plan page gives a victim shows where it comes from and when it was checked."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings
from sxr.guidance.triage import Answers, build_plan

PLAN = "/plan/your-plan?age=13-15&safe=harm&where=GB-ENG&paid=yes&how=gift-card&shared=no&app=instagram"


def test_every_service_on_the_plan_page_shows_its_source_and_checked_date(settings: Settings) -> None:
    page = TestClient(create_app(settings)).get(PLAN)
    assert page.status_code == 200
    answers = Answers(
        age_band="13-15",
        at_risk=True,
        paid=True,
        payment_methods=("gift-card",),
        shared="no",
        platforms=("instagram",),
    )
    plan = build_plan(answers)
    shown = plan.urgent + tuple(plan.support)
    assert shown
    for service in shown:
        checked = f"checked {service.checked.day} {service.checked:%B %Y}"
        pattern = rf'href="{re.escape(service.source)}"[^>]*>where we found this</a>,\s*{checked}'
        assert re.search(pattern, page.text), f"{service.name} is shown without its source and date"
    assert page.text.count('class="source"') >= len({s.id for s in shown})
