"""Open-data files over HTTP: resource downloads, datastore dumps, data dictionaries and DCAT.

Every download names the log position and rules day it reflects and the SHA-256 of its
bytes (ETag, X-Gongshi-SHA256, Repr-Digest), has a Content-Length and Last-Modified, and
answers 304 to a matching If-None-Match. `?as_of=POSITION` pins a download forever (a date or time
is redirected to the position it reaches).
"""
from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from domain.moments import MomentError, parse_moment
from projections.moments import position_of
from publishing import dcat, dictionary
from publishing.catalog import DatasetNotFound
from publishing.files import Built
from publishing.versions import PositionError
from web.opendata.envelope import site_url
from web.errors import error

DUMP_FORMATS = {"csv": "csv", "tsv": "tsv", "json": "dump-json", "xlsx": "xlsx"}
_EXT = {"csv": "csv", "tsv": "tsv", "json": "json", "dump-json": "json", "xlsx": "xlsx"}
RDF_FORMATS = {"jsonld": ("json-ld", "application/ld+json"), "ttl": ("turtle", "text/turtle; charset=utf-8"),
               "rdf": ("pretty-xml", "application/rdf+xml")}


def _http_date(naive_utc: str | None) -> str:
    moment = dt.datetime.fromisoformat(naive_utc).replace(tzinfo=dt.UTC) if naive_utc else dt.datetime.now(dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


async def _as_of(request: Request) -> int | None | Response:
    """The position `?as_of=` pins; a date or time is redirected to the position it reaches, so
    that an answer cached as immutable is always one named by a position."""
    platform = request.app.state.platform
    try:
        moment = parse_moment(request.query_params.get("as_of", ""), platform.clock())
    except MomentError as e:
        return error(400, "bad_as_of", e.zh, e.en)
    if isinstance(moment, dt.datetime):
        position = await run_in_threadpool(position_of, platform.views_db, moment)
        return RedirectResponse(str(request.url.include_query_params(as_of=position)), status_code=307)
    if moment == 0:
        return error(400, "bad_as_of", "as_of 必须是正整数日志位置", "as_of must be a positive log position")
    return moment


def file_response(request: Request, built: Built, filename: str) -> Response:
    """A built file with its version and hash in the headers (or 304 when the client has it)."""
    version = built.version
    digest_b64 = base64.b64encode(bytes.fromhex(built.sha256)).decode()
    headers = {
        "ETag": built.etag, "Last-Modified": _http_date(version.recorded_at),
        "X-Gongshi-Position": str(version.position), "X-Gongshi-Rules-Date": version.day,
        "X-Gongshi-SHA256": built.sha256, "Repr-Digest": f"sha-256=:{digest_b64}:", "Digest": f"SHA-256={digest_b64}",
        "Cache-Control": "public, max-age=31536000, immutable" if version.pinned else "public, max-age=60",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, X-Gongshi-Position, X-Gongshi-Rules-Date, X-Gongshi-SHA256, Repr-Digest",
    }
    if built.etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return FileResponse(built.path, media_type=built.media_type, headers=headers)


async def _serve(request: Request, dataset_ref: str | None, resource_id: str, fmt: str | None) -> Response:
    opendata = request.app.state.platform.opendata
    as_of = await _as_of(request)
    if isinstance(as_of, Response):
        return as_of
    try:
        dataset, resource_fmt = opendata.resource(resource_id)
    except DatasetNotFound:
        return await _pushed_upload(request, resource_id)
    if dataset_ref is not None and dataset_ref not in (dataset.name, dataset.id):
        return error(404, "not_found", "找不到该资源", f"no resource {resource_id} in dataset {dataset_ref}")
    fmt = fmt or resource_fmt
    try:
        built = await run_in_threadpool(opendata.build, dataset, fmt, as_of)
    except PositionError as e:
        return error(404, "no_such_position", f"日志中没有该位置：{e}", str(e))
    suffix = f"-{as_of}" if as_of else ""
    return file_response(request, built, f"{dataset.name}{suffix}.{_EXT[fmt]}")


async def _pushed_upload(request: Request, resource_id: str) -> Response:
    found = await run_in_threadpool(request.app.state.platform.opendata.pushed.upload, resource_id)
    if found is None:
        return error(404, "not_found", "找不到该资源", f"no resource {resource_id}")
    path, res = found
    return FileResponse(path, media_type=res.get("mimetype") or "application/octet-stream", filename=res["filename"],
                        headers={"ETag": f'"{res.get("hash")}"'} if res.get("hash") else None)


async def download(request: Request) -> Response:
    p = request.path_params
    return await _serve(request, p["id"], p["resource_id"], None)


async def datastore_dump(request: Request) -> Response:
    fmt = DUMP_FORMATS.get(request.query_params.get("format", "csv").lower())
    if fmt is None:
        return error(400, "bad_format", "format 只能是 csv、tsv、json 或 xlsx", "format must be csv, tsv, json or xlsx")
    return await _serve(request, None, request.path_params["resource_id"], fmt)


def _dataset(request: Request) -> Any:
    try:
        return request.app.state.platform.opendata.dataset(request.path_params["name"])
    except DatasetNotFound:
        return None


def _json(document: Any, media_type: str = "application/json") -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return Response(body, media_type=media_type, headers={"Access-Control-Allow-Origin": "*"})


async def json_schema(request: Request) -> Response:
    dataset = _dataset(request)
    if dataset is None:
        return error(404, "not_found", "找不到该数据集", "no such dataset")
    return _json(dictionary.json_schema(dataset, site_url(request)), "application/schema+json")


async def datapackage(request: Request) -> Response:
    dataset = _dataset(request)
    if dataset is None:
        return error(404, "not_found", "找不到该数据集", "no such dataset")
    return _json(dictionary.datapackage(dataset, site_url(request)))


def _rdf(graph: Any, ext: str) -> Response:
    fmt, media = RDF_FORMATS[ext]
    return Response(graph.serialize(format=fmt, encoding="utf-8"), media_type=media,
                    headers={"Access-Control-Allow-Origin": "*"})


async def catalog_rdf(request: Request) -> Response:
    ext = request.path_params["ext"]
    if ext not in RDF_FORMATS:
        return error(404, "not_found", "不支持该格式", "use .jsonld, .ttl or .rdf")
    page = request.query_params.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        return error(400, "bad_page", "page 必须是正整数", "page must be a positive integer")
    platform = request.app.state.platform
    graph = await run_in_threadpool(dcat.catalog_graph, platform.opendata, site_url(request), int(page), ext)
    return _rdf(graph, ext)


async def dataset_rdf(request: Request) -> Response:
    ext = request.path_params["ext"]
    dataset = _dataset(request)
    if dataset is None or ext not in RDF_FORMATS:
        return error(404, "not_found", "找不到该数据集或格式", "no such dataset or format")
    platform = request.app.state.platform
    graph = await run_in_threadpool(dcat.dataset_graph, platform.opendata, dataset, site_url(request))
    return _rdf(graph, ext)


async def dataset_page(request: Request) -> Response:
    return RedirectResponse(f"/datasets/{quote(request.path_params['name'])}", status_code=301)
