"""Credit information from society for the demo: five registered contributors, one of each type, and their
reports about about 1 in 25 companies over the last months; most verified (confirmed or refused), some pending.

Deterministic from the seed. Some reports quote a phone number in their facts: the public record scrubs it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from domain.codes import make_credit_code
from domain.workdays import calendar
from gongshi.demo.common import END_ISO

SHARE = 1 / 25
#: (credit code, name, type, the categories it reports on, its source type)
CONTRIBUTORS = (
    (make_credit_code("91", "210502", "MA0QX001"), "辽宁本溪征信服务有限公司", "credit_reporting",
     ("contract_fraud", "tax", "wage_arrears"), "credit_report"),
    (make_credit_code("91", "210500", "MA0QX002"), "本溪优选网络科技有限公司", "internet",
     ("online_fraud", "false_advertising", "food_safety"), "platform_record"),
    (make_credit_code("51", "210500", "MJ0QX003"), "本溪市建材行业协会", "association",
     ("product_quality", "construction"), "association_decision"),
    (make_credit_code("12", "210500", "MB0QX004"), "本溪日报社", "media",
     ("food_safety", "environment", "work_safety", "tourism"), "news_report"),
    (make_credit_code("12", "210500", "MB0QX005"), "本溪市营商环境研究中心", "research",
     ("wage_arrears", "transport"), "research_finding"),
)
_FACTS = {
    "contract_fraud": "该公司在{y}年多次签订供货合同后收取预付款不履约，涉及客户{n}家。",
    "tax": "该公司长期以个人账户收取货款，未开具发票。",
    "wage_arrears": "该公司拖欠{n}名员工{m}个月工资，员工多次集体讨薪。",
    "online_fraud": "该店铺在平台组织刷单{n}百单，虚构销量和好评。",
    "false_advertising": "该商家在平台宣称产品“国家专利、治愈率99%”，无任何依据。",
    "food_safety": "消费者反映在该店购买的熟食变质，平台抽检菌落总数超标。",
    "product_quality": "会员单位反映该公司供应的{g}经第三方检测不合格，协会已作出行业自律处分。",
    "construction": "该公司在承建项目中将主体工程违法分包，协会已通报批评。",
    "environment": "记者暗访发现该厂夜间通过暗管排放生产废水，附近居民投诉电话{p}。",
    "work_safety": "记者调查发现该企业有限空间作业未配备防护设备，已发生工人受伤事故。",
    "tourism": "游客向本报反映该旅行社低价揽客后强制购物。",
    "transport": "调研发现该公司货车长期超限超载运输。",
}
_GOODS = ("螺纹钢", "水泥", "预拌混凝土", "防水卷材", "电线电缆")


@dataclass
class DemoContribution:
    contributor: str
    on: str
    report: dict[str, Any]
    decision: tuple[str, str, str] | None  # (confirm or refuse, day, note or reason)


def generate_contributions(entities: Iterable[dict[str, Any]], seed: int,
                           end: str = END_ISO) -> Iterator[DemoContribution]:
    end_day, cal = dt.date.fromisoformat(end), calendar()
    for ent in entities:
        code = ent.get("credit_code")
        if not code or not code.startswith("91"):
            continue
        rng = random.Random(int(hashlib.sha256(f"contributions/{seed}/{code}".encode()).hexdigest()[:16], 16))
        if rng.random() >= SHARE:
            continue
        contributor, _, _, topics, source_type = rng.choice(CONTRIBUTORS)
        category = rng.choice(topics)
        on = end_day - dt.timedelta(days=rng.randint(2, 240))
        happened = on - dt.timedelta(days=rng.randint(5, 90))
        summary = _FACTS[category].format(y=happened.year, n=rng.randint(3, 40), m=rng.randint(2, 6),
                                          g=rng.choice(_GOODS), p=f"138{rng.randint(10000000, 99999999)}")
        if rng.random() < 0.5:
            summary += f"（线索提供人联系电话{rng.randint(13000000000, 13999999999)}）"
        number = rng.randint(1, 999)
        report = {"credit_code": code, "category": category, "summary": summary, "happened_on": happened.isoformat(),
                  "source": {"type": source_type, "title": f"{source_type}-{happened.year}-{number:03d}",
                             "published_on": (happened + dt.timedelta(days=rng.randint(1, 4))).isoformat()}}
        if source_type == "news_report":
            report["source"]["url"] = f"https://www.bxrb.example/news/{happened:%Y%m%d}/{number}.html"
        fate = rng.random()
        decided = min(cal.add_working_days(on, rng.randint(2, 17)), end_day)
        if fate < 0.15 or decided <= on:
            decision = None  # still with the department (perhaps overdue)
        elif fate < 0.4:
            decision = ("refuse", decided.isoformat(), "经现场核查，反映情况与事实不符")
        else:
            decision = ("confirm", decided.isoformat(), "经调取执法记录和现场核查，情况属实")
        yield DemoContribution(contributor, on.isoformat(), report, decision)
