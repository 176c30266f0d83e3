"""Publishing our datasets to another CKAN portal with ckanapi, idempotently.

For each dataset: create the package, or patch only the metadata fields that differ; then
upload each file (CSV, JSON, XLSX) unless the remote resource already carries the same
SHA-256 in its `hash`. Running it twice with no new events therefore changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, NotAuthorized, NotFound, ValidationError

from publishing import ckan_dicts
from publishing.catalog import OpenData
from publishing.definitions import Dataset
from publishing.exporters import FORMATS

UPLOADED_FORMATS = ("csv", "json", "xlsx")
_EXTRA_KEYS = ("update_frequency", "log_position", "source_schemas", "primary_key")


@dataclass
class DatasetReport:
    """What publishing one dataset did."""

    name: str
    package: str = ""  # created | updated | unchanged
    resources: dict[str, str] = field(default_factory=dict)  # format -> uploaded | replaced | unchanged
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.name}: FAILED ({self.error})"
        files = ", ".join(f"{fmt} {what}" for fmt, what in self.resources.items())
        return f"{self.name}: {self.package}; {files}"

    @property
    def changed(self) -> bool:
        return self.package != "unchanged" or any(v != "unchanged" for v in self.resources.values())


def local_metadata(opendata: OpenData, dataset: Dataset, remote_groups: set[str], prefix: str = "") -> dict[str, Any]:
    """The package fields we manage on the remote portal (its name optionally prefixed)."""
    state = opendata.state()
    version = state.versions[dataset.name]
    extras = {e["key"]: e["value"] for e in ckan_dicts.package(opendata, dataset, state, "")["extras"]}
    return {
        "name": f"{prefix}{dataset.name}", "title": dataset.title, "notes": dataset.notes, "license_id": dataset.license_id,
        "owner_org": dataset.organization.lower(), "version": str(version.position),
        "tags": [{"name": t} for t in dataset.tags],
        "groups": [{"name": g} for g in dataset.groups if g in remote_groups],
        "extras": [{"key": k, "value": extras[k]} for k in _EXTRA_KEYS],
    }


def _differences(local: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for key in ("title", "notes", "license_id", "version"):
        if (remote.get(key) or None) != (local[key] or None):
            changed[key] = local[key]
    if (remote.get("organization") or {}).get("name") != local["owner_org"]:
        changed["owner_org"] = local["owner_org"]
    for key in ("tags", "groups"):
        if sorted(t["name"] for t in remote.get(key) or []) != sorted(t["name"] for t in local[key]):
            changed[key] = local[key]
    remote_extras = {e["key"]: e["value"] for e in remote.get("extras") or []}
    if any(remote_extras.get(e["key"]) != e["value"] for e in local["extras"]):
        merged = {**remote_extras, **{e["key"]: e["value"] for e in local["extras"]}}
        changed["extras"] = [{"key": k, "value": v} for k, v in merged.items()]
    return changed


def _publish_one(opendata: OpenData, ckan: RemoteCKAN, dataset: Dataset, remote_groups: set[str],
                 prefix: str) -> DatasetReport:
    local = local_metadata(opendata, dataset, remote_groups, prefix)
    report = DatasetReport(local["name"])
    try:
        remote = ckan.action.package_show(id=local["name"])
    except NotFound:
        remote = ckan.action.package_create(**local)
        report.package = "created"
    else:
        changes = _differences(local, remote)
        if changes:
            remote = ckan.action.package_patch(id=remote["id"], **changes)
            report.package = "updated"
        else:
            report.package = "unchanged"
    by_name = {r.get("name"): r for r in remote.get("resources") or []}
    state = opendata.state()
    for fmt in UPLOADED_FORMATS:
        built = opendata.files.build(state.versions[dataset.name], fmt)
        res = ckan_dicts.resource(opendata, dataset, fmt, built.version, "", "")
        label = FORMATS[fmt][1]
        existing = by_name.get(res["name"])
        if existing is not None and existing.get("hash") == built.sha256:
            report.resources[label] = "unchanged"
            continue
        with built.path.open("rb") as f:
            upload = (f"{dataset.name}.{fmt}", f)
            fields = {"name": res["name"], "description": res["description"], "format": label,
                      "mimetype": res["mimetype"], "hash": built.sha256}
            if existing is None:
                ckan.action.resource_create(package_id=remote["id"], upload=upload, **fields)
                report.resources[label] = "uploaded"
            else:
                ckan.action.resource_patch(id=existing["id"], upload=upload, **fields)
                report.resources[label] = "replaced"
    return report


def publish(opendata: OpenData, url: str, apikey: str, names: Iterable[str] = (), *, prefix: str = "") -> list[DatasetReport]:
    """Push datasets (all, or those named) to the CKAN portal at `url`; one report per dataset.

    `prefix` is put before every dataset name on the remote portal: another Gongshi instance
    has datasets of the same names, so a county publishing into its city names its own.
    """
    wanted = [opendata.dataset(n) for n in names] or list(opendata.datasets)
    reports = []
    with RemoteCKAN(url, apikey=apikey, user_agent="gongshi-publish (ckanapi)") as ckan:
        try:
            remote_groups = set(ckan.action.group_list())
        except CKANAPIError:
            remote_groups = set()
        for dataset in wanted:
            try:
                reports.append(_publish_one(opendata, ckan, dataset, remote_groups, prefix))
            except (NotAuthorized, ValidationError, CKANAPIError) as e:
                reports.append(DatasetReport(f"{prefix}{dataset.name}", error=f"{type(e).__name__}: {e}"))
    return reports
