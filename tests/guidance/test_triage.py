"""Triage: answers -> a personal plan with the right steps and the right services for the age and region."""

from __future__ import annotations

import itertools
import json

import pytest

from sxr.guidance.content import AGE_BANDS, ContentError, load_content
from sxr.guidance.triage import Answers, age_band, build_plan, resolve_region

from .advice import ADULT, CHILD, EVERY_PLAN, IF_PAID, missing_points


def _text(answers: Answers) -> str:
    return json.dumps(build_plan(answers).to_json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "under-13"),
        (12, "under-13"),
        (13, "13-15"),
        (15, "13-15"),
        (16, "16-17"),
        (17, "16-17"),
        (18, "18-plus"),
        (64, "18-plus"),
    ],
)
def test_age_bands(age: int, band: str) -> None:
    assert age_band(age) == band


def test_age_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        age_band(-1)


def test_plan_json_has_exactly_the_shape_of_the_design() -> None:
    plan = build_plan(Answers(age_band="13-15", at_risk=True, paid=True)).to_json()
    assert set(plan) == {"region", "urgent", "steps", "support"}
    assert plan["region"] == "GB-ENG"
    for step in plan["steps"]:
        assert set(step) == {"id", "title", "actions"}
        assert step["actions"] and all(isinstance(a, str) and a for a in step["actions"])
    for service in plan["urgent"] + plan["support"]:
        assert set(service) == {"name", "phone", "url", "why", "source", "checked"}
        assert service["source"].startswith("https://") and service["checked"] in ("2026-11-28", "2026-12-07")


def test_child_who_paid_and_is_at_risk_gets_every_point_and_child_services() -> None:
    text = _text(Answers(age_band="13-15", at_risk=True, paid=True, payment_methods=("gift-card",)))
    assert missing_points(text, EVERY_PLAN | IF_PAID | CHILD) == []
    assert missing_points(text, ADULT) == list(ADULT)  # none of the adults-only services


def test_adult_who_has_not_paid_gets_every_point_and_adult_services() -> None:
    text = _text(Answers(age_band="18-plus", at_risk=False, paid=False))
    assert missing_points(text, EVERY_PLAN | ADULT) == []
    assert set(missing_points(text, CHILD)) >= {"Childline", "Report Remove", "CEOP"}
    assert "money has been collected" not in text


def test_urgent_is_filled_only_with_risk_and_lists_999_first() -> None:
    assert build_plan(Answers(age_band="18-plus")).urgent == ()
    plan = build_plan(Answers(age_band="16-17", at_risk=True))
    names = [s.name for s in plan.urgent]
    assert plan.urgent[0].phone == "999"
    assert {"Childline", "Samaritans", "PAPYRUS HOPELINE247"} <= set(names)
    assert plan.steps[0].id == "safe-now"
    adult = build_plan(Answers(age_band="18-plus", at_risk=True))
    assert "Childline" not in [s.name for s in adult.urgent]
    assert {"Samaritans", "PAPYRUS HOPELINE247"} <= {s.name for s in adult.urgent}


@pytest.mark.parametrize(
    ("region", "police"),
    [
        ("GB-ENG", "Police (England and Wales)"),
        ("GB-WLS", "Police (England and Wales)"),
        ("GB-SCT", "Police Scotland"),
        ("GB-NIR", "Police Service of Northern Ireland (PSNI)"),
    ],
)
def test_uk_regions_name_their_own_police_on_101(region: str, police: str) -> None:
    plan = build_plan(Answers(region=region, age_band="18-plus"))
    report = next(s for s in plan.steps if s.id == "report")
    assert report.actions[0].text == f"Call {police} on 101. In an emergency, call 999."
    assert police in [s.name for s in plan.support]


def test_other_regions_use_their_own_services() -> None:
    us = _text(Answers(region="US", age_band="13-15", at_risk=True))
    assert "911" in us and "988" in us and "CyberTipline" in us and "Take It Down" in us
    assert "Childline" not in us and "999" not in us
    au = _text(Answers(region="AU", age_band="18-plus", at_risk=True))
    assert "000" in au and "eSafety" in au
    ca = _text(Answers(region="CA", age_band="16-17"))
    assert "Cybertip.ca" in ca and "Kids Help Phone" in ca


def test_payment_methods_get_their_own_advice_and_evidence() -> None:
    plan = build_plan(Answers(age_band="18-plus", paid=True, payment_methods=("money-transfer", "crypto")))
    ids = [s.id for s in plan.steps]
    assert ids.index("you-paid") < ids.index("paid-money-transfer") < ids.index("paid-crypto")
    text = _text(Answers(age_band="18-plus", paid=True, payment_methods=("money-transfer", "crypto")))
    assert "MTCN" in text and "wallet address you paid to" in text
    unpaid = build_plan(Answers(age_band="18-plus", paid=False, payment_methods=("crypto",)))
    assert not any(s.id.startswith("paid-") for s in unpaid.steps)


def test_platform_playbooks_follow_stop_contact_and_never_say_delete_without_a_warning() -> None:
    plan = build_plan(Answers(platforms=("Instagram", "snap", "instagram", "twitter")))
    ids = [s.id for s in plan.steps]
    assert ids[ids.index("stop-contact") + 1 : ids.index("stop-contact") + 4] == [
        "platform-instagram",
        "platform-snapchat",
        "platform-x",
    ]
    instagram = next(s for s in plan.steps if s.id == "platform-instagram")
    assert any(a.link and a.link.url.startswith("https://help.instagram.com/") for a in instagram.actions)
    assert any("Deactivate, not Delete" in a.text for a in instagram.actions)


def test_unknown_platform_and_region_are_clear_errors() -> None:
    with pytest.raises(ContentError, match="unknown platform 'myspace'"):
        build_plan(Answers(platforms=("myspace",)))
    with pytest.raises(ContentError, match="unknown region"):
        resolve_region("atlantis")
    assert resolve_region("scotland") == "GB-SCT"
    assert resolve_region("gb-nir") == "GB-NIR"
    assert resolve_region("Northern Ireland") == "GB-NIR"


def test_every_combination_of_answers_makes_a_plan_in_every_region() -> None:
    """Placeholders must resolve for every region and age; nothing may be left in braces."""
    content = load_content()
    for region, age, risk, paid, shared in itertools.product(
        [r.code for r in content.regions],
        [None, *AGE_BANDS],
        [False, True],
        [None, False, True],
        [None, "yes", "no", "unsure"],
    ):
        plan = build_plan(
            Answers(
                region=region,
                age_band=age,
                at_risk=risk,
                paid=paid,
                shared=shared,
                payment_methods=("gift-card",),
                platforms=("facebook",),
            ),
            content,
        )
        text = json.dumps(plan.to_json())
        assert "{" not in text.replace('{"', "").replace("{}", ""), (region, age)
        assert plan.support, (region, age)
        assert bool(plan.urgent) is risk
