"""The public reads: one loader per page, shared by the HTML page and its JSON twin under /api/v1.

A loader checks the query string, resolves `as_of` to a Moment, runs the query in a
worker thread and returns plain data: the position it reflects, labels for display and
links that keep the same `as_of`. The JSON endpoints return exactly that data, and the
pages render it; both through the answer cache (web/portal/answers.py).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

import schemas
from domain import objections
from projections.cases import open_quality_flag
from projections import inspection_results, queries, trace_queries
from projections.public import Moment
from projections.search_queries import search as run_search
from search.interface import SearchError
from web import labels, params
from web.portal import answers
from web.errors import error
from web.params import PublicError
from web.render import link

SEARCH_KINDS = (*queries.TABS.values(), "credit_agency", "entity")


def _decorate_record(request: Request, r: dict[str, Any]) -> dict[str, Any]:
    r["url"] = link(request, f"/records/{r['id']}")
    r["kind_label"] = labels.KINDS.get(r["kind"], r["kind"])
    r["district_name"] = labels.district(r["district"])
    r["department_name"] = labels.departments().get(r["department"] or "", r["authority"])
    until = r.get("public_until")
    r["public_last_day"] = (dt.date.fromisoformat(until) - dt.timedelta(days=1)).isoformat() if until else None
    if r.get("entity_key"):
        r["entity_url"] = link(request, f"/entities/{r['entity_key']}")
    return r


def page_links(request: Request, data: dict[str, Any]) -> dict[str, str | None]:
    """Links to the previous and next page of a paged answer (same parameters otherwise)."""
    def at(page: int) -> str:
        return f"{request.url.path}?{request.url.include_query_params(page=page).query}"

    page, pages = data["page"], data["pages"]
    return {"prev": at(page - 1) if page > 1 else None, "next": at(page + 1) if page < pages else None}


async def load_at_moment(request: Request, work: Callable[[Any, Moment], dict[str, Any]]) -> dict[str, Any]:
    """Resolve the moment and run `work(platform, moment)` in a worker thread; lookups become 4xx."""
    platform = request.app.state.platform

    def run() -> dict[str, Any]:
        moment = params.moment(platform.views_db, request.query_params, platform.clock())
        return work(platform, moment)

    try:
        data = await run_in_threadpool(run)
    except queries.Withdrawn:
        raise PublicError(410, "withdrawn", "该信息已依法撤回，不再公示", "this record was withdrawn and is no longer public")
    except queries.NotPublic:
        raise PublicError(404, "not_found", "没有找到公示中的该信息：它可能不存在、不在公示期内或不予公示",
                          "no public record here: it may not exist, be outside its publicity period or not be published")
    except queries.PageOutOfRange as e:
        raise PublicError(404, "page_out_of_range", f"第 {e.page} 页不存在，共 {e.pages} 页",
                          f"page {e.page} does not exist; there are {e.pages}", pages=e.pages)
    except SearchError as e:
        raise PublicError(400, "bad_search", f"无法执行该搜索：{e}", f"the search cannot be run: {e}")
    return {**data, "as_of": request.query_params.get("as_of", "").strip() or None}


# -- loaders -------------------------------------------------------------------------------------
async def load_home(request: Request) -> dict[str, Any]:
    data = await load_at_moment(request, lambda p, m: queries.home(p.views_db, m))
    data["latest"] = [_decorate_record(request, dict(r)) for r in data["latest"]]
    data["by_kind"] = [{"kind": k, "label": labels.KINDS.get(k, k), "count": n,
                        "url": link(request, "/search", kind=k)} for k, n in data["by_kind"].items()]
    data["by_district"] = _district_counts(request, data["by_district"])
    return data


def _district_counts(request: Request, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Benxi's districts one by one; every code outside the city in one 市外登记 row, then the unknown."""
    inside = [{"district": d, "label": labels.district(d), "count": n, "url": link(request, "/search", district=d)}
              for d, n in sorted(counts.items()) if d in labels.DISTRICTS]
    outside = sum(n for d, n in counts.items() if d and d not in labels.DISTRICTS)
    unknown = counts.get("", 0)
    rest = [{"district": "outside", "label": labels.OUTSIDE, "count": outside, "url": None}] if outside else []
    if unknown:
        rest.append({"district": "", "label": labels.district(""), "count": unknown, "url": None})
    return inside + rest


def _search_filters(query: Any) -> dict[str, str]:
    department = params.text(query, "department", 18).upper()
    if department and not (len(department) == 18 and department.isalnum()):
        raise params.bad("department", "部门（department）应为部门的18位统一社会信用代码",
                         "department must be the department's 18-character credit code")
    found_year = params.year(query)
    return {
        "kind": params.choice(query, "kind", SEARCH_KINDS, None, "信息类别") or "",
        "department": department,
        "district": params.district(query) or "",
        "year": str(found_year) if found_year else "",
        "category": params.text(query, "category", 20),
    }


async def load_search(request: Request) -> dict[str, Any]:
    query = request.query_params
    q = query.get("q", "").strip()
    filters = _search_filters(query)
    sort = params.choice(query, "sort", tuple(labels.SORTS), "relevance", "排序")
    paging = params.paging(query)
    if not q and not any(filters.values()):
        data = await load_at_moment(request, lambda p, m: {"position": p.search_index.position(), "today": m.today})
        return {**data, "query": "", "empty": True, "total": 0, "hits": [], "facets": {}, "filters": {},
                "sort": sort, "page": 1, "pages": 1, "page_size": paging.size, "notes": ["empty_query"]}
    data = await load_at_moment(request, lambda p, m: run_search(p.search_index, p.views_db, m, q, filters, sort, paging))
    for hit in data["items"]:
        record = hit["doc_type"] == "record"
        hit["url"] = link(request, f"/records/{hit['id']}" if record else f"/entities/{hit['entity_key']}")
        hit["kind_label"] = labels.KINDS.get(hit["kind"], hit["kind"])
    data["hits"] = data.pop("items")
    data["facets"] = {name: [{"value": v, "label": labels.facet_value(name, v), "count": n} for v, n in values]
                      for name, values in data["facets"].items()}
    return {**data, "empty": False, "links": page_links(request, data)}


async def load_entity(request: Request) -> dict[str, Any]:
    key = params.entity_key(request.path_params["key"])
    tab = params.choice(request.query_params, "tab", tuple(queries.TABS), None, "栏目")
    paging = params.paging(request.query_params)
    data = await load_at_moment(request, lambda p, m: _entity_with_checks(p, m, key, tab, paging))
    entity = data["entity"]
    entity["district_name"] = labels.district(entity["district"])
    for section in data["sections"]:
        section["label"] = labels.TABS[section["tab"]]
        section["items"] = [_decorate_record(request, r) for r in section["items"]]
        section["url"] = link(request, f"/entities/{key}", tab=section["tab"])
    data["tab"] = tab or next((s["tab"] for s in data["sections"] if s["total"]), "penalties")
    data["annual_reports_url"] = link(request, f"/entities/{key}/annual-reports")
    return data


def _entity_with_checks(platform: Any, moment: Moment, key: str, tab: str | None,
                             paging: queries.Paging) -> dict[str, Any]:
    """The profile, its 抽查检查信息 (spot-check results) and its 产品质量信息 (failed tests, recalls and sales
    halts of the batches it registered), all at the position the profile reflects."""
    data = queries.entity(platform.views_db, moment, key, tab, paging)
    at = Moment(data["position"], moment.today)
    data["spot_checks"] = [{**r, "department_name": r["department_name"] or r["department_code"]}
                           for r in inspection_results.of_entity(platform.views_db, key, at)]
    data["product_quality"] = [{**r, "trace_url": f"/trace/{r['code']}"}
                               for r in trace_queries.quality_of_entity(platform.views_db, key, at)]
    return data


async def load_record(request: Request) -> dict[str, Any]:
    raw = request.path_params["record_id"]
    try:
        record_id = str(uuid.UUID(raw))
    except ValueError:
        raise params.bad("id", f"“{raw[:40]}”不是有效的信息编号（UUID）",
                         f"{raw[:40]!r} is not a valid record id (a UUID)") from None
    data = await load_at_moment(request, lambda p, m: {**queries.record(p.views_db, m, record_id),
                                                       "quality_flag_open": m.position is None and open_quality_flag(p.views_db, record_id)})
    _decorate_record(request, data["record"])
    for version in data["versions"]:
        version["event_label"] = labels.EVENTS.get(version["event"], version["event"])
        if version["event"] not in labels.PUBLIC_REASONS:
            version["reason"] = None
        elif version["event"] == "objection_closed":
            version["reason"] = objections.OUTCOMES.get(version["reason"], version["reason"])
        titles = labels.field_titles(data["record"]["kind"])
        version["changed_labels"] = [titles.get(k, "移出信息" if k == "removal" else k) for k in version["changed"]]
    return data


def list_types(name: str) -> tuple[str, ...]:
    """The list types a list can be filtered by (from the kind's schema)."""
    if name == "anomaly":
        return ()
    return tuple(schemas.kind_schema(queries.LISTS[name])["properties"]["list_type"].get("enum", ()))


async def load_list(request: Request) -> dict[str, Any]:
    name = request.path_params["name"]
    if name not in queries.LISTS:
        raise PublicError(404, "unknown_list", f"没有名为“{name[:40]}”的名单；可选：red（红名单）、dishonesty（严重违法失信名单）、"
                          "anomaly（经营异常名录）", f"there is no list {name[:40]!r}; choose red, dishonesty or anomaly",
                          lists=list(queries.LISTS))
    query = request.query_params
    filters = queries.ListFilters(
        status=params.choice(query, "status", queries.LIST_STATUSES, "current", "状态") or "current",
        list_type=params.choice(query, "list_type", list_types(name), None, "名单类型"),
        district=params.district(query), year=params.year(query), q=params.text(query, "q", 100) or None)
    paging = params.paging(query)
    data = await load_at_moment(request, lambda p, m: queries.list_page(p.views_db, m, name, filters, paging))
    data["items"] = [_decorate_record(request, r) for r in data["items"]]
    data["label"] = labels.LISTS[name]
    data["list_types"] = list(list_types(name))
    return {**data, "links": page_links(request, data)}


# -- answers and JSON endpoints ----------------------------------------------------------------------
home_answer = answers.cached(load_home)
search_answer = answers.cached(load_search, answers.index_clock)
entity_answer = answers.cached(load_entity)
record_answer = answers.cached(load_record)
list_answer = answers.cached(load_list)


def json_endpoint(answer: Callable[[Request], Awaitable[answers.Answer]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return Response((await answer(request)).json, media_type="application/json")
        except PublicError as e:
            return error(e.status, e.code, e.zh, e.en, **e.extra)
    return endpoint


summary = json_endpoint(home_answer)
search = json_endpoint(search_answer)
entity = json_endpoint(entity_answer)
record = json_endpoint(record_answer)
list_ = json_endpoint(list_answer)
