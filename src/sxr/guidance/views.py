"""The victim's guided plan: a start page, one question a page, check your answers, the plan.

Answers travel in the query string (GET forms), never in cookies or storage, and the pages work without
JavaScript. Anyone who says they are not safe sees the region's emergency number and the crisis lines
first on every later page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sxr.deps import SettingsDep
from sxr.guidance import flow
from sxr.guidance.content import default_content
from sxr.guidance.triage import Plan, SupportEntry, build_plan
from sxr.web.templating import templates

router = APIRouter()

CHECK = "check"
PLAN = "your-plan"


def _raw(request: Request) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        raw.setdefault(key, []).append(value)
    return raw


def _url(path: str, answers: flow.Raw, **extra: str) -> str:
    qs = flow.query(answers, **extra)
    return f"{path}?{qs}" if qs else path


def _question_url(q: flow.Question, answers: flow.Raw, **extra: str) -> str:
    return _url(f"/plan/{q.id}", answers, **extra)


def _urgent(answers: flow.Raw, settings: SettingsDep) -> tuple[SupportEntry, ...]:
    if not flow.at_risk(answers):
        return ()
    plan = build_plan(flow.to_answers(answers, settings.region), default_content())
    return plan.urgent


def _context(answers: flow.Raw, settings: SettingsDep, **extra: Any) -> dict[str, Any]:
    return {"urgent": _urgent(answers, settings), **extra}


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.get("/", include_in_schema=False)
def start(request: Request, settings: SettingsDep) -> Response:
    """The start page."""
    first = flow.questions()[0]
    return templates.TemplateResponse(
        request, "guidance/start.html", _context({}, settings, start_url=f"/plan/{first.id}")
    )


@router.get("/plan/check", include_in_schema=False)
def check_answers(request: Request, settings: SettingsDep) -> Response:
    """Check your answers, with a Change link for each."""
    answers = flow.clean(_raw(request))
    missing = flow.first_unanswered(answers)
    if missing is not None:
        return _redirect(_question_url(missing, answers))
    rows = [
        {
            "label": row.question.label,
            "answer": row.answer,
            "change_url": _question_url(row.question, answers, back=CHECK),
        }
        for row in flow.summary(answers)
    ]
    last = flow.questions()[-1]
    context = _context(
        answers,
        settings,
        rows=rows,
        back_url=_question_url(last, answers),
        plan_url=_url(f"/plan/{PLAN}", answers),
    )
    return templates.TemplateResponse(request, "guidance/check.html", context)


@router.get(f"/plan/{PLAN}", include_in_schema=False)
def your_plan(request: Request, settings: SettingsDep) -> Response:
    """The personal plan."""
    answers = flow.clean(_raw(request))
    missing = flow.first_unanswered(answers)
    if missing is not None:
        return _redirect(_question_url(missing, answers))
    plan: Plan = build_plan(flow.to_answers(answers, settings.region), default_content())
    urgent_ids = {s.id for s in plan.urgent}
    context = _context(
        answers,
        settings,
        plan=plan,
        urgent=plan.urgent,
        urgent_full=True,
        support=[s for s in plan.support if s.id not in urgent_ids],
        back_url=_url("/plan/check", answers),
        change_url=_url("/plan/check", answers),
        elsewhere=answers.get("where") == [flow.ELSEWHERE],
    )
    return templates.TemplateResponse(request, "guidance/plan.html", context)


def _hidden(answers: flow.Raw, skip: str | None = None) -> list[tuple[str, str]]:
    return [(name, v) for name, values in answers.items() if name != skip for v in values]


@router.get("/plan/{question_id}", include_in_schema=False)
def ask(request: Request, question_id: str, settings: SettingsDep) -> Response:
    """One question page; a submitted answer moves on to the next question (or shows what is wrong)."""
    q = flow.question(question_id)
    if q is None:
        raise HTTPException(status_code=404, detail="Go back to the start and try again.")
    raw = _raw(request)
    back_to_check = raw.get("back") == [CHECK]
    submitted = "submitted" in raw
    others = {k: v for k, v in raw.items() if k != q.name}
    earlier = flow.clean(others)
    missing = flow.first_unanswered(earlier)
    qs = flow.questions()
    if missing is not None and qs.index(missing) < qs.index(q):
        return _redirect(_question_url(missing, earlier))
    if not flow.applies(q, earlier):
        nxt = flow.next_question(q, earlier)
        return _redirect(_question_url(nxt, earlier) if nxt else _url("/plan/check", earlier))

    content = default_content()
    error = None
    chosen = flow.valid_values(q, raw.get(q.name, []), content)
    if submitted:
        if chosen is not None:
            answers = flow.clean({**others, q.name: chosen})
            if back_to_check:
                # Changing one answer may open a new question (say "paid: yes" opens "how").
                missing = flow.first_unanswered(answers)
                if missing is None:
                    return _redirect(_url("/plan/check", answers))
                return _redirect(_question_url(missing, answers, back=CHECK))
            nxt = flow.next_question(q, answers)
            return _redirect(_question_url(nxt, answers) if nxt else _url("/plan/check", answers))
        error = q.error

    previous = flow.previous_question(q, earlier)
    if back_to_check:
        back_url = _url("/plan/check", flow.clean(raw))
    elif previous is not None:
        back_url = _question_url(previous, flow.clean(raw))
    else:
        back_url = "/"
    options = [
        {"value": o.value, "label": o.label, "id": f"{q.name}-{i}", "checked": o.value in raw.get(q.name, [])}
        for i, o in enumerate(q.choices(content), start=1)
    ]
    context = _context(
        earlier,
        settings,
        q=q,
        options=options,
        error=error,
        back_url=back_url,
        action=f"/plan/{q.id}",
        hidden=_hidden(flow.clean(raw), skip=q.name) + ([("back", CHECK)] if back_to_check else []),
    )
    return templates.TemplateResponse(request, "guidance/question.html", context, status_code=200)
