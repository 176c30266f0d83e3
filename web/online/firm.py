"""The firm's online presences: /firm/online lists its shops and websites with their status and mark (and the embed
code to paste), and declares a new one. The same command as POST /api/v1/online-presences, with the firm's browser
session and a CSRF-checked form (post/redirect/get); a refused form comes back as typed, naming the field."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain import online
from domain.errors import ValidationFailed
from projections import online as views
from stores.sessions import FIRM
from web import sessions
from web.errors import errors_of, status_of
from web.forms import checked_form, csrf_failed, redirect, render, to_login
from web.online.marks import snippet

FIELDS = ("type", "name", "platform", "shop_id", "domain", "icp_number", "category")


def _data(platform: Any, code: str, request: Request, form: dict[str, Any] | None = None,
          errors: list[Any] | None = None) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    presences = views.presences_of(platform.views_db, code)
    for p in presences:
        p["status_label"] = online.rules()["statuses"].get(p["status"], {}).get("zh", p["status"])
        if p["mark_id"]:  # the same snippet as /marks/{id}/embed
            p["embed"] = snippet({"mark": {"operator_name": p["operator_name"] or ""},
                                  "verify_url": f"{base}/marks/{p['mark_id']}",
                                  "badge_url": f"{base}/marks/{p['mark_id']}.svg"})
    return {"credit_code": code, "presences": presences, "form": form or {"type": "platform_shop"},
            "errors": errors or [], "platforms": online.rules()["platforms"],
            "categories": online.rules()["categories"]}


async def page(request: Request) -> Response:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != FIRM:
        return to_login(request, "/firm/login")
    platform, code = request.app.state.platform, session.subject
    if request.method == "GET":
        return await render(request, "online/firm.html", await run_in_threadpool(_data, platform, code, request))
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    form = {k: str(posted.get(k, "")).strip() for k in FIELDS}
    kind = form["type"]
    body = {k: v for k, v in form.items() if v and (k in ("type", "name", "category") or
                                                    (k in ("platform", "shop_id")) == (kind == online.PLATFORM_SHOP))}
    try:
        await run_in_threadpool(platform.online.declare, code, body, platform.clock(), f"firm:{code}")
    except ValidationFailed as exc:
        data = await run_in_threadpool(_data, platform, code, request, form, errors_of(exc))
        return await render(request, "online/firm.html", data, status_of(exc))
    return redirect(request, "/firm/online?declared=1")
