"""The one page renderer: a template with its data, the glossary labels and a link builder."""
from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse

from web import labels


def link(request: Request, path: str, *, keep_as_of: bool = True, **query: Any) -> str:
    """A URL on this site; on the public pages it keeps the request's `as_of` (the view stays at that moment)."""
    as_of = request.query_params.get("as_of", "").strip() if keep_as_of else ""
    pairs = {**({"as_of": as_of} if as_of else {}), **{k: v for k, v in query.items() if v not in (None, "")}}
    return path + ("?" + urlencode(pairs) if pairs else "")


def render(request: Request, template: str, data: dict[str, Any], status: int = 200, *,
           keep_as_of: bool = True) -> HTMLResponse:
    """Render a page of web/templates; `d` is its data (`d.as_of` is None on pages without a moment)."""
    context = {"d": data if keep_as_of else {"as_of": None, **data}, "labels": labels,
               "link": partial(link, request, keep_as_of=keep_as_of), "request": request}
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)
