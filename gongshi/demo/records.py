"""Record builders for the demo generator: licenses, penalties, commitments and lists.

`Records` is a mixin: the generator supplies the seeded random functions (r, ri, ch, rr),
the document-number counters and `emit`. Departments, their codes and the one source of
each kind come from schemas.catalog(); severity rules from schemas.publicity_rules().
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from schemas import publicity_rules

from . import templates as T
from . import vocab as V
from .common import BY_CODE as _BY_CODE
from .common import DEPARTMENTS, END, END_ISO, EPOCH, add_months, add_years, source_department
from .parties import Party
from .penalties import PENALTIES

_SEVERITY = publicity_rules()["severity"]
_SERIOUS = frozenset(_SEVERITY["serious_categories"])
_MINOR = frozenset(_SEVERITY["minor_categories_only"])
_SERIOUS_FINE = _SEVERITY["serious_fine_at_least"]
_DUAL = ("license", "penalty")  # kinds with ID-type fields (national 双公示 standard)
PEN_CATS = {k: tuple(v[1].split("|") for v in t[5]) for k, t in PENALTIES.items()}


def _yuan(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


class Records:
    r: Any
    ri: Any
    ch: Any
    rr: Any
    counters: dict
    unseen: set

    def iso(self, o: int) -> str:
        return self._iso[o - EPOCH]

    def cn(self, o: int) -> str:
        d = dt.date.fromordinal(o)
        return f"{d.year}年{d.month}月{d.day}日"

    def docno(self, dk: str, word: str, year: int) -> str:
        key = (dk, word, year)
        n = self.counters.get(key, 0) + (1 if self.r() < 0.7 else self.ri(2, 5))
        self.counters[key] = n
        if dk == "ZYFY":
            return f"（{year}）辽05{word}{n}号"
        return f"{T.DEPT_ABBR[dk]}{word}〔{year}〕{n}号"

    def counted_docno(self, code: str, word: str, o: int) -> str:
        """The next document number of a department's series of the year, drawing no random number."""
        dk, year = _BY_CODE[code][0], int(self.iso(o)[:4])
        n = self.counters[(dk, word, year)] = self.counters.get((dk, word, year), 0) + 1
        return f"{T.DEPT_ABBR[dk]}{word}〔{year}〕{n}号"

    def party_fields(self, p: Party, o: int, kind: str) -> dict[str, Any]:
        if p.ptype == "自然人":
            d = {"party_name": p.name, "party_type": "自然人"}
            if kind in _DUAL:
                d["person_id_type"] = "身份证"
            d["person_id_number"] = p.pid
            return d
        _, rep, rep_id = p.rep_at(o)
        d = {"party_name": p.name, "party_type": p.ptype, "credit_code": p.code}
        if p.regno:
            d["registration_number"] = p.regno
        d["legal_representative"] = rep
        if kind in _DUAL and self.r() < 0.5:
            d["legal_representative_id_type"] = "身份证"
            d["legal_representative_id_number"] = rep_id
        return d

    def _authority(self, item: dict, code: str) -> None:
        item["authority"] = _BY_CODE[code][1]
        item["authority_code"] = code

    # --- licenses -----------------------------------------------------------------
    def _license_vals(self, p: Party, year: int, choices) -> dict[str, Any]:
        d = f"{self.rr(10 ** 10):010d}"
        x = self.ch(choices)
        x, xt = x if isinstance(x, tuple) else (x, x)
        return {"div": p.div, "d4": p.div[2:], "y": year, "yy": f"{year % 100:02d}", "n2": d[:2], "n3": d[:3],
                "n4": d[:4], "n5": d[:5], "n6": d[:6], "n7": d[:7], "n8": d[:8], "code": p.code, "x": x, "xt": xt,
                "P": self.ch("PQVW"), "L": self.ch("AB"), "party": p.name, "brand": self.ch(V.BRANDS),
                "spot": self.ch(V.SPOTS), "area": self.ri(2, 300) * 10}

    def license(self, out: list, p: Party, key: str, o: int) -> tuple[dict, int, bool]:
        """Emit a license (and maybe its correction or withdrawal); return (item, valid_to, withdrawn)."""
        lt, dk, category, cert, title, word, fmt, years, content, choices = T.LICENSES[key]
        s = self.iso(o)
        year = int(s[:4])
        vals = self._license_vals(p, year, choices)
        to = add_years(o, years) - 1 if years else dt.date(2099, 12, 31).toordinal()
        item = {"kind": "license", **self.party_fields(p, o, "license"), "document_title": title,
                "document_number": self.docno(dk, word, year), "category": category}
        if cert:
            item["certificate_name"] = cert
        if fmt:
            item["certificate_number"] = p.certs[cert] = fmt.format_map(vals)
        valid_to = self.iso(to)
        item.update(license_type=lt, content=content.format_map(vals), decision_date=s, valid_from=s,
                    valid_to=valid_to, state="1" if valid_to >= END_ISO else "2")
        self._authority(item, DEPARTMENTS[dk]["code"])
        item["source_unit"] = item["authority"]
        item["source_unit_code"] = item["authority_code"]
        self.emit(out, o, item)
        u = self.r()
        if u < 0.02:
            corr = {"kind": "license", "action": "correct", "reason": ""}
            corr.update(item)
            if years:
                to = add_years(o, years + self.ch((-1, 1))) - 1
                corr["valid_to"] = self.iso(to)
                corr["state"] = "1" if corr["valid_to"] >= END_ISO else "2"
                corr["reason"] = T.LICENSE_CORRECT_REASONS[0]
            elif fmt:
                corr["certificate_number"] = p.certs[cert] = fmt.format_map(self._license_vals(p, year, choices))
                corr["reason"] = T.LICENSE_CORRECT_REASONS[1]
            else:
                corr["content"] = item["content"] + "（以核定内容为准）"
                corr["reason"] = T.LICENSE_CORRECT_REASONS[2]
            self.emit(out, min(END, o + self.ri(2, 30)), corr)
        elif u < 0.03:
            self._withdraw(out, item, o, T.LICENSE_WITHDRAW_REASONS)
            return item, to, True
        return item, to, False

    def _withdraw(self, out: list, item: dict, o: int, reasons) -> None:
        self.emit(out, min(END, o + self.ri(20, 240)), {
            "kind": item["kind"], "action": "withdraw", "reason": self.ch(reasons),
            "authority_code": item["authority_code"], "document_number": item["document_number"]})

    # --- penalties ----------------------------------------------------------------
    def _cents(self, lo: int, hi: int) -> int:
        yuan = self.ri(lo, hi)
        if self.r() < 0.1:
            return yuan * 100 + self.ri(1, 99)  # computed amounts (tax multiples) keep cents
        step = 1000 if yuan >= 10000 else 100 if yuan >= 1000 else 10
        return max(step, yuan // step * step) * 100

    def _penalty_ctx(self, p: Party, o: int, extra: dict, conf_c: int | None) -> dict[str, Any]:
        a = dt.date.fromordinal(o - self.ri(120, 500))
        b = dt.date.fromordinal(o - self.ri(20, 110))
        return {"party": p.name, "when": self.cn(max(o - self.ri(10, 90), p.est)), "place": p.address,
                "period": f"{a.year}年{a.month}月至{b.year}年{b.month}月", "amt": self.ri(3, 3000) * 100,
                "conf": _yuan(conf_c) if conf_c else self.ri(5, 500) * 100, "n": self.ri(2, 9),
                "plate": f"{self.ch('ABCDEFGHJKLMN')}{self.rr(100000):05d}",
                "goods": self.ch(extra["goods"]) if "goods" in extra else ""}

    def _penalty_content(self, cats, fine_c, conf_c, extra, sus, rep) -> str:
        parts = []
        for c in cats:
            if c == "罚款":
                parts.append(f"罚款人民币{_yuan(fine_c)}元")
            elif c == "没收违法所得":
                parts.append(f"没收违法所得人民币{_yuan(conf_c)}元")
            elif c == "没收非法财物":
                parts.append(extra.get("seize", "没收非法财物"))
            elif c == "暂扣许可证件":
                parts.append(f"暂扣{sus}六个月")
            elif c == "吊销许可证件":
                parts.append(f"吊销{sus}")
            elif c == "降低资质等级":
                parts.append(extra.get("downgrade", "降低资质等级"))
            elif c == "限制开展生产经营活动":
                parts.append(extra.get("restrict", "限制开展生产经营活动三个月"))
            elif c == "责令停产停业":
                parts.append(extra.get("stop", "责令停产停业"))
            elif c == "责令关闭":
                parts.append(extra.get("close", "报经本溪市人民政府批准，责令关闭"))
            elif c == "限制从业":
                parts.append(extra.get("ban", "对{rep}处五年内禁止从事相关生产经营活动").format(rep=rep))
            elif c == "行政拘留":
                parts.append(extra.get("detain", "行政拘留五日"))
            elif c == "其他":
                parts.append(extra.get("other", "责令改正"))
            else:
                parts.append(c)
        return "对当事人作出如下行政处罚：" + "；".join(parts) + "。"

    def penalty(self, out: list, p: Party, key: str, o: int, vi: int | None = None) -> tuple[dict, bool, bool]:
        """Emit a penalty (and maybe its correction or withdrawal); return (item, withdrawn, minor)."""
        dk, sector, violation, facts, basis, variants, _, extra = PENALTIES[key]
        if vi is None:
            vi = self._pick_variant(variants)
        _, _, flo, fhi, clo, chi, proc = variants[vi]
        cats = list(PEN_CATS[key][vi])
        simple = proc == "简"
        fine_c = self._cents(flo, fhi) if "罚款" in cats else None
        if fine_c and simple and p.ptype != "法人及非法人组织" and fine_c > 20000:
            fine_c = self.ri(2, 20) * 1000  # simple procedure: at most 200 yuan for a person
        conf_c = self._cents(clo, chi) if clo and ("没收违法所得" in cats or "没收非法财物" in cats) else None
        s = self.iso(o)
        year = int(s[:4])
        rep = p.name if p.ptype == "自然人" else p.rep_at(o)[1]
        sus = None
        if "暂扣许可证件" in cats or "吊销许可证件" in cats:
            lic = extra.get("license", "营业执照")
            num = p.certs.get(lic) or (f"统一社会信用代码{p.code}" if lic == "营业执照" and p.code
                                       else f"编号{self.rr(10 ** 12):012d}")
            sus = f"{lic}（{num}）"
        ctx = self._penalty_ctx(p, o, extra, conf_c)
        word = "简罚" if simple else T.PENALTY_WORD.get(dk, "罚")
        item = {"kind": "penalty", **self.party_fields(p, o, "penalty"), "document_number": self.docno(dk, word, year),
                "violation_type": violation, "facts": facts.format_map(ctx), "legal_basis": basis, "categories": cats,
                "content": self._penalty_content(cats, fine_c, conf_c, extra, sus, rep)}
        if fine_c:
            item["fine"] = round(fine_c / 1_000_000, 6)
        if conf_c:
            item["confiscation"] = round(conf_c / 1_000_000, 6)
        if sus:
            item["suspended_license"] = sus
        item["decision_date"] = s
        minor = simple or all(c in _MINOR for c in cats)
        serious = any(c in _SERIOUS for c in cats) or (fine_c or 0) >= _SERIOUS_FINE * 1_000_000
        if "暂扣许可证件" in cats:
            item["valid_until"] = self.iso(add_months(o, 6) - 1)
        elif "限制从业" in cats:
            item["valid_until"] = self.iso(add_years(o, 5) - 1)
        if self.r() < 0.7:
            end = add_years(o, 3) if serious else add_months(o, 3) if minor else add_years(o, 1)
            item["publicity_end"] = self.iso(end - 1)
        item["procedure"] = "简易程序" if simple else "普通程序"
        item["sector"] = sector
        self._authority(item, DEPARTMENTS[dk]["code"])
        item["source_unit"] = item["authority"]
        item["source_unit_code"] = item["authority_code"]
        if fine_c and self.r() < 0.15:
            item["remarks"] = "当事人已缴清罚款"
        self.emit(out, o, item)
        if self.unseen:
            self.unseen.difference_update(cats)
        u = self.r()
        if u < 0.02:
            corr = {"kind": "penalty", "action": "correct", "reason": ""}
            corr.update(item)
            if fine_c and not simple:
                fine_c = fine_c // 10 if fine_c >= 1_000_000 else fine_c * 10
                corr["fine"] = round(fine_c / 1_000_000, 6)
                corr["content"] = self._penalty_content(cats, fine_c, conf_c, extra, sus, rep)
                corr["reason"] = T.PENALTY_CORRECT_REASONS[0]
            else:
                corr["facts"] = facts.format_map(self._penalty_ctx(p, o, extra, conf_c))
                if corr["facts"] == item["facts"]:
                    corr["facts"] += "（经复核更正）"
                corr["reason"] = T.PENALTY_CORRECT_REASONS[1]
            self.emit(out, min(END, o + self.ri(2, 30)), corr)
        elif u < 0.03:
            self._withdraw(out, item, o, T.PENALTY_WITHDRAW_REASONS)
            return item, True, minor
        return item, False, minor

    def _pick_variant(self, variants) -> int:
        total = sum(v[0] for v in variants)
        x = self.r() * total
        for i, v in enumerate(variants):
            x -= v[0]
            if x < 0:
                return i
        return len(variants) - 1

    # --- commitments and lists -------------------------------------------------------
    def commitment(self, out: list, p: Party, ctype: str, dk: str, subject: str, o: int) -> None:
        matter, content = T.COMMITMENT_TEXT[ctype]
        fmt = {"subject": subject, "n": self.ri(5, 30)}
        u = self.r()
        fulfil = ("履约中" if u < 0.85 else "已履约") if o > END - 180 else ("已履约" if u < 0.95 else "未履约")
        code = DEPARTMENTS[dk]["code"]
        item = {"kind": "commitment", **self.party_fields(p, o, "commitment"),
                "document_number": self.docno(dk, "承", int(self.iso(o)[:4])), "commitment_type": ctype,
                "matter": matter.format_map(fmt), "content": content.format_map(fmt), "commitment_date": self.iso(o),
                "fulfilment": fulfil}
        self._authority(item, code)
        item["source_unit_code"] = code
        self.emit(out, o, item)

    def anomaly(self, out: list, p: Party, o: int, reason: str) -> dict:
        code = source_department("anomaly_listing")
        dk = _BY_CODE[code][0]
        item = {"kind": "anomaly_listing", **self.party_fields(p, o, "anomaly_listing"),
                "document_number": self.docno(dk, "异列", int(self.iso(o)[:4])), "cause": reason,
                "decision_date": self.iso(o)}
        self._authority(item, code)
        item["source_unit_code"] = code
        self.emit(out, o, item)
        return item

    def anomaly_removal(self, out: list, p: Party, listing: dict, o: int, reason: str) -> None:
        code = source_department("anomaly_removal")
        item = {"kind": "anomaly_removal", "credit_code": p.code, "party_name": p.name,
                "listing_authority_code": listing["authority_code"],
                "listing_document_number": listing["document_number"],
                "document_number": self.docno(_BY_CODE[code][0], "异移", int(self.iso(o)[:4])),
                "cause": reason, "decision_date": self.iso(o)}
        self._authority(item, code)
        item["source_unit_code"] = code
        self.emit(out, o, item)

    def dishonesty(self, out: list, p: Party, lt: str, o: int, reason: str | None = None) -> None:
        """Emit a dishonesty listing and, for some, its removal (3 years, or early after >= 1 year)."""
        code = source_department("dishonesty_listing", list_type=lt)
        dk = _BY_CODE[code][0]
        reasons, basis = T.DISHONESTY[lt]
        doc = self.docno(dk, "执" if dk == "ZYFY" else "失信列", int(self.iso(o)[:4]))
        item = {"kind": "dishonesty_listing", **self.party_fields(p, o, "dishonesty_listing"), "list_type": lt,
                "document_number": doc, "cause": reason or self.ch(reasons), "legal_basis": basis,
                "decision_date": self.iso(o)}
        self._authority(item, code)
        item["source_unit_code"] = code
        self.emit(out, o, item)
        if not p.code:
            return  # a removal names the party by its credit code
        u, three, one = self.r(), add_years(o, 3), add_years(o, 1)
        if three <= END and u < 0.55:
            o2, why = three, "期满移出"
        elif u < 0.8 and one <= END:
            o2 = one + self.ri(0, min(600, END - one))
            why = self.ch(("提前移出",) * 6 + ("信用修复",) * 3 + ("撤销列入决定",))
            if why == "信用修复" and dk != "ZYFY":
                self.commitment(out, p, "信用修复", dk, doc, max(one, o2 - self.ri(5, 40)))
            elif why == "信用修复":
                why = "提前移出"
        else:
            return
        rcode = source_department("dishonesty_removal", list_type=lt)
        rdoc = doc + "之一" if dk == "ZYFY" else self.docno(dk, "失信移", int(self.iso(o2)[:4]))
        removal = {"kind": "dishonesty_removal", "credit_code": p.code, "party_name": p.name,
                   "listing_authority_code": code, "listing_document_number": doc, "document_number": rdoc,
                   "cause": why, "decision_date": self.iso(o2), "list_type": lt}
        self._authority(removal, rcode)
        removal["source_unit_code"] = rcode
        self.emit(out, o2, removal)

    def red(self, out: list, p: Party, lt: str, year: int) -> None:
        honour, years, month = T.RED_LISTS[lt]
        o = dt.date(year, month, self.ri(1, 28)).toordinal()
        if o < p.lo or o > END:
            return
        code = source_department("red_list", list_type=lt)
        item = {"kind": "red_list", **self.party_fields(p, o, "red_list"), "list_type": lt,
                "document_number": self.docno(_BY_CODE[code][0], "信认", year),
                "honour": honour.format(y=year, y1=year - 1), "decision_date": self.iso(o),
                "valid_to": self.iso(add_years(o, years) - 1)}
        self._authority(item, code)
        item["source_unit_code"] = code
        self.emit(out, o, item)

