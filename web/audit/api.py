"""/api/v1/audit/...: the auditors' API (auditor tokens only; any other role gets 403).

Auditors read everything the public never sees: the raw log, and every event of a record
or an entity with its time, log position, leaf index, source department, the submitting
token and the private fields. Each such read is first recorded in the log itself
(application/audit.py, a `PrivilegedRead` event) and only then served; the answer names the
read's own position and leaf index (`recorded_as`), and `/api/v1/audit/reads` lists them.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from projections.record_queries import annual_report_ids_about, record_ids_about
from stores.tokens import Principal
from web.http import authenticate
from web.context import Platform
from web.errors import error

MAX_LIMIT = 1000
_INTEGER = re.compile(r"-?[0-9]{1,18}")


class BadParameter(Exception):
    """A query parameter that is missing, not an integer, or out of range: a 400 answer."""

    def __init__(self, name: str, zh: str, en: str, **extra: Any):
        super().__init__(en)
        self.name, self.zh, self.en, self.extra = name, zh, en, extra

    def response(self) -> Response:
        return error(400, "bad_parameter", self.zh, self.en, parameter=self.name, **self.extra)


def int_param(request: Request, name: str, default: int | None = None, *, minimum: int = 0,
              maximum: int | None = None) -> int:
    """A non-negative decimal integer query parameter, checked against its bounds."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        if default is None:
            raise BadParameter(name, f"缺少参数 {name}", f"the parameter {name} is required")
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadParameter(name, f"参数 {name} 必须是整数", f"the parameter {name} must be an integer")
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise BadParameter(name, f"参数 {name} 须在 {bound} 之间", f"the parameter {name} must be {bound}")
    return value


def recorded_read(platform: Platform, principal: Principal, action: str, subject: str,
                  detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record a privileged read in the log (before serving it); name where it was recorded."""
    return platform.audit.recorded(principal, action, subject, detail)


async def _auditor_read(request: Request, read: Callable[[Any, Principal], dict[str, Any]]) -> Response:
    """Authenticate an auditor, then run `read(platform, principal)` in the thread pool."""
    principal = await authenticate(request, ("auditor",))
    if isinstance(principal, Response):
        return principal
    try:
        return JSONResponse(await run_in_threadpool(read, request.app.state.platform, principal))
    except BadParameter as bad:
        return bad.response()
    except LookupError as missing:
        return error(404, "not_found", "找不到该记录或主体的任何事件", str(missing))


async def events(request: Request) -> Response:
    """GET /api/v1/audit/events?start=P&limit=N: the raw log from position P, in order."""
    def read(platform: Platform, principal: Principal) -> dict[str, Any]:
        start = int_param(request, "start", 1)
        limit = int_param(request, "limit", 100, minimum=1, maximum=MAX_LIMIT)
        recorded = recorded_read(platform, principal, "audit.events", f"log from position {start}",
                                 {"start": start, "limit": limit})
        return {"start": start, "recorded_as": recorded, **platform.audit.events(start, limit)}
    return await _auditor_read(request, read)


async def reads(request: Request) -> Response:
    """GET /api/v1/audit/reads?start=P&limit=N: the privileged reads recorded in the log."""
    def read(platform: Platform, principal: Principal) -> dict[str, Any]:
        start = int_param(request, "start", 1)
        limit = int_param(request, "limit", 100, minimum=1, maximum=MAX_LIMIT)
        recorded = recorded_read(platform, principal, "audit.reads", f"reads from position {start}",
                                 {"start": start, "limit": limit})
        return {"start": start, "recorded_as": recorded, **platform.audit.events(start, limit, reads_only=True)}
    return await _auditor_read(request, read)


async def record_history(request: Request) -> Response:
    """GET /api/v1/audit/records/{record_id}/history: every event of one record, private fields included."""
    raw = request.path_params["record_id"]
    try:
        record_id = uuid.UUID(raw)
    except ValueError:
        return error(400, "bad_parameter", "记录编号不是合法的 UUID", f"the record id {raw!r:.60} is not a UUID",
                     parameter="record_id")

    def read(platform: Platform, principal: Principal) -> dict[str, Any]:
        recorded = recorded_read(platform, principal, "audit.record_history", str(record_id))
        history = platform.audit.history([record_id])
        if not history:
            raise LookupError(f"no record {record_id}")
        return {"record_id": str(record_id), "recorded_as": recorded, "events": history}
    return await _auditor_read(request, read)


async def entity_history(request: Request) -> Response:
    """GET /api/v1/audit/entities/{code}/history: the entity's registration, every record about it, every version
    of every annual report it filed."""
    code = request.path_params["code"].strip().upper()

    def read(platform: Platform, principal: Principal) -> dict[str, Any]:
        recorded = recorded_read(platform, principal, "audit.entity_history", code)
        records = record_ids_about(platform.views_db, code)
        reports = annual_report_ids_about(platform.views_db, code)
        history = platform.audit.entity_history(code, [*records, *reports])
        if not history:
            raise LookupError(f"no events about {code}")
        return {"credit_code": code, "recorded_as": recorded, "records": records, "annual_reports": reports,
                "events": history}
    return await _auditor_read(request, read)


async def contributions(request: Request) -> Response:
    """GET /api/v1/audit/contributions: every refused contribution with its content and the department's reason
    (never public: the public sees only the contributors' counts)."""
    def read(platform: Platform, principal: Principal) -> dict[str, Any]:
        recorded = recorded_read(platform, principal, "audit.contributions", "refused contributions")
        refused = []
        for row in platform.contribution_views.refused():
            case = platform.cases.case(row["number"])
            refused.append({"number": case.number, "contributor_code": case.contributor_code,
                            "contributor_name": case.contributor_name, "credit_code": case.credit_code,
                            "party_name": case.party_name, "category": case.category, "summary": case.statement,
                            "happened_on": case.happened_on, "source": case.source, "department": case.department,
                            "submitted_on": case.steps[0]["on"], "refused_on": case.steps[-1]["on"],
                            "reason": case.steps[-1]["reason"], "refused_by": case.steps[-1]["by"]})
        return {"recorded_as": recorded, "count": len(refused), "refused": refused}
    return await _auditor_read(request, read)
