"""Small valid records for tests, built from the catalog's real department codes."""
from __future__ import annotations

import schemas

DEPTS = {d["key"]: d["code"] for d in schemas.catalog()["departments"]}
SCJG, JTYS, SW = DEPTS["SCJG"], DEPTS["JTYS"], DEPTS["SW"]
COMPANY = "91210504MA0XK4E22E"  # a valid code registered in 明山区 (210504)


def penalty(n: int = 1, **overrides) -> dict:
    item = {
        "kind": "penalty",
        "party_name": "本溪市明山区恒达建材有限公司",
        "party_type": "法人及非法人组织",
        "credit_code": COMPANY,
        "legal_representative": "王建国",
        "document_number": f"本市监罚〔2024〕{n}号",
        "violation_type": "销售不合格建筑材料",
        "facts": "经查，当事人销售的钢筋经抽检不合格。",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "categories": ["罚款", "没收违法所得"],
        "content": "罚款2万元，没收违法所得0.35万元",
        "fine": 2,
        "confiscation": 0.35,
        "procedure": "普通程序",
        "decision_date": "2024-03-01",
        "authority": "本溪市市场监督管理局",
        "authority_code": SCJG,
        "source_unit_code": SCJG,
    }
    item.update(overrides)
    return item


def entity(**overrides) -> dict:
    item = {
        "kind": "entity",
        "credit_code": COMPANY,
        "name": "本溪市明山区恒达建材有限公司",
        "entity_type": "有限责任公司",
        "legal_representative": "王建国",
        "legal_representative_id_number": "11010519491231002X",
        "registered_capital": 500,
        "established": "2015-06-18",
        "address": "辽宁省本溪市明山区新明路12号",
        "district_code": "210504",
        "registration_authority": "本溪市市场监督管理局",
        "status": "存续",
        "phone": "13812345678",
        "source_unit_code": SCJG,
    }
    item.update(overrides)
    return item
