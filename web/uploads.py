"""Uploads over HTTP: refuse by declared size before reading, then store each file (stores/uploads.py checks it)."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request

from stores.uploads import UploadPolicy, UploadRejected, UploadStore


def check_request_size(request: Request, policy: UploadPolicy) -> None:
    """Refuse a too-large upload by its declared length, before reading it."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise UploadRejected(411, "length_required", "上传请求须声明长度（Content-Length）",
                             "an upload must declare its Content-Length")
    if int(declared) > policy.max_request:
        raise UploadRejected(413, "request_too_large",
                             f"上传内容过大：每个文件不超过 {policy.size_label}，每次最多 {policy.max_files} 个文件",
                             f"too much data: at most {policy.max_files} files of {policy.size_label} each")


async def store_files(store: UploadStore, form: Any, roles: dict[str, str]) -> list[dict[str, Any]]:
    """Store every file of the given form fields (field -> role); refuse the lot on the first bad one."""
    files = [(role, f) for field, role in roles.items() for f in form.getlist(field)
             if isinstance(f, UploadFile) and (f.filename or f.size)]
    if len(files) > store.policy.max_files:
        raise UploadRejected(413, "too_many_files", f"每次最多上传 {store.policy.max_files} 个文件",
                             f"at most {store.policy.max_files} files per request")
    materials = []
    for role, upload in files:
        data = await upload.read(store.policy.max_bytes + 1)
        materials.append(await run_in_threadpool(store.save, data, upload.filename, role))
    return materials
