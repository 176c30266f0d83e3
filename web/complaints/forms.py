"""What a complaint filing carries over HTTP: a JSON body or a form (with evidence files), as one dict."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from domain.complaints import rules
from web.http import json_object

MAX_JSON = 256 * 1024
FILES = {"evidence": "evidence"}
TRUE = {"1", "true", "on", "yes"}


async def filing_of(request: Request) -> tuple[dict[str, Any], Any]:
    """(the filing, the form for its files, or None for JSON)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return await json_object(request, MAX_JSON), None
    form = await request.form()
    return from_form(form), form


def from_form(form: Any) -> dict[str, Any]:
    contact = {k: form.get(f"contact_{k}", "") for k in rules()["contact_fields"]}
    return {"kind": form.get("kind", ""), "category": form.get("category", ""),
            "subject_type": form.get("subject_type", "") or "entity", "subject_key": form.get("subject_key", ""),
            "facts": form.get("facts", ""), "anonymous": str(form.get("anonymous", "")).lower() in TRUE,
            "contact": contact}


async def step_of(request: Request) -> dict[str, Any]:
    """A department's step: `reason`, and `to_department` (transfer) or `outcome` (conclude); JSON or a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return await json_object(request, MAX_JSON)
    form = await request.form()
    return {k: form.get(k) for k in ("reason", "to_department", "outcome")}
