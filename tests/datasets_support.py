"""Sample ledger content that fills every open dataset, and a real uvicorn server for HTTP tests.

The sample deliberately carries what must never be published (ID numbers, phone numbers,
a minor penalty, an expired penalty, a withdrawn decision, a removed listing), so that the
tests can show each one stays out of every resource.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from application.supervision import Caller
from domain.annual_reports import PAPER, Filing
from domain.cases import Actor
from domain.codes import make_credit_code
from domain.trace import TraceActor
from projections.public import Moment
from publishing import definitions
from tests.portal import live_server
from tests.records import DEPTS, SCJG

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
JTYS, WLJ, JYJ, WJW, KJJ, RSJ, SW, FGW = (DEPTS[k] for k in ("JTYS", "WLJ", "JYJ", "WJW", "KJJ", "RSJ", "SW", "FGW"))
DEPT_NAMES = {
    SCJG: "本溪市市场监督管理局", JTYS: "本溪市交通运输局", WLJ: "本溪市文化旅游和广播电视局", JYJ: "本溪市教育局",
    WJW: "本溪市卫生健康委员会", KJJ: "本溪市科学技术局", RSJ: "本溪市人力资源和社会保障局", SW: "国家税务总局本溪市税务局",
}
DISTRICTS = ("210502", "210503", "210504", "210505", "210521", "210522")


def code(n: int) -> str:
    return make_credit_code("91", DISTRICTS[n % len(DISTRICTS)], f"MA{n:06d}")


def entity(n: int) -> dict[str, Any]:
    return {
        "kind": "entity", "credit_code": code(n), "name": f"本溪市测试{n}号商贸有限公司", "entity_type": "有限责任公司",
        "legal_representative": f"张{n}", "legal_representative_id_number": ID_NUMBER, "registered_capital": 100 + n,
        "established": "2015-06-18", "address": f"辽宁省本溪市平山区胜利路{n}号", "district_code": DISTRICTS[n % 6],
        "registration_authority": "本溪市市场监督管理局", "status": "存续", "phone": PHONE, "source_unit_code": SCJG,
    }


def party(n: int) -> dict[str, Any]:
    return {"party_name": f"本溪市测试{n}号商贸有限公司", "party_type": "法人及非法人组织", "credit_code": code(n),
            "legal_representative": f"张{n}"}


def license_(n: int, authority: str, license_type: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "license", **party(n), "document_title": "行政许可决定书", "document_number": f"本许〔2025〕{n}号",
            "category": "普通", "license_type": license_type, "content": f"准予{license_type}",
            "decision_date": "2025-06-01", "valid_from": "2025-06-01", "valid_to": "2099-12-31", "state": "1",
            "authority": DEPT_NAMES[authority], "authority_code": authority, "source_unit_code": authority, **extra}


def penalty(n: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "penalty", **party(n), "document_number": f"本市监罚〔2025〕{n}号", "violation_type": "销售不合格商品",
            "facts": f"经查，当事人销售不合格商品。举报人电话{PHONE}，身份证号{ID_NUMBER}。",
            "legal_basis": "《中华人民共和国产品质量法》第四十九条", "categories": ["罚款", "没收违法所得"],
            "content": "罚款2万元", "fine": 2, "confiscation": 0.35, "procedure": "普通程序", "decision_date": "2025-03-01",
            "authority": DEPT_NAMES[SCJG], "authority_code": SCJG, "source_unit_code": SCJG, **extra}


def sample_items() -> list[dict[str, Any]]:
    """Items filling every dataset, plus the traps that must stay unpublished."""
    items: list[dict[str, Any]] = [entity(n) for n in range(1, 13)]
    theme_types = [(JTYS, "道路运输经营许可"), (WLJ, "旅行社业务经营许可"), (WLJ, "A级旅游景区评定"),
                   (JYJ, "民办学校办学许可"), (WJW, "医疗机构执业许可"), (KJJ, "高新技术企业认定"), (SCJG, "食品经营许可")]
    items += [license_(n, dept, kind) for n, (dept, kind) in enumerate(theme_types, start=1)]
    items += [penalty(1), penalty(2, fine=5, content="罚款5万元"), penalty(3, categories=["罚款"])]
    items.append(penalty(4, procedure="简易程序", categories=["警告"], fine=None, content="警告"))  # never published
    items.append(penalty(5, decision_date="2019-08-01"))  # its publicity ended in 2020
    items.append({**penalty(6), "party_name": "李四", "party_type": "自然人", "credit_code": None,
                  "legal_representative": None, "person_id_type": "身份证", "person_id_number": ID_NUMBER})
    items.append({"kind": "commitment", **party(3), "document_number": "承诺〔2025〕1号", "commitment_type": "告知承诺",
                  "matter": "食品经营许可告知承诺", "content": "本单位承诺所填报信息真实有效。", "commitment_date": "2025-05-01",
                  "fulfilment": "履约中", "authority": DEPT_NAMES[SCJG], "authority_code": SCJG, "source_unit_code": SCJG})
    for n, doc in ((4, "异常〔2025〕1号"), (5, "异常〔2025〕2号")):
        items.append({"kind": "anomaly_listing", **party(n), "document_number": doc, "cause": "未按规定期限公示年度报告",
                      "decision_date": "2025-07-01", "authority": DEPT_NAMES[SCJG], "authority_code": SCJG,
                      "source_unit_code": SCJG})
    items.append({"kind": "anomaly_removal", "credit_code": code(5), "listing_document_number": "异常〔2025〕2号",
                  "document_number": "移出〔2025〕1号", "cause": "已补报年度报告", "decision_date": "2025-09-01",
                  "authority": DEPT_NAMES[SCJG], "authority_code": SCJG, "source_unit_code": SCJG})
    items.append({"kind": "dishonesty_listing", **party(6), "list_type": "社会保险严重失信", "document_number": "人社失信〔2025〕1号",
                  "cause": "拒不缴纳社会保险费", "decision_date": "2025-04-01", "authority": DEPT_NAMES[RSJ],
                  "authority_code": RSJ, "source_unit_code": RSJ})
    items.append({"kind": "dishonesty_listing", **party(7), "list_type": "严重违法失信", "document_number": "市监失信〔2025〕1号",
                  "cause": "提交虚假材料取得登记", "decision_date": "2025-02-01", "authority": DEPT_NAMES[SCJG],
                  "authority_code": SCJG, "source_unit_code": SCJG})
    items.append({"kind": "red_list", **party(8), "list_type": "纳税信用A级纳税人", "document_number": "税A〔2025〕1号",
                  "honour": "2024年度纳税信用A级纳税人", "decision_date": "2025-04-15", "valid_to": "2099-12-31",
                  "authority": DEPT_NAMES[SW], "authority_code": SW, "source_unit_code": SW})
    items.append({"kind": "credit_agency", **party(9), "document_number": "本发改信备〔2025〕1号", "agency_type": "信用评级机构",
                  "regulator": "本溪市发展和改革委员会", "status": "正常经营", "practitioners": ["张三（评级项目负责人）"],
                  "practitioner_id_numbers": [ID_NUMBER], "decision_date": "2025-03-01", "authority": "本溪市发展和改革委员会",
                  "authority_code": FGW, "source_unit_code": FGW})
    return items


def load_sample(platform: Any) -> int:
    """Submit the sample, withdraw one penalty, and return the log position."""
    result = platform.records.submit(sample_items(), department=None, submitter="test")
    rejected = [i.as_dict() for i in result.items if i.status == "rejected"]
    assert not rejected, rejected
    withdrawn = platform.records.submit([{"kind": "penalty", "action": "withdraw", "reason": "决定被撤销", "authority_code": SCJG,
                                  "document_number": "本市监罚〔2025〕3号", "source_unit_code": SCJG}],
                                department=None, submitter="test")
    platform.annual_reports.file(Filing("test", PAPER, department=SCJG), annual_report(1), filed_on="2026-03-02")
    product_test(platform)
    contributions(platform)
    financing(platform)
    complaints(platform)
    online_presences(platform)
    investment_project(platform)
    platform.documents.save(SCJG, "contract", "online-retail", "网络零售合同（示范文本）",
                            "## 第一条\n\n卖方如实描述商品。", "", platform.clock(), "test")
    return spot_check(platform)


def financing(platform: Any) -> None:
    """A lender's product and entity 1's application for it, granted (the financing-statistics dataset)."""
    from projections.public import Moment
    from tests.lending_support import BANK, PRODUCT

    platform.lending.register(BANK, "本溪银行股份有限公司", "bank", platform.clock(), "test")
    product, _, _ = platform.lending.publish(BANK, {**PRODUCT, "eligibility": {}}, platform.clock(), "test")
    application, _, _ = platform.lending.apply(code(1), {"product_id": product, "amount": 20, "term_months": 12},
                                               Moment.now(platform.clock()), "test")
    platform.lending.decide(BANK, application, "granted", 20, "", platform.clock(), "test")


def complaints(platform: Any) -> None:
    """A complaint about entity 1, concluded as substantiated on time, and an anonymous report still open
    (the complaint-statistics dataset); the contact and the facts carry the traps and must never be counted out."""
    today, reviewer = platform.clock(), Actor.reviewer("test", SCJG)
    number, _, _ = platform.complaints.file({
        "kind": "complaint", "category": "product_quality", "subject_key": code(1),
        "facts": f"购买的水泥强度不达标，投诉人身份证号{ID_NUMBER}。", "contact": {"name": "张三", "phone": PHONE}},
        [], "test", today)
    for step in ("acknowledge", "accept"):
        platform.cases.step(reviewer, number, step, "", today, "complaint")
    platform.complaints.conclude(reviewer, number, "substantiated", f"已责令退货，回访电话{PHONE}", today)
    platform.complaints.file({"kind": "report", "category": "product_quality", "subject_key": code(2),
                              "facts": "该企业销售无合格证的电线。"}, [], "test", today)


def investment_project(platform: Any) -> None:
    """Entity 1's filing-type project, accepted and approved (the investment-projects dataset)."""
    number, _ = platform.projects.submit(code(1), {"name": "测试1号仓储物流中心项目", "project_type": "filing",
                                                   "industry": "manufacturing", "district": DISTRICTS[1],
                                                   "amount": 800}, platform.clock(), "test")
    platform.projects.accept(Actor.reviewer("test", platform.projects.window), number, platform.clock())
    [(department,)] = platform.views_db.execute("SELECT department FROM v_project_items WHERE number = ?", (number,))
    platform.projects.opine(Actor.reviewer("test", department), number, "environment", "approve", "", platform.clock())


def online_presences(platform: Any) -> None:
    """Entity 1's shop, declared and listed (confirmed, with a mark), and an exempt individual's shop."""
    from domain import online

    shop = {"type": "platform_shop", "platform": online.rules()["platforms"][0]["key"], "shop_id": "t-1",
            "name": "测试1号旗舰店"}
    today = platform.clock()
    platform.online.declare(code(1), shop, today, "test")
    platform.online.submit_list(online.rules()["platforms"][0]["operator_code"], [
        {**shop, "credit_code": code(1)}, {**shop, "shop_id": "t-2", "name": "农家手工坊", "exempt": "own_produce"}],
        today, "test")


def product_test(platform: Any) -> None:
    """A batch of entity 1's that fails a test, the test's note carrying both traps."""
    regulator = TraceActor("test", department=SCJG, department_key="SCJG")
    batch = platform.trace.register(regulator, {
        "registrant": code(1), "batch_number": "S-1", "product_name": "冷鲜猪肉", "category": "meat",
        "origin": {"place": "辽宁省本溪市桓仁满族自治县"}, "produced_on": "2026-03-01", "quantity": 100, "unit": "kg",
        "shelf_life_days": 7})
    platform.trace.record(regulator, batch.batch.code, {"step": "tested", "result": "fail", "items": ["莱克多巴胺"],
                                                        "report_number": "BX-JC-S1",
                                                        "note": f"送检人电话{PHONE}，身份证号{ID_NUMBER}"})


CONTRIBUTOR = "51210500MJY826692H"  # an industry association


def contributions(platform: Any) -> None:
    """An association's two reports: one confirmed (its facts carry a phone trap), one refused (never in a dataset)."""
    platform.contributions.register(CONTRIBUTOR, "本溪市建材行业协会", "association", platform.clock(), "test")
    who, today = Actor.contributor_of(CONTRIBUTOR), platform.clock()
    reviewer = Actor.reviewer("test", SCJG)
    for n, fate in ((10, "confirm"), (11, "refuse")):
        number, _ = platform.contributions.report(who, {
            "credit_code": code(n), "category": "product_quality", "happened_on": "2026-10-12",
            "summary": f"协会抽检发现该企业销售不合格钢筋，举报人电话{PHONE}。",
            "source": {"type": "association_decision", "title": f"本建协〔2026〕{n}号"}}, [], today)
        if fate == "confirm":
            platform.contributions.confirm(reviewer, number, "经抽检属实", today)
        else:
            platform.cases.step(reviewer, number, "refuse", "抽检合格，报送不实", today, "contribution")


def spot_check(platform: Any) -> int:
    """A draw by the market regulator and the first drawn entity's result, its note carrying both traps."""
    inspector = Caller("test", "submitter", SCJG)
    drawn = platform.supervision.draw(inspector, "sample", Moment.now(platform.clock()))
    first = drawn["entities"][0]
    note = f"住所无人，联系电话{PHONE}，经营者身份证号{ID_NUMBER}"
    return platform.supervision.record_results(inspector, UUID(drawn["draw_id"]), [
        {"credit_code": first["credit_code"], "outcome": "unreachable", "inspected_on": drawn["drawn_on"],
         "note": note}])


def annual_report(n: int) -> dict[str, Any]:
    """Entity n's 2025 report: its phone and a shareholder's ID number are traps, and it publishes only revenue."""
    return {"year": 2025, "credit_code": code(n), "name": f"本溪市测试企业{n}有限公司", "address": "本溪市平山区",
            "postal_code": "117000", "phone": PHONE, "business_status": "开业", "employees": 9, "has_website": False,
            "contributions": [{"shareholder": "张三", "id_number": ID_NUMBER, "subscribed": 50, "paid_in": 50}],
            "financials": {"revenue": 120, "net_profit": 7}, "public_items": ["revenue"]}


serve = live_server  # the one live-server helper, in tests/portal.py


#: How many datasets the platform defines (publishing/datasets/), and how many are in the credit group: every
#: catalog answer must list them all.
DATASET_COUNT = len(definitions.datasets())
CREDIT_COUNT = sum(1 for d in definitions.datasets() if "credit" in d.groups)
