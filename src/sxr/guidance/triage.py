"""Answers to the plan questions -> a personal plan (pure: no web, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sxr.guidance.content import (
    AGE_BANDS,
    CHILD_BANDS,
    Condition,
    Content,
    ContentError,
    Link,
    Region,
    Service,
    default_content,
)

# The order in which support services are listed: the most immediate help first.
_KIND_ORDER = {"emergency": 0, "police": 1, "crisis": 2, "report": 3, "support": 4}

_REGION_ALIASES = {
    "gb": "GB-ENG",
    "uk": "GB-ENG",
    "england": "GB-ENG",
    "england-wales": "GB-ENG",
    "england-and-wales": "GB-ENG",
    "wales": "GB-WLS",
    "scotland": "GB-SCT",
    "northern-ireland": "GB-NIR",
    "ni": "GB-NIR",
    "usa": "US",
    "united-states": "US",
    "canada": "CA",
    "australia": "AU",
}


def age_band(age: int) -> str:
    """The age band ("under-13", "13-15", "16-17", "18-plus") for an age in years."""
    if age < 0 or age > 130:
        raise ValueError(f"age {age} is not a person's age in years")
    if age < 13:
        return "under-13"
    if age < 16:
        return "13-15"
    if age < 18:
        return "16-17"
    return "18-plus"


def resolve_region(code: str, content: Content | None = None) -> str:
    """The region code for `code` ("GB-SCT", "scotland", "uk"...; ContentError when unknown)."""
    content = content or default_content()
    wanted = code.strip()
    spoken = " ".join(wanted.lower().replace("-", " ").split())
    for region in content.regions:
        if wanted.lower() in (region.code.lower(), region.name.lower()) or spoken == region.name.lower():
            return region.code
    alias = _REGION_ALIASES.get("-".join(wanted.lower().replace("&", "and").split()))
    if alias:
        return alias
    return content.region(wanted).code  # raises with the list of known regions


@dataclass(frozen=True)
class Answers:
    """What the person told us. None means "not asked" or "not sure": the plan then covers every case."""

    region: str = "GB-ENG"
    age_band: str | None = None
    at_risk: bool = False
    paid: bool | None = None
    payment_methods: tuple[str, ...] = ()
    shared: str | None = None
    platforms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.age_band is not None and self.age_band not in AGE_BANDS:
            raise ValueError(f"unknown age band {self.age_band!r}")
        if self.shared is not None and self.shared not in ("yes", "no", "unsure"):
            raise ValueError(f"shared must be yes, no or unsure, not {self.shared!r}")

    @property
    def is_child(self) -> bool | None:
        return None if self.age_band is None else self.age_band in CHILD_BANDS


@dataclass(frozen=True)
class PlanAction:
    """One thing to do; `link`, when set, is a web page that helps do it."""

    text: str
    link: Link | None = None

    def to_json(self) -> str:
        return f"{self.text}: {self.link.url}" if self.link else self.text


@dataclass(frozen=True)
class PlanStep:
    id: str
    title: str
    actions: tuple[PlanAction, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "actions": [a.to_json() for a in self.actions]}


@dataclass(frozen=True)
class SupportEntry:
    """A service as a plan lists it."""

    id: str
    kind: str
    name: str
    phone: str | None
    url: str | None
    why: str
    source: str
    checked: date
    text: str | None = None
    text_word: str | None = None
    chat: str | None = None
    email: str | None = None
    hours: str | None = None

    @classmethod
    def of(cls, service: Service) -> SupportEntry:
        return cls(
            id=service.id,
            kind=service.kind,
            name=service.name,
            phone=service.phone,
            url=service.url,
            why=service.why,
            source=service.source,
            checked=service.checked,
            text=service.text,
            text_word=service.text_word,
            chat=service.chat,
            email=service.email,
            hours=service.hours,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phone": self.phone,
            "url": self.url,
            "why": self.why,
            "source": self.source,
            "checked": self.checked.isoformat(),
        }


@dataclass(frozen=True)
class Plan:
    """A personal plan: urgent help first (when at risk), then the steps, then the support services."""

    region: Region
    answers: Answers
    urgent: tuple[SupportEntry, ...]
    steps: tuple[PlanStep, ...]
    support: tuple[SupportEntry, ...]
    covers: frozenset[str] = field(default_factory=frozenset)
    now: tuple[str, ...] = ()  # what to do right now, in three or four short lines

    def to_json(self) -> dict[str, Any]:
        """The `sxr plan --json` document of DESIGN.md."""
        return {
            "region": self.region.code,
            "urgent": [s.to_json() for s in self.urgent],
            "steps": [s.to_json() for s in self.steps],
            "support": [s.to_json() for s in self.support],
        }


def _holds(condition: Condition | None, answers: Answers, region: Region) -> bool:
    if condition is None:
        return True
    checks = (
        condition.at_risk is None or condition.at_risk == answers.at_risk,
        condition.paid is None or answers.paid is None or condition.paid == answers.paid,
        condition.shared is None or answers.shared is None or answers.shared in condition.shared,
        condition.ages is None or answers.age_band is None or answers.age_band in condition.ages,
        condition.countries is None or region.country in condition.countries,
    )
    return all(checks)


def _fill(text: str, content: Content, region: Region) -> str:
    police = content.service(region.police)
    emergency = content.service(region.emergency)
    values = {
        "emergency_phone": emergency.phone or "",
        "police_name": police.name,
        "police_phone": police.phone or "",
        "police_url": police.url or "",
        "phone": {s.id: s.phone for s in content.services},
        "url": {s.id: s.url for s in content.services},
        "name": {s.id: s.name for s in content.services},
    }
    return text.format_map(values)


def _services_for(answers: Answers, content: Content, region: Region) -> list[Service]:
    found = [s for s in content.services if s.serves(region, answers.age_band)]
    return sorted(found, key=lambda s: _KIND_ORDER[s.kind])


def build_plan(answers: Answers, content: Content | None = None) -> Plan:
    """The personal plan for `answers`."""
    content = content or default_content()
    region = content.region(answers.region)
    platforms = list({p.id: p for p in (content.platform(name) for name in answers.platforms)}.values())
    methods = [content.payment(m) for m in answers.payment_methods] if answers.paid is not False else []

    steps: list[PlanStep] = []
    covers: set[str] = set()
    for step in content.steps:
        if not _holds(step.when, answers, region):
            continue
        actions = [
            PlanAction(_fill(a.text, content, region))
            for a in step.actions
            if _holds(a.when, answers, region)
        ]
        if step.id == "keep-evidence":
            actions += [PlanAction(m.keep) for m in methods]
        steps.append(PlanStep(step.id, step.title, tuple(actions)))
        covers.update(step.covers)
        if step.id == "you-paid":
            steps += [PlanStep(f"paid-{m.id}", m.title, tuple(map(PlanAction, m.actions))) for m in methods]
        if step.id == "stop-contact":
            for platform in platforms:
                links = tuple(PlanAction(link.text, link) for link in platform.links)
                steps.append(
                    PlanStep(
                        f"platform-{platform.id}",
                        f"{platform.name}: report them and pause your account",
                        (*map(PlanAction, platform.report), *map(PlanAction, platform.pause), *links),
                    )
                )

    services = _services_for(answers, content, region)
    urgent: list[SupportEntry] = []
    if answers.at_risk:
        urgent = [SupportEntry.of(content.service(region.emergency))]
        urgent += [SupportEntry.of(s) for s in services if s.kind == "crisis"]
    support = [SupportEntry.of(s) for s in services]
    # "Have you paid?" not answered yet reads as "no" here: the first lines say "do not pay", not both.
    strict = replace(answers, paid=bool(answers.paid))
    now = tuple(_fill(a.text, content, region) for a in content.now if _holds(a.when, strict, region))
    return Plan(region, answers, tuple(urgent), tuple(steps), tuple(support), frozenset(covers), now)


def known_platforms(content: Content | None = None) -> list[tuple[str, str]]:
    """(id, name) of every platform with a playbook, in the content's order."""
    content = content or default_content()
    return [(p.id, p.name) for p in content.platforms]


def known_payment_methods(content: Content | None = None) -> list[tuple[str, str]]:
    """(id, name) of every payment method with advice, in the content's order."""
    content = content or default_content()
    return [(m.id, m.name) for m in content.payments]


__all__ = [
    "Answers",
    "ContentError",
    "Plan",
    "PlanAction",
    "PlanStep",
    "SupportEntry",
    "age_band",
    "build_plan",
    "known_payment_methods",
    "known_platforms",
    "resolve_region",
]
