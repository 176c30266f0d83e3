"""What a credit report shows, as text: the one presentation that the HTML report, the verification page
and the PDF all draw (labels from the glossary and schemas, never part of the signed content).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from domain import reports
from web import labels

TITLE = "公共信用信息报告"
ISSUER = "本溪市公共信用信息平台（公示）"
COLUMNS = ["日期", "文号", "内容", "决定机关", "状态"]
#: The fields that say what a record is about, per kind (the rest is on the record's own page).
_ABOUT = {
    "penalty": ("violation_type", "content"),
    "license": ("license_type", "certificate_name", "content"),
    "commitment": ("commitment_type", "matter"),
    "anomaly_listing": ("cause",),
    "dishonesty_listing": ("list_type", "cause"),
    "abnormal_mark": ("cause",),
    "red_list": ("list_type", "honour"),
}


def _last_day(until: str | None) -> str | None:
    return (dt.date.fromisoformat(until) - dt.timedelta(days=1)).isoformat() if until else None


def record_status(r: dict[str, Any]) -> str:
    """The status a record shows (the profile's status tag, as text)."""
    prefix = "异议处理中；" if r.get("objection") else ""
    listing = r.get("listing")
    if listing and r["kind"] == "abnormal_mark":
        text = "经营异常状态" if listing["on_list"] else f"已恢复正常记载状态 {listing['removed_date'] or ''}".strip()
    elif listing:
        if listing["on_list"]:
            text = "在列"
        elif listing["removed_date"]:
            text = f"已移出 {listing['removed_date']}"
        else:
            text = f"期满移出 {listing['list_until']}"
    elif r["kind"] == "commitment":
        text = r["fields"].get("fulfilment") or "公示中"
    elif _last_day(r.get("public_until")):
        text = f"公示至 {_last_day(r['public_until'])}"
    else:
        text = "公示中"
    return prefix + text


def record_row(r: dict[str, Any]) -> list[str]:
    fields = r["fields"]
    about = "；".join(str(fields[k]) for k in _ABOUT.get(r["kind"], ()) if fields.get(k))
    date = r.get("decision_date") or fields.get("commitment_date") or ""
    return [date, r.get("document_number") or "", about, r.get("authority") or "", record_status(r)]


def _registration(subject: dict[str, Any]) -> list[list[str]]:
    fields = subject.get("fields", {})
    pairs = [("统一社会信用代码", subject.get("credit_code")), ("注册号", fields.get("registration_number")),
             ("主体名称", subject.get("name")), ("主体类型", subject.get("entity_type") or subject.get("category")),
             ("法定代表人（负责人、经营者）", subject.get("legal_representative")),
             ("注册资本", None if fields.get("registered_capital") is None else f"{fields['registered_capital']} 万元"),
             ("成立日期", subject.get("established")), ("登记状态", subject.get("status")),
             ("所在区县", labels.district(subject.get("district"))), ("住所", fields.get("address")),
             ("登记机关", fields.get("registration_authority")), ("经营范围", fields.get("business_scope"))]
    rows = [[k, str(v)] for k, v in pairs if v]
    if not subject.get("registered_in_city"):
        rows.append(["说明", "该主体不在本市登记，登记信息取自公示决定中的当事人信息"])
    return rows


def _annual_reports(items: list[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for r in items:
        public = r["public"]
        withheld = "、".join(public.get("withheld", []))
        note = ("补报" if r["late"] else "按时报送") + (f"；于 {r['revised_on']} 修改" if r.get("revised_on") else "")
        rows.append([str(r["year"]), r["filed_on"], public.get("business_status") or "", note,
                     f"未公示：{withheld}" if withheld else "全部公示"])
    return {"id": "annual_reports", "title": "年度报告信息", "columns": ["年度", "报送日期", "经营状态", "报送情况",
                                                                     "选择不公示的事项"],
            "rows": rows, "total": len(items)}


def _spot_checks(items: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [[c["inspected_on"], "“双随机、一公开”抽查", c["department_name"] or c["department_code"],
             (c["outcome_name"] or c["outcome"]) + ("（已更正）" if c["revision"] else ""), c["note"] or ""]
            for c in items]
    columns = ["检查日期", "类型", "检查实施机关", "检查结果", "备注"]
    return {"id": "spot_checks", "title": "抽查检查信息", "columns": columns, "rows": rows, "total": len(items)}


def _product_quality(items: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [[q["on_day"], "检验不合格" if q["kind"] == "fail" else f"责令{q['kind_name']}",
             f"{q['product_name']}（{q['code']}）", q["department_name"] or "", q["items"] or q["reason"] or ""]
            for q in items]
    columns = ["日期", "类别", "产品（追溯码）", "部门", "情况"]
    return {"id": "product_quality", "title": "产品质量信息", "columns": columns, "rows": rows, "total": len(items)}


def _grade(grade: dict[str, Any] | None) -> dict[str, Any] | None:
    if grade is None:
        return None
    rows = [[i["name"], str(i["points"])] for i in grade.get("indicators", [])]
    return {"id": "grade", "title": f"信用风险分类：{grade['grade']}（得分 {grade['score']}，模型 {grade['model']}）",
            "columns": ["指标", "分值"], "rows": rows, "total": len(rows)}


def view(content: dict[str, Any], digest: str, issue: dict[str, Any] | None = None,
         verify_url: str | None = None) -> dict[str, Any]:
    """The report as text: header facts, registration, one table per section, what is not shown and why."""
    subject, moment = content["subject"], content["moment"]
    facts = []
    if issue:
        purpose = reports.purposes().get(issue.get("purpose") or "")
        facts += [["报告编号", issue["number"]], ["出具时间（北京时间）", issue["issued_at"].replace("T", " ")],
                  ["用途", purpose["zh"] if purpose else "未说明"]]
    facts += [["信息截至（日志位置）", str(moment["position"])], ["公示规则适用日", moment["today"]],
              ["日志树", f"{content['log']['tree_size']} 条，根 {content['log']['root_hash']}"],
              ["内容摘要（SHA-256）", digest]]
    if verify_url:
        facts.append(["在线核验", verify_url])
    sections = [{"id": tab, "title": labels.TABS[tab], "columns": COLUMNS,
                 "rows": [record_row(r) for r in part["items"]], "total": part["total"]}
                for tab, part in ((t, content["records"][t]) for t in labels.TABS if t in content["records"])]
    sections += [_annual_reports(content["annual_reports"]), _spot_checks(content["spot_checks"])]
    if "product_quality" in content:  # format v2
        sections.append(_product_quality(content["product_quality"]))
    grade = _grade(content.get("grade"))
    if grade:
        sections.append(grade)
    explained = {n["id"]: n["zh"] for n in reports.config()["not_shown"]}
    return {"title": TITLE, "issuer": ISSUER, "name": subject["name"], "facts": facts,
            "registration": _registration(subject), "sections": sections,
            "not_shown": [explained[i] for i in content["not_shown"] if i in explained]}
