"""The victim's guided plan: a home page, two short question pages, then the plan.

Answers travel in POST bodies and, between pages, in a short-lived sealed token in the URL (see
`sxr.web.sealed`): the browser's history holds only an opaque string, never an answer, and the token stops
opening after a few hours. Each answer page is a POST that redirects to a GET, so the phone's Back button
goes to the previous question with its answers ticked. No cookies, no storage, and the pages work without
JavaScript. Anyone who says they are not safe sees the region's emergency number and the crisis lines
first on every later page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sxr.config import Settings
from sxr.deps import SettingsDep
from sxr.guidance import flow
from sxr.guidance.content import default_content
from sxr.guidance.triage import Plan, SupportEntry, build_plan
from sxr.web.sealed import open_token, seal_token
from sxr.web.templating import templates

router = APIRouter()

PLAN = "your-plan"
TOKEN_PURPOSE = "plan answers"  # noqa: S105 (a label for the key, not a secret)
ANSWERS_MAX_AGE = 4 * 3600  # seconds a plan link keeps opening; then the answers are asked again
MAX_FORM_FIELDS = 64  # a hostile form may be huge: more fields than this are not answers
# The old one-question-a-page addresses (bookmarks, history) now lead to the first page.
OLD_PAGES = frozenset({"age", "safe", "where", "paid", "how", "shared", "apps", "check"})


def _token(settings: Settings, answers: flow.Raw) -> str:
    return seal_token(settings, TOKEN_PURPOSE, {k: list(v) for k, v in answers.items()})


def read_answers(settings: Settings, token: str | None) -> tuple[dict[str, list[str]], bool]:
    """The answers sealed in `token`, and whether a token was given but could not be opened (too old)."""
    if token is None:
        return {}, False
    data = open_token(settings, TOKEN_PURPOSE, token, max_age=ANSWERS_MAX_AGE)
    if data is None:
        return {}, True
    raw = {
        k: [x for x in v if isinstance(x, str)][:32]
        for k, v in data.items()
        if isinstance(k, str) and isinstance(v, list)
    }
    return flow.clean(raw), False


def _answers(request: Request, settings: Settings) -> tuple[dict[str, list[str]], bool]:
    return read_answers(settings, request.query_params.get("t"))


def _url(settings: Settings, path: str, answers: flow.Raw, anchor: str = "") -> str:
    return (f"{path}?t={_token(settings, answers)}" if answers else path) + anchor


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _urgent(answers: flow.Raw, settings: Settings) -> tuple[SupportEntry, ...]:
    if not flow.at_risk(answers):
        return ()
    return build_plan(flow.to_answers(answers, settings.region), default_content()).urgent


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    raw: dict[str, list[str]] = {}
    for count, (key, value) in enumerate(form.multi_items()):
        if count >= MAX_FORM_FIELDS:
            break
        if isinstance(value, str):
            raw.setdefault(key, []).append(value)
    return raw


@router.get("/", include_in_schema=False)
def home(request: Request, settings: SettingsDep) -> Response:
    """The home page: what this is, who runs it, and the ways in."""
    context = {
        "start_url": f"/plan/{flow.PAGES[0]}",
        "operator_name": settings.operator_name,
        "reports_reach_police": settings.reports_reach_police,
    }
    return templates.TemplateResponse(request, "guidance/start.html", context)


def _question_page(
    request: Request,
    settings: Settings,
    page: str,
    answers: flow.Raw,
    *,
    chosen: flow.Raw | None = None,
    errors: dict[str, str] | None = None,
    expired: bool = False,
) -> Response:
    content = default_content()
    chosen = answers if chosen is None else chosen
    errors = errors or {}
    asked: list[dict[str, Any]] = []
    for q in flow.on_page(page):
        if not flow.applies(q, answers):
            continue
        options = [
            {
                "value": o.value,
                "label": o.label,
                "id": f"{q.name}-{i}",
                "checked": o.value in chosen.get(q.name, ()),
            }
            for i, o in enumerate(q.choices(content), start=1)
        ]
        asked.append({"q": q, "options": options, "error": errors.get(q.name)})
    index = flow.PAGES.index(page)
    back_url = "/" if index == 0 else _url(settings, f"/plan/{flow.PAGES[index - 1]}", answers)
    context = {
        "urgent": _urgent(answers, settings),
        "asked": asked,
        "errors": [(a["error"], a["options"][0]["id"]) for a in asked if a["error"]],
        "heading": "About you" if page == "about" else None,
        "back_url": back_url,
        "action": f"/plan/{page}",
        "token": _token(settings, answers) if answers else "",
        "expired": expired,
        "step": index + 1,
        "steps": len(flow.PAGES),
    }
    return templates.TemplateResponse(request, "guidance/question.html", context)


@router.get(f"/plan/{PLAN}", include_in_schema=False)
def your_plan(request: Request, settings: SettingsDep) -> Response:
    """The personal plan."""
    answers, expired = _answers(request, settings)
    missing = flow.first_missing_page(answers)
    if missing is not None:
        if expired:
            return _question_page(request, settings, flow.PAGES[0], {}, expired=True)
        return _redirect(_url(settings, f"/plan/{missing}", answers))
    content = default_content()
    plan: Plan = build_plan(flow.to_answers(answers, settings.region), content)
    urgent_ids = {s.id for s in plan.urgent}
    support = [s for s in plan.support if s.id not in urgent_ids]
    refine = []
    for q in flow.on_page(flow.PLAN_PAGE):
        options = [
            {
                "value": o.value,
                "label": o.label,
                "id": f"{q.name}-{i}",
                "checked": o.value in answers.get(q.name, ()),
            }
            for i, o in enumerate(q.choices(content), start=1)
        ]
        refine.append({"q": q, "options": options})
    token = _token(settings, answers)
    context = {
        "plan": plan,
        "urgent": plan.urgent,
        "urgent_full": True,
        "now": plan.now,
        # The crisis lines are at the top, once: the steps below leave out the step that repeats them.
        "steps": [
            s
            for s in plan.steps
            if not (plan.urgent and s.id == "safe-now")
            # "Have you paid them?" not answered yet: "Don't pay" shows, "You have paid" waits for a yes.
            and not (s.id == "you-paid" and "paid" not in answers)
        ],
        "support": support,
        "sources": list({s.id: s for s in (*plan.urgent, *support)}.values()),
        "refine": refine,
        "paid": next(iter(answers.get("paid", ())), None),
        "token": token,
        "back_url": _url(settings, f"/plan/{flow.PAGES[-1]}", answers),
        "change_url": _url(settings, f"/plan/{flow.PAGES[0]}", answers),
        "report_url": f"/report/start?t={token}",
        "elsewhere": answers.get("where") == [flow.ELSEWHERE],
    }
    return templates.TemplateResponse(request, "guidance/plan.html", context)


@router.post(f"/plan/{PLAN}", include_in_schema=False)
async def refine_plan(request: Request, settings: SettingsDep) -> Response:
    """ "Have you paid them?" and the other plan-page questions: the plan changes in place."""
    raw = await _form(request)
    answers, expired = read_answers(settings, next(iter(raw.get("t", ())), None))
    if expired or flow.first_missing_page(answers) is not None:
        return _redirect(f"/plan/{flow.PAGES[0]}")
    content = default_content()
    merged = {k: v for k, v in answers.items() if k not in {q.name for q in flow.on_page(flow.PLAN_PAGE)}}
    for q in flow.on_page(flow.PLAN_PAGE):
        chosen = flow.valid_values(q, raw.get(q.name, []), content)
        if chosen is not None and flow.applies(q, merged):
            merged[q.name] = chosen
    return _redirect(_url(settings, f"/plan/{PLAN}", flow.clean(merged), "#main"))


@router.get("/plan/{page}", include_in_schema=False)
def ask(request: Request, page: str, settings: SettingsDep) -> Response:
    """A question page, with the answers given before ticked."""
    if page not in flow.PAGES:
        if page in OLD_PAGES:
            return _redirect(f"/plan/{flow.PAGES[0]}")
        raise HTTPException(status_code=404, detail="Go back to the start and try again.")
    answers, expired = _answers(request, settings)
    missing = flow.first_missing_page(answers)
    if missing is not None and flow.PAGES.index(missing) < flow.PAGES.index(page):
        return _redirect(_url(settings, f"/plan/{missing}", answers))
    return _question_page(request, settings, page, answers, expired=expired)


@router.post("/plan/{page}", include_in_schema=False)
async def answer(request: Request, page: str, settings: SettingsDep) -> Response:
    """The answers of one question page: on to the next page (or the plan), or what is wrong."""
    if page not in flow.PAGES:
        raise HTTPException(status_code=404, detail="Go back to the start and try again.")
    raw = await _form(request)
    earlier, _expired = read_answers(settings, next(iter(raw.get("t", ())), None))
    names = {q.name for q in flow.on_page(page)}
    merged: dict[str, list[str]] = {k: v for k, v in earlier.items() if k not in names}
    content = default_content()
    errors: dict[str, str] = {}
    chosen_raw: dict[str, list[str]] = {}
    for q in flow.on_page(page):
        if not flow.applies(q, merged):
            continue
        values = raw.get(q.name, [])
        chosen_raw[q.name] = values
        chosen = flow.valid_values(q, values, content)
        if chosen is None:
            errors[q.name] = q.error
        else:
            merged[q.name] = chosen
    if errors:
        return _question_page(request, settings, page, flow.clean(merged), chosen=chosen_raw, errors=errors)
    answers = flow.clean(merged)
    missing = flow.first_missing_page(answers)
    target = PLAN if missing is None else missing
    return _redirect(_url(settings, f"/plan/{target}", answers))
