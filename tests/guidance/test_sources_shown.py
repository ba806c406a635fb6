"""Every number and link the plan page gives a victim shows where it comes from and when it was checked."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings
from sxr.guidance.triage import Answers, build_plan

from .test_views import walk


def test_every_service_on_the_plan_page_shows_its_source_and_checked_date(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    plan_url = walk(client, {"age": "13-15", "safe": "harm", "where": "GB-ENG"}, {"app": ["instagram"]})
    page = client.get(plan_url)
    assert page.status_code == 200
    answers = Answers(
        age_band="13-15",
        at_risk=True,
        platforms=("instagram",),
    )
    plan = build_plan(answers)
    shown = plan.urgent + tuple(plan.support)
    assert shown
    for service in shown:
        checked = f"checked {service.checked.day} {service.checked:%B %Y}"
        name = re.escape(service.name)
        pattern = rf'{name}: <a href="{re.escape(service.source)}"[^>]*>where we found this</a>,\s*{checked}'
        assert re.search(pattern, page.text), f"{service.name} is shown without its source and date"
    # One list, "Where these numbers come from", not a source after every number.
    sources = page.text[page.text.index('id="sources"') :]
    assert sources.count("where we found this") == len({s.id for s in shown})
    assert page.text.count("where we found this") == len({s.id for s in shown})
