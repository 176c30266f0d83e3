"""/complaints: the public's form to file a complaint or report (no login), then the case's status page."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain import complaints
from domain.errors import ValidationFailed
from stores.uploads import UploadRejected
from web.complaints.api import LIMIT, allowed, counted, load_statistics
from web.complaints.forms import FILES, from_form
from web.errors import errors_of, status_of
from web.firms.cases import today_of
from web.forms import checked_form, csrf_failed, redirect, render
from web.ratelimit import client_of
from web.uploads import store_files


def _data(filing: dict | None = None, errors: list | None = None) -> dict:
    rules = complaints.rules()
    return {"kinds": rules["kinds"], "categories": list(complaints.categories().values()),
            "subjects": {k: v for k, v in rules["subjects"].items() if v["active"]},
            "filing": filing or {"kind": "complaint", "subject_type": "entity", "contact": {}}, "errors": errors or [],
            "limit": rules["rate_limit"]}


async def complaint_form(request: Request) -> Response:
    """GET: the form (a subject may be given as ?subject_key=CODE from a profile); POST: file, then its status."""
    if request.method == "GET":
        wanted = request.query_params.get("subject_type", "entity")
        filing = {"kind": request.query_params.get("kind", "complaint"),
                  "subject_type": wanted if wanted in complaints.rules()["subjects"] else "entity",
                  "subject_key": request.query_params.get("subject_key", ""), "contact": {},
                  "category": request.query_params.get("category", "")}
        return await render(request, "complaints/form.html", _data(filing))
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    filing = from_form(form)
    if not allowed(request):
        return await render(request, "complaints/form.html", _data(filing, [{
            "code": "rate_limited", "zh": f"提交过于频繁：每{LIMIT['minutes']}分钟最多{LIMIT['filings']}件，请稍后再试",
            "en": "too many filings; try again later"}]), 429)
    platform = request.app.state.platform
    try:
        materials = await store_files(platform.uploads, form, FILES)
        number, _, _ = await run_in_threadpool(platform.complaints.file, filing, materials,
                                               f"public:{client_of(request)}", today_of(request))
    except (ValidationFailed, UploadRejected) as exc:
        return await render(request, "complaints/form.html", _data(filing, errors_of(exc)), status_of(exc))
    counted(request)
    return redirect(request, f"/cases/{number}?filed=1")


async def statistics_page(request: Request) -> Response:
    return await render(request, "complaints/statistics.html", await load_statistics(request))
