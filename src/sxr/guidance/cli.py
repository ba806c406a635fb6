"""`sxr plan`: the same personal plan the victim pages give, for a support worker on the phone."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from sxr.cli_support import fail, load_settings

if TYPE_CHECKING:
    from sxr.guidance.triage import Plan


class YesNo(StrEnum):
    yes = "yes"
    no = "no"


def _flag(value: YesNo | None) -> bool | None:
    return None if value is None else value is YesNo.yes


def render_text(plan: Plan) -> str:
    """The plan as plain text, for reading aloud or pasting into a note."""
    lines: list[str] = [f"Plan for region {plan.region.code} ({plan.region.name})", ""]
    if plan.urgent:
        lines.append("URGENT - get help right now:")
        lines += [f"  * {s.name}: {s.phone or s.url}  ({s.why})" for s in plan.urgent]
        lines.append("")
    for number, step in enumerate(plan.steps, start=1):
        lines.append(f"{number}. {step.title}")
        lines += [f"   - {action.to_json()}" for action in step.actions]
        lines.append("")
    lines.append("Support:")
    for service in plan.support:
        reach = " / ".join(x for x in (service.phone, service.url) if x)
        lines.append(f"  * {service.name}: {reach}")
        lines.append(f"    {service.why}  [source {service.source}, checked {service.checked.isoformat()}]")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `sxr plan` to the root command."""

    @app.command("plan")
    def plan_command(
        age: Annotated[int | None, typer.Option(metavar="N", help="the person's age in years")] = None,
        paid: Annotated[YesNo | None, typer.Option(help="have they paid the offender?")] = None,
        self_harm: Annotated[
            YesNo | None,
            typer.Option("--self-harm", help="are they thinking of harming themselves, or not safe?"),
        ] = None,
        shared: Annotated[YesNo | None, typer.Option(help="have the images been shared already?")] = None,
        platform: Annotated[
            list[str] | None,
            typer.Option(
                metavar="NAME", help="a platform they were contacted on (repeat for more), e.g. instagram"
            ),
        ] = None,
        payment: Annotated[
            list[str] | None,
            typer.Option(
                metavar="METHOD",
                help="how they paid (repeat for more): gift-card, bank-transfer, money-transfer, "
                "paypal-cash-app, crypto, other",
            ),
        ] = None,
        region: Annotated[
            str | None,
            typer.Option(
                metavar="R", help="a region of the guidance content, e.g. GB-SCT or US (default SXR_REGION)"
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    ) -> None:
        """Make a personal plan from the answers (what to do, in order, and who can help)."""
        from sxr.guidance.content import ContentError, default_content
        from sxr.guidance.triage import Answers, age_band, build_plan, resolve_region

        try:
            content = default_content()
            answers = Answers(
                region=resolve_region(region or load_settings().region, content),
                age_band=None if age is None else age_band(age),
                at_risk=_flag(self_harm) is True,
                paid=_flag(paid),
                payment_methods=tuple(payment or ()),
                shared=None if shared is None else shared.value,
                platforms=tuple(platform or ()),
            )
            plan = build_plan(answers, content)
        except (ContentError, ValueError) as exc:
            fail(str(exc), "usage")
        if as_json:
            typer.echo(json.dumps(plan.to_json(), ensure_ascii=False, indent=2))
        else:
            typer.echo(render_text(plan))
