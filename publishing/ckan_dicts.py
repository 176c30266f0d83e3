"""CKAN's dictionaries (package, resource, organization, group, tag, license) for our catalog.

Shapes follow CKAN 2.10/2.11 (see shared/CKAN.md): every key a client may read is present,
null rather than missing, datetimes naive UTC with microseconds.
"""
from __future__ import annotations

from functools import cache
from typing import Any

import schemas
from publishing import definitions
from publishing.catalog import RESOURCE_FORMATS, CatalogState, OpenData, extras, resource_id
from publishing.definitions import Dataset, stable_id
from publishing.exporters import FORMATS
from publishing.versions import Version

CATALOG_CREATED = "2026-11-01T00:00:00.000000"
_RESOURCE_NAMES = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)", "schema": "数据字典（JSON Schema）",
                   "datapackage": "数据包描述（Frictionless datapackage.json）"}
_RESOURCE_NOTES = {
    "csv": "UTF-8（带 BOM，Excel 可直接打开）逗号分隔，首行为字段名。加 ?as_of=日志位置 可下载任一历史版本。",
    "json": "JSON 数组，每行一个对象，键为字段名。",
    "xlsx": "Excel 工作簿：数据表（中文表头）与数据字典表。",
    "schema": "每行数据的 JSON Schema（2020-12），每个字段注明其来源的报送规范字段。",
    "datapackage": "Frictionless Data Package（表格数据包）描述，含表结构（Table Schema）。",
}


@cache
def departments() -> dict[str, dict[str, str]]:
    """Departments of the source catalog by key (SCJG, JTYS...)."""
    return {d["key"]: d for d in schemas.catalog()["departments"]}


def organization(dept: dict[str, str], package_count: int | None = None) -> dict[str, Any]:
    out = {
        "id": stable_id("organization", dept["code"]), "name": dept["key"].lower(), "title": dept["name"],
        "display_name": dept["name"], "type": "organization", "description": f"{dept['name']}（统一社会信用代码 {dept['code']}）",
        "image_url": "", "image_display_url": "", "created": CATALOG_CREATED, "is_organization": True,
        "approval_status": "approved", "state": "active",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def organization_by_name(name: str) -> dict[str, str] | None:
    return next((d for d in departments().values() if d["key"].lower() == name or
                 stable_id("organization", d["code"]) == name), None)


def group(theme: dict[str, str], package_count: int | None = None) -> dict[str, Any]:
    out = {
        "id": stable_id("group", theme["name"]), "name": theme["name"], "title": theme["title"],
        "display_name": theme["title"], "type": "group", "description": theme["description"], "image_url": "",
        "image_display_url": "", "created": CATALOG_CREATED, "is_organization": False, "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def theme_by_name(name: str) -> dict[str, str] | None:
    return next((t for t in definitions.themes() if t["name"] == name or stable_id("group", t["name"]) == name), None)


def tag(name: str) -> dict[str, Any]:
    return {"id": stable_id("tag", name), "name": name, "display_name": name, "state": "active", "vocabulary_id": None}


def license_info(license_id: str) -> dict[str, Any]:
    return definitions.licenses().get(license_id, {"id": license_id, "title": license_id, "url": ""})


def resource_url(site: str, dataset: Dataset, fmt: str) -> str:
    if fmt == "schema":
        return f"{site}/dataset/{dataset.name}/schema.json"
    if fmt == "datapackage":
        return f"{site}/dataset/{dataset.name}/datapackage.json"
    return f"{site}/dataset/{dataset.name}/resource/{resource_id(dataset, fmt)}/download/{dataset.name}.{fmt}"


def resource(opendata: OpenData, dataset: Dataset, fmt: str, version: Version, created: str, site: str) -> dict[str, Any]:
    """One resource dict; size and hash are given once that version's file has been built."""
    built = opendata.files.built(version, fmt) if fmt in FORMATS else None
    tabular = fmt in FORMATS
    media = FORMATS[fmt][0].split(";")[0] if tabular else "application/json"
    return {
        "id": resource_id(dataset, fmt), "package_id": dataset.id, "position": RESOURCE_FORMATS.index(fmt),
        "name": f"{dataset.title}（{_RESOURCE_NAMES[fmt]}）", "description": _RESOURCE_NOTES[fmt],
        "format": FORMATS[fmt][1] if tabular else "JSON", "mimetype": media,
        "size": built.size if built else None, "hash": built.sha256 if built else "",
        "url": resource_url(site, dataset, fmt), "url_type": "upload" if tabular else None,
        "created": created, "last_modified": version.recorded_at, "metadata_modified": version.recorded_at or created,
        "state": "active", "datastore_active": fmt == "csv", "cache_url": None, "resource_type": None,
        "log_position": version.position, "rules_date": version.day,
    }


def package(opendata: OpenData, dataset: Dataset, state: CatalogState, site: str) -> dict[str, Any]:
    """The package dict of one of our datasets, at its latest version."""
    version = state.versions[dataset.name]
    created, modified = state.created[dataset.name], state.modified(dataset)
    dept = departments()[dataset.organization]
    lic = license_info(dataset.license_id)
    themes = {t["name"]: t for t in definitions.themes()}
    resources = [resource(opendata, dataset, fmt, version, created, site) for fmt in RESOURCE_FORMATS]
    return {
        "id": dataset.id, "name": dataset.name, "title": dataset.title, "type": "dataset", "state": "active",
        "private": False, "notes": dataset.notes, "url": f"{site}/datasets/{dataset.name}",
        "version": str(version.position), "author": dept["name"], "author_email": None, "maintainer": dept["name"],
        "maintainer_email": None, "license_id": dataset.license_id, "license_title": lic.get("title"),
        "license_url": lic.get("url"), "isopen": lic.get("od_conformance") == "approved",
        "owner_org": stable_id("organization", dept["code"]), "metadata_created": created, "metadata_modified": modified,
        "creator_user_id": None, "num_resources": len(resources), "num_tags": len(dataset.tags),
        "organization": organization(dept), "groups": [
            {k: group(themes[g])[k] for k in ("id", "name", "title", "display_name", "description", "image_display_url")}
            for g in dataset.groups],
        "tags": [tag(t) for t in dataset.tags], "extras": extras(dataset, version), "resources": resources,
        "relationships_as_object": [], "relationships_as_subject": [],
    }
