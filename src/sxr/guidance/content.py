"""Load and check the guidance content (steps, platform playbooks, payment advice, support services)."""

from __future__ import annotations

import re
import string
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONTENT_DIR = Path(__file__).resolve().parent / "content"

AgeBand = Literal["under-13", "13-15", "16-17", "18-plus"]
AGE_BANDS: tuple[AgeBand, ...] = ("under-13", "13-15", "16-17", "18-plus")
CHILD_BANDS: frozenset[str] = frozenset({"under-13", "13-15", "16-17"})
Shared = Literal["yes", "no", "unsure"]
ServiceKind = Literal["emergency", "police", "crisis", "report", "support"]

# Numbers a reader might dial must come from services.yaml (which names a source), never from prose.
# Four-digit years ("May 2025") are prose, not numbers to dial.
_DIALLABLE = re.compile(r"(?<![\w$])(?!(?:19|20)\d\d\b)\d(?:[ -]?\d){2,}")
_WEB_ADDRESS = re.compile(r"https?://|www\.", re.IGNORECASE)
_REGION_FIELDS = frozenset({"emergency_phone", "police_name", "police_phone", "police_url"})
_SERVICE_FIELDS = frozenset({"phone", "url", "name"})


class ContentError(ValueError):
    """The guidance content is broken (a missing source, an unknown placeholder, a bad file)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _https(url: str) -> str:
    if not url.startswith("https://"):
        raise ValueError(f"{url!r} must be an https:// address")
    return url


def _prose(text: str) -> str:
    bare = re.sub(r"\{[^{}]*\}", "", text)
    if _DIALLABLE.search(bare):
        raise ValueError(f"{text!r} has a number in it: put numbers in services.yaml with their source")
    if _WEB_ADDRESS.search(bare):
        raise ValueError(f"{text!r} has a web address in it: put it in a link with its source")
    return text


class Link(_Model):
    """A web address shown to the reader, with where it was found and when it was checked."""

    text: str
    url: str
    source: str
    checked: date

    @field_validator("url", "source")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _https(value)


class Service(_Model):
    """A support service, helpline, police line or reporting tool."""

    id: str
    name: str
    kind: ServiceKind
    why: str
    phone: str | None = None
    url: str | None = None
    # Help without a call: a number to text (and the word to send), a web chat, an e-mail address.
    text: str | None = None
    text_word: str | None = None
    chat: str | None = None
    email: str | None = None
    hours: str | None = None  # when a person answers, in plain words ("Any time, day or night.")
    ages: list[AgeBand] = Field(default_factory=lambda: list(AGE_BANDS))
    regions: list[str]
    source: str
    checked: date

    @field_validator("url", "source", "chat")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else _https(value)

    @field_validator("phone", "text")
    @classmethod
    def _check_phone(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9][0-9 \-]*[0-9]", value):
            raise ValueError(f"phone {value!r} must be digits, spaces and dashes")
        return value

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value):
            raise ValueError(f"email {value!r} is not an e-mail address")
        return value

    @field_validator("text_word")
    @classmethod
    def _check_word(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z]{1,20}", value):
            raise ValueError(f"text_word {value!r} must be one plain word")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Service:
        if self.phone is None and self.url is None:
            raise ValueError(f"service {self.id!r} needs a phone number or a web address")
        _prose(self.why)
        if self.hours is not None:
            _prose(self.hours)
        return self

    def serves(self, region: Region, age_band: str | None) -> bool:
        """Whether this service is for someone of `age_band` (None: unknown) living in `region`."""
        in_region = "*" in self.regions or region.code in self.regions or region.country in self.regions
        return in_region and (age_band is None or age_band in self.ages)


class QuickExit(_Model):
    """The neutral page "Exit this page" and Shift three times replace a victim page with."""

    url: str
    source: str
    checked: date

    @field_validator("url", "source")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _https(value)


class Region(_Model):
    """A place whose police and emergency numbers a plan uses, and whose neutral page a quick exit opens."""

    code: str
    name: str
    country: str
    emergency: str
    police: str
    quick_exit: QuickExit


class RegionPage(_Model):
    """What every victim page shows of the deployment's region: its emergency service and quick exit."""

    region: Region
    emergency: Service

    @property
    def emergency_phone(self) -> str:
        assert self.emergency.phone is not None  # Content checks every region's emergency has a phone
        return self.emergency.phone


class Condition(_Model):
    """When a step or an action applies; every field that is set must hold."""

    at_risk: bool | None = None
    paid: bool | None = None
    shared: list[Shared] | None = None
    ages: list[AgeBand] | None = None
    countries: list[str] | None = None


class Action(_Model):
    """One thing to do, in plain words, with placeholders filled from the services."""

    text: str
    when: Condition | None = None


class Step(_Model):
    """A step of the plan: a title and the actions under it."""

    id: str
    title: str
    covers: list[str]
    actions: list[Action]
    when: Condition | None = None

    @model_validator(mode="after")
    def _plain(self) -> Step:
        _prose(self.title)
        for action in self.actions:
            _prose(action.text)
        return self


class Platform(_Model):
    """A platform playbook: how to report there, and how to pause an account without deleting it."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    report: list[str]
    pause: list[str]
    links: list[Link]

    @model_validator(mode="after")
    def _plain(self) -> Platform:
        for text in [*self.report, *self.pause]:
            _prose(text)
        return self


class PaymentMethod(_Model):
    """Advice for one way of paying: check if collected, note where, cancel if not."""

    id: str
    name: str
    title: str
    actions: list[str]
    keep: str

    @model_validator(mode="after")
    def _plain(self) -> PaymentMethod:
        for text in [*self.actions, self.keep]:
            _prose(text)
        return self


class Content(_Model):
    """All the guidance content, checked."""

    now: list[Action] = Field(default_factory=list)  # the plan's first screen: three or four short lines
    steps: list[Step]
    platforms: list[Platform]
    payments: list[PaymentMethod]
    regions: list[Region]
    services: list[Service]

    @model_validator(mode="after")
    def _consistent(self) -> Content:
        for kind, ids in (
            ("step", [s.id for s in self.steps]),
            ("platform", [p.id for p in self.platforms]),
            ("payment", [p.id for p in self.payments]),
            ("region", [r.code for r in self.regions]),
            ("service", [s.id for s in self.services]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{kind} ids are used twice: {', '.join(duplicates)}")
        services = {s.id: s for s in self.services}
        for region in self.regions:
            for field in ("emergency", "police"):
                service_id = getattr(region, field)
                if service_id not in services:
                    raise ValueError(f"region {region.code} names an unknown {field} service {service_id!r}")
            if services[region.emergency].phone is None:
                raise ValueError(f"region {region.code}: the emergency service needs a phone number")
        for step in self.steps:
            for action in step.actions:
                _check_placeholders(action.text, services, f"step {step.id!r}")
        for action in self.now:
            _prose(action.text)
            _check_placeholders(action.text, services, "now")
        return self

    def region(self, code: str) -> Region:
        """The region with `code` (ContentError when there is none)."""
        for region in self.regions:
            if region.code == code:
                return region
        known = ", ".join(r.code for r in self.regions)
        raise ContentError(f"unknown region {code!r}: use one of {known}")

    def region_page(self, code: str) -> RegionPage:
        """The emergency service and quick exit of the region with `code` (ContentError when unknown)."""
        region = self.region(code)
        return RegionPage(region=region, emergency=self.service(region.emergency))

    def service(self, service_id: str) -> Service:
        """The service with `service_id`."""
        for service in self.services:
            if service.id == service_id:
                return service
        raise ContentError(f"unknown service {service_id!r}")

    def platform(self, name: str) -> Platform:
        """The playbook for a platform named `name` (its id, name or an alias, any case)."""
        wanted = " ".join(name.lower().replace("_", " ").replace("-", " ").split())
        for platform in self.platforms:
            names = {platform.id, platform.name.lower(), *(a.lower() for a in platform.aliases)}
            if wanted in names or wanted == platform.name.lower().split(" (")[0]:
                return platform
        known = ", ".join(p.id for p in self.platforms)
        raise ContentError(f"unknown platform {name!r}: use one of {known}")

    def payment(self, method_id: str) -> PaymentMethod:
        """The advice for the payment method `method_id`."""
        for method in self.payments:
            if method.id == method_id:
                return method
        known = ", ".join(p.id for p in self.payments)
        raise ContentError(f"unknown payment method {method_id!r}: use one of {known}")


def _check_placeholders(text: str, services: dict[str, Service], where: str) -> None:
    for _literal, field, _spec, _conv in string.Formatter().parse(text):
        if field is None:
            continue
        match = re.fullmatch(r"(\w+)(?:\[([\w-]+)\])?", field)
        if not match:
            raise ValueError(f"{where}: bad placeholder {{{field}}}")
        name, key = match.groups()
        if key is None:
            if name not in _REGION_FIELDS:
                raise ValueError(f"{where}: unknown placeholder {{{field}}}")
            continue
        if name not in _SERVICE_FIELDS or key not in services:
            raise ValueError(f"{where}: unknown placeholder {{{field}}}")
        if getattr(services[key], name) is None:
            raise ValueError(f"{where}: {{{field}}} is empty for service {key!r}")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"cannot read {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path.name} must hold a mapping at the top")
    return data


def load_content(directory: Path = CONTENT_DIR) -> Content:
    """Read and check every YAML file of the guidance content in `directory`."""
    merged: dict[str, Any] = {}
    for name in ("steps.yaml", "platforms.yaml", "payments.yaml", "services.yaml"):
        merged.update(_read_yaml(directory / name))
    try:
        return Content.model_validate(merged)
    except ValidationError as exc:
        raise ContentError(f"guidance content in {directory} is not valid:\n{exc}") from exc


@lru_cache(maxsize=1)
def default_content() -> Content:
    """The content shipped with sxr (read once)."""
    return load_content()
