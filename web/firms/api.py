"""The case API: /api/v1/repairs and /api/v1/objections, transitions as POSTs, and public status.

Firms act with their browser session (writes carry the X-CSRF-Token header); reviewers
with their department's reviewer token or session. Every write answers after the read
models have caught up, so the public surfaces already reflect it.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.cases import OBJECTION, REPAIR, Actor
from domain.errors import CaseForbiddenError, NotEligibleError, ValidationFailed
from stores.uploads import UploadRejected
from web.http import BodyTooLarge, read_body
from web.firms.cases import api_actor, case_dict, parse_fields, public_status, today_of
from web.errors import error, refusal
from web.uploads import check_request_size, store_files

MAX_JSON = 1024 * 1024
FILE_ROLES = {REPAIR: {"proof": "proof", "commitment": "commitment"}, OBJECTION: {"evidence": "evidence"}}


async def _payload(request: Request) -> tuple[dict[str, Any], Any]:
    """(fields, form) of a JSON or form body; the form is kept for its files."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await read_body(request, MAX_JSON) or b"{}", parse_float=Decimal)
        except BodyTooLarge:
            raise UploadRejected(413, "too_large", "请求体过大", "the body is too large", "body") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise UploadRejected(400, "malformed_json", f"请求体不是合法的 JSON：{e}", f"the body is not valid JSON: {e}",
                                 "body") from None
        if not isinstance(body, dict):
            raise UploadRejected(400, "malformed_json", "请求体应为 JSON 对象", "the body must be a JSON object", "body")
        return body, None
    if request.headers.get("content-type", "").startswith("multipart/"):
        check_request_size(request, request.app.state.platform.uploads.policy)
    form = await request.form()
    return {k: (form.getlist(k) if k == "grounds" else v) for k, v in form.items()}, form


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


async def _guarded(request: Request, handler) -> Response:
    """Run a handler, turning refused commands and uploads into bilingual 4xx answers."""
    try:
        return await handler()
    except (ValidationFailed, UploadRejected) as exc:
        return refusal(exc)


def _as_actor(write: bool):
    """An endpoint of (request, actor): the caller is authenticated first, refusals become 4xx."""
    def wrap(endpoint):
        async def handle(request: Request) -> Response:
            actor = await api_actor(request, write=write)
            if isinstance(actor, Response):
                return actor
            return await _guarded(request, lambda: endpoint(request, actor))
        handle.__name__ = endpoint.__name__
        handle.__doc__ = endpoint.__doc__
        return handle
    return wrap


# -- reads ---------------------------------------------------------------------------------------------------
def _lister(kind: str):
    async def list_cases(request: Request) -> Response:
        actor = await api_actor(request, write=False)
        if isinstance(actor, Response):
            return actor
        views, today = request.app.state.platform.case_views, today_of(request).isoformat()
        if actor.department:
            rows = await run_in_threadpool(views.for_department, actor.department, today, kind=kind,
                                           open_only=request.query_params.get("open") == "1",
                                           overdue_only=request.query_params.get("overdue") == "1")
        else:
            rows = [r for r in await run_in_threadpool(views.for_firm, actor.credit_code, today) if r["kind"] == kind]
        return JSONResponse({"today": today, "count": len(rows), "cases": [
            {**public_status(r), "record_id": r["record_id"], "document_number": r["document_number"],
             "party_name": r["party_name"], "credit_code": r["credit_code"], "late": r["late"],
             "url": f"/api/v1/{kind}s/{r['number']}"} for r in rows]})
    return list_cases


def _getter(kind: str):
    @_as_actor(write=False)
    async def get_case(request: Request, actor: Actor) -> Response:
        case = await run_in_threadpool(request.app.state.platform.cases.case, request.path_params["number"])
        if case.kind != kind:
            return error(404, "not_found", "找不到该案件", f"no {kind} case {case.number}")
        case.may_be_seen_by(actor)
        return JSONResponse(case_dict(request, case, today_of(request)))
    return get_case


async def case_status(request: Request) -> Response:
    """Anyone with the case number: the status only."""
    row = await run_in_threadpool(request.app.state.platform.case_views.by_number, request.path_params["number"],
                                  today_of(request).isoformat())
    if row is None:
        return error(404, "not_found", "找不到该案件编号", f"no case {request.path_params['number']}")
    return JSONResponse(public_status(row))


@_as_actor(write=False)
async def repair_eligibility(request: Request, actor: Actor) -> Response:
    record, reasons = await run_in_threadpool(request.app.state.platform.cases.repair_eligibility, actor,
                                              request.path_params["record_id"], today_of(request))
    return JSONResponse({"record_id": str(record.id), "today": today_of(request).isoformat(),
                         "eligible": not reasons, "reasons": [r.as_dict() for r in reasons]})


# -- writes -------------------------------------------------------------------------------------------------
def _firm_only(actor: Actor) -> None:
    if actor.credit_code is None:
        raise CaseForbiddenError("actor", "firms_only", "只有企业账户可以提出申请", "only a firm account can apply")


@_as_actor(write=True)
async def create_repair(request: Request, actor: Actor) -> Response:
    _firm_only(actor)
    fields, form = await _payload(request)
    platform, today = request.app.state.platform, today_of(request)
    record_id = str(fields.get("record_id", ""))
    _, reasons = await run_in_threadpool(platform.cases.repair_eligibility, actor, record_id, today)
    if reasons:
        raise NotEligibleError(reasons)
    materials = await store_files(platform.uploads, form, FILE_ROLES[REPAIR]) if form is not None else []
    number, position = await run_in_threadpool(platform.cases.apply_for_repair, actor, record_id, materials,
                                               str(fields.get("statement") or ""), today)
    return await _created(request, number, position)


@_as_actor(write=True)
async def create_objection(request: Request, actor: Actor) -> Response:
    _firm_only(actor)
    fields, form = await _payload(request)
    platform = request.app.state.platform
    materials = await store_files(platform.uploads, form, FILE_ROLES[OBJECTION]) if form is not None else []
    number, position = await run_in_threadpool(
        platform.cases.raise_objection, actor, str(fields.get("record_id", "")), _list(fields.get("grounds")),
        str(fields.get("statement") or ""), materials, today_of(request))
    return await _created(request, number, position)


async def _created(request: Request, number: str, position: int) -> Response:
    case = await run_in_threadpool(request.app.state.platform.cases.case, number)
    body = {**case_dict(request, case, today_of(request)), "position": position}
    return JSONResponse(body, status_code=201, headers={"Location": body["url"]})


@_as_actor(write=True)
async def repair_step(request: Request, actor: Actor) -> Response:
    fields, _ = await _payload(request)
    number = request.path_params["number"]
    position = await run_in_threadpool(request.app.state.platform.cases.step, actor, number,
                                       request.path_params["step"], fields.get("reason"), today_of(request), REPAIR)
    return await _stepped(request, number, position)


@_as_actor(write=True)
async def objection_step(request: Request, actor: Actor) -> Response:
    fields, form = await _payload(request)
    number, step, today = request.path_params["number"], request.path_params["step"], today_of(request)
    cases = request.app.state.platform.cases
    if step == "resolve":
        position = await run_in_threadpool(cases.resolve_objection, actor, number, str(fields.get("outcome", "")),
                                           fields.get("reason"), parse_fields(fields.get("fields")), today)
    elif step == "supply_material":
        materials = await store_files(request.app.state.platform.uploads, form, FILE_ROLES[OBJECTION]) \
            if form is not None else []
        position = await run_in_threadpool(cases.supply_material, actor, number, str(fields.get("statement") or ""),
                                           materials, today)
    else:
        position = await run_in_threadpool(cases.step, actor, number, step, fields.get("reason"), today, OBJECTION)
    return await _stepped(request, number, position)


async def _stepped(request: Request, number: str, position: int) -> Response:
    case = await run_in_threadpool(request.app.state.platform.cases.case, number)
    return JSONResponse({**case_dict(request, case, today_of(request)), "position": position})


list_repairs, list_objections = _lister(REPAIR), _lister(OBJECTION)
get_repair, get_objection = _getter(REPAIR), _getter(OBJECTION)
