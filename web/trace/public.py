"""The public traceability query: /trace (the form), /trace/{code} (page), its JSON twin, the plain-text
answer for SMS gateways and self-service terminals, the QR image, and the recall fan-out.

A code is read as typed (case, spaces, hyphens and look-alike letters forgiven); a code whose
check character fails is refused before any lookup (400), and a well-formed code no batch has is
a 404; both name the issued codes one typing error away. Everything here is public: the chain
names only entities (a retail sale names no buyer) and free text was scrubbed when projected.
"""
from __future__ import annotations

import io
from typing import Any

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from domain import trace_codes
from domain.errors import ValidationFailed
from domain.trace import rules
from projections import trace_queries
from projections.public import Moment
from web.params import PublicError
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint
from web.render import link, render

SMS_MAX = rules()["sms_max_chars"]


async def _code(request: Request, raw: str | None = None) -> str:
    """The batch's code from the path (or `raw`), or a PublicError with the nearest issued codes."""
    platform = request.app.state.platform
    typed = raw if raw is not None else request.path_params["code"]
    try:
        code = trace_codes.parse(typed)
    except ValidationFailed as refused:
        near = await run_in_threadpool(trace_queries.issued, platform.views_db, trace_codes.near_misses(typed))
        e = refused.errors[0]
        raise PublicError(400, e.code, e.zh + _hint_zh(near), e.en + _hint_en(near), field="code",
                          suggestions=near) from None
    return code


def _hint_zh(near: list[str]) -> str:
    return f"；您要找的是否是 {'、'.join(trace_codes.printed(c) for c in near)}？" if near else ""


def _hint_en(near: list[str]) -> str:
    return f"; did you mean {', '.join(trace_codes.printed(c) for c in near)}?" if near else ""


async def load_chain(request: Request) -> dict[str, Any]:
    platform = request.app.state.platform
    code = await _code(request)
    today = platform.clock().isoformat()
    data = await run_in_threadpool(trace_queries.chain, platform.views_db, code, today)
    if data is None:
        near = await run_in_threadpool(trace_queries.issued, platform.views_db, trace_codes.near_misses(code))
        raise PublicError(404, "unknown_code", f"没有追溯码为 {trace_codes.printed(code)} 的产品批次{_hint_zh(near)}",
                          f"no batch has the code {trace_codes.printed(code)}{_hint_en(near)}", field="code",
                          suggestions=near)
    if any("via" not in o for o in data["orders"]):  # ordered on this batch: whom the recall must reach
        reach = await run_in_threadpool(trace_queries.downstream, platform.views_db, code, today)
        data["downstream"] = reach["holders"]
    data.update(printed=trace_codes.printed(code), as_of=None, url=link(request, f"/trace/{code}"),
                qr_url=f"/trace/{code}.svg", text_url=f"/trace/{code}.txt",
                complaint_url=link(request, "/complaints", subject_type="trace_code", subject_key=code,
                                   category="product_quality", kind="complaint"))
    for item in (*data["parents"], *data["children"]):
        item["printed"] = trace_codes.printed(item["code"])
    return data


chain_answer = answers.cached(load_chain)
chain = json_endpoint(chain_answer)
chain_page = page_endpoint("trace/chain.html", chain_answer)


def sms_text(data: dict[str, Any]) -> str:
    """At most SMS_MAX characters: what matters first (a recall, a failed test), then the product and its way."""
    product, registrant = data["product"], data["registrant"]
    head = f"【本溪追溯】{data['printed']} {product['name']}（{product['category_name']}）"
    alerts = []
    for order in data["orders"]:
        verb = "已责令召回" if order["step"] == "recalled" else "已责令停止销售"
        alerts.append(f"！{verb}（{order['document_number']}，{order['on']}），请勿食用或使用，可退货。")
    if data["failed"]:
        failed = [t for t in data["tests"] if t["result"] == "fail"]
        alerts.append(f"！检验不合格：{'、'.join(failed[-1]['items'])}（{failed[-1]['on']}）。")
    origin = product["origin"].get("place", "")
    body = [f"产地：{origin}", f"生产日期：{product['produced_on']}"]
    if product.get("shelf_life_days"):
        body.append(f"保质期{product['shelf_life_days']}天")
    body.append(f"登记主体：{registrant['name'] or registrant['credit_code']}")
    if registrant["lists"]:
        body.append(f"（{'、'.join(registrant['lists'])}）")
    moves = [s for s in data["steps"] if s["step"] not in ("registered", "tested", "recalled", "halted")]
    if moves:
        last = moves[-1]
        who = (last.get("actor") or {}).get("name") or (last.get("actor") or {}).get("credit_code", "")
        body.append(f"流转{len(moves)}步，最近：{last['on']} {who}{last['step_name']}")
    passed = [t for t in data["tests"] if t["result"] == "pass"]
    if passed and not data["failed"]:
        body.append(f"检验合格（{passed[-1]['on']}）")
    tail = f"详情：/trace/{data['code']}"
    alert = "".join(alerts)[:SMS_MAX - len(head) - len(tail) - 1]  # the head, the alerts and the link always fit
    while body and len(head + alert + "；".join(body) + "。" + tail) > SMS_MAX:
        body.pop()  # the least important facts go first
    return head + alert + ("；".join(body) + "。" if body else "") + tail


async def chain_text(request: Request) -> Response:
    try:
        data = (await chain_answer(request)).data
    except PublicError as e:
        return PlainTextResponse(f"{e.zh}"[:SMS_MAX], status_code=e.status)
    return PlainTextResponse(sms_text(data))


async def qr_image(request: Request) -> Response:
    """The code's QR image (SVG or PNG), pointing at its public page on this site."""
    kind = request.path_params.get("ext", "svg")
    if kind not in ("svg", "png"):
        return PlainTextResponse("只提供 .svg、.png 和 .txt", status_code=404)
    try:
        code = await _code(request)
    except PublicError as e:
        return PlainTextResponse(e.zh, status_code=e.status)
    qr = segno.make(f"{str(request.base_url).rstrip('/')}/trace/{code}", error="m")
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=6 if kind == "png" else 4, border=2)
    media = "image/svg+xml" if kind == "svg" else "image/png"
    return Response(out.getvalue(), media_type=media, headers={"Cache-Control": "public, max-age=86400"})


async def query_form(request: Request) -> Response:
    """/trace: type a code; a valid one goes to its page, a mistyped one is answered on the form."""
    raw = request.query_params.get("code", "").strip()
    if not raw:
        return render(request, "trace/query.html", {"as_of": None, "code": "", "error": None})
    try:
        code = await _code(request, raw)
    except PublicError as e:
        return render(request, "trace/query.html", {"as_of": None, "code": raw[:40], "error": e.zh,
                                                     "suggestions": [(c, trace_codes.printed(c)) for c in
                                                                     e.extra.get("suggestions", [])]}, status=e.status)
    return RedirectResponse(f"/trace/{code}", status_code=303)


async def load_downstream(request: Request) -> dict[str, Any]:
    platform = request.app.state.platform
    code = await _code(request)
    today = platform.clock().isoformat()
    known = await run_in_threadpool(trace_queries.issued, platform.views_db, [code])
    if not known:
        raise PublicError(404, "unknown_code", f"没有追溯码为 {trace_codes.printed(code)} 的产品批次",
                          f"no batch has the code {trace_codes.printed(code)}", field="code")
    data = await run_in_threadpool(trace_queries.downstream, platform.views_db, code, today)
    position = await run_in_threadpool(answers.views_clock, platform, Moment.now(platform.clock()))
    return {**data, "position": position, "today": today}


downstream = json_endpoint(answers.cached(load_downstream))
