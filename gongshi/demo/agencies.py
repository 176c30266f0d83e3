"""Credit-service agencies for the demo: registered entities, their filings with the credit office, their
integrity-service commitments (诚信服务承诺) and one market exit; deterministic from the seed.

`agency_count(entities)` of the demo's entities are agencies (about one per 250, at least three from
150 entities on), at the start of the stream, so that a small demo has every kind of item.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from domain.codes import id_check_char, make_credit_code
from gongshi.demo.common import DEPARTMENTS, END_ISO

_TYPES = (("征信机构", "企业征信服务", "中国人民银行本溪市分行"),
          ("信用评级机构", "信用评级、信用评估", "本溪市发展和改革委员会"),
          ("信用管理咨询机构", "信用管理咨询、信用修复培训", "本溪市发展和改革委员会"),
          ("融资担保机构", "融资担保、履约担保", "本溪市地方金融监督管理局"),
          ("其他信用服务机构", "信用信息数据处理", "本溪市发展和改革委员会"))
_NAMES = ("诚信", "明信", "金桥", "同创", "辽东", "溪城", "正道", "华信", "恒远", "信达")
_PEOPLE = ("王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄强", "周婷", "吴昊")
_ROLES = ("信用分析师", "评级项目负责人", "数据合规专员", "信用管理师")


def agency_count(entities: int) -> int:
    return min(entities // 50, max(3, entities // 250))


def credit_agencies(entities: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"agencies/{seed}")
    fgw = DEPARTMENTS["FGW"]
    scjg = DEPARTMENTS["SCJG"]
    count = agency_count(entities)
    for n in range(count):
        kind, scope, regulator = _TYPES[n % len(_TYPES)]
        code = make_credit_code("91", "210502", f"MA0XC{n:03d}")
        name = f"本溪{_NAMES[n % len(_NAMES)]}{'征信' if kind == '征信机构' else '信用'}服务有限公司"
        if n >= len(_NAMES):
            name = name.replace("本溪", f"本溪{n}")
        rep = rng.choice(_PEOPLE)
        year = 2019 + n % 6
        established = f"{year}-0{1 + n % 9}-1{n % 9}"
        yield {"kind": "entity", "credit_code": code, "name": name, "entity_type": "有限责任公司",
               "legal_representative": rep, "legal_representative_id_number": _id_number(rng),
               "registered_capital": 500 + 100 * n, "established": established,
               "address": f"辽宁省本溪市平山区胜利路{100 + n}号", "district_code": "210502",
               "business_scope": scope, "registration_authority": scjg["name"], "status": "存续",
               "phone": f"139{rng.randint(10000000, 99999999)}", "source_unit_code": scjg["code"]}
        staff = rng.sample(_PEOPLE, 3)
        filing = {"kind": "credit_agency", "party_name": name, "party_type": "法人及非法人组织", "credit_code": code,
                  "legal_representative": rep, "document_number": f"本发改信备〔{year}〕{n + 1}号",
                  "agency_type": kind, "regulator": regulator, "business_scope": scope, "status": "正常经营",
                  "practitioners": [f"{p}（{rng.choice(_ROLES)}）" for p in staff],
                  "practitioner_id_numbers": [_id_number(rng) for _ in staff],
                  "decision_date": f"{year}-0{2 + n % 8}-20", "authority": fgw["name"], "authority_code": fgw["code"],
                  "source_unit_code": fgw["code"]}
        yield filing
        yield {"kind": "commitment", "party_name": name, "party_type": "法人及非法人组织", "credit_code": code,
               "legal_representative": rep, "document_number": f"本发改诚承〔{year}〕{n + 1}号",
               "commitment_type": "诚信服务承诺", "matter": "信用服务机构诚信服务承诺（行为准则）",
               "content": "本机构承诺依法合规开展信用服务，客观公正出具信用报告，不承诺“删除失信记录”，"
                          "保护信息主体合法权益，接受社会监督。", "commitment_date": f"{year}-0{2 + n % 8}-20",
               "fulfilment": "未履约" if n == count - 1 else "履约中", "authority": fgw["name"],
               "authority_code": fgw["code"], "source_unit_code": fgw["code"]}
        if n == count - 1:  # one agency struck off: its filing records the exit
            yield {**filing, "action": "correct", "reason": "因违规承诺删除失信记录被注销备案，退出市场",
                   "status": "已退出市场", "exit_date": END_ISO, "exit_reason": "违规承诺“删除失信记录”，被注销备案"}


def _id_number(rng: random.Random) -> str:
    first17 = f"210502{rng.randint(1965, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return first17 + id_check_char(first17)
