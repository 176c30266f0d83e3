"""`gongshi demo`'s loaders of the services built on the ledger: online shops and their marks, the departments'
disclosure documents and model contracts, investment projects approved in parallel (each sends its commands as
the firms, platforms and departments would; generation is in gongshi/demo/)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from tqdm import tqdm

from domain import online
from domain.cases import Actor
from domain.errors import ValidationFailed
from gongshi.demo import documents as demo_documents
from gongshi.demo.common import END_ISO
from gongshi.demo.online import DemoShop, choose_shops, exempt_rows
from gongshi.demo.projects import choose_projects
from gongshi.platform import Platform


def load_online(platform: Platform, entities: Iterable[dict[str, Any]], seed: int) -> dict[str, int]:
    """The demo's online presences: firms declare their shops and websites, each platform sends its list (with the
    exempt individuals it hosts), a second firm claims a shop already held (contested), and one shop belongs to an
    operator on the serious dishonesty list, so that its mark shows as suspended (demo/online.py)."""
    day = dt.date.fromisoformat(END_ISO) - dt.timedelta(days=20)
    companies = [e for e in entities if (e.get("credit_code") or "").startswith("91")]
    shops = choose_shops(companies, seed)
    listed = platform.views_db.query(
        "SELECT DISTINCT credit_code FROM v_records WHERE kind = 'dishonesty_listing' AND valid_to IS NULL "
        "AND status = 'active' AND credit_code IS NOT NULL ORDER BY credit_code LIMIT 1")
    if listed and all(s.credit_code != listed[0]["credit_code"] for s in shops):
        shops.append(DemoShop(listed[0]["credit_code"], "失信示例网店", shops[0].platform if shops else "benxi_mall",
                              "bxdishon", True, True, None))
    counts = {"declared": 0, "listed": 0, "websites": 0, "contested": 0}
    for shop in tqdm(shops, desc="网店 online shops", unit=" shops"):
        if shop.declared:
            platform.online.declare(shop.credit_code, {"type": "platform_shop", "platform": shop.platform,
                                                       "shop_id": shop.shop_id, "name": shop.name}, day, "demo")
            counts["declared"] += 1
        if shop.website:
            platform.online.declare(shop.credit_code, {"type": "website", "domain": shop.website,
                                                       "icp_number": f"辽ICP备2026{int(shop.shop_id[2:], 16) % 10000:04d}号-1",
                                                       "name": shop.name.removesuffix("旗舰店") + "官网"}, day, "demo")
            counts["websites"] += 1
    for entry in online.rules()["platforms"]:
        rows = [{"type": "platform_shop", "platform": s.platform, "shop_id": s.shop_id, "name": s.name,
                 "credit_code": s.credit_code} for s in shops if s.listed and s.platform == entry["key"]]
        platform.online.submit_list(entry["operator_code"], rows + exempt_rows(entry["key"]),
                                    day + dt.timedelta(days=3), "demo")
        counts["listed"] += len(rows)
    held = next((s for s in shops if s.declared), None)
    other = next((s for s in shops if held and s.credit_code != held.credit_code), None)
    if held and other:  # a second firm claims a shop already held: refused and flagged for the regulator
        try:
            platform.online.declare(other.credit_code, {"type": "platform_shop", "platform": held.platform,
                                                        "shop_id": held.shop_id, "name": held.name},
                                    day + dt.timedelta(days=5), "demo")
        except ValidationFailed:
            counts["contested"] += 1
    marked = platform.views_db.query("SELECT mark_id FROM v_marks ORDER BY mark_id LIMIT 2")
    for n, row in enumerate(marked):  # shoppers complain about two shops, by the mark on their badges
        platform.complaints.file({"kind": "complaint", "category": "online_trade", "subject_type": "shop",
                                  "subject_key": row["mark_id"], "facts": ("网店宣传“纯棉”实为化纤，属虚假宣传。",
                                                                           "网店收款后十天未发货，客服不回复。")[n],
                                  "contact": {"name": ("刘女士", "孙先生")[n], "phone": f"1390414{n:04d}"}},
                                 [], "demo", day + dt.timedelta(days=6))
        counts["complaints"] = n + 1
    return counts


def load_documents(platform: Platform) -> int:
    """Six departments' disclosure pages and the market regulator's model contracts (demo/documents.py)."""
    departments = {d.key: d.code for d in platform.ledger.catalog.departments.values()}
    day, saved = dt.date.fromisoformat(END_ISO) - dt.timedelta(days=30), 0
    for key, texts in demo_documents.PAGES.items():
        for kind, text in zip(("duties", "procedures", "commitments"), texts):
            title = text.splitlines()[0].lstrip("# ").strip()
            saved += platform.documents.save(departments[key], kind, None, title, text, "", day, "demo")["changed"]
    for slug, title, versions in demo_documents.CONTRACTS:
        for n, (text, note) in enumerate(versions):
            saved += platform.documents.save(departments["SCJG"], "contract", slug, title, text, note,
                                             day + dt.timedelta(days=7 * n), "demo")["changed"]
    return saved


def load_projects(platform: Platform, entities: Iterable[dict[str, Any]], seed: int) -> dict[str, int]:
    """Investment projects (demo/projects.py): most accepted and reviewed in parallel by their departments, some
    still in review or waiting, one applicant on the serious dishonesty list refused at acceptance with the measure
    named, and one of grade A approved by commitment (its commitment published as a commitment record)."""
    companies = [e for e in entities if (e.get("credit_code") or "").startswith("91")]
    listed = {r["credit_code"] for r in platform.views_db.query(
        "SELECT DISTINCT credit_code FROM v_records WHERE kind = 'dishonesty_listing' AND valid_to IS NULL "
        "AND status = 'active' AND list_type IN ('严重违法失信', '失信被执行人') AND credit_code IS NOT NULL")}
    grade_a = [r["credit_code"] for r in platform.views_db.query(
        "SELECT credit_code FROM s_grades WHERE grade = 'A' AND credit_code IS NOT NULL ORDER BY credit_code")]
    plans = choose_projects(companies, seed, sorted(listed), grade_a)
    window = Actor.reviewer("demo:reviewer:FGW", platform.projects.window)
    counts = {"submitted": 0, "refused_at_acceptance": 0, "by_commitment": 0, "decided": 0}
    for plan in tqdm(plans, desc="投资项目 projects", unit=" projects"):
        day = dt.date.fromisoformat(plan.on)
        code, _ = platform.projects.submit(plan.credit_code, plan.project, day, f"demo:firm:{plan.credit_code}")
        counts["submitted"] += 1
        if plan.stage == "waiting":
            continue
        accepted = platform.projects.accept(window, code, day + dt.timedelta(days=1))
        if accepted["status"] == "not_accepted":
            counts["refused_at_acceptance"] += 1
            continue
        counts["by_commitment"] += accepted.get("by_commitment", False)
        items = platform.views_db.query("SELECT item, department FROM v_project_items WHERE number = ? ORDER BY item",
                                        (code,))
        for n, row in enumerate(items):
            if plan.stage == "review" and n == len(items) - 1:
                break  # the last department is still reviewing
            opinion, reason = plan.opinions[n % len(plan.opinions)]
            platform.projects.opine(Actor.reviewer(f"demo:reviewer:{row['department']}", row["department"]), code,
                                    row["item"], opinion, reason, day + dt.timedelta(days=3 + 2 * n))
        counts["decided"] += plan.stage == "decided"
    return counts


def load_quality_flags(platform: Platform) -> dict[str, int]:
    """Three data-quality flags on published penalties: one answered by a correction of the record, one upheld as
    correct, one still open (its record page says so)."""
    from uuid import UUID

    rows = platform.views_db.query(
        "SELECT record_id, department FROM v_records WHERE kind = 'penalty' AND valid_to IS NULL AND status = 'active' "
        "AND published = 1 ORDER BY record_id LIMIT 3")
    day = dt.date.fromisoformat(END_ISO) - dt.timedelta(days=8)
    public = Actor("public:demo")
    notes = (("wrong", "处罚决定书上的违法事实写的是另一家门店的地址，请核对。"),
             ("outdated", "该企业已于上月整改完毕并缴清罚款，信息是否需要更新？"),
             ("incomplete", "缺少处罚的法律依据条款。"))
    counts = {"flags": 0, "corrected": 0, "upheld": 0}
    for n, row in enumerate(rows):
        problem, note = notes[n]
        number, _, _ = platform.quality_flags.file({"record_id": row["record_id"], "problem": problem, "note": note},
                                                   public, "public:demo", day)
        counts["flags"] += 1
        department = Actor.reviewer(f"demo:reviewer:{row['department']}", row["department"])
        if n == 0:
            record = platform.ledger.get_or_none(UUID(row["record_id"]))
            fields = {**record.fields, "kind": record.kind, "action": "correct", "reason": "根据数据质量反馈更正违法事实",
                      "facts": (record.fields.get("facts") or "") + "（经核实，违法行为发生地为该企业总店。）"}
            result = platform.records.submit([fields], department=row["department"], submitter="demo")
            if result.count("accepted"):
                platform.cases.step(department, number, "correct", "已更正违法事实的表述", day + dt.timedelta(days=2),
                                    "quality_flag")
                counts["corrected"] += 1
        elif n == 1:
            platform.cases.step(department, number, "uphold", "经核实，信息在公示期内，依法继续公示",
                                day + dt.timedelta(days=3), "quality_flag")
            counts["upheld"] += 1
    counts.update(platform.quality_checks.run(dt.date.fromisoformat(END_ISO)))  # the night after: the platform's own
    return counts
