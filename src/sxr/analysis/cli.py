"""`sxr analyze`: import a chat export (or screenshots) and print its indicators, stages and risk."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import typer

from sxr.cli_support import load_settings
from sxr.conversations.cli import (
    ChatOption,
    DateOrderOption,
    FilesArgument,
    JsonOption,
    TzOption,
    conversation_or_fail,
)

if TYPE_CHECKING:
    from sxr.analysis.core import Analysis


def summary(analysis: Analysis) -> str:
    """A plain-text report of an analysis, for people reading a terminal."""
    risk = analysis.risk
    lines = []
    if risk.crisis_support_first:
        lines.append("!! Someone in this conversation spoke of ending their life: put crisis support first.")
    lines.append(
        f"risk: {risk.level} ({risk.score}/100)"
        + (f", first warning at message {risk.first_warning_i}" if risk.first_warning_i is not None else "")
    )
    lines.append(
        f"sextortion: {'yes' if analysis.is_sextortion else 'no'}"
        + (f" (offender: {analysis.offender})" if analysis.offender else "")
    )
    lines.extend(f"  - {reason}" for reason in risk.reasons)
    if analysis.indicators:
        lines.append("indicators:")
        lines.extend(
            f"  {ind.kind:20} {ind.value}  (message {ind.first_i}: {ind.raw!r})"
            for ind in analysis.indicators
        )
    staged = [
        (m.i, m.sender, s) for m, s in zip(analysis.conversation.messages, analysis.stages, strict=True) if s
    ]
    if staged:
        lines.append("stages:")
        lines.extend(f"  {i:>4}  {sender}: {', '.join(stages)}" for i, sender, stages in staged)
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `sxr analyze` to the root command."""

    @app.command("analyze")
    def analyze_command(
        files: FilesArgument,
        date_order: DateOrderOption = None,
        tz: TzOption = None,
        chat: ChatOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Find the offender's details, the payments, the stages of the extortion and the risk."""
        from sxr.analysis.core import analyze  # NumPy and the lexicons: only when a command analyses

        settings = load_settings()
        conversation = conversation_or_fail(
            files, date_order=date_order, tz=tz or settings.timezone, chat=chat
        )
        result = analyze(conversation, phone_region=settings.phone_region)
        if as_json:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        else:
            typer.echo(summary(result))
