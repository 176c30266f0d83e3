"""The public annual reports of an entity: /entities/{code}/annual-reports[/{year}] and their JSON twins.

The public part only (domain/annual_reports.public_view decided it when the read model was
built): the page says which items the firm chose not to publish, and when a report was revised.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from web import labels, params
from web.portal import answers
from web.portal.api import json_endpoint, load_at_moment
from web.portal.pages import page_endpoint
from web.render import link


def _decorate(request: Request, code: str, report: dict[str, Any]) -> dict[str, Any]:
    report["url"] = link(request, f"/entities/{code}/annual-reports/{report['year']}")
    report["api_url"] = f"/api/v1/entities/{code}/annual-reports/{report['year']}"
    report["form_title"] = labels.report_titles(report["form"])["title"]
    for private in ("report_id", "valid_from", "valid_to"):
        report.pop(private, None)
    return report


def _year(request: Request) -> int:
    raw = request.path_params.get("year", "")
    if not str(raw).isdigit() or not 2000 <= int(raw) <= 2100:
        raise params.bad("year", f"报告年度应为四位年份：{str(raw)[:10]}", f"year must be a four-digit year: {str(raw)[:10]!r}")
    return int(raw)


async def load_reports(request: Request) -> dict[str, Any]:
    code = params.entity_key(request.path_params["key"])
    data = await load_at_moment(request, lambda p, m: p.annual_report_views.profile(code, m))
    data["reports"] = [_decorate(request, code, r) for r in data["reports"]]
    data["entity_url"] = link(request, f"/entities/{code}")
    return data


async def load_report(request: Request) -> dict[str, Any]:
    code, year = params.entity_key(request.path_params["key"]), _year(request)
    data = await load_at_moment(request, lambda p, m: p.annual_report_views.profile(code, m, year))
    report = _decorate(request, code, data.pop("reports")[0])
    data.update(report=report, titles=labels.report_titles(report["form"]),
                entity_url=link(request, f"/entities/{code}"),
                reports_url=link(request, f"/entities/{code}/annual-reports"))
    return data


reports_answer = answers.cached(load_reports)
report_answer = answers.cached(load_report)
reports = json_endpoint(reports_answer)
report = json_endpoint(report_answer)
reports_page = page_endpoint("annual_reports.html", reports_answer)
report_page = page_endpoint("annual_report.html", report_answer)
