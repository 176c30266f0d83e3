"""/api/v1/log/...: the verifiable log, in the shapes `gongshi_verify` documents.

Leaves are addressed by 0-based leaf index (leaf i = the i-th event in log order); sizes
and indices reach up to what the integrity log has witnessed. Key, heads and proofs are
public (hashes only). Entries are the events as stored, private fields included (ID
numbers, phones), so they need an auditor token and each page read is recorded in the
log, unless the operator publishes them with GONGSHI_LOG_ENTRIES=public (then anyone can
run `python -m gongshi_verify --full` against the instance).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from projections import integrity
from web.audit.api import BadParameter, int_param, recorded_read
from web.http import authenticate
from web.errors import error

ENTRIES_ACCESS_VARIABLE = "GONGSHI_LOG_ENTRIES"
MAX_ENTRIES = 1000
MAX_HEADS = 1000


def entries_are_public() -> bool:
    """Whether /api/v1/log/entries is open to anyone (the operator's choice) or to auditors only."""
    return os.environ.get(ENTRIES_ACCESS_VARIABLE, "auditor").strip().lower() == "public"


def _hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


async def _answer(request: Request, read: Callable[[Any], dict[str, Any]]) -> Response:
    """Run `read(integrity_log)` in the thread pool; parameter errors become 400 answers."""
    log = request.app.state.platform.integrity
    try:
        return JSONResponse(await run_in_threadpool(read, log))
    except BadParameter as bad:
        return bad.response()


async def key(request: Request) -> Response:
    signer = request.app.state.platform.integrity.signer
    return PlainTextResponse(signer.public_pem)


async def head(request: Request) -> Response:
    found = await run_in_threadpool(request.app.state.platform.integrity.latest_head)
    if found is None:
        return error(503, "no_head", "尚未签署树头", "no tree head has been signed yet")
    return JSONResponse(found)


async def heads(request: Request) -> Response:
    """Every head the instance ever signed, oldest first (the open dataset of heads)."""
    def read(log: integrity.IntegrityLog) -> dict[str, Any]:
        start = int_param(request, "start", 0)
        limit = int_param(request, "limit", 100, maximum=MAX_HEADS)
        return {"start": start, "heads": integrity.kept_heads(log.db, start, limit)}
    return await _answer(request, read)


def _size_param(request: Request, name: str, size: int, minimum: int = 0) -> int:
    value = int_param(request, name, minimum=minimum)
    if value > size:
        raise BadParameter(name, f"{name}={value} 超出当前树的大小 {size}",
                           f"{name}={value} is beyond the current tree size {size}", tree_size=size)
    return value


async def inclusion_proof(request: Request) -> Response:
    def read(log: integrity.IntegrityLog) -> dict[str, Any]:
        tree, size = log.snapshot()
        tree_size = _size_param(request, "tree_size", size, minimum=1)
        index = int_param(request, "index")
        if index >= tree_size:
            raise BadParameter("index", f"叶子序号 {index} 不在大小为 {tree_size} 的树中",
                               f"leaf index {index} is outside a tree of size {tree_size}")
        return {"leaf_index": index, "tree_size": tree_size,
                "audit_path": _hexes(tree.inclusion_proof(index, tree_size))}
    return await _answer(request, read)


async def consistency_proof(request: Request) -> Response:
    def read(log: integrity.IntegrityLog) -> dict[str, Any]:
        tree, size = log.snapshot()
        second = _size_param(request, "second", size)
        first = int_param(request, "first")
        if first > second:
            raise BadParameter("first", f"first={first} 大于 second={second}", f"first={first} exceeds second={second}")
        return {"first": first, "second": second, "consistency_path": _hexes(tree.consistency_proof(first, second))}
    return await _answer(request, read)


async def entries(request: Request) -> Response:
    platform = request.app.state.platform
    recorded = None
    if not entries_are_public():
        principal = await authenticate(request, ("auditor",))
        if isinstance(principal, Response):
            return principal
        recorded = principal

    def read(log: integrity.IntegrityLog) -> dict[str, Any]:
        _, size = log.snapshot()
        start = int_param(request, "start")
        end = int_param(request, "end", minimum=1)
        if start >= end:
            raise BadParameter("end", f"end={end} 必须大于 start={start}", f"end={end} must exceed start={start}")
        if start >= size:
            raise BadParameter("start", f"start={start} 超出当前树的大小 {size}",
                               f"start={start} is beyond the current tree size {size}", tree_size=size)
        end = min(end, size, start + MAX_ENTRIES)
        body: dict[str, Any] = {}
        if recorded is not None:
            body["recorded_as"] = recorded_read(platform, recorded, "log.entries", f"leaves {start}..{end - 1}",
                                                {"start": start, "end": end})
        body["entries"] = integrity.stored_entries(log.db, platform.ledger.recorder, start, end)
        return body
    return await _answer(request, read)


async def leaf(request: Request) -> Response:
    """The leaf index of the event at a log position: how a page names 'the event behind' a record."""
    def read(log: integrity.IntegrityLog) -> dict[str, Any]:
        position = int_param(request, "position", minimum=1)
        index = integrity.leaf_index_of(log.db, position)
        if index is None:
            raise BadParameter("position", f"位置 {position} 没有对应的叶子（不存在或尚未见证）",
                               f"no leaf for position {position} (no such event, or not witnessed yet)")
        return {"position": position, "leaf_index": index}
    return await _answer(request, read)
