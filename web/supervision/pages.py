"""Supervision pages for officials and the public (Chinese UI, no JavaScript).

- /supervision/check: an official enters a credit code and a business and sees the answer
  with its reasons; the check is recorded like an API check. Officials sign in with their
  API token (kept in an HttpOnly, same-site cookie for this path after the first use).
- /supervision/inspections: draw a risk-graded random inspection list with a published
  seed; every recorded draw can be recomputed at /supervision/inspections/{id}, where the
  inspecting department records each drawn entity's result (the form posts there).
- /supervision/statistics: public charts (server-rendered SVG), numbers as CSV and JSON.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain import reports
from domain.errors import ValidationFailed
from domain.grading import GRADES
from domain.inspections import outcomes
from projections.supervision import recent_draws
from stores.tokens import Principal, TokenError
from web.supervision import api
from web import labels
from web.supervision import charts
from web.render import render

COOKIE = "gongshi_token"
PATH = "/supervision"
RESULTS = {"restricted": "限制：适用联合惩戒措施", "incentive": "激励：适用守信激励措施", "none": "未发现适用的联合奖惩措施"}
TYPES = {"punishment": "惩戒", "incentive": "激励"}
PAGE_BUSINESSES = ("procurement", "subsidy", "tendering", "approval")
CASE_KINDS = {"repair": "信用修复", "objection": "异议处理"}
TURNAROUND = {"closed": "已办结", "closed_late": "其中超期办结", "open": "办理中", "open_overdue": "其中已超期",
              "median_working_days": "办结用时中位数（工作日）", "max_working_days": "最长办结用时（工作日）"}


async def _signed_in(request: Request, form: dict[str, str]) -> Principal | str:
    """The official behind a page request (form token, else the cookie), or why not, in Chinese."""
    token = form.get("token", "").strip() or request.cookies.get(COOKIE, "")
    if not token:
        return "请输入您的 API 令牌（由平台管理员发放，任何角色均可查询）。"
    try:
        return await run_in_threadpool(request.app.state.platform.tokens.authenticate, token)
    except TokenError as e:
        return f"令牌无法使用：{e.zh}"


def _remember(response: Response, form: dict[str, str]) -> Response:
    if form.get("token", "").strip():
        response.set_cookie(COOKIE, form["token"].strip(), httponly=True, samesite="strict", path=PATH)
    return response


def _page(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"supervision/{template}", {"as_of": None, **data}, status)


async def index(request: Request) -> Response:
    return _page(request, "index.html", {})


async def check_page(request: Request) -> Response:
    platform = request.app.state.platform
    catalog = platform.supervision.catalog
    form = {k: str(v) for k, v in (await request.form()).items()} if request.method == "POST" else {}
    data: dict[str, Any] = {
        "businesses": {k: catalog["businesses"][k] for k in (*PAGE_BUSINESSES, *catalog["businesses"])},
        "form": {k: form.get(k, "") for k in ("credit_code", "measure", "as_of")},
        "signed_in": bool(request.cookies.get(COOKIE)), "results": RESULTS, "types": TYPES,
    }
    if request.method != "POST":
        return _page(request, "check.html", data)
    principal = await _signed_in(request, form)
    if isinstance(principal, str):
        return _page(request, "check.html", {**data, "problem": principal}, 401)
    try:
        [answer] = await run_in_threadpool(api.run_checks, request, principal, [api.question(form)], form.get("as_of", ""))
    except api.QUESTION_ERRORS as e:
        return _remember(_page(request, "check.html", {**data, "problem": api.explain(e)[2]}, 400), form)
    for measure in (*answer["measures"], *answer["withheld_incentives"]):
        for t in measure["triggers"]:
            t["kind_label"] = labels.KINDS.get(t.get("kind") or "", t.get("kind"))
    data.update(answer=answer, district=labels.district((answer["entity"] or {}).get("district")),
                signed_in=True)
    return _remember(_page(request, "check.html", data), form)


async def inspections_page(request: Request) -> Response:
    platform = request.app.state.platform
    form = {k: str(v) for k, v in (await request.form()).items()} if request.method == "POST" else {}
    recent = await run_in_threadpool(recent_draws, platform.views_db)
    data: dict[str, Any] = {"settings": platform.supervision.inspection_settings(), "recent": recent,
                            "signed_in": bool(request.cookies.get(COOKIE)), "form": {"seed": form.get("seed", "")}}
    if request.method != "POST":
        return _page(request, "inspections.html", data)
    principal = await _signed_in(request, form)
    if isinstance(principal, str):
        return _page(request, "inspections.html", {**data, "problem": principal}, 401)
    try:
        drawn = await run_in_threadpool(api.run_draw, request, principal, api.seed_of(form.get("seed")), "")
    except api.QUESTION_ERRORS as e:
        return _page(request, "inspections.html", {**data, "problem": api.explain(e)[2]}, 400)
    return _remember(RedirectResponse(f"{PATH}/inspections/{drawn['draw_id']}", status_code=303), form)


async def _recorded_draw(request: Request,
                         form: dict[str, str] | None = None) -> tuple[Principal, dict[str, Any]] | Response:
    """The signed-in official (form token, else the cookie) and the recorded draw of the path, or the refusal page."""
    principal = await _signed_in(request, form or {})
    if isinstance(principal, str):
        return _page(request, "inspections.html", {"problem": principal, "settings": None, "recent": [],
                                                   "signed_in": False, "form": {}}, 401)
    try:
        draw_id = UUID(request.path_params["draw_id"])
        return principal, await run_in_threadpool(request.app.state.platform.supervision.recorded_draw, draw_id)
    except (ValueError, KeyError):
        return render(request, "error.html", {"status": 404, "code": "not_found", "zh": "没有这次抽查记录",
                                              "en": "no such draw", "as_of": None}, status=404)


async def inspection_page(request: Request) -> Response:
    """GET: the draw with each drawn entity's result and the form; POST: record the results filled in."""
    form = {k: str(v) for k, v in (await request.form()).items()} if request.method == "POST" else {}
    found = await _recorded_draw(request, form)
    if isinstance(found, Response):
        return found
    principal, drawn = found
    problems: list[str] = []
    if request.method == "POST":
        outcome = await _record_results(request, principal, drawn, form)
        if isinstance(outcome, Response):
            return _remember(outcome, form)
        problems = outcome
    platform = request.app.state.platform
    recorded = {r["entity_key"]: r for r in await run_in_threadpool(api.results_of, platform, UUID(drawn["draw_id"]))}
    entities = [{**e, "district_name": labels.district(e["district"]), "result": recorded.get(e["entity_key"])}
                for e in drawn["entities"]]
    data = {"draw": {**drawn, "entities": entities}, "grades": GRADES, "outcomes": outcomes(),
            "today": platform.clock().isoformat(), "problems": problems, "form": form,
            "saved": request.query_params.get("saved")}
    return _remember(_page(request, "inspection.html", data, 400 if problems else 200), form)


def _submitted_results(form: dict[str, str], keys: list[str]) -> tuple[list[dict[str, str]], list[str]]:
    """The results filled in on the form (rows with an outcome), and the entity key of each, in order."""
    results, rows = [], []
    for key in keys:
        if not form.get(f"outcome.{key}"):
            continue
        result = {"entity_key": key, "outcome": form[f"outcome.{key}"],
                  "inspected_on": form.get(f"inspected_on.{key}", "")}
        result.update({k: form[f"{k}.{key}"] for k in ("note", "reason") if form.get(f"{k}.{key}", "").strip()})
        results.append(result)
        rows.append(key)
    return results, rows


async def _record_results(request: Request, principal: Principal, drawn: dict[str, Any],
                          form: dict[str, str]) -> Response | list[str]:
    """Record what the form holds: the redirect after it, or the problems to show on the page (in Chinese)."""
    if principal.role not in api.RESULT_ROLES:
        return [f"该令牌的角色（{principal.role}）不能记录检查结果，请使用检查部门的报送或审核令牌"]
    names = {e["entity_key"]: e["name"] for e in drawn["entities"]}
    results, rows = _submitted_results(form, list(names))
    if not results:
        return ["请至少为一个主体选择检查结果"]
    try:
        position = await run_in_threadpool(request.app.state.platform.supervision.record_results,
                                           api.caller_of(principal), UUID(drawn["draw_id"]), results)
    except ValidationFailed as exc:
        return [_on_row(e.field, e.zh, rows, names) for e in exc.errors]
    saved = 0 if position is None else 1  # 0: every result was recorded so already
    return RedirectResponse(f"{PATH}/inspections/{drawn['draw_id']}?saved={saved}#results", status_code=303)


def _on_row(field: str, message: str, rows: list[str], names: dict[str, str]) -> str:
    """A refusal about results[i], said about the entity of that row."""
    if field.startswith("results[") and "]" in field:
        index = field[len("results["):field.index("]")]
        if index.isdigit() and int(index) < len(rows):
            return f"{names[rows[int(index)]]}：{message}"
    return message


async def inspection_csv(request: Request) -> Response:
    found = await _recorded_draw(request)
    if isinstance(found, Response):
        return found
    _, drawn = found
    rows = [{"seed": drawn["seed"], "position": drawn["as_of"]["position"], "today": drawn["as_of"]["today"],
             **e, "district_name": labels.district(e["district"])} for e in drawn["entities"]]
    return api.csv_response(rows, f"inspection-{drawn['draw_id']}.csv")


def _named(series: dict[str, list[int]], dimension: str) -> list[tuple[str, int]]:
    """Totals per label, largest first (codes outside Benxi share the label 市外登记)."""
    totals: dict[str, int] = {}
    for key, counts in series.items():
        label = labels.facet_value(dimension, key) if key else "未知"
        totals[label] = totals.get(label, 0) + sum(counts)
    return sorted(totals.items(), key=lambda kv: -kv[1])


async def statistics_page(request: Request) -> Response:
    numbers = await run_in_threadpool(api.statistics_data, request.app.state.platform)
    monthly = numbers["records_per_month"]
    grades = numbers["grades"]
    by_kind = monthly["kind"]
    data = {
        "numbers": numbers, "kinds": labels.KINDS, "case_kinds": CASE_KINDS, "turnaround_labels": TURNAROUND,
        "purposes": list(reports.purposes().values()),
        "kind_chart": charts.stacked_columns(by_kind["months"], by_kind["series"], labels.KINDS,
                                             "近 24 个月各类信用信息数量（按决定月份）"),
        "district_totals": _named(monthly["district"]["series"], "district"),
        "department_totals": _named(monthly["department"]["series"], "department"),
        "grade_items": [(f"{g} 类", n) for g, n in grades["overall"].items()],
    }
    data["district_chart"] = charts.horizontal_bars(data["district_totals"], "近 24 个月各区县信用信息数量")
    data["department_chart"] = charts.horizontal_bars(data["department_totals"][:15], "近 24 个月各部门报送数量（前 15）")
    data["grade_chart"] = charts.horizontal_bars(data["grade_items"], "市场主体信用风险分类分布",
                                                 {f"{g} 类": c for g, c in charts.GRADE_COLOURS.items()})
    return _page(request, "statistics.html", data)


async def statistics_csv(request: Request) -> Response:
    platform = request.app.state.platform
    rows = await run_in_threadpool(platform.statistics.rows, platform.clock())
    for row in rows:
        dimension = row["dimension"]
        row["label"] = labels.facet_value(dimension, row["key"]) if dimension in ("kind", "district", "department") \
            else row["key"]
    return api.csv_response(rows, "gongshi-statistics.csv")
