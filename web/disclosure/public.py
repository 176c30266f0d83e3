"""Public: /departments (the index), /departments/{code} and /api/v1/departments/{code}; /contracts,
/contracts/{slug} and /api/v1/contracts/{slug} (any version with ?version=N).

A department's page joins what it maintains (duties, procedures, service commitments: domain/documents.py, rendered
from Markdown with raw HTML off) with what the ledger says of it (projections/disclosure.py). Answers are cached
by log position and day like every public read."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

import schemas
from domain import documents
from projections import disclosure
from projections import documents as docs
from projections.public import Moment
from web.params import PublicError
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint

PAGE_KINDS = ("duties", "procedures", "commitments")


def _departments() -> dict[str, dict[str, Any]]:
    return {d["code"]: d for d in schemas.catalog()["departments"]}


def department_of_path(request: Request) -> dict[str, Any]:
    raw = request.path_params["code"].strip().upper()
    by_key = {d["key"]: d for d in schemas.catalog()["departments"]}
    found = _departments().get(raw) or by_key.get(raw)
    if found is None:
        raise PublicError(404, "unknown_department", f"政务数据采集目录中没有代码为 {raw[:30]} 的部门（见 /departments）",
                          f"no department {raw[:30]!r} in the catalog (see /departments)", field="code")
    return found


async def load_department(request: Request) -> dict[str, Any]:
    department = department_of_path(request)

    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        db, code = platform.views_db, department["code"]
        current = docs.current(db, code)
        pages = [{"kind": k, "label": documents.kinds()[k]["zh"], "title": current[k]["title"] if k in current else None,
                  "text": current[k]["text"] if k in current else None,
                  "version": current[k]["version"] if k in current else 0,
                  "saved_on": current[k]["saved_on"] if k in current else None} for k in PAGE_KINDS]
        return {"department": department, "documents": pages,
                "published": disclosure.published(db, code, moment.today),
                "spot_checks": disclosure.spot_checks(db, code),
                "complaints": disclosure.complaints(db, code, moment.today),
                "catalog_items": disclosure.catalog_items(code),
                "contracts": docs.contracts(db) if any(c["department"] == code for c in _contract_keepers()) else []}

    return await answers.read_now(request, read)


def _contract_keepers() -> list[dict[str, Any]]:
    key = documents.kinds()[documents.CONTRACT]["maintained_by"]
    return [{"department": d["code"]} for d in schemas.catalog()["departments"] if d["key"] == key]


async def load_index(request: Request) -> dict[str, Any]:
    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        rows = []
        for d in schemas.catalog()["departments"]:
            figures = disclosure.published(platform.views_db, d["code"], moment.today)
            pages = docs.current(platform.views_db, d["code"])
            rows.append({**d, "published": figures["total"], "on_time_rate": figures["on_time_rate"],
                         "documents": sorted(pages)})
        return {"departments": rows}

    return await answers.read_now(request, read)


async def load_contract(request: Request) -> dict[str, Any]:
    slug = request.path_params["slug"].strip().lower()
    wanted = request.query_params.get("version", "").strip()

    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        versions = docs.versions(platform.views_db, documents.document_key(documents.CONTRACT, slug))
        if not versions:
            raise PublicError(404, "unknown_contract", f"没有标识为 {slug[:40]} 的示范文本（见 /contracts）",
                              f"no model contract {slug[:40]!r} (see /contracts)", field="slug")
        chosen = next((v for v in versions if str(v["version"]) == wanted), None) if wanted else versions[0]
        if chosen is None:
            raise PublicError(404, "unknown_version", f"该示范文本没有第 {wanted[:8]} 版（共 {len(versions)} 版）",
                              f"no version {wanted[:8]!r} (there are {len(versions)})", field="version")
        keep = ("version", "title", "saved_on", "note")
        return {"slug": slug, "version": chosen["version"], "title": chosen["title"], "text": chosen["text"],
                "saved_on": chosen["saved_on"], "latest": versions[0]["version"],
                "versions": [{k: v[k] for k in keep} for v in versions]}

    return await answers.read_now(request, read)


async def load_contracts(request: Request) -> dict[str, Any]:
    return await answers.read_now(request, lambda platform, moment: {"contracts": docs.contracts(platform.views_db)})


department_answer = answers.cached(load_department)
index_answer = answers.cached(load_index)
contract_answer = answers.cached(load_contract)
contracts_answer = answers.cached(load_contracts)
department_json = json_endpoint(department_answer)
department_page = page_endpoint("disclosure/department.html", department_answer)
index_json = json_endpoint(index_answer)
index_page = page_endpoint("disclosure/index.html", index_answer)
contract_json = json_endpoint(contract_answer)
contract_page = page_endpoint("disclosure/contract.html", contract_answer)
contracts_page = page_endpoint("disclosure/contracts.html", contracts_answer)
