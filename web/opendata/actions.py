"""CKAN read actions over the catalog: packages, resources, organizations, groups, tags, licenses."""
from __future__ import annotations

from typing import Any

from publishing import ckan_dicts, definitions
from publishing import package_search as solr
from publishing.catalog import DatasetNotFound
from publishing.versions import activity
from web.opendata.envelope import (Context, NotFound, SearchQueryError, ValidationError, as_bool, as_int, as_json,
                               as_list, required)

SITE_TITLE = "本溪市信用信息公示平台"
ROWS_MAX = 1000
_SOLR_PARAMS = {"q", "fl", "fq", "fq_list", "rows", "sort", "start", "qf", "facet", "facet.mincount", "facet.limit",
                "facet.field", "extras", "tie", "defType", "mm", "df", "wt", "bf", "boost", "q.op",
                "include_private", "include_drafts", "include_deleted", "use_default_schema"}
DEFAULT_SORT = "score desc, metadata_modified desc"


# -- the catalog as package dicts ---------------------------------------------------------------------
def all_packages(ctx: Context) -> list[dict[str, Any]]:
    """Every public package: our datasets, then packages other instances published into this one."""
    opendata = ctx.opendata
    state = opendata.state()
    ours = [ckan_dicts.package(opendata, d, state, ctx.site) for d in opendata.datasets]
    return ours + opendata.pushed.all(ctx.site)


def find_package(ctx: Context, ref: str) -> dict[str, Any]:
    opendata = ctx.opendata
    try:
        dataset = opendata.dataset(ref)
    except DatasetNotFound:
        pushed = opendata.pushed.get(ref, ctx.site)
        if pushed is None:
            raise NotFound("Dataset not found") from None
        return pushed
    return ckan_dicts.package(opendata, dataset, opendata.state(), ctx.site)


# -- site -------------------------------------------------------------------------------------------------
def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return {"site_title": SITE_TITLE, "site_description": "本溪市市场主体公共信用信息公示与开放数据平台（公示）",
            "site_url": ctx.site, "locale_default": "zh_Hans_CN", "ckan_version": "2.11.0",
            "extensions": ["activity", "datastore", "dcat", "gongshi"]}


def site_read(ctx: Context, data: dict[str, Any]) -> bool:
    return True


# -- packages ---------------------------------------------------------------------------------------------
def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    names = sorted(p["name"] for p in all_packages(ctx))
    offset = as_int(data.get("offset"), "offset", 0, minimum=0)
    limit = as_int(data.get("limit"), "limit", None, minimum=0)
    return names[offset:] if limit is None else names[offset:offset + limit]


def current_package_list_with_resources(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    packages = sorted(all_packages(ctx), key=lambda p: (p["metadata_modified"], p["id"]), reverse=True)
    limit = as_int(data.get("limit"), "limit", 10, minimum=0)
    page = as_int(data.get("page"), "page", None, minimum=1)
    offset = (page - 1) * limit if page else as_int(data.get("offset"), "offset", 0, minimum=0)
    return packages[offset:offset + limit]


def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return find_package(ctx, str(required(data, "id")))


def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    rid = str(required(data, "id"))
    for package in all_packages(ctx):
        for res in package["resources"]:
            if res["id"] == rid:
                return res
    raise NotFound("Resource was not found.")


def package_activity_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's versions, newest first, straight from the event log."""
    package = find_package(ctx, str(required(data, "id")))
    limit = as_int(data.get("limit"), "limit", 31, minimum=0, maximum=100)
    offset = as_int(data.get("offset"), "offset", 0, minimum=0)
    try:
        dataset = ctx.opendata.dataset(package["name"])
    except DatasetNotFound:
        return ctx.opendata.pushed.activity(package["id"], limit, offset)
    rows = activity(ctx.opendata.db, dataset, limit, offset)
    out = []
    for row in rows:
        position = row["position"]
        downloads = {fmt: f"{ckan_dicts.resource_url(ctx.site, dataset, fmt)}?as_of={position}"
                     for fmt in ("csv", "json", "xlsx")}
        out.append({
            "id": definitions.stable_id("activity", dataset.name, str(position)), "timestamp": row["timestamp"],
            "user_id": package["organization"]["name"], "object_id": dataset.id,
            "activity_type": "changed package", "permission_labels": ["public"],
            "data": {"package": {k: package[k] for k in ("id", "name", "title", "owner_org")},
                     "log_position": position, "rules_date": row["day"], "event": row["event"], "downloads": downloads},
        })
    return out


def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(k for k in data if k not in _SOLR_PARAMS and not k.startswith("ext_"))
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    rows = as_int(data.get("rows"), "rows", 10, minimum=0, maximum=ROWS_MAX)
    start = as_int(data.get("start"), "start", 0, minimum=0)
    sort = data.get("sort") or DEFAULT_SORT
    q = data.get("q")
    filters = [data.get("fq") or "", *as_list(data.get("fq_list"), "fq_list")]
    try:
        query = solr.parse(q)
        fqs = [solr.parse(f) for f in filters if f]
        order = solr.sort_key(sort)
    except solr.QuerySyntaxError as e:
        raise SearchQueryError(str(e)) from None
    packages = all_packages(ctx)
    matched = []
    for package in packages:
        doc = solr.document(package)
        if query(doc) and all(f(doc) for f in fqs):
            matched.append((package, doc, solr.score(q, doc)))
    for field, desc in reversed([*order, ("id", False)]):
        matched.sort(key=lambda m, f=field: _sort_value(m, f), reverse=desc)
    facets, search_facets = _facets(data, [m[0] for m in matched])
    fl = as_list(data.get("fl"), "fl")
    results = [m[0] for m in matched[start:start + rows]]
    if fl:
        results = [{k: p.get(k) for k in fl} for p in results]
    return {"count": len(matched), "sort": sort, "results": results, "facets": facets, "search_facets": search_facets}


def _sort_value(match: tuple[dict, dict, int], field: str) -> Any:
    package, doc, score = match
    if field == "score":
        return score
    if field == "title_string":
        return (package.get("title") or "").casefold()
    return package.get(field) or ""


def _facet_display(field: str, name: str) -> str:
    if field == "organization":
        found = ckan_dicts.organization_by_name(name)
        return found["name"] if found else name
    if field == "groups":
        found = ckan_dicts.theme_by_name(name)
        return found["title"] if found else name
    if field == "license_id":
        return ckan_dicts.license_info(name).get("title") or name
    return name


def _facets(data: dict[str, Any], packages: list[dict[str, Any]]) -> tuple[dict, dict]:
    fields = as_list(as_json(data.get("facet.field"), "facet.field"), "facet.field")
    if not fields or not as_bool(data.get("facet"), "facet", True):
        return {}, {}
    limit = as_int(data.get("facet.limit"), "facet.limit", 50)
    mincount = as_int(data.get("facet.mincount"), "facet.mincount", 1, minimum=0)
    facets, search_facets = {}, {}
    for field in fields:
        counts: dict[str, int] = {}
        for package in packages:
            for value in solr.document(package).get(field) or []:
                original = _original_value(package, field, value)
                counts[original] = counts.get(original, 0) + 1
        ordered = sorted(((v, n) for v, n in counts.items() if n >= mincount and v), key=lambda vn: (-vn[1], vn[0]))
        if limit is not None and limit >= 0:
            ordered = ordered[:limit]
        facets[field] = dict(ordered)
        items = [{"name": v, "display_name": _facet_display(field, v), "count": n} for v, n in ordered]
        search_facets[field] = {"title": field, "items": sorted(items, key=lambda i: i["display_name"], reverse=True)}
    return facets, search_facets


def _original_value(package: dict[str, Any], field: str, folded: str) -> str:
    """Facet values keep their case (documents are case-folded for matching only)."""
    candidates = {"tags": [t["name"] for t in package.get("tags") or []],
                  "groups": [g["name"] for g in package.get("groups") or []],
                  "organization": [(package.get("organization") or {}).get("name") or ""],
                  "res_format": [r.get("format") or "" for r in package.get("resources") or []],
                  "license_id": [package.get("license_id") or ""]}.get(field, [])
    return next((c for c in candidates if c.casefold() == folded), folded)


# -- organizations, groups, tags, licenses -------------------------------------------------------------
def _owner(package: dict[str, Any]) -> str:
    return (package.get("organization") or {}).get("name") or ""


def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    counts = _counts(all_packages(ctx), lambda p: [_owner(p)])
    items = [ckan_dicts.organization(d, counts.get(d["key"].lower(), 0)) for d in ckan_dicts.departments().values()]
    return _list_of(items, data, "organizations")


def group_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    counts = _counts(all_packages(ctx), lambda p: [g["name"] for g in p.get("groups") or []])
    items = [ckan_dicts.group(t, counts.get(t["name"], 0)) for t in definitions.themes()]
    return _list_of(items, data, "groups")


def _counts(packages: list[dict[str, Any]], keys) -> dict[str, int]:
    counts: dict[str, int] = {}
    for package in packages:
        for key in keys(package):
            counts[key] = counts.get(key, 0) + 1
    return counts


def _list_of(items: list[dict[str, Any]], data: dict[str, Any], names_key: str) -> list[Any]:
    wanted = as_list(data.get(names_key), names_key)
    if wanted:
        items = [i for i in items if i["name"] in wanted]
    sort = str(data.get("sort") or "title asc").split()
    field, desc = (sort[0] if sort else "title"), len(sort) > 1 and sort[1].lower() == "desc"
    if field not in ("name", "title", "package_count"):
        raise ValidationError({"sort": [f"Cannot sort by field `{field}`"]})
    items.sort(key=lambda i: (i.get(field) or 0, i["name"]) if field == "package_count" else (i[field], i["name"]),
               reverse=desc)
    offset = as_int(data.get("offset"), "offset", 0, minimum=0)
    limit = as_int(data.get("limit"), "limit", None, minimum=0)
    items = items[offset:] if limit is None else items[offset:offset + limit]
    return items if as_bool(data.get("all_fields"), "all_fields") else [i["name"] for i in items]


def _show(ctx: Context, data: dict[str, Any], item: dict[str, Any], belongs) -> dict[str, Any]:
    packages = [p for p in all_packages(ctx) if belongs(p)]
    out = {**item, "package_count": len(packages), "users": [], "extras": [], "tags": [], "groups": []}
    if as_bool(data.get("include_datasets"), "include_datasets"):
        out["packages"] = sorted(packages, key=lambda p: p["name"])[:1000]
    return out


def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    dept = ckan_dicts.organization_by_name(str(required(data, "id")))
    if dept is None:
        raise NotFound("Organization not found")
    org = ckan_dicts.organization(dept)
    return _show(ctx, data, org, lambda p: _owner(p) == org["name"])


def group_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    theme = ckan_dicts.theme_by_name(str(required(data, "id")))
    if theme is None:
        raise NotFound("Group not found")
    return _show(ctx, data, ckan_dicts.group(theme), lambda p: theme["name"] in [g["name"] for g in p.get("groups") or []])


def group_package_show(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    group = group_show(ctx, {"id": required(data, "id"), "include_datasets": True})
    limit = as_int(data.get("limit"), "limit", None, minimum=0)
    packages = sorted(group.get("packages", []), key=lambda p: (p["metadata_modified"], p["id"]), reverse=True)
    return packages if limit is None else packages[:limit]


def tag_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    names = sorted({t["name"] for p in all_packages(ctx) for t in p.get("tags") or []})
    query = str(data.get("query") or data.get("q") or "").casefold()
    names = [n for n in names if query in n.casefold()]
    return [ckan_dicts.tag(n) for n in names] if as_bool(data.get("all_fields"), "all_fields") else names


def license_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(definitions.licenses().values())


def resource_view_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    resource_show(ctx, data)
    return []
