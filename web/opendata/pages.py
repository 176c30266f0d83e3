"""The open-data pages: /datasets (catalog with theme and department facets) and /datasets/{name}.

Each page is rendered from the same CKAN actions a script would call, and shows that call,
so the page and its JSON twin never disagree.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from publishing import ckan_dicts, definitions
from publishing.catalog import DatasetNotFound, resource_id
from web.opendata import actions as ckan_actions
from web.opendata import datastore as ckan_datastore
from web.opendata.envelope import ActionError, Context, site_url
from web.render import link, render

PAGE_SIZE = 20
PREVIEW_ROWS = 10


def _render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
    return render(request, template, data, status, keep_as_of=False)


def _context(request: Request, action: str) -> Context:
    return Context(request, request.app.state.platform, action, "/api/3/action", None)


def _catalog(request: Request) -> dict[str, Any]:
    params = request.query_params
    q, group, org = params.get("q", "").strip(), params.get("group", ""), params.get("organization", "")
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) > 0 else 1
    fq = " ".join(f'+{field}:"{value}"' for field, value in (("groups", group), ("organization", org)) if value)
    search = {"q": q, "fq": fq, "rows": PAGE_SIZE, "start": (page - 1) * PAGE_SIZE, "sort": "title_string asc" if not q else None,
              "facet.field": ["groups", "organization", "res_format"]}
    search = {k: v for k, v in search.items() if v not in (None, "")}
    result = ckan_actions.package_search(_context(request, "package_search"), search)
    state = request.app.state.platform.opendata.state()
    api = "/api/3/action/package_search?" + urlencode({k: v if not isinstance(v, list) else str(v).replace("'", '"')
                                                      for k, v in search.items()})
    pages = max(1, -(-result["count"] // PAGE_SIZE))
    return {"query": q, "group": group, "organization": org, "page": page, "pages": pages, "result": result,
            "api": api, "position": state.position, "today": state.today,
            "prev": link(request, "/datasets", keep_as_of=False, q=q, group=group, organization=org, page=page - 1) if page > 1 else None,
            "next": link(request, "/datasets", keep_as_of=False, q=q, group=group, organization=org, page=page + 1) if page < pages else None}


async def catalog(request: Request) -> Response:
    data = await run_in_threadpool(_catalog, request)
    return _render(request, "datasets/index.html", data)


def _detail(request: Request, name: str) -> dict[str, Any] | None:
    opendata = request.app.state.platform.opendata
    ctx = _context(request, "package_show")
    try:
        package = ckan_actions.package_show(ctx, {"id": name})
    except ActionError:
        return None
    state = opendata.state()
    data: dict[str, Any] = {"package": package, "position": state.position, "today": state.today, "site": site_url(request)}
    try:
        dataset = opendata.dataset(package["name"])
    except DatasetNotFound:
        return {**data, "dataset": None}
    rid = resource_id(dataset, "csv")
    preview = ckan_datastore.datastore_search(ctx, {"resource_id": rid, "limit": PREVIEW_ROWS})
    versions = ckan_actions.package_activity_list(ctx, {"id": dataset.name, "limit": 20})
    themes = {t["name"]: t["title"] for t in definitions.themes()}
    return {**data, "dataset": dataset, "preview": preview, "versions": versions,
            "count": opendata.count(state.versions[dataset.name]), "resource_id": rid,
            "themes": [themes[g] for g in dataset.groups],
            "department": ckan_dicts.departments()[dataset.organization],
            "api": f"/api/3/action/datastore_search?resource_id={rid}&limit={PREVIEW_ROWS}",
            "downloads": [r for r in package["resources"]]}


async def detail(request: Request) -> Response:
    data = await run_in_threadpool(_detail, request, request.path_params["name"])
    if data is None:
        return _render(request, "error.html", {"status": 404, "code": "not_found", "zh": "找不到该数据集",
                                               "en": "no such dataset"}, status=404)
    return _render(request, "datasets/show.html", data)
