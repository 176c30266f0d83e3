"""The portal's glossary: identifiers of kinds, lists, districts and facets -> Chinese UI text."""
from __future__ import annotations

from functools import cache
from typing import Any

import schemas

KINDS = {
    "license": "行政许可",
    "penalty": "行政处罚",
    "commitment": "信用承诺",
    "anomaly_listing": "经营异常名录",
    "dishonesty_listing": "严重失信主体名单",
    "red_list": "红名单",
    "entity": "市场主体",
}

LISTS = {
    "red": "红名单（守信激励）",
    "dishonesty": "严重失信主体名单",
    "anomaly": "经营异常名录",
}

LIST_STATUS = {"current": "在列", "removed": "已移出", "all": "全部（含历史）"}

#: Benxi city (2105) and its districts and counties (GB/T 2260).
DISTRICTS = {
    "210500": "本溪市",
    "210502": "平山区",
    "210503": "溪湖区",
    "210504": "明山区",
    "210505": "南芬区",
    "210521": "本溪满族自治县",
    "210522": "桓仁满族自治县",
}
OUTSIDE = "市外登记"

FACETS = {
    "kind": "信息类别",
    "department": "部门",
    "district": "区县",
    "year": "年份",
    "category": "主体类别",
}

SORTS = {"relevance": "按相关度", "newest": "按日期（最新在前）"}

TABS = {
    "licenses": "行政许可",
    "penalties": "行政处罚（公示中）",
    "commitments": "信用承诺",
    "anomaly": "经营异常名录记录",
    "dishonesty": "严重失信名单记录",
    "red": "红名单",
}

EVENTS = {"recorded": "首次公示", "corrected": "更正", "removed": "移出名单", "withdrawn": "撤回",
          "repaired": "信用修复", "repair_revoked": "撤销信用修复", "objection_opened": "异议受理（异议处理中）",
          "objection_closed": "异议处理完毕"}
#: Events whose reason the public sees (a case number is not a reason).
PUBLIC_REASONS = ("corrected", "removed", "repair_revoked", "objection_closed")

SEVERITY = {"minor": "轻微", "general": "一般", "serious": "严重"}


def district(code: str | None) -> str:
    """A division code's name; codes outside Benxi are 'registered outside the city'."""
    if not code:
        return "无区划信息"
    return DISTRICTS.get(code, OUTSIDE)


@cache
def departments() -> dict[str, str]:
    """Department credit code -> name, from the source catalog."""
    return {d["code"]: d["name"] for d in schemas.catalog()["departments"]}


@cache
def field_titles(kind: str) -> dict[str, str]:
    """A kind's field names -> their Chinese titles, in schema order."""
    return {name: prop.get("title", name) for name, prop in schemas.kind_schema(kind)["properties"].items()}


def facet_value(facet: str, value: Any) -> str:
    """The label of one facet value (a kind, a department code, a district code...)."""
    value = str(value)
    if facet == "kind":
        return KINDS.get(value, value)
    if facet == "department":
        return departments().get(value, value)
    if facet == "district":
        return district(value)
    return value or "未知"
