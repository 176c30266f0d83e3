"""Traceability chains for the demo: meat, vegetables and agricultural products of Benxi's counties, from the
farm or plant through wholesalers to supermarkets, markets and restaurants; deterministic from the seed.

The demo's entities play the parts their business scope gives them (food plants register and
process, trading and supply-chain firms wholesale, supermarkets and restaurants sell); each
chain is a list of commands (`Command`) the loader sends through the traceability service as
the entity (or the testing department) would. The first meat chain fails a residue test and is
recalled; some batches pass a market test. A chain is 3 to 10 steps.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from domain import trace
from gongshi.demo.common import END

#: (category, product, unit, shelf life days, quantity range, origins)
PRODUCTS = (
    ("meat", "冷鲜猪肉（白条）", "kg", 7, (800, 3000), ("桓仁满族自治县向阳乡", "本溪满族自治县小市镇", "本溪满族自治县碱厂镇")),
    ("meat", "冷鲜牛肉（分割）", "kg", 7, (300, 1200), ("桓仁满族自治县普乐堡镇", "本溪满族自治县草河口镇")),
    ("meat", "鲜鸡分割品", "kg", 5, (500, 2000), ("本溪满族自治县南甸镇", "南芬区思山岭街道")),
    ("vegetable", "大白菜", "kg", 20, (2000, 8000), ("本溪满族自治县东营坊乡", "桓仁满族自治县华来镇")),
    ("vegetable", "黄瓜", "kg", 10, (500, 2500), ("明山区高台子街道", "溪湖区石桥子街道")),
    ("vegetable", "番茄", "kg", 12, (500, 2500), ("平山区桥头镇", "本溪满族自治县观音阁街道")),
    ("agricultural", "鲜鸡蛋", "box", 30, (200, 900), ("本溪满族自治县田师付镇", "桓仁满族自治县二棚甸子镇")),
    ("agricultural", "桓仁大米", "bag", 365, (300, 1500), ("桓仁满族自治县雅河乡", "桓仁满族自治县五里甸子镇")),
    ("geographical_indication", "桓仁山参", "piece", None, (40, 200), ("桓仁满族自治县沙尖子镇",)),
    ("geographical_indication", "本溪辽细辛", "kg", None, (100, 600), ("本溪满族自治县草河城镇",)),
)
SITES = ("农民专业合作社基地", "生态养殖场", "标准化种植基地", "定点屠宰场", "林下参种植园")
FAIL_ITEMS = {"meat": ["莱克多巴胺"], "vegetable": ["腐霉利"], "agricultural": ["恩诺沙星"],
              "geographical_indication": ["二氧化硫残留量"]}
LABS = ("本溪市检验检测认证中心", "辽宁省农产品质量安全中心本溪工作站")


@dataclass
class Command:
    """One command of a chain: `register` a batch, or `record` a step on the batch registered `target` steps ago."""

    action: str  # register | record
    actor: str  # the entity's credit code, or "dept:SCJG" / "dept:NYNC"
    body: dict[str, Any]
    batch: int = 0  # register: the chain's batch index it creates; record: the batch acted on
    creates: list[int] = field(default_factory=list)  # split: the batch indexes of the sub-batches


@dataclass
class DemoChain:
    category: str
    product: str
    commands: list[Command]
    recalled: bool = False


def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _roles(entities: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {"producer": [], "wholesaler": [], "retailer": []}
    for e in entities:
        scope, code = e.get("business_scope") or "", e["credit_code"]
        if e.get("status") not in (None, "存续", "在业", "开业"):
            continue
        if "食品生产" in scope or "农副产品" in scope:
            roles["producer"].append(code)
        elif "供应链" in scope or "预包装食品销售" in scope or "商贸" in (e.get("name") or ""):
            roles["wholesaler"].append(code)
        elif "食品销售" in scope or "餐饮服务" in scope:
            roles["retailer"].append(code)
    return roles


def chain_count(entities: int) -> int:
    return max(6, min(60, entities // 40))


def generate_chains(entities: Iterable[dict[str, Any]], seed: int, count: int | None = None) -> Iterator[DemoChain]:
    """The demo's chains (none when the entities have no food plant, wholesaler and shop to play the parts)."""
    pool = list(entities)
    roles = _roles(pool)
    if not all(roles.values()):
        return
    rng = random.Random(f"trace/{seed}")
    for n in range(count if count is not None else chain_count(len(pool))):
        category, product, unit, shelf, (low, high), places = PRODUCTS[n % len(PRODUCTS)]
        yield _chain(rng, n, roles, category, product, unit, shelf, rng.randint(low, high), rng.choice(places),
                     recalled=n == 0)


def _chain(rng: random.Random, n: int, roles: dict[str, list[str]], category: str, product: str, unit: str,  # noqa: PLR0913
           shelf: int | None, quantity: int, place: str, recalled: bool) -> DemoChain:
    producer, wholesaler = rng.choice(roles["producer"]), rng.choice(roles["wholesaler"])
    retailers = rng.sample(roles["retailer"], min(len(roles["retailer"]), rng.randint(2, 3)))
    produced = END - rng.randint(8, 40) if not recalled else END - 12
    origin = {"place": f"辽宁省本溪市{place}", "site": f"{place[-3:]}{rng.choice(SITES)}"}
    if category == "meat":
        origin["quarantine_certificate"] = f"21050{rng.randint(10000000000, 99999999999)}"
    else:
        origin["inspection_certificate"] = f"BXHG-{2026}-{rng.randint(1000, 9999)}"
    batch = {"registrant": producer, "batch_number": f"P{_day(produced).replace('-', '')}-{n:03d}",
             "product_name": product, "category": category, "origin": origin, "produced_on": _day(produced),
             "quantity": quantity, "unit": unit, "on": _day(produced)}
    if shelf:
        batch["shelf_life_days"] = shelf
    commands = [Command("register", producer, batch, 0)]
    day = produced + 1
    shipped = quantity * rng.randint(60, 90) // 100
    commands.append(Command("record", producer, {"step": "shipped", "to": wholesaler, "quantity": shipped,
                                                  "on": _day(day), "place": f"本溪市{place[:6]}"}, 0))
    commands.append(Command("record", wholesaler, {"step": "received", "on": _day(day)}, 0))
    if rng.random() < 0.35 or recalled:
        regulator = "dept:NYNC" if category in ("vegetable", "agricultural") else "dept:SCJG"  # both may test
        result = "fail" if recalled else "pass"
        test = {"step": "tested", "result": result, "report_number": f"BX-JC-2026-{1000 + n}", "on": _day(day + 1),
                "laboratory": rng.choice(LABS)}
        if recalled:
            test["items"] = FAIL_ITEMS[category]
        commands.append(Command("record", regulator, test, 0))
    parts = [shipped // len(retailers)] * len(retailers)
    parts[0] += shipped - sum(parts)
    children = list(range(1, len(retailers) + 1))
    commands.append(Command("record", wholesaler, {"step": "split", "on": _day(day + 1),
                                                   "children": [{"quantity": q} for q in parts]}, 0, children))
    for child, retailer, part in zip(children, retailers, parts, strict=True):
        ship_on = day + 1 + rng.randint(0, 2)
        commands.append(Command("record", wholesaler, {"step": "shipped", "to": retailer, "quantity": part,
                                                       "on": _day(ship_on)}, child))
        commands.append(Command("record", retailer, {"step": "received", "on": _day(ship_on)}, child))
        if not recalled:
            sold = part * rng.randint(50, 100) // 100
            if sold:
                commands.append(Command("record", retailer, {"step": "sold", "quantity": sold,
                                                             "on": _day(min(END, ship_on + rng.randint(1, 5)))}, child))
    if recalled:
        commands.append(Command("record", f"dept:{trace.category(category)['regulator']}", {
            "step": "recalled", "document_number": f"本市监食召〔2026〕{n + 1}号", "on": _day(day + 5),
            "reason": f"抽检发现{'、'.join(FAIL_ITEMS[category])}超标，责令生产者召回该批次及其分装批次"}, 0))
        first = children[0]
        commands.append(Command("record", retailers[0], {"step": "returned", "to": wholesaler, "quantity": parts[0],
                                                         "on": _day(day + 6), "note": "召回退货"}, first))
        commands.append(Command("record", wholesaler, {"step": "received", "on": _day(day + 7)}, first))
        commands.append(Command("record", wholesaler, {"step": "destroyed", "quantity": parts[0], "on": _day(day + 8),
                                                       "note": "在市场监管部门监督下无害化处理"}, first))
    return DemoChain(category, product, commands, recalled)
