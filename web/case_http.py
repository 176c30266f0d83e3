"""What the case pages and the case API share: who acts, today, running a command, answers.

Domain errors become HTTP statuses here and only here: unknown case 404, another firm's
or another department's case 403, a step the case's state does not allow (or an
ineligible application) 409, bad input 422, refused uploads 411/413/415.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain import cases, objections, repair
from domain.cases import (
    REPAIR,
    Actor,
    CaseForbiddenError,
    CaseInputError,
    CaseNotFoundError,
    ConcurrentChangeError,
    InvalidTransitionError,
    NotEligibleError,
)
from domain.validation import FieldError, ValidationFailed
from domain.workdays import calendar
from projections.cases import STAGE_LABELS
from web import sessions
from web.api_records import authenticate
from web.errors import error
from web.labels import KINDS
from web.uploads import UploadRejected

CASE_KINDS = {"repair": "信用修复", "objection": "异议"}
RECORD_STATUS = {"active": "公示中", "withdrawn": "已撤回", "repaired": "已修复，停止公示"}
STATUS_LABELS = {"repair": repair.STATUS_LABELS, "objection": objections.STATUS_LABELS}
_ERROR_STATUS = ((CaseNotFoundError, 404), (CaseForbiddenError, 403), (InvalidTransitionError, 409),
                 (NotEligibleError, 409), (ConcurrentChangeError, 409), (ValidationFailed, 422))


def today_of(request: Request) -> dt.date:
    """The day deadlines and eligibility are judged on: the platform's fixed day in tests, else today in China."""
    return request.app.state.platform.clock()


def error_status(exc: ValidationFailed) -> int:
    return next(status for cls, status in _ERROR_STATUS if isinstance(exc, cls))


def errors_of(exc: Exception) -> list[FieldError]:
    if isinstance(exc, UploadRejected):
        return [FieldError(exc.field, exc.code, exc.zh, exc.en)]
    return exc.errors  # type: ignore[attr-defined]


def error_response(exc: ValidationFailed | UploadRejected) -> JSONResponse:
    """A bilingual JSON error naming every field at fault."""
    status = exc.status if isinstance(exc, UploadRejected) else error_status(exc)
    found = errors_of(exc)
    return error(status, found[0].code, "；".join(e.zh for e in found), "; ".join(e.en for e in found),
                 field=found[0].field, errors=[e.as_dict() for e in found])


async def run(request: Request, command: Callable[..., Any], *args: Any) -> Any:
    """Run a case command off the event loop, then catch the read models up before answering.

    The catch-up is what makes an approved repair vanish from public pages at once.
    """
    platform = request.app.state.platform

    def work() -> Any:
        result = command(platform.ledger, *args)
        platform.runner.catch_up()
        return result

    return await run_in_threadpool(work)


# -- who is acting ---------------------------------------------------------------------------------------
async def api_actor(request: Request, *, write: bool) -> Actor | Response:
    """A reviewer's bearer token, or a browser session (whose writes must carry its CSRF token)."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, ("reviewer",))
        if isinstance(principal, Response):
            return principal
        return Actor.reviewer(principal.identity, principal.department)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind == sessions.ANONYMOUS:
        return error(401, "unauthenticated", "请先登录（企业账户），或使用审核人员 API 令牌",
                     "log in with a firm account, or use a reviewer API token")
    if write and not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")
    return actor_of(session)


def actor_of(session: sessions.Session) -> Actor:
    if session.kind == sessions.FIRM:
        return Actor.firm(session.subject)
    return Actor.reviewer(f"token:{session.subject}", session.department)


# -- reading cases -----------------------------------------------------------------------------------------
def load_case(ledger: Any, number: str) -> Any:
    """A repair or objection case by its number."""
    return cases.load_case(ledger, number, (repair.RepairCase, objections.ObjectionCase))


def kind_of(case: Any) -> str:
    return REPAIR if isinstance(case, repair.RepairCase) else "objection"


def may_see(actor: Actor, case: Any) -> None:
    """Only the firm concerned and the deciding department see a case in full."""
    if actor.credit_code == case.credit_code or (actor.department and actor.department == case.department):
        return
    raise CaseForbiddenError("case", "not_your_case", f"无权查看案件 {case.number}",
                             f"you may not see case {case.number}")


def department_name(request: Request, code: str) -> str:
    dept = request.app.state.platform.ledger.catalog.department(code)
    return dept.name if dept else code


def case_dict(request: Request, case: Any, today: dt.date) -> dict[str, Any]:
    """The whole case, for the firm concerned and the deciding department."""
    kind = kind_of(case)
    labels = STATUS_LABELS[kind]
    due = case.due()
    body = {
        "number": case.number, "kind": kind, "kind_label": CASE_KINDS[kind], "status": case.status,
        "status_label": labels[case.status], "open": case.is_open, "record_id": case.record_id,
        "record_kind": case.record_kind, "record_kind_label": KINDS.get(case.record_kind, case.record_kind),
        "document_number": case.document_number, "party_name": case.party_name, "credit_code": case.credit_code,
        "department": case.department, "department_name": department_name(request, case.department),
        "submitted_on": case.steps[0]["on"], "statement": case.statement, "due": due,
        "overdue": bool(due and due < today.isoformat()), "due_provisional": bool(due and calendar().provisional(due)),
        "materials": [{k: m[k] for k in ("role", "name", "size", "content_type", "sha256")} for m in case.materials],
        "steps": [{**s, "status_label": labels[s["status"]]} for s in case.steps],
        "url": f"/api/v1/{kind}s/{case.number}",
    }
    if kind == "objection":
        body.update(grounds=case.grounds, grounds_labels=[objections.GROUNDS[g] for g in case.grounds],
                    outcome=case.outcome, outcome_label=objections.OUTCOMES.get(case.outcome or ""))
    return body


def record_row(platform: Any, record_id: str) -> dict[str, Any]:
    """The record's current public row (public fields only), as the case pages show it."""
    rows = platform.views_db.query("SELECT * FROM v_records WHERE record_id=? AND valid_to IS NULL", (record_id,))
    if not rows:
        return {}
    row = rows[0]
    return {**row, "fields": json.loads(row["data"]), "kind_label": KINDS.get(row["kind"], row["kind"]),
            "status_label": RECORD_STATUS.get(row["status"], row["status"])}


def parse_fields(value: Any) -> Any:
    """A correction's changed fields: a JSON object, or its text from a form."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value, parse_float=Decimal) if value.strip() else None
    except json.JSONDecodeError as e:
        raise CaseInputError("fields", "malformed", f"更正字段须为 JSON 对象：{e}",
                             f"fields must be a JSON object: {e}") from None


def public_status(row: dict[str, Any]) -> dict[str, Any]:
    """What anyone holding the case number may know: the status and its dates, nothing about the firm."""
    return {
        "number": row["number"], "kind": row["kind"], "kind_label": CASE_KINDS[row["kind"]],
        "status": row["status"], "status_label": STATUS_LABELS[row["kind"]][row["status"]],
        "submitted_on": row["submitted_on"], "updated_on": row["updated_on"], "stage": row["stage"],
        "stage_label": STAGE_LABELS.get(row["stage"] or ""), "due": row["due"], "overdue": row["overdue"],
    }
