"""POST /api/v1/quality-flags (anyone: the public, the firm concerned with its session, a department with its
reviewer token), GET /api/v1/quality-flags?department= (that department's reviewer token), and the record page's
form POST /records/{record_id}/quality-flag. The answers are the case steps (POST /api/v1/cases/{number}/{step},
the reviewer pages). Rate limited per client (schemas/quality.json); the flagger is never shown publicly."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain import quality
from domain.cases import Actor
from domain.errors import ValidationFailed
from domain.quality import QUALITY_FLAG
from stores.sessions import FIRM
from web import sessions
from web.errors import error, errors_of, refusal, status_of
from web.firms.cases import api_actor, case_dict, public_status, today_of
from web.forms import checked_form, csrf_failed, redirect, render
from web.http import authenticate, json_object
from web.ratelimit import client_of, window

LIMIT = quality.rules()["rate_limit"]


def _limited(request: Request) -> Response | None:
    if window(request, "quality_flags", LIMIT["flags"], LIMIT["minutes"] * 60).full(client_of(request)):
        return error(429, "rate_limited", f"提交过于频繁：每{LIMIT['minutes']}分钟最多{LIMIT['flags']}条，请稍后再试",
                     f"too many flags: at most {LIMIT['flags']} per {LIMIT['minutes']} minutes")
    return None


async def _actor(request: Request) -> tuple[Actor, str] | Response:
    """A department (reviewer token), the firm of the browser session, or the public (anyone else)."""
    if request.headers.get("authorization"):
        principal = await authenticate(request, ("reviewer",))
        if isinstance(principal, Response):
            return principal
        return Actor.reviewer(principal.identity, principal.department), principal.identity
    session = await run_in_threadpool(sessions.current, request)
    if session is not None and session.kind == FIRM:
        return Actor.firm(session.subject), f"firm:{session.subject}"
    return Actor(f"public:{client_of(request)}"), f"public:{client_of(request)}"


async def _file(request: Request, data: dict) -> tuple[str, int, bool]:
    who = await _actor(request)
    if isinstance(who, Response):
        raise _Answer(who)
    actor, submitter = who
    found = await run_in_threadpool(request.app.state.platform.quality_flags.file, data, actor, submitter,
                                    today_of(request))
    window(request, "quality_flags", LIMIT["flags"], LIMIT["minutes"] * 60).hit(client_of(request))
    return found


class _Answer(Exception):
    def __init__(self, response: Response):
        self.response = response


async def file_flag(request: Request) -> Response:
    limited = _limited(request)
    if limited is not None:
        return limited
    try:
        body = await json_object(request, 16 * 1024, "数据质量反馈（JSON 对象）")
        number, position, linked = await _file(request, body)
    except ValidationFailed as exc:
        return refusal(exc)
    except _Answer as a:
        return a.response
    return JSONResponse({"number": number, "linked": linked, "position": position, "page": f"/cases/{number}"},
                        status_code=200 if linked else 201)


async def flag_form(request: Request) -> Response:
    """GET: the form reached from a record's page; POST: the same command, then the flag's status page."""
    if request.method == "GET":
        return await render(request, "quality/flag.html", {"record_id": request.path_params["record_id"],
                                                           "problems": quality.rules()["problems"], "errors": []})
    limited = _limited(request)
    if limited is not None:
        return limited
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    data = {"record_id": request.path_params["record_id"], "problem": form.get("problem", ""),
            "note": form.get("note", "")}
    try:
        number, _, _ = await _file(request, data)
    except ValidationFailed as exc:
        return await render(request, "quality/flag.html", {**data, "problems": quality.rules()["problems"],
                                                           "errors": errors_of(exc)}, status_of(exc))
    except _Answer as a:
        return a.response
    return redirect(request, f"/cases/{number}")


async def list_flags(request: Request) -> Response:
    principal = await authenticate(request, ("reviewer",))
    if isinstance(principal, Response):
        return principal
    department = request.query_params.get("department", principal.department or "").strip().upper()
    if department != principal.department:
        return error(403, "other_department", "只能查看本部门收到的数据质量反馈", "a department lists its own flags only",
                     field="department")
    today = today_of(request).isoformat()
    rows = await run_in_threadpool(request.app.state.platform.case_views.for_department, department, today,
                                   kind=QUALITY_FLAG, open_only=request.query_params.get("open") == "1")
    return JSONResponse({"department": department, "count": len(rows), "flags": [
        {**public_status(r), "record_id": r["record_id"], "document_number": r["document_number"]} for r in rows]})


async def flag_step(request: Request) -> Response:
    """POST /api/v1/quality-flags/{number}/{step}: the source department answers (correct, uphold, refer)."""
    actor = await api_actor(request, write=True)
    if isinstance(actor, Response):
        return actor
    platform = request.app.state.platform
    try:
        body = await json_object(request, 16 * 1024)
        number = request.path_params["number"]
        await run_in_threadpool(platform.cases.step, actor, number, request.path_params["step"], body.get("reason"),
                                today_of(request), QUALITY_FLAG)
        case = await run_in_threadpool(platform.cases.case, number, QUALITY_FLAG)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(case_dict(request, case, today_of(request)))
