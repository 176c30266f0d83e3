"""Complaints and reports for the demo: about 1 in 30 companies, filed over the last months, most handled.

Deterministic from the seed. Each yields its filing day, the filing, and the steps the handling
department took (with their days), some transferred, some extended, some still open or overdue.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from domain.complaints import categories
from domain.workdays import calendar
from gongshi.demo.common import END_ISO

SHARE = 1 / 30
_FACTS = {
    "product_quality": "购买的{x}存在质量问题，商家拒绝退换。", "food_safety": "在该店购买的{x}已过保质期。",
    "online_trade": "网购{x}后商家不发货也不退款。", "unlicensed": "该主体在住所以外另设经营场所，未办理登记。",
    "road_transport": "该公司车辆多次超载运输。", "tourism": "报名的旅游团擅自增加购物点。",
    "wages_social_insurance": "公司拖欠员工{m}个月工资，未缴纳社会保险。", "environment": "厂区夜间排放刺鼻气体。",
    "tax": "该公司销售不开具发票。", "credit_service": "该机构承诺“花钱删除失信记录”，收费后未提供任何服务。",
}
_GOODS = ("水泥", "钢材", "瓷砖", "食用油", "大米", "电动车", "空调", "奶粉")
_SURNAMES = "王李张刘陈杨赵黄周吴"


@dataclass
class DemoComplaint:
    on: str
    filing: dict[str, Any]
    steps: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (step, day, body)


def generate_complaints(entities: Iterable[dict[str, Any]], seed: int, end: str = END_ISO) -> Iterator[DemoComplaint]:
    end_day = dt.date.fromisoformat(end)
    cal = calendar()
    for ent in entities:
        code = ent.get("credit_code")
        if not code or not code.startswith("91"):
            continue
        rng = random.Random(int(hashlib.sha256(f"complaints/{seed}/{code}".encode()).hexdigest()[:16], 16))
        if rng.random() >= SHARE:
            continue
        category = rng.choice([c for c in categories() if c != "credit_service"])
        report = rng.random() < 0.4
        facts = _FACTS[category].format(x=rng.choice(_GOODS), m=rng.randint(2, 6))
        on = end_day - dt.timedelta(days=rng.randint(3, 200))
        contact = None if report and rng.random() < 0.6 else {
            "name": rng.choice(_SURNAMES) + rng.choice(("先生", "女士")), "phone": f"139{rng.randint(10000000, 99999999)}"}
        filing = {"kind": "report" if report else "complaint", "category": category, "subject_key": code,
                  "facts": facts, "contact": contact, "anonymous": contact is None}
        demo = DemoComplaint(on.isoformat(), filing)
        day = on

        def later(working_days: int, since: dt.date) -> dt.date:
            return min(cal.add_working_days(since, working_days), end_day)

        progress = rng.random()
        if progress < 0.1:
            yield demo  # not yet acknowledged (and perhaps overdue)
            continue
        day = later(rng.randint(1, 6), day)
        if rng.random() < 0.1:
            demo.steps.append(("transfer", day.isoformat(), {"to": "JTYS", "reason": "经核实属于其他部门职责，转办"}))
            day = later(rng.randint(1, 3), day)
        demo.steps.append(("acknowledge", day.isoformat(), {}))
        if progress < 0.2:
            yield demo
            continue
        day = later(rng.randint(1, 12), day)
        if rng.random() < 0.12:
            demo.steps.append(("refuse", day.isoformat(), {"reason": "不属于本部门受理范围且无法确定办理部门，已告知投诉人"}))
            yield demo
            continue
        demo.steps.append(("accept", day.isoformat(), {}))
        if progress < 0.35:
            yield demo
            continue
        if rng.random() < 0.15:
            day = later(rng.randint(40, 58), day)
            demo.steps.append(("extend", day.isoformat(), {"reason": "需要委托检测，延长办理期限"}))
        day = later(rng.randint(5, 55), day)
        outcome = rng.choice(("substantiated", "substantiated", "partly", "unsubstantiated", "mediated"))
        demo.steps.append(("conclude", day.isoformat(), {"outcome": outcome, "reason": "经调查核实，已依法处理并答复"}))
        yield demo
