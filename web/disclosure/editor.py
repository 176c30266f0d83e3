"""The departments' editor, in the reviewer area: /reviewer/documents shows the department's duties, procedures
and service commitments (and, for the market regulator, the model contracts) with their versions, and saves a new
version of one. API twins: POST /api/v1/departments/{code}/documents/{kind} and POST /api/v1/contracts/{slug} with
the department's reviewer token. Markdown or plain text only (HTML is refused naming `text`)."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain import documents
from domain.errors import ValidationFailed
from projections import documents as docs
from stores.sessions import REVIEWER
from web import sessions
from web.errors import error, errors_of, refusal, status_of
from web.forms import checked_form, csrf_failed, redirect, render, to_login
from web.http import authenticate, json_object

PAGE_KINDS = ("duties", "procedures", "commitments")


def _data(platform: Any, department: str, form: dict[str, Any] | None = None,
          errors: list[Any] | None = None) -> dict[str, Any]:
    current = docs.current(platform.views_db, department)
    keeper = documents.kinds()[documents.CONTRACT]["maintained_by"]
    is_keeper = any(d.code == department and d.key == keeper for d in platform.ledger.catalog.departments.values())
    return {"department": department, "errors": errors or [], "form": form or {},
            "pages": [{"kind": k, "label": documents.kinds()[k]["zh"], "current": current.get(k),
                       "versions": docs.versions(platform.views_db, documents.document_key(k, department))}
                      for k in PAGE_KINDS],
            "contracts": docs.contracts(platform.views_db) if is_keeper else None}


async def page(request: Request) -> Response:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != REVIEWER:
        return to_login(request, "/reviewer/login")
    platform = request.app.state.platform
    if request.method == "GET":
        return await render(request, "disclosure/editor.html",
                            await run_in_threadpool(_data, platform, session.department))
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    form = {k: str(posted.get(k, "")) for k in ("kind", "slug", "title", "text", "note")}
    owner = form["slug"] if form["kind"] == documents.CONTRACT else None
    try:
        await run_in_threadpool(platform.documents.save, session.department, form["kind"], owner, form["title"],
                                form["text"], form["note"], platform.clock(), f"reviewer:{session.subject}")
    except ValidationFailed as exc:
        data = await run_in_threadpool(_data, platform, session.department, form, errors_of(exc))
        return await render(request, "disclosure/editor.html", data, status_of(exc))
    return redirect(request, f"/reviewer/documents?saved={form['kind']}")


async def _save(request: Request, department_of_path: str | None, kind: str, owner: str | None) -> Response:
    principal = await authenticate(request, ("reviewer",))
    if isinstance(principal, Response):
        return principal
    if department_of_path is not None and department_of_path != principal.department:
        return error(403, "other_department", "只能修改本部门的公开文档", "a department changes its own pages only",
                     field="code")
    platform = request.app.state.platform
    try:
        body = await json_object(request, 256 * 1024, "文档（JSON 对象：title、text、note）")
        saved = await run_in_threadpool(platform.documents.save, principal.department or "", kind, owner,
                                        body.get("title"), body.get("text"), body.get("note"), platform.clock(),
                                        principal.identity)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(saved, status_code=201 if saved["changed"] else 200)


async def save_department_document(request: Request) -> Response:
    return await _save(request, request.path_params["code"].strip().upper(), request.path_params["kind"], None)


async def save_contract(request: Request) -> Response:
    return await _save(request, None, documents.CONTRACT, request.path_params["slug"])
