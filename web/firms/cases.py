"""What the case pages and the case API share: who acts, today, the case as JSON, errors as statuses.

Domain errors become HTTP statuses here and only here: unknown case 404, another firm's
or another department's case 403, a step the case's state does not allow (or an
ineligible application) 409, bad input 422, refused uploads 411/413/415.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain import complaints, objections
from domain.cases import OBJECTION, Actor, Case, stage_labels, workflows
from domain.complaints import COMPLAINT_CASE
from domain.errors import InputError
from domain.workdays import calendar
from projections.record_queries import current_record
from stores.sessions import ANONYMOUS, CONTRIBUTOR, FIRM, LENDER, Session
from web import sessions
from web.errors import error
from web.http import authenticate
from web.labels import KINDS

RECORD_STATUS = {"active": "公示中", "withdrawn": "已撤回", "repaired": "已修复，停止公示"}

def today_of(request: Request) -> dt.date:
    """The day deadlines and eligibility are judged on: the platform's fixed day in tests, else today in China."""
    return request.app.state.platform.clock()


# -- who is acting ---------------------------------------------------------------------------------------
async def api_actor(request: Request, *, write: bool) -> Actor | Response:
    """A reviewer's bearer token, or a browser session (whose writes must carry its CSRF token)."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, ("reviewer",))
        if isinstance(principal, Response):
            return principal
        return Actor.reviewer(principal.identity, principal.department)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind in (ANONYMOUS, LENDER):  # a lender's session is never a case's party
        return error(401, "unauthenticated", "请先登录（企业账户），或使用审核人员 API 令牌",
                     "log in with a firm account, or use a reviewer API token")
    if write and not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")
    return actor_of(session)


def actor_of(session: Session) -> Actor:
    if session.kind == FIRM:
        return Actor.firm(session.subject)
    if session.kind == CONTRIBUTOR:
        return Actor.contributor_of(session.subject)
    return Actor.reviewer(f"token:{session.subject}", session.department)


# -- reading cases -----------------------------------------------------------------------------------------
def department_name(request: Request, code: str) -> str:
    dept = request.app.state.platform.ledger.catalog.department(code)
    return dept.name if dept else code


def case_dict(request: Request, case: Case, today: dt.date) -> dict[str, Any]:
    """The whole case, for the firm concerned and the deciding department."""
    kind = case.kind
    labels = workflows()[kind].status_labels
    due = case.due()
    body = {
        "number": case.number, "kind": kind, "kind_label": workflows()[kind].label, "status": case.status,
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
    if kind == OBJECTION:
        body.update(grounds=case.grounds, grounds_labels=[objections.GROUNDS[g] for g in case.grounds],
                    outcome=case.outcome, outcome_label=objections.OUTCOMES.get(case.outcome or ""))
    if kind == COMPLAINT_CASE:  # only the handling department sees this (ComplaintCase.may_be_seen_by)
        rules = complaints.rules()
        body.update(url=f"/api/v1/complaints/{case.number}", complaint_kind=case.complaint_kind,
                    complaint_kind_label=rules["kinds"][case.complaint_kind]["zh"], category=case.category,
                    category_label=complaints.categories()[case.category]["zh"], subject_type=case.subject_type,
                    subject_label=rules["subjects"][case.subject_type]["zh"], subject_key=case.subject_key,
                    contact=case.contact, anonymous=case.anonymous, outcome=case.outcome,
                    outcome_label=rules["outcomes"].get(case.outcome or "", {}).get("zh"),
                    transfers=[{**t, "from_name": department_name(request, t["from"]),
                                "to_name": department_name(request, t["to"])} for t in case.transfers])
    return body


def record_row(request: Request, record_id: str) -> dict[str, Any]:
    """The record's current public row (public fields only), as the case pages show it."""
    row = current_record(request.app.state.platform.views_db, record_id)
    if row is None:
        return {}
    return {**row, "kind_label": KINDS.get(row["kind"], row["kind"]),
            "status_label": RECORD_STATUS.get(row["status"], row["status"])}


def parse_fields(value: Any) -> Any:
    """A correction's changed fields: a JSON object, or its text from a form."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value, parse_float=Decimal) if value.strip() else None
    except json.JSONDecodeError as e:
        raise InputError("fields", "malformed", f"更正字段须为 JSON 对象：{e}",
                         f"fields must be a JSON object: {e}") from None


def public_status(row: dict[str, Any]) -> dict[str, Any]:
    """What anyone holding the case number may know: the status and its dates, nothing about the firm."""
    return {
        "number": row["number"], "kind": row["kind"], "kind_label": workflows()[row["kind"]].label,
        "status": row["status"], "status_label": workflows()[row["kind"]].status_labels[row["status"]],
        "submitted_on": row["submitted_on"], "updated_on": row["updated_on"], "stage": row["stage"],
        "stage_label": stage_labels().get(row["stage"] or ""), "due": row["due"], "overdue": row["overdue"],
        **_complaint_status(row),
    }


def _complaint_status(row: dict[str, Any]) -> dict[str, Any]:
    """A complaint's follower is also told its category and, once concluded, the outcome (never the facts)."""
    if row["kind"] != COMPLAINT_CASE:
        return {}
    outcome = complaints.rules()["outcomes"].get(row.get("outcome") or "", {})
    return {"category_label": complaints.categories()[row["category"]]["zh"], "outcome": row.get("outcome"),
            "outcome_label": outcome.get("zh")}
