"""The electronic licence mark, public: /marks/{id} (page), /api/v1/marks/{id} (JSON twin), /marks/{id}.svg (the
badge), /marks/{id}/embed (the snippet a shop pastes).

The signed statement is fixed when the mark is issued; whether it is valid is read now, from the
operator's current public records (domain/online.mark_status), so a serious-dishonesty listing or a
revoked registration suspends the mark on all four at the next request (the answers are cached by
log position, and the listing moves the position). The page compares the referring page with the
shop or site the mark was issued for; that part is computed per request, never cached.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain import online
from projections import online as views
from projections.public import Moment
from web.errors import error
from web.params import PublicError
from web.portal import answers
from web.render import render

def _mark_id(request: Request) -> str:
    raw = request.path_params["mark_id"].strip().upper()
    if not online.MARK_ID.match(raw):
        raise PublicError(404, "not_a_mark", f"“{raw[:40]}”不是有效的亮照标识编号：本页面不能证明任何经营者的身份",
                          f"{raw[:40]!r} is not a valid mark id: this page vouches for no operator", field="mark_id")
    return raw


async def load_mark(request: Request) -> dict[str, Any]:
    mark_id = _mark_id(request)

    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        found = views.mark(platform.views_db, mark_id)
        if found is None:
            raise PublicError(404, "not_a_mark", f"没有编号为 {mark_id} 的亮照标识：该标识不是本平台签发的，不能证明经营者身份",
                              f"no mark {mark_id} was issued here: it vouches for no operator", field="mark_id")
        operator = views.operator_state(platform.views_db, found["payload"]["credit_code"], moment)
        status, reasons = online.mark_status(found["presence_status"], operator,
                                             superseded=found["current_mark"] != mark_id)
        signer, payload = platform.integrity.signer, found["payload"]
        return {"mark": payload, "signature": found["signature"], "public_key": signer.public_pem if signer else None,
                "status": status, "reasons": reasons, "operator": operator, "presence_status": found["presence_status"],
                "hosts": [online.display_domain(h) for h in online.hosts_of(payload["presence"])]}

    return await answers.read_now(request, read)


mark_answer = answers.cached(load_mark)


def _presented(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """The cached answer with what depends on the request: absolute addresses on this host, the referrer check."""
    base = str(request.base_url).rstrip("/")
    mark_id = data["mark"]["mark_id"]
    return {**data, "verify_url": f"{base}/marks/{mark_id}", "badge_url": f"{base}/marks/{mark_id}.svg",
            "embed_url": f"{base}/marks/{mark_id}/embed",
            "referrer": online.referrer_check(request.headers.get("referer"), data["mark"]["presence"])}


async def _rendered(request: Request, kind: str, make: Callable[[dict[str, Any]], Any]) -> Any:
    """`make` of the presented answer, kept with the cached answer per host and referring page (a shop's badge is
    asked for again and again from the same page: it is rendered once per log position)."""
    answer = await mark_answer(request)
    key = (kind, str(request.base_url), request.headers.get("referer"))
    return answer.derived(key, lambda: make(_presented(request, answer.data)))


async def mark_page(request: Request) -> Response:
    try:
        body = await _rendered(request, "page", lambda data: render(
            request, "online/mark.html", {**data, "snippet": snippet(data)}).body)
    except PublicError as e:
        return render(request, "online/not_a_mark.html", {"zh": e.zh, "en": e.en, "as_of": None}, status=e.status)
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})  # the referrer part is per request


async def mark_json(request: Request) -> Response:
    try:
        body = await _rendered(request, "json", orjson.dumps)
    except PublicError as e:
        return error(e.status, e.code, e.zh, e.en, **e.extra)
    return Response(body, media_type="application/json")


def badge_svg(data: dict[str, Any]) -> str:
    """The badge: the operator's name, the mark's state in words and colour, the verification address."""
    valid = data["status"] == "valid"
    colour, state = ("#1a7f37", "亮照有效 · 点击核验") if valid else ("#b42318", "标识已暂停 · 点击查看原因")
    name = html.escape(data["mark"]["operator_name"][:22])
    where = html.escape(data["mark"]["presence"]["name"][:22])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="72" viewBox="0 0 240 72" role="img" '
            f'aria-label="{name} {state}"><title>{name}：{state}</title>'
            f'<rect x="0.5" y="0.5" width="239" height="71" rx="6" fill="#fff" stroke="{colour}"/>'
            f'<rect x="0.5" y="0.5" width="58" height="71" rx="6" fill="{colour}"/>'
            '<text x="29" y="32" fill="#fff" font-size="15" text-anchor="middle" '
            'font-family="Noto Sans CJK SC, sans-serif">电子</text>'
            '<text x="29" y="52" fill="#fff" font-size="15" text-anchor="middle" '
            'font-family="Noto Sans CJK SC, sans-serif">亮照</text>'
            f'<text x="68" y="24" font-size="12" font-family="Noto Sans CJK SC, sans-serif">{name}</text>'
            f'<text x="68" y="42" font-size="10" fill="#555" font-family="Noto Sans CJK SC, sans-serif">{where}</text>'
            f'<text x="68" y="60" font-size="11" fill="{colour}" font-family="Noto Sans CJK SC, sans-serif">{state}</text>'
            '</svg>')


async def badge(request: Request) -> Response:
    try:
        svg = await _rendered(request, "svg", badge_svg)
    except PublicError as e:
        return Response(f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40"><text x="8" y="24" '
                        f'font-size="12" fill="#b42318">不是有效的亮照标识</text><desc>{html.escape(e.en)}</desc></svg>',
                        status_code=e.status, media_type="image/svg+xml")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-cache"})


def snippet(data: dict[str, Any]) -> str:
    """What the shop pastes: a link to the verification page (sending the full referring address, so the page can
    tell this shop from a copy) around the badge."""
    name = html.escape(data["mark"]["operator_name"])
    return (f'<a href="{html.escape(data["verify_url"])}" target="_blank" rel="noopener" referrerpolicy="unsafe-url" '
            f'title="{name} 电子营业执照亮照核验"><img src="{html.escape(data["badge_url"])}" width="240" height="72" '
            f'alt="{name} 电子亮照标识（点击核验）"></a>')


async def embed(request: Request) -> Response:
    try:
        text = await _rendered(request, "embed", snippet)
    except PublicError as e:
        return HTMLResponse(f"<!-- {html.escape(e.en)} -->", status_code=e.status)
    return HTMLResponse(text + "\n", headers={"Access-Control-Allow-Origin": "*"})
