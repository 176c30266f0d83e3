"""CKAN write actions, so that another instance (a county portal) can publish into this one.

package_create, package_update, package_patch, resource_create, resource_patch and
resource_update, for tokens with the role "publisher", each limited to its department's
organization. Names of our own ledger datasets are reserved.
"""
from __future__ import annotations

import uuid
from typing import Any

from publishing import ckan_dicts, definitions
from publishing.definitions import NAME_PATTERN, stable_id
from publishing.pushed import now
from web.opendata.envelope import Context, NotAuthorized, NotFound, ValidationError, as_bool, as_json, as_list, required

ACTIONS = ("package_create", "package_update", "package_patch", "resource_create", "resource_patch", "resource_update")
_PACKAGE_TEXT = ("title", "notes", "url", "version", "author", "author_email", "maintainer", "maintainer_email",
                 "license_id")
_RESOURCE_TEXT = ("name", "description", "format", "mimetype", "url", "resource_type")


def _publisher(ctx: Context, verb: str) -> Any:
    principal = ctx.principal
    if principal is None or principal.role != "publisher":
        who = f"a {principal.role} token" if principal else "an anonymous user"
        raise NotAuthorized(f"{who} may not {verb}; a publisher token is required")
    return principal


def _organization(ctx: Context, ref: Any) -> dict[str, str]:
    dept = ckan_dicts.organization_by_name(str(ref or ""))
    if dept is None:
        raise ValidationError({"owner_org": ["Organization does not exist"]})
    principal = ctx.principal
    if principal.department and principal.department != dept["code"]:
        raise NotAuthorized(f"this token publishes for {principal.department}, not for {dept['name']}")
    return dept


def _groups(value: Any) -> list[dict[str, Any]]:
    out = []
    for item in as_list(as_json(value, "groups"), "groups"):
        ref = item.get("name") or item.get("id") if isinstance(item, dict) else str(item)
        theme = ckan_dicts.theme_by_name(str(ref or ""))
        if theme is None:
            raise ValidationError({"groups": [f"Group {ref} does not exist"]})
        group = ckan_dicts.group(theme)
        out.append({k: group[k] for k in ("id", "name", "title", "display_name", "description", "image_display_url")})
    return out


def _tags(data: dict[str, Any]) -> list[dict[str, Any]]:
    names = [t.strip() for t in str(data.get("tag_string") or "").split(",") if t.strip()]
    for item in as_list(as_json(data.get("tags"), "tags"), "tags"):
        names.append(item.get("name") if isinstance(item, dict) else str(item))
    return [ckan_dicts.tag(n) for n in dict.fromkeys(n for n in names if n)]


def _extras(value: Any) -> list[dict[str, str]]:
    extras = []
    for item in as_list(as_json(value, "extras"), "extras"):
        if not isinstance(item, dict) or "key" not in item:
            raise ValidationError({"extras": ["Each extra needs a key and a value"]})
        extras.append({"key": str(item["key"]), "value": "" if item.get("value") is None else str(item["value"])})
    return extras


def _resource(package_id: str, position: int, data: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    stamp = now()
    base = existing or {"id": str(data.get("id") or uuid.uuid4()), "created": stamp, "url_type": None, "size": None,
                        "hash": "", "datastore_active": False, "cache_url": None, "state": "active"}
    res = {**base, "package_id": package_id, "position": position, "metadata_modified": stamp, "last_modified": stamp}
    for key in _RESOURCE_TEXT:
        if key in data:
            res[key] = None if data[key] is None else str(data[key])
        res.setdefault(key, None)
    res["format"] = res.get("format") or ""
    if "hash" in data and not res.get("url_type"):
        res["hash"] = str(data["hash"] or "")
    return res


def _package(ctx: Context, data: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    name = str(required(data, "name"))
    if not NAME_PATTERN.match(name):
        raise ValidationError({"name": ["Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"]})
    if definitions.by_name(name) is not None:
        raise ValidationError({"name": ["That URL is already in use."]})
    other = ctx.opendata.pushed.stored(name)
    if other is not None and (existing is None or other["id"] != existing["id"]):
        raise ValidationError({"name": ["That URL is already in use."]})
    dept = _organization(ctx, data.get("owner_org") or (existing or {}).get("owner_org"))
    lic = definitions.licenses().get(str(data.get("license_id") or ""))
    package: dict[str, Any] = {
        "id": (existing or {}).get("id") or str(data.get("id") or uuid.uuid4()), "name": name, "type": "dataset",
        "state": "active", "private": as_bool(data.get("private"), "private"),
        **{k: (None if data.get(k) in (None, "") else str(data[k])) for k in _PACKAGE_TEXT},
        "license_title": lic["title"] if lic else None, "license_url": lic["url"] if lic else None,
        "isopen": bool(lic and lic.get("od_conformance") == "approved"),
        "owner_org": stable_id("organization", dept["code"]), "organization": ckan_dicts.organization(dept),
        "groups": _groups(data.get("groups")), "tags": _tags(data), "extras": _extras(data.get("extras")),
        "creator_user_id": ctx.principal.token_id, "relationships_as_object": [], "relationships_as_subject": [],
    }
    package["title"] = package["title"] or name
    if "resources" in data:
        old = {r["id"]: r for r in (existing or {}).get("resources", [])}
        items = as_list(as_json(data["resources"], "resources"), "resources")
        package["resources"] = [_resource(package["id"], i, r, old.get(r.get("id"))) for i, r in enumerate(items)]
    else:
        package["resources"] = (existing or {}).get("resources", [])
    return package


def _stored(ctx: Context, ref: Any, what: str = "Dataset") -> dict[str, Any]:
    if ref in (None, ""):
        raise ValidationError({"id": ["Missing value"]})
    found = ctx.opendata.pushed.stored(str(ref))
    if found is None:
        if definitions.by_name(str(ref)) is not None:
            raise NotAuthorized("datasets built from the ledger cannot be changed through the API")
        raise NotFound(f"{what} not found")
    return found


def _save(ctx: Context, package: dict[str, Any], activity: str) -> dict[str, Any]:
    saved = ctx.opendata.pushed.save(package, activity_type=activity, user=ctx.principal.token_id)
    return ctx.opendata.pushed.get(saved["id"], ctx.site)


def package_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Create a dataset (a publisher token, for its own department's organization)."""
    _publisher(ctx, "create datasets")
    return _save(ctx, _package(ctx, data, None), "new package")


def package_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Replace a dataset's metadata; its resources stay unless `resources` is given."""
    _publisher(ctx, "update datasets")
    existing = _stored(ctx, data.get("id") or data.get("name"))
    _organization(ctx, existing["owner_org"])
    return _save(ctx, _package(ctx, {**data, "name": data.get("name") or existing["name"]}, existing), "changed package")


def package_patch(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Change only the given fields of a dataset."""
    _publisher(ctx, "update datasets")
    existing = _stored(ctx, required(data, "id"))
    _organization(ctx, existing["owner_org"])
    merged = {**existing, **{k: v for k, v in data.items() if k != "id"}}
    if "resources" not in data:
        merged.pop("resources", None)
    return _save(ctx, _package(ctx, merged, existing), "changed package")


def _with_upload(ctx: Context, res: dict[str, Any]) -> dict[str, Any]:
    upload = ctx.files.get("upload")
    if upload is None:
        return res
    filename, size, sha = ctx.opendata.pushed.store_upload(res["id"], upload.filename or res.get("name") or "upload",
                                                           upload.file)
    return {**res, "url_type": "upload", "filename": filename, "url": filename, "size": size, "hash": sha,
            "mimetype": res.get("mimetype") or upload.content_type}


def _resource_write(ctx: Context, data: dict[str, Any], *, create: bool, patch: bool) -> dict[str, Any]:
    _publisher(ctx, "change resources")
    if create:
        package = _stored(ctx, required(data, "package_id"))
        existing, position = None, len(package["resources"])
    else:
        rid = str(required(data, "id"))
        package = next((p for p in ctx.opendata.pushed.all(ctx.site) for r in p["resources"] if r["id"] == rid), None)
        if package is None:
            raise NotFound("Resource was not found.")
        package = _stored(ctx, package["id"])
        existing = next(r for r in package["resources"] if r["id"] == rid)
        position = existing["position"]
        if not patch:
            existing = {k: existing[k] for k in ("id", "created", "url_type", "filename", "size", "hash",
                                                "datastore_active", "cache_url", "state") if k in existing}
    _organization(ctx, package["owner_org"])
    if not ctx.files.get("upload") and not data.get("url") and not (existing or {}).get("url"):
        raise ValidationError({"url": ["Missing value"]})
    res = _with_upload(ctx, _resource(package["id"], position, data, existing))
    resources = [r for r in package["resources"] if r["id"] != res["id"]]
    resources.insert(position, res)
    package["resources"] = resources
    saved = _save(ctx, package, "changed package")
    return next(r for r in saved["resources"] if r["id"] == res["id"])


def resource_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Add a resource to a dataset: a `url`, or a multipart `upload`."""
    return _resource_write(ctx, data, create=True, patch=False)


def resource_patch(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Change the given fields of a resource (a new `upload` replaces its file)."""
    return _resource_write(ctx, data, create=False, patch=True)


def resource_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Replace a resource's fields (a new `upload` replaces its file)."""
    return _resource_write(ctx, data, create=False, patch=False)
