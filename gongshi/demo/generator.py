"""Deterministic synthetic submissions behind `gongshi demo [--entities N] [--seed S]`.

`generate` streams submission items: entities of every category registered in Benxi,
then the licenses, penalties, commitments, list decisions, corrections and withdrawals
about them, plus some parties without a registration here (natural persons, individual
businesses with the placeholder code, companies registered in other cities). Entities
are produced in blocks of `_BLOCK`; each block's items are sorted by date, so every
item comes after what it depends on (registration, listing, corrected record).
Only a seeded random.Random is used: same (entities, seed), same items, everywhere.
"""
from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from itertools import accumulate
from typing import Any, Iterator

from domain.codes import INDIVIDUAL_PLACEHOLDER
from schemas import kind_schema

from . import penalties as P
from . import templates as T
from . import vocab as V
from .agencies import agency_count, credit_agencies
from .common import END, START, add_years, department_name, iso_table, source_department
from .parties import Identities, Party
from .records import PEN_CATS, Records

DEFAULT_ENTITIES = 2000
DEFAULT_SEED = 20261125
_BLOCK = 128


def _D(y: int, m: int = 1, d: int = 1) -> int:
    return dt.date(y, m, d).toordinal()


_Y2016 = _D(2016)
_CITY_DIVS = ("210502", "210503", "210504", "210505")
_SOLE_OK = frozenset(("建材", "商贸", "食品", "物流", "科技", "文化传媒", "物业", "农业科技", "机械", "进出口"))
_SOLE_TRADES = tuple(sorted(_SOLE_OK))
_SALES = frozenset(("建材", "商贸", "食品", "农业科技", "进出口"))
_CATEGORIES = (("91", 58), ("92", 24), ("93", 7), ("51", 4), ("52", 5), ("53", 2))
_ORG, _IND = "法人及非法人组织", "个体工商户"
_ENTERPRISE_LICENSES = (("开票限额", .55), ("特种设备使用登记", .35), ("消防安全检查", .15))
_MULTI = frozenset(("特种设备使用登记", "食品经营许可", "商品房预售许可", "企业投资项目核准", "道路运输经营许可", "排污许可"))
_IND_COMMON = ("tax_late", "tax_invoice", "fire_exit", "labor_wage")
_GENERAL_DIS = (("失信被执行人", 3), ("重大税收违法失信", 2), ("统计严重失信", 1), ("社会保险严重失信", 1),
                ("政府采购严重违法失信", 1), ("严重违法失信", 1))
_ANOMALY = (("未按规定期限公示年度报告", 50), ("未在责令的期限内公示有关企业信息", 12),
            ("公示企业信息隐瞒真实情况、弄虚作假", 12), ("通过登记的住所或者经营场所无法联系", 26))


def _cum(pairs) -> tuple[tuple, tuple]:
    pairs = tuple(pairs)
    return tuple(k for k, _ in pairs), tuple(accumulate(w for _, w in pairs))


def department_of(item: dict[str, Any]) -> str:
    """The code of the department that submits `item` (its source unit; for a withdrawal, its authority)."""
    if item.get("action") == "withdraw":
        return item["authority_code"]
    return item["source_unit_code"]


def generate(entities: int = DEFAULT_ENTITIES, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """Stream about 10 submission items per entity, deterministically from (entities, seed)."""
    if entities < 0:
        raise ValueError("entities must not be negative")
    return _stream(entities, seed)


def _stream(entities: int, seed: int) -> Iterator[dict[str, Any]]:
    gen = _Generator(seed)
    done, ordinary = 0, entities - agency_count(entities)
    yield from credit_agencies(entities, seed)  # first: a lazily read stream meets every kind early
    while done < ordinary:
        n = min(_BLOCK, ordinary - done)
        done += n
        buf: list[tuple[int, int, dict]] = []
        for _ in range(n):
            gen.entity(buf)
        buf.sort()  # (date, sequence): sequence numbers are unique, dicts are never compared
        for _, _, item in buf:
            yield item


class _Generator(Identities, Records):
    def __init__(self, seed: int):
        # Only Random.random() is used (its algorithm is fixed across Python versions); the
        # integer helpers are derived from it, which is also several times faster than randint.
        r = self.r = random.Random(seed).random
        self.ri = lambda a, b: a + int(r() * (b - a + 1))
        self.ch = lambda seq: seq[int(r() * len(seq))]
        self.rr = lambda n: int(r() * n)
        self._iso = iso_table()
        self.counters: dict[tuple, int] = {}
        self.seq = self.code_n = self.person_n = self.anomaly_n = 0
        self.names: set[int] = set()  # CRC-32 of names in use (a collision only costs a retry)
        self.regno_n: dict[str, int] = {}
        self.off = (self.rr(10 ** 8), self.rr(31 ** 6), self.rr(31 ** 6))
        enum = kind_schema("penalty")["properties"]["categories"]["items"]["enum"]
        reach = {c for k, t in P.PENALTIES.items() if "O" in t[6] or "I" in t[6] for cs in PEN_CATS[k] for c in cs}
        self.unseen = {c for c in enum if c in reach}  # categories not yet produced: preferred once
        self.cats = _cum(_CATEGORIES)
        self.divs = _cum((d, v[2]) for d, v in V.DISTRICTS.items())
        self.trades = _cum((k, t["w"]) for k, t in V.TRADES.items())
        self.suffixes = _cum(((s, e), w) for s, e, w in V.ENTERPRISE_SUFFIXES)
        self.common = _cum(P.COMMON_PENALTIES)
        self.anomalies = _cum(_ANOMALY)
        self.general_dis = _cum(_GENERAL_DIS)
        self.covered: dict[str, int] = {}

    def pick(self, table: tuple[tuple, tuple]):
        keys, cum = table
        return keys[bisect(cum, self.r() * cum[-1])]

    def cover(self, name: str):
        """Like pick, but the first draws from a table go through all its keys in order (small runs see all)."""
        table = getattr(self, name)
        n = self.covered.get(name, 0)
        if n < len(table[0]):
            self.covered[name] = n + 1
            return table[0][n]
        return self.pick(table)

    def emit(self, out: list, o: int, item: dict) -> None:
        self.seq += 1
        out.append((o, self.seq, item))

    def date(self, lo: int) -> int:
        return lo + int((END - lo) * self.r() ** 0.8)  # skewed towards recent years

    # --- one registered entity and everything about it ---------------------------------
    def entity(self, out: list) -> None:
        cat = self.cover("cats")
        div = self.pick(self.divs)
        if cat == "93" and self.r() < 0.8:
            div = self.ch(("210521", "210522"))
        dname = V.DISTRICTS[div][0]
        lo_year, split = {"91": (1998, .62), "92": (2005, .55), "93": (2008, .6)}.get(cat, (2000, .7))
        est = self.ri(_D(lo_year), START - 1) if self.r() < split else self.ri(START, END - 20)
        rep, rep_id = self.rep_for(est)
        legacy = est < _Y2016 and cat in ("91", "93") and self.r() < 0.7
        code = self.credit_code(cat, div, "D" if legacy else "MJ" if cat[0] == "5" else "MA")
        regno = self.regno(div, cat == "92") if est < _Y2016 and cat[0] == "9" else None
        village = False
        if cat == "91":
            suffix, etype = self.cover("suffixes")
            first = self.covered.get("trades", 0) < len(self.trades[0])
            tk = self.ch(_SOLE_TRADES) if etype in ("个人独资企业", "合伙企业") else self.cover("trades")
            if etype == "个人独资企业" and tk not in _SALES:
                suffix = "中心"
            t = V.TRADES[tk]

            def make(a):
                u = self.r()
                pre = (("本溪市" + dname) if div in _CITY_DIVS else dname) if u < .35 else \
                    "本溪" if u < .7 else "本溪市" if u < .9 else "辽宁"
                return pre + self.brand(a) + self.ch(t["words"]) + suffix
            name = self.unique(make)
            lo, hi = t["cap"] if etype not in ("个人独资企业", "合伙企业") else (10, 200)
            cap, scope = self.ri(lo, hi), t["scope"] + "。" + V.SCOPE_TAIL
            village = tk in ("矿业", "景区")
            lic = ((t["lic"][0][0], 1.0),) + t["lic"][1:] if first and t["lic"] else t["lic"]
            prof = (lic, t["pen"], True, t["red"], t["dis"], 0.82,
                    T.LICENSES[t["lic"][0][0]][1] if t["lic"] else "SCJG", tk, 3 if first else 0)
        elif cat == "92":
            tk = self.ch(tuple(V.INDIVIDUAL_TRADES))
            t = V.INDIVIDUAL_TRADES[tk]
            name = self.unique(lambda a: self.individual_name(div, rep[0], t["words"], a))
            etype, cap, scope = "个体工商户", self.ri(1, 50), V.INDIVIDUAL_SCOPES[tk]
            prof = (t["lic"], t["pen"] + _IND_COMMON, False, ("其他守信激励",), ("失信被执行人",), 0.7, "SCJG", tk, 0)
        elif cat == "93":
            prod = self.ch(V.COOP_PRODUCTS)

            def make(a):
                if div not in V.TOWNS:
                    return f"本溪市{dname}{self.brand(a)}{prod}农民专业合作社"
                town = self.ch(V.TOWNS[div])
                if a < 3 and self.r() < 0.5:
                    return f"{dname}{town}{self.ch(V.VILLAGES)}村{prod}农民专业合作社"
                return f"{dname}{town}{self.brand(a)}{prod}农民专业合作社"
            name = self.unique(make)
            etype, cap, village = "农民专业合作社", self.ri(5, 500), True
            scope = f"组织采购、供应成员所需的生产资料；组织收购、销售成员生产的产品；{prod}技术培训与信息服务"
            prof = ((("种子生产经营许可", .1), ("农药经营许可", .05), ("食品生产许可", .1)), P.COOP_PENALTIES, False,
                    ("其他守信激励",), (), 0.45, "NYNC", prod, 0)
        else:
            opts = [s for s in V.SOCIAL_ORGS if s[0] == cat]
            _, pattern, etype, (lo, hi) = self.ch(opts)
            fallback = next(s[1] for s in opts if "{brand}" in s[1])

            def make(a):
                return (pattern if a < 5 else fallback).format(
                    trade=self.ch(V.SOCIAL_TRADES), district=dname if div in _CITY_DIVS else "",
                    brand=self.brand(a), hobby=self.ch(V.HOBBIES), cause=self.ch(V.CAUSES))
            name = self.unique(make)
            cap, scope = self.ri(lo, hi), V.SOCIAL_SCOPES[cat]
            school = "培训学校" in name or "幼儿园" in name
            prof = ((("民办学校办学许可", .9),) if school else (), P.SCHOOL_PENALTIES if school else P.SOCIAL_PENALTIES,
                    False, ("其他守信激励",), (), 0.3, "JYJ" if school else "MZJ", "社会组织", 0)
        addr = self.address(div, village)
        p = Party(name, _IND if cat == "92" else _ORG, code, regno, None, [(est, rep, rep_id)], div, addr, est,
                  max(est + 15, START))
        src = source_department("entity", credit_code=code)
        ent = {"kind": "entity", "credit_code": code, "name": name, "entity_type": etype}
        if regno:
            ent["registration_number"] = regno
        ent.update(legal_representative=rep, legal_representative_id_number=rep_id,
                   registered_capital=cap if cap < 100 else cap // 10 * 10, established=self.iso(est), address=addr,
                   district_code=div, business_scope=scope, registration_authority=department_name(src),
                   status="存续", phone=self.phone(), source_unit_code=src)
        self.emit(out, est, ent)
        mark = len(out) - 1
        if self.r() < 0.2 and est + 60 < END - 30:  # a registration change
            oc = self.ri(est + 60, END - 30)
            ent = dict(ent)
            if self.r() < 0.6:
                rep, rep_id = self.rep_for(oc)
                ent.update(legal_representative=rep, legal_representative_id_number=rep_id, phone=self.phone())
                p.reps.append((oc, rep, rep_id))
            else:
                ent["address"] = p.address = self.address(div, village)
            ent["change_date"] = self.iso(oc)
            self.emit(out, oc, ent)
        self.records(out, p, cat, prof)
        if self.r() < 0.015:  # deregistered after its last record
            oc = max(x[0] for x in out[mark:]) + self.ri(30, 400)
            if oc <= END:
                self.emit(out, oc, {**ent, "status": "注销", "change_date": self.iso(oc)})
        self.extras(out)

    def pick_penalty(self, own: tuple, common: bool, letter: str) -> tuple[str, int | None]:
        if self.unseen and self.r() < 0.5:  # make every reachable category appear early
            for key in own + (self.common[0] if common else ()):
                if letter in P.PENALTIES[key][6]:
                    for vi, cats in enumerate(PEN_CATS[key]):
                        if any(c in self.unseen for c in cats):
                            return key, vi
        key = self.pick(self.common) if common and self.r() < 0.35 else self.ch(own)
        return (key if letter in P.PENALTIES[key][6] else "tax_late"), None

    def records(self, out: list, p: Party, cat: str, prof: tuple) -> None:
        lic_probs, own, common, reds, dis, q, dept, subject, k = prof
        lo = p.lo
        lics = []
        for key, prob in lic_probs + (_ENTERPRISE_LICENSES if cat == "91" else ()):
            if self.r() >= prob:
                continue
            for _ in range(1 + (key in _MULTI and self.r() < 0.6) + (key in _MULTI and self.r() < 0.4)):
                o = lo + int((END - lo) * self.r())
                while o <= END:  # renewals of expired licenses
                    item, to, withdrawn = self.license(out, p, key, o)
                    lics.append((key, o, item, withdrawn))
                    if withdrawn or to >= END or self.r() > 0.9:
                        break
                    o = max(o + 1, to - self.ri(0, 60))
        for key, o, item, withdrawn in lics:
            u = self.r()
            if not withdrawn and u < 0.45:
                self.commitment(out, p, "告知承诺" if u < 0.33 else "容缺受理", T.LICENSES[key][1],
                                item["license_type"], max(lo, o - self.ri(1, 15)))
        while k < 20 and self.r() < q:
            k += 1
        letter = "I" if p.ptype == _IND else "O"
        for _ in range(k):
            key, vi = self.pick_penalty(own, common, letter)
            o = self.date(lo)
            item, withdrawn, minor = self.penalty(out, p, key, o, vi)
            if not withdrawn and not minor and o + 90 < END and self.r() < 0.3:
                self.commitment(out, p, "信用修复", P.PENALTIES[key][0], item["document_number"],
                                o + self.ri(90, min(720, END - o)))
        if self.r() < 0.35:
            self.commitment(out, p, "行业自律", dept, subject, self.date(lo))
        if self.r() < 0.25:
            self.commitment(out, p, "主动公示", "FGW", "", self.date(lo))
        if cat in ("91", "93"):
            for chance in (0.3, 0.08):
                if self.r() < chance:
                    self.anomaly_cycle(out, p)
        elif cat == "92":
            self.mark_cycle(out, p)
        listed = False
        if self.r() < {"91": 0.05, "92": 0.02, "93": 0.015}.get(cat, 0):
            lt = self.ch(dis) if dis and self.r() < 0.6 else self.cover("general_dis")
            self.dishonesty(out, p, lt, self.date(lo))
            listed = True
        if not listed and self.r() < {"91": 0.35, "93": 0.15, "92": 0.05}.get(cat, 0.1):
            lt = self.ch(reds) if reds and self.r() < 0.7 else "纳税信用A级纳税人" if cat == "91" else "其他守信激励"
            y = self.ri(2019, 2026)
            self.red(out, p, lt, y)
            if lt == "纳税信用A级纳税人" and y < 2026 and self.r() < 0.5:
                self.red(out, p, lt, y + 1)

    def anomaly_cycle(self, out: list, p: Party) -> None:
        keys = self.anomalies[0]
        reason = keys[self.anomaly_n] if self.anomaly_n < len(keys) else self.pick(self.anomalies)
        if reason == keys[0]:  # annual reports are due by 30 June; listing follows in July
            y0 = max(dt.date.fromordinal(p.est).year + 1, 2019)
            if y0 > 2026:
                return
            o = _D(self.ri(y0, 2026), 7, self.ri(1, 20))
            if o < p.lo:
                return
        else:
            o = self.date(p.lo)
        self.anomaly_n += 1
        listing = self.anomaly(out, p, o, reason)
        u = self.r()
        if u < 0.6 and o + 10 <= END:
            why = "信用修复" if self.r() < 0.15 else T.ANOMALY_REMOVAL[reason]
            self.anomaly_removal(out, p, listing, o + self.ri(10, min(900, END - o)), why)
        elif u < 0.8 and add_years(o, 3) + 30 <= END:  # listed for three years: moves to the serious list
            self.dishonesty(out, p, "严重违法失信", add_years(o, 3) + self.ri(1, 30), T.DISHONESTY["严重违法失信"][0][0])

    def mark_cycle(self, out: list, p: Party) -> None:
        """Some individual businesses were marked 经营异常状态 for being unreachable at their premises, most
        restored later (marks for reports not filed come from the deadline job: gongshi/loading.load_demo).

        Drawn from the business's own random stream, so the rest of the demo stays as it was.
        """
        rng = random.Random(f"mark/{p.code}")
        if rng.random() >= 0.06 or p.lo >= END - 30:
            return
        o = p.lo + int(rng.random() * (END - 30 - p.lo))
        code = source_department("abnormal_mark")
        mark = {"kind": "abnormal_mark", **self.party_fields(p, o, "abnormal_mark"),
                "document_number": self.counted_docno(code, "异标", o), "cause": "通过登记的经营场所无法联系",
                "decision_date": self.iso(o)}
        self._authority(mark, code)
        mark["source_unit_code"] = code
        self.emit(out, o, mark)
        if rng.random() < 0.6:
            back = min(END, o + 10 + int(rng.random() * 400))
            code = source_department("abnormal_mark_removal")
            removal = {"kind": "abnormal_mark_removal", "credit_code": p.code, "party_name": p.name,
                       "listing_authority_code": mark["authority_code"], "listing_document_number": mark["document_number"],
                       "document_number": self.counted_docno(code, "异复", back), "cause": "已恢复联系",
                       "decision_date": self.iso(back)}
            self._authority(removal, code)
            removal["source_unit_code"] = code
            self.emit(out, back, removal)

    # --- parties without a registration in Benxi -----------------------------------------
    def extras(self, out: list) -> None:
        u = self.r()
        if u < 0.12:  # a natural person
            name, pid = self.person(_D(1958), _D(2003))
            div = self.pick(self.divs)
            p = Party(name, "自然人", pid=pid, div=div, address=self.address(div), est=START - 3650)
            key = P.PERSON_PENALTIES[self.person_n % len(P.PERSON_PENALTIES)]
            self.person_n += 1
            self.penalty(out, p, key, self.date(START))
            if self.r() < 0.15:
                self.dishonesty(out, p, "失信被执行人", self.date(START))
        elif u < 0.15:  # an individual business without a credit code (placeholder + registration number)
            tk = self.ch(tuple(V.INDIVIDUAL_TRADES))
            t = V.INDIVIDUAL_TRADES[tk]
            div = self.pick(self.divs)
            rep, rep_id = self.rep_for(START)
            name = self.unique(lambda a: self.individual_name(div, rep[0], t["words"], a))
            p = Party(name, _IND, INDIVIDUAL_PLACEHOLDER, self.regno(div, True), None, [(START - 999, rep, rep_id)],
                      div, self.address(div), START - 999)
            for key, prob in t["lic"]:
                if self.r() < prob * 0.7:
                    self.license(out, p, key, self.date(START))
            own = t["pen"] + _IND_COMMON
            for _ in range(self.ri(1, 2)):
                key, vi = self.pick_penalty(own, False, "I")
                self.penalty(out, p, key, self.date(START), vi)
        elif u < 0.165:  # a company registered in another city
            div, city = self.ch(T.OUTSIDE)
            t = V.TRADES[self.ch(("物流", "运输", "商贸", "建材", "进出口"))]
            rep, rep_id = self.person(_D(1960), _D(1995), area=div)
            name = self.unique(lambda a: f"{city}{self.brand(a)}{self.ch(t['words'])}有限公司")
            p = Party(name, _ORG, self.credit_code("91", div, "MA"), None, None, [(START - 999, rep, rep_id)], div,
                      self.address(self.pick(self.divs)), START - 999)
            for _ in range(self.ri(1, 2)):
                self.penalty(out, p, self.ch(T.OUTSIDE_PENALTIES), self.date(START))
