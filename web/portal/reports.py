"""The public credit report: /entities/{code}/report (HTML preview), report.pdf and its JSON twin (each issues a
numbered, signed report), and /reports/{number} (verification, with its JSON twin).

Thin: parameters are checked here (bilingual 4xx naming the field), the content comes from
application/reports.py, the text from web/portal/report_view.py, the PDF from publishing/report_pdf.py.
The HTML preview issues nothing (so crawlers and a reader's reloads leave no trace in the log).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from application.reports import NotWitnessed, Prepared, Renderer
from domain import reports
from domain.errors import ValidationFailed
from projections import queries
from publishing import report_pdf
from web import params
from web.errors import error
from web.opendata.envelope import site_url
from web.params import PublicError
from web.portal.report_view import view
from web.ratelimit import RateLimit, client_of, window
from web.render import link, render


def _suggestion(raw: str) -> dict[str, Any]:
    query = raw.strip()[:40]
    return {"suggestion": {"zh": "请核对统一社会信用代码，或按名称在搜索页查找该主体",
                           "en": "check the credit code, or search for the entity by name",
                           "search_url": f"/search?q={quote(query)}"}}


def _key(request: Request) -> str:
    raw = request.path_params["key"]
    try:
        return params.entity_key(raw)
    except PublicError as e:
        raise PublicError(e.status, e.code, e.zh, e.en, **e.extra, **_suggestion(raw)) from None


def _purpose(request: Request) -> str | None:
    return params.choice(request.query_params, "purpose", tuple(reports.purposes()), None, "用途")


def _prepare(request: Request, key: str) -> Prepared:
    """In a worker thread: the content at the request's moment; lookups become 4xx (or 503)."""
    platform = request.app.state.platform
    moment = params.moment(platform.views_db, request.query_params, platform.clock())
    try:
        return platform.reports.prepare(key, moment)
    except queries.NotPublic:
        raise PublicError(404, "not_found", f"没有找到主体“{key}”的公示信息，无法出具信用报告",
                          f"no public profile for {key}: no report can be issued", field="credit_code",
                          **_suggestion(key)) from None
    except NotWitnessed:
        raise PublicError(503, "not_witnessed", "日志完整性记录尚未跟上，请稍后重试",
                          "the integrity log has not caught up yet; retry in a moment") from None


def _fail(request: Request, e: PublicError, html: bool) -> Response:
    if html:
        return render(request, "error.html", {"status": e.status, "code": e.code, "zh": e.zh, "en": e.en, **e.extra,
                                              "as_of": None}, status=e.status)
    return error(e.status, e.code, e.zh, e.en, **e.extra)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def verify_path(number: str) -> str:
    return f"/reports/{number}"


def pdf_renderer(prepared: Prepared, site: str) -> Renderer:
    """What draws `prepared`'s PDF once it is numbered: the report's view, its QR code to /reports/{number}."""
    def draw(envelope: dict[str, Any]) -> bytes:
        url = site + verify_path(envelope["issue"]["number"])
        return report_pdf.render(view(prepared.content, prepared.digest, envelope["issue"], url), envelope, url)
    return draw


def _explained(envelope: dict[str, Any]) -> dict[str, Any]:
    """The signed JSON plus what helps a reader (outside the signature): the explanations and the links."""
    number = envelope["issue"]["number"]
    notes = {n["id"]: n for n in reports.config()["not_shown"]}
    return {**envelope, "not_shown_explained": [notes[i] for i in envelope["report"]["not_shown"] if i in notes],
            "verify_url": verify_path(number)}


# -- the preview and issuing ---------------------------------------------------------------------------
async def report_page(request: Request) -> Response:
    try:
        key = _key(request)
        purpose = _purpose(request)
        prepared = await run_in_threadpool(_prepare, request, key)
    except PublicError as e:
        return _fail(request, e, True)
    data = {"as_of": request.query_params.get("as_of", "").strip() or None, "key": key, "purpose": purpose,
            "report": view(prepared.content, prepared.digest), "digest": prepared.digest,
            "position": prepared.moment.position, "today": prepared.moment.today,
            "purposes": list(reports.purposes().values()), "profile_url": link(request, f"/entities/{key}"),
            "api_url": link(request, f"/api/v1/entities/{key}/report")}
    return render(request, "report.html", data)


def _issuing_window(request: Request) -> RateLimit:
    limit = reports.config()["rate_limit"]
    return window(request, "report_issues", limit["issues"], limit["minutes"] * 60)


async def _issue(request: Request, pdf: bool) -> tuple[str, dict[str, Any], bytes | None]:
    key = _key(request)
    purpose = _purpose(request)
    platform = request.app.state.platform
    site = site_url(request)
    issuing, client = _issuing_window(request), client_of(request)
    if issuing.full(client):
        limit = reports.config()["rate_limit"]
        raise PublicError(429, "rate_limited", f"出具报告过于频繁：每{limit['minutes']}分钟最多{limit['issues']}份，请稍后再试"
                          "（预览页不受限制）", f"too many reports issued: at most {limit['issues']} per "
                          f"{limit['minutes']} minutes per client (the preview is not limited)")

    def run() -> tuple[str, dict[str, Any], bytes | None]:
        prepared = _prepare(request, key)
        try:
            issued = platform.reports.issue(prepared, purpose, pdf_renderer(prepared, site) if pdf else None)
        except ValidationFailed as e:
            first = e.errors[0]
            raise PublicError(400, first.code, first.zh, first.en, field=first.field) from None
        issuing.hit(client)
        return issued.number, issued.envelope, issued.pdf
    return await run_in_threadpool(run)


async def report_pdf_file(request: Request) -> Response:
    try:
        number, _, pdf = await _issue(request, pdf=True)
    except PublicError as e:
        return _fail(request, e, _wants_html(request))
    assert pdf is not None
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{number}.pdf"', "X-Report-Number": number,
        "Cache-Control": "no-store"})


async def report_json(request: Request) -> Response:
    try:
        _, envelope, _ = await _issue(request, pdf=False)
    except PublicError as e:
        return _fail(request, e, False)
    return JSONResponse(_explained(envelope), headers={"Cache-Control": "no-store"})


# -- verification ----------------------------------------------------------------------------------------
def _number(request: Request) -> str:
    raw = request.path_params["number"].strip().upper()
    if not reports.looks_like_number(raw):
        prefix = reports.config()["number_prefix"]
        raise params.bad("number", f"报告编号（number）应形如 {prefix}20261125K7Q2M9XA3D；收到“{raw[:40]}”",
                         f"number must look like {prefix}20261125K7Q2M9XA3D, got {raw[:40]!r}")
    return raw


async def _verified(request: Request) -> dict[str, Any]:
    number = _number(request)
    found = await run_in_threadpool(request.app.state.platform.reports.verify, number)
    if found is None:
        raise PublicError(404, "unknown_report", f"没有编号为 {number} 的信用报告：报告可能是伪造的，或编号有误",
                          f"no credit report numbered {number}: the report may be forged or the number mistyped",
                          field="number")
    return found


async def verify_page(request: Request) -> Response:
    try:
        found = await _verified(request)
    except PublicError as e:
        return _fail(request, e, True)
    envelope, row = found["envelope"], found["row"]
    issue = envelope["issue"]
    data = {"as_of": None, "matches": found["matches"], "issue": issue, "row": row,
            "purpose": reports.purposes().get(issue.get("purpose") or ""),
            "report": view(envelope["report"], issue["content_sha256"], issue),
            "signature": envelope["signature"], "head": envelope["log"]["head"],
            "api_url": f"/api/v1/reports/{issue['number']}"}
    return render(request, "report_verify.html", data)


async def verify_json(request: Request) -> Response:
    try:
        found = await _verified(request)
    except PublicError as e:
        return _fail(request, e, False)
    return JSONResponse({**_explained(found["envelope"]), "content_matches": found["matches"]})
