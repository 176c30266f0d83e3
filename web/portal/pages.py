"""HTML pages (Chinese UI, no JavaScript needed): the same loaders as the JSON twins, rendered."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from web.portal import api as api_public
from web.portal.answers import Answer
from web.params import PublicError
from web.render import render


def page_endpoint(template: str, answer: Callable[[Request], Awaitable[Answer]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            data = (await answer(request)).data
        except PublicError as e:
            return render(request, "error.html", {"status": e.status, "code": e.code, "zh": e.zh, "en": e.en,
                                                  **e.extra, "as_of": None}, status=e.status)
        return render(request, template, data)
    endpoint.__name__ = template.removesuffix(".html")
    return endpoint


home = page_endpoint("home.html", api_public.home_answer)
search = page_endpoint("search.html", api_public.search_answer)
entity = page_endpoint("entity.html", api_public.entity_answer)
record = page_endpoint("record.html", api_public.record_answer)
list_page = page_endpoint("list.html", api_public.list_answer)
