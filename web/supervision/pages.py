"""Supervision pages for officials and the public (Chinese UI, no JavaScript).

- /supervision/check: an official enters a credit code and a business and sees the answer
  with its reasons; the check is recorded like an API check. Officials sign in with their
  API token (kept in an HttpOnly, same-site cookie for this path after the first use).
- /supervision/inspections: draw a risk-graded random inspection list with a published
  seed; every recorded draw can be recomputed at /supervision/inspections/{id}.
- /supervision/statistics: public charts (server-rendered SVG), numbers as CSV and JSON.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.grading import GRADES
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


async def _recorded_draw(request: Request) -> dict[str, Any] | Response:
    principal = await _signed_in(request, {})
    if isinstance(principal, str):
        return _page(request, "inspections.html", {"problem": principal, "settings": None, "recent": [],
                                                   "signed_in": False, "form": {}}, 401)
    try:
        draw_id = UUID(request.path_params["draw_id"])
        return await run_in_threadpool(request.app.state.platform.supervision.recorded_draw, draw_id)
    except (ValueError, KeyError):
        return render(request, "error.html", {"status": 404, "code": "not_found", "zh": "没有这次抽查记录",
                                              "en": "no such draw", "as_of": None}, status=404)


async def inspection_page(request: Request) -> Response:
    drawn = await _recorded_draw(request)
    if isinstance(drawn, Response):
        return drawn
    for e in drawn["entities"]:
        e["district_name"] = labels.district(e["district"])
    return _page(request, "inspection.html", {"draw": drawn, "grades": GRADES})


async def inspection_csv(request: Request) -> Response:
    drawn = await _recorded_draw(request)
    if isinstance(drawn, Response):
        return drawn
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
