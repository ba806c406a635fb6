"""The question pages' flow: which page comes next, what counts as an answer, and answers -> Answers.

The answers travel from page to page in POST bodies and a short-lived sealed token (no cookies, no local
storage, nothing readable in the browser's history), so this module works on a plain mapping of field
name -> list of values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from sxr.guidance.content import CONTENT_DIR, Content, ContentError, default_content
from sxr.guidance.triage import Answers

AT_RISK_VALUES = frozenset({"harm", "danger"})
ELSEWHERE = "elsewhere"
# The question pages before the plan, in order; questions on page "plan" are asked on the plan page.
PAGES: tuple[str, ...] = ("about", "apps")
PLAN_PAGE = "plan"


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str
    label: str


class Question(BaseModel):
    """One question page."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    page: Literal["about", "apps", "plan"]
    name: str
    kind: Literal["radios", "checkboxes"]
    label: str
    question: str
    hint: str
    error: str
    options: list[Option] = []
    options_from: Literal["payments", "platforms", "regions"] | None = None
    when: dict[str, str] | None = None

    def choices(self, content: Content) -> list[Option]:
        """The options, taken from the content when `options_from` says so."""
        if self.options_from == "payments":
            return [Option(value=m.id, label=m.name) for m in content.payments]
        if self.options_from == "platforms":
            return [Option(value=p.id, label=p.name) for p in content.platforms]
        if self.options_from == "regions":  # the content's regions, then the question's own ("elsewhere")
            return [Option(value=r.code, label=r.name) for r in content.regions] + list(self.options)
        return list(self.options)


Raw = Mapping[str, Sequence[str]]


@lru_cache(maxsize=1)
def questions(path: Path = CONTENT_DIR / "questions.yaml") -> tuple[Question, ...]:
    """The questions, in the order they are asked."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return tuple(Question.model_validate(q) for q in data["questions"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as exc:
        raise ContentError(f"cannot read {path.name}: {exc}") from exc


def question(question_id: str) -> Question | None:
    """The question with `question_id`, or None."""
    return next((q for q in questions() if q.id == question_id), None)


def applies(q: Question, answers: Raw) -> bool:
    """Whether `q` is asked, given the earlier answers."""
    if not q.when:
        return True
    return all(value in answers.get(name, ()) for name, value in q.when.items())


def valid_values(q: Question, values: Sequence[str], content: Content | None = None) -> list[str] | None:
    """The chosen values when they make a valid answer to `q`, else None."""
    allowed = [o.value for o in q.choices(content or default_content())]
    chosen = [v for v in allowed if v in values]  # the content's order; unknown values are dropped
    if not chosen or any(v not in allowed for v in values):
        return None
    if q.kind == "radios" and len(chosen) != 1:
        return None
    return chosen


def clean(raw: Raw, content: Content | None = None) -> dict[str, list[str]]:
    """Only the valid answers, for the questions that apply (anything else in the query string is dropped)."""
    answers: dict[str, list[str]] = {}
    for q in questions():
        if not applies(q, answers):
            continue
        chosen = valid_values(q, raw.get(q.name, ()), content)
        if chosen is not None:
            answers[q.name] = chosen
    return answers


def first_unanswered(answers: Raw) -> Question | None:
    """The first question before the plan that applies and has no answer yet (plan-page ones are optional)."""
    return next(
        (q for q in questions() if q.page != PLAN_PAGE and applies(q, answers) and q.name not in answers),
        None,
    )


def on_page(page: str) -> tuple[Question, ...]:
    """The questions asked on `page`, in order."""
    return tuple(q for q in questions() if q.page == page)


def first_missing_page(answers: Raw) -> str | None:
    """The first question page with an unanswered question, or None when the plan can be shown."""
    missing = first_unanswered(answers)
    return None if missing is None else missing.page


def next_question(current: Question, answers: Raw) -> Question | None:
    """The question after `current` that applies, or None when `current` is the last."""
    qs = questions()
    later = qs[qs.index(current) + 1 :]
    return next((q for q in later if applies(q, answers)), None)


def previous_question(current: Question, answers: Raw) -> Question | None:
    """The question before `current` that applies, or None when `current` is the first."""
    qs = questions()
    earlier = qs[: qs.index(current)]
    return next((q for q in reversed(earlier) if applies(q, answers)), None)


def query(answers: Raw, **extra: str) -> str:
    """The query string that carries `answers` (and `extra` fields) to the next page."""
    pairs = [(name, value) for name, values in answers.items() for value in values]
    pairs += [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def at_risk(answers: Raw) -> bool:
    """Whether the person said they are not safe or are thinking of harming themselves."""
    return any(v in AT_RISK_VALUES for v in answers.get("safe", ()))


@dataclass(frozen=True)
class Summary:
    """One row of "Check your answers"."""

    question: Question
    answer: str


def summary(answers: Raw, content: Content | None = None) -> list[Summary]:
    """The rows of "Check your answers", in the order the questions were asked."""
    content = content or default_content()
    rows = []
    for q in questions():
        if q.name in answers and applies(q, answers):
            labels = {o.value: o.label for o in q.choices(content)}
            rows.append(Summary(q, ", ".join(labels[v] for v in answers[q.name])))
    return rows


def to_answers(answers: Raw, default_region: str) -> Answers:
    """The triage Answers for the (cleaned) answers of the question pages."""

    def one(name: str) -> str | None:
        values = answers.get(name, ())
        return values[0] if values else None

    where = one("where")
    paid = one("paid")
    return Answers(
        region=default_region if where in (None, ELSEWHERE) else str(where),
        age_band=one("age"),
        at_risk=at_risk(answers),
        paid=None if paid is None else paid == "yes",
        payment_methods=tuple(answers.get("how", ())) if paid == "yes" else (),
        shared=one("shared"),
        platforms=tuple(answers.get("app", ())),
    )
