"""Annual reports for the demo's entities: most on time, some late (补报), some missing, a few revised.

Deterministic from the seed and each entity's credit code. Years: the last three whose
filing window has closed by the demo's end date (END_ISO), for entities established before
the year ended and not deregistered. Shares (of entity-years): 86% on time, 6% late, 8% not
filed, so that the deadline job has entities to list for 未按规定报送年度报告; 10% of the
filed reports are revised within their window.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.annual_reports import Window, form_for
from gongshi.demo.common import END_ISO

ON_TIME, LATE = 0.86, 0.06
REVISED = 0.10
_SHOPS = ("淘宝", "京东", "拼多多", "抖音", "1688")


@dataclass(frozen=True)
class DemoReport:
    report: dict[str, Any]
    filed_on: str
    revision: dict[str, Any] | None = None
    revised_on: str | None = None


def report_years(end: dt.date) -> list[int]:
    last = end.year - 1 if end > Window.of(end.year - 1).closes else end.year - 2
    return [last - 2, last - 1, last]


def generate_reports(entities: Iterable[dict[str, Any]], seed: int, end: str = END_ISO) -> Iterator[DemoReport]:
    """One DemoReport per entity and year that files (in entity order, then year)."""
    end_day = dt.date.fromisoformat(end)
    for ent in entities:
        code = ent.get("credit_code")
        if not code or code.startswith("00") or ent.get("status") == "注销" or not code[:2] in ("91", "92", "93"):
            continue
        rng = random.Random(int(hashlib.sha256(f"{seed}/{code}".encode()).hexdigest()[:16], 16))
        established = dt.date.fromisoformat(ent.get("established") or "2000-01-01")
        for year in report_years(end_day):
            if established.year > year:
                continue
            u = rng.random()
            if u >= ON_TIME + LATE:
                continue  # not filed: the deadline job lists it
            window = Window.of(year)
            if u < ON_TIME:
                day = window.opens + dt.timedelta(days=int(rng.triangular(5, 180, 150)))
            else:
                day = window.closes + dt.timedelta(days=rng.randint(20, 200))
            day = min(day, end_day)
            report = _report(rng, ent, code, year)
            revision = revised_on = None
            if u < ON_TIME and rng.random() < REVISED:
                later = day + dt.timedelta(days=rng.randint(1, 30))
                if later <= window.closes and later <= end_day:
                    revision = {**report, "employees": report.get("employees", 0) + rng.randint(1, 3)}
                    if "members" in report:
                        revision = {**report, "members": report["members"] + 1}
                    revised_on = later.isoformat()
            yield DemoReport(report, day.isoformat(), revision, revised_on)


def _money(rng: random.Random, lo: float, hi: float) -> Decimal:
    return Decimal(str(round(rng.uniform(lo, hi), 2)))


def _report(rng: random.Random, ent: dict[str, Any], code: str, year: int) -> dict[str, Any]:
    form = form_for(code)
    phone = ent.get("phone") or f"024-4{rng.randint(1000000, 9999999)}"
    shops = [{"kind": "网店", "platform": rng.choice(_SHOPS), "name": f"{ent['name'][:20]}网店",
              "url": f"https://shop{rng.randint(10000, 99999)}.example.cn"}] if rng.random() < 0.15 else []
    base = {"year": year, "credit_code": code, "name": ent["name"], "phone": phone, "has_website": bool(shops)}
    if shops:
        base["online_shops"] = shops
    if form == "individual":
        revenue = _money(rng, 5, 120)
        return {**base, "operator": ent.get("legal_representative") or "经营者", "employees": rng.randint(1, 6),
                "financials": {"revenue": revenue, "tax_paid": _money(rng, 0, float(revenue) * 0.03)},
                "public_items": ["revenue"] if rng.random() < 0.5 else []}
    if form == "cooperative":
        revenue = _money(rng, 10, 600)
        return {**base, "address": ent.get("address") or "本溪市", "members": rng.randint(5, 150),
                "financials": {"revenue": revenue, "surplus": _money(rng, -10, float(revenue) * 0.2),
                               "tax_paid": _money(rng, 0, 5), "subsidies": _money(rng, 0, 30)},
                "public_items": ["revenue", "subsidies"] if rng.random() < 0.4 else []}
    capital = Decimal(str(ent.get("registered_capital") or 100))
    employees = rng.randint(3, 300)
    revenue = _money(rng, 50, 20000)
    assets = _money(rng, float(capital), float(capital) * 8 + 100)
    liabilities = _money(rng, 0, float(assets) * 0.8)
    profit = _money(rng, -float(revenue) * 0.05, float(revenue) * 0.12)
    paid_share = Decimal(str(rng.choice((1, 1, 1, 0.5, 0.2, 0))))
    rep = ent.get("legal_representative") or "股东"
    contributions = [{"shareholder": rep, "id_number": ent.get("legal_representative_id_number"),
                      "subscribed": capital, "subscribed_on": ent.get("established"), "subscribed_form": "货币",
                      "paid_in": (capital * paid_share).quantize(Decimal("0.01")), "paid_in_form": "货币"}]
    contributions = [{k: v for k, v in c.items() if v is not None} for c in contributions]
    insured = max(0, employees - rng.randint(0, 5))
    chosen = rng.choice((["revenue", "tax_paid", "employees"], ["employees"], [], ["revenue", "total_assets",
                                                                                   "net_profit", "employees"]))
    return {**base, "address": ent.get("address") or "本溪市", "postal_code": "117000",
            "business_status": "开业", "employees": employees, "contributions": contributions,
            "financials": {"total_assets": assets, "total_liabilities": liabilities, "revenue": revenue,
                           "main_revenue": (revenue * Decimal("0.9")).quantize(Decimal("0.01")),
                           "total_profit": profit, "net_profit": (profit * Decimal("0.75")).quantize(Decimal("0.01")),
                           "tax_paid": _money(rng, 0, float(revenue) * 0.05), "owners_equity": assets - liabilities},
            "social_insurance": {k: insured for k in ("pension", "unemployment", "medical", "injury", "maternity")},
            "public_items": chosen}
