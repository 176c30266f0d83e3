"""The supervision API: credit checks for approval systems, grades, warnings, inspection draws, statistics.

    GET  /api/v1/check?credit_code=...&measure=...&as_of=...   one check
    POST /api/v1/check  {"as_of": ..., "checks": [{"credit_code": ..., "measure": ...}, ...]}   a batch

`measure` is a business (procurement, subsidy, tendering, approval, financing, honours,
concession, inspection, consumption), a measure id (JC-01...), or absent for every measure.
`as_of` is a log position, a date (the end of that day, China time) or a time; absent means now.

Checks, grades, warnings and draws need a token of any role and are recorded in the log:
checks and draws as their own events, grade and warning reads as privileged reads. The
measure catalog and the statistics are public.

    POST /api/v1/inspections/{draw_id}/results  {"results": [{"credit_code", "outcome", "inspected_on", "note"}]}

records the inspecting department's results (a submitter or reviewer token of the draw's
department); they are public on the entities' profiles and in the spot-check-results dataset.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from application.supervision import MAX_BATCH, Caller, MomentNotReached
from domain.errors import ValidationFailed
from domain.measures import UnknownMeasureError
from projections.inspection_results import of_draw
from stores.tokens import ROLES, Principal
from web import params
from web.audit.api import recorded_read
from web.http import BodyTooLarge, authenticate, read_body
from web.context import Platform
from web.errors import error, refusal
from web.params import PublicError

#: Who records inspection results: the inspecting department's staff (auditors and publishers only read).
RESULT_ROLES = ("submitter", "reviewer")


def caller_of(principal: Principal) -> Caller:
    return Caller(principal.identity, principal.role, principal.department)


def explain(e: Exception) -> tuple[int, str, str, str, dict[str, Any]]:
    """Status, code, Chinese and English messages and extra fields for a bad question."""
    if isinstance(e, PublicError):
        return e.status, e.code, e.zh, e.en, e.extra
    if isinstance(e, UnknownMeasureError):
        return (400, "unknown_measure", f"未知的业务或措施“{e.asked[:40]}”", f"unknown business or measure {e.asked[:40]!r}",
                {"field": "measure", "choices": e.choices})
    return (400, "bad_parameter", "as_of 指向的日志位置尚未处理完毕，请稍后重试",
            "the log position asked for is not projected yet; retry shortly", {"field": "as_of"})


def failure(e: Exception) -> Response:
    """The 4xx answer for a bad question (unknown measure, bad code, bad or unreached as_of)."""
    status, code, zh, en, extra = explain(e)
    return error(status, code, zh, en, **extra)


QUESTION_ERRORS = (PublicError, UnknownMeasureError, MomentNotReached)


def question(raw: dict[str, Any]) -> tuple[str, str | None]:
    """One (credit code, business or measure) question, checked."""
    code = str(raw.get("credit_code") or "").strip()
    if not code:
        raise params.bad("credit_code", "缺少统一社会信用代码（credit_code）", "credit_code is required")
    measure = str(raw.get("measure") or raw.get("business") or "").strip() or None
    return params.entity_key(code), measure


def run_checks(request: Request, principal: Principal, questions: list[tuple[str, str | None]],
               as_of: str) -> list[dict[str, Any]]:
    """Evaluate and record checks (in a worker thread): the one path for the API and the page."""
    platform = request.app.state.platform
    moment = params.moment(platform.views_db, {"as_of": as_of}, platform.clock())
    return platform.supervision.check(caller_of(principal), questions, moment)


async def check(request: Request) -> Response:
    principal = await authenticate(request, ROLES)
    if isinstance(principal, Response):
        return principal
    try:
        q = question(dict(request.query_params))
        [answer] = await run_in_threadpool(run_checks, request, principal, [q], request.query_params.get("as_of", ""))
    except QUESTION_ERRORS as e:
        return failure(e)
    return JSONResponse(answer)


async def check_batch(request: Request) -> Response:
    principal = await authenticate(request, ROLES)
    if isinstance(principal, Response):
        return principal
    try:
        body = json.loads(await read_body(request, request.app.state.platform.settings.max_body))
    except BodyTooLarge:
        return error(413, "too_large", "请求体过大，请分批查询", "the body is too large; ask in smaller batches")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return error(400, "malformed_json", f"请求体不是合法的 JSON：{e}", f"the body is not valid JSON: {e}")
    items = body.get("checks") if isinstance(body, dict) else body
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return error(400, "bad_body", "请求体应为 {\"checks\": [{\"credit_code\": ..., \"measure\": ...}, ...]}",
                     "the body must be {\"checks\": [{\"credit_code\": ..., \"measure\": ...}, ...]}")
    if len(items) > MAX_BATCH:
        return error(413, "too_many", f"单批最多 {MAX_BATCH} 项", f"at most {MAX_BATCH} checks per batch", limit=MAX_BATCH)
    as_of = str((body.get("as_of") if isinstance(body, dict) else None) or request.query_params.get("as_of", ""))
    try:
        questions = []
        for index, item in enumerate(items):
            try:
                questions.append(question(item))
            except PublicError as e:
                e.extra["index"] = index
                raise
        answers = await run_in_threadpool(run_checks, request, principal, questions, as_of)
    except QUESTION_ERRORS as e:
        return failure(e)
    return JSONResponse({"as_of": answers[0]["as_of"], "results": answers})


async def measures(request: Request) -> JSONResponse:
    """The measure catalog (public: the rules an approval system applies are no secret)."""
    return JSONResponse(request.app.state.platform.supervision.catalog)


async def grade(request: Request) -> Response:
    """An entity's stored grade with its explanation and warnings (a recorded privileged read)."""
    principal = await authenticate(request, ROLES)
    if isinstance(principal, Response):
        return principal
    platform = request.app.state.platform
    try:
        key = params.entity_key(request.path_params["code"])
    except PublicError as e:
        return failure(e)

    def read() -> dict[str, Any] | None:
        row = platform.grades.of(key)
        if row is not None:
            row["recorded_as"] = recorded_read(platform, principal, "supervision.grade", key)
        return row

    row = await run_in_threadpool(read)
    if row is None:
        return error(404, "not_found", "该主体尚无信用风险分类", f"no grade for {key}")
    return JSONResponse(row)


async def warnings_list(request: Request) -> Response:
    """Entities with early warnings, optionally for one rule (a recorded privileged read)."""
    principal = await authenticate(request, ROLES)
    if isinstance(principal, Response):
        return principal
    platform = request.app.state.platform
    rule = params.text(request.query_params, "rule", 8) or None
    try:
        paging = params.paging(request.query_params, 50)
    except PublicError as e:
        return failure(e)

    def read() -> dict[str, Any]:
        total, rows = platform.grades.with_warnings(rule, paging.size, paging.offset)
        recorded = recorded_read(platform, principal, "supervision.warnings", rule or "*", {"page": paging.page})
        return {"total": total, "page": paging.page, "page_size": paging.size, "items": rows, "recorded_as": recorded}
    return JSONResponse(await run_in_threadpool(read))


def run_draw(request: Request, principal: Principal, seed: str | None, as_of: str) -> dict[str, Any]:
    platform = request.app.state.platform
    moment = params.moment(platform.views_db, {"as_of": as_of}, platform.clock())
    return platform.supervision.draw(caller_of(principal), seed, moment)


def seed_of(raw: Any) -> str | None:
    seed = " ".join(str(raw or "").split())
    if len(seed) > 64:
        raise params.bad("seed", "随机种子最长 64 个字符", "the seed is at most 64 characters")
    return seed or None


async def draw(request: Request) -> Response:
    """POST /api/v1/inspections/draw {"seed": optional, "as_of": optional}: draw and record a list."""
    principal = await authenticate(request, ROLES)
    if isinstance(principal, Response):
        return principal
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return error(400, "malformed_json", "请求体应为 JSON 对象 {\"seed\": ...}", "the body must be a JSON object {\"seed\": ...}")
    try:
        result = await run_in_threadpool(run_draw, request, principal, seed_of(body.get("seed")),
                                         str(body.get("as_of") or ""))
    except QUESTION_ERRORS as e:
        return failure(e)
    return JSONResponse(result)


async def draw_request(request: Request, roles: tuple[str, ...]) -> tuple[Principal, UUID] | Response:
    """Who asks about which draw (the path's draw id), or the 401/403/404 answer."""
    principal = await authenticate(request, roles)
    if isinstance(principal, Response):
        return principal
    try:
        return principal, UUID(request.path_params["draw_id"])
    except ValueError:
        return error(404, "not_found", "抽查名单编号无效", "not a draw id")


def results_of(platform: Platform, draw_id: UUID) -> list[dict[str, Any]]:
    """The draw's current results, one per entity that has one."""
    return [{"entity_key": key, **row} for key, row in sorted(of_draw(platform.views_db, str(draw_id)).items())]


def replayed(platform: Platform, draw_id: UUID) -> dict[str, Any]:
    """A recorded draw recomputed, with its results so far (KeyError when there is no such draw)."""
    return {**platform.supervision.replay_draw(draw_id), "results": results_of(platform, draw_id)}


async def draw_again(request: Request) -> Response:
    """GET /api/v1/inspections/{draw_id}: a recorded draw recomputed from its seed and moment."""
    asked = await draw_request(request, ROLES)
    if isinstance(asked, Response):
        return asked
    try:
        return JSONResponse(await run_in_threadpool(replayed, request.app.state.platform, asked[1]))
    except KeyError:
        return error(404, "not_found", "没有这次抽查记录", "no such draw")


async def record_results(request: Request) -> Response:
    """POST /api/v1/inspections/{draw_id}/results: the inspecting department records results, all or none."""
    asked = await draw_request(request, RESULT_ROLES)
    if isinstance(asked, Response):
        return asked
    principal, draw_id = asked
    platform = request.app.state.platform
    try:
        body = json.loads(await read_body(request, platform.settings.max_body))
    except BodyTooLarge:
        return error(413, "too_large", "请求体过大", "the body is too large", field="body")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return error(400, "malformed_json", f"请求体不是合法的 JSON：{e}", f"the body is not valid JSON: {e}", field="body")
    results = body.get("results") if isinstance(body, dict) else body
    try:
        position = await run_in_threadpool(platform.supervision.record_results, caller_of(principal), draw_id, results)
    except ValidationFailed as exc:
        return refusal(exc)
    recorded = await run_in_threadpool(results_of, platform, draw_id)
    return JSONResponse({"draw_id": str(draw_id), "changed": position is not None, "position": position,
                         "results": recorded})


async def statistics(request: Request) -> JSONResponse:
    """Public statistics (JSON twin of /supervision/statistics)."""
    platform = request.app.state.platform
    return JSONResponse(await run_in_threadpool(statistics_data, platform))


def statistics_data(platform: Platform) -> dict[str, Any]:
    today = platform.clock()
    s = platform.statistics
    return {"today": today.isoformat(),
            "records_per_month": {d: s.monthly(d, today) for d in ("kind", "district", "department")},
            "grades": s.grades(), "turnaround": s.turnaround(today),
            "credit_reports_issued": platform.issued_reports.counts()}


def csv_response(rows: list[dict[str, Any]], filename: str) -> Response:
    """UTF-8 CSV with a BOM, so that spreadsheet programs read the Chinese right."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["empty"])
    writer.writeheader()
    writer.writerows(rows)
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
