"""The search benchmark's deterministic synthetic Benxi corpus (company names built from
district + brand + trade + suffix, ~100 characters of record text)."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

import schemas
from domain.codes import make_credit_code
from search.interface import SearchDoc

#: The bench's "today": records whose publicity period excludes it must not be found.
TODAY = "2026-11-01"
SEED = 20261101

DISTRICTS = [
    ("210502", "平山区"),
    ("210503", "溪湖区"),
    ("210504", "明山区"),
    ("210505", "南芬区"),
    ("210521", "本溪满族自治县"),
    ("210522", "桓仁满族自治县"),
]
#: Brand words that recur across companies, most common first (drawn with Zipf weights).
BRANDS = (
    "恒达 鑫源 宏图 华泰 永盛 金鑫 兴隆 昌盛 瑞丰 富民 安康 佳利 通顺 德祥 福和 嘉信 诚博 天宇 龙凤 海山 "
    "辉明 光新 东方 中正 大成 鼎立 荣发 旺广 汇聚 邦远 航众 合益 润泽 晟昊 卓越 腾飞 振宁 惠万 全亿 家乐"
).split()
#: Entities every corpus starts with, so the fixed queries have answers at any size.
ANCHORS = (
    ("本溪市明山区恒达建材有限公司", "企业", "210504"),
    ("本溪恒达建材商贸有限公司", "企业", "210502"),
    ("桓仁满族自治县鑫源农业科技有限公司", "企业", "210522"),
    ("本溪市平山区宏图商贸有限公司", "企业", "210502"),
    ("明山区鑫隆五金商店", "个体工商户", "210504"),
)
BRAND_CHARS = (
    "恒达鑫源宏图华泰盛兴隆昌瑞丰富安康永佳利金银通顺德祥福和美嘉信诚博宇天龙凤海山辉明光"
    "新东方中正大成鼎立荣发旺广汇聚邦远航众合益民润泽晟昊卓越腾飞振宁惠万全亿家乐启"
)
TRADES = [
    "建材", "食品", "餐饮", "商贸", "物流", "机械", "五金", "医药", "建筑工程", "装饰工程",
    "汽车维修", "运输", "农业科技", "超市", "酒店", "矿业", "钢铁", "化工", "服装", "电子",
    "网络科技", "房地产开发", "物业管理", "环保科技", "石材", "木业", "粮油", "水产", "烟酒",
    "茶叶", "家具", "印刷", "广告", "劳务", "保洁", "旅游", "药房", "中药材", "养殖", "蔬菜",
]
FARM_TRADES = ["中药材种植", "蔬菜种植", "生猪养殖", "林蛙养殖", "食用菌", "山野菜", "蜂业"]
STREETS = [
    "解放北路", "胜利路", "永丰街", "站前街", "明山路", "新明路", "东明路", "峪明路", "卧龙街",
    "彩屯路", "溪湖路", "河沿路", "仁和路", "平山路", "东兴街", "西山路", "桥头镇", "南芬路",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国华明丽红军平伟芳娜敏静强磊洋勇艳杰涛超秀英霞刚桂兰玉兵志福海波宁"
VIOLATIONS = [
    ("中华人民共和国食品安全法", "SCJG", "经营超过保质期的食品"),
    ("中华人民共和国食品安全法", "SCJG", "从业人员未取得健康证明从事接触直接入口食品的工作"),
    ("中华人民共和国食品安全法", "SCJG", "未按规定查验供货者的许可证和食品出厂检验合格证明"),
    ("中华人民共和国产品质量法", "SCJG", "销售不合格的建材产品"),
    ("中华人民共和国广告法", "SCJG", "发布虚假广告，欺骗误导消费者"),
    ("中华人民共和国药品管理法", "SCJG", "未凭处方销售处方药"),
    ("中华人民共和国安全生产法", "YJGL", "未按规定对从业人员进行安全生产教育和培训"),
    ("中华人民共和国大气污染防治法", "STHJ", "施工工地未采取有效措施防治扬尘污染"),
    ("中华人民共和国消防法", "XFJY", "占用、堵塞、封闭疏散通道和安全出口"),
    ("中华人民共和国道路运输条例", "JTYS", "未取得道路运输经营许可擅自从事道路运输经营"),
    ("中华人民共和国税收征收管理法", "SW", "未按照规定期限办理纳税申报和报送纳税资料"),
    ("建设工程质量管理条例", "ZJJ", "未按照工程建设强制性标准进行施工"),
    ("劳动保障监察条例", "RSJ", "未按照规定为劳动者缴纳社会保险费"),
]
PUNISHMENTS = [
    "警告，并处罚款人民币{amount}元",
    "没收违法所得{gain}元，并处罚款人民币{amount}元",
    "责令改正，并处罚款人民币{amount}元",
]
LICENSES = [
    ("SCJG", "食品经营许可", "预包装食品销售、散装食品销售、热食类食品制售"),
    ("SCJG", "药品经营许可", "中成药、化学药制剂、抗生素制剂、生化药品"),
    ("STHJ", "排污许可", "大气污染物排放、水污染物排放"),
    ("JTYS", "道路运输经营许可", "道路普通货物运输、货物专用运输"),
    ("ZJJ", "建筑工程施工许可", "房屋建筑工程施工、市政公用工程施工"),
    ("YJGL", "危险化学品经营许可", "汽油、柴油、液化石油气零售"),
    ("WJW", "公共场所卫生许可", "住宿、沐浴、美容美发"),
]
ANOMALY_REASONS = [
    "未按照规定期限公示年度报告",
    "通过登记的住所或者经营场所无法联系",
    "公示企业信息隐瞒真实情况、弄虚作假",
]
RED_LISTS = [("SW", "纳税信用A级纳税人"), ("SCJG", "守合同重信用企业"), ("JTYS", "交通运输守信企业")]
DOC_ABBREVIATIONS = {
    "SCJG": "本市监", "STHJ": "本环", "JTYS": "本交运", "SW": "本税", "YJGL": "本应急",
    "WJW": "本卫健", "ZJJ": "本住建", "XFJY": "本消", "RSJ": "本人社", "ZYFY": "本中法",
}
KIND_WEIGHTS = {
    "penalty": 45, "license": 30, "commitment": 10, "anomaly_listing": 6,
    "dishonesty_listing": 2, "red_list": 7,
}
CATEGORY_WEIGHTS = {"企业": 60, "个体工商户": 30, "农民专业合作社": 5, "社会团体": 5}
CATEGORY_PREFIX = {"企业": "91", "个体工商户": "92", "农民专业合作社": "93", "社会团体": "51"}
ENTITY_SHARE = 0.15
FIRST_DAY = dt.date(2019, 1, 1)
DAY_SPAN = (dt.date(2026, 10, 31) - FIRST_DAY).days


def departments() -> dict[str, tuple[str, str]]:
    """Department key -> (code, name), from the source catalog."""
    return {d["key"]: (d["code"], d["name"]) for d in schemas.catalog()["departments"]}


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    code: str
    key: str
    category: str
    district: str
    address: str
    person: str
    founded: dt.date


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _entity(rng: random.Random, serial: int) -> Entity:
    district, district_name = rng.choice(DISTRICTS)
    category = _weighted(rng, CATEGORY_WEIGHTS)
    if rng.random() < 0.1:
        brand = rng.choices(BRANDS, weights=[1 / (rank + 1) for rank in range(len(BRANDS))])[0]
    else:
        brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
    place = rng.random()
    if district_name.endswith("县"):
        prefix = district_name
    elif place < 0.75:
        prefix = "本溪市" + district_name
    else:
        prefix = "本溪"
    if category == "企业":
        name = prefix + brand + rng.choice(TRADES) + rng.choice(["有限公司", "有限公司", "有限责任公司", "股份有限公司"])
    elif category == "个体工商户":
        name = district_name + brand + rng.choice(TRADES) + rng.choice(["商店", "经销处", "经营部", "门市部", "店"])
    elif category == "农民专业合作社":
        name = prefix + brand + rng.choice(FARM_TRADES) + "专业合作社"
    else:
        name = "本溪市" + rng.choice(TRADES) + rng.choice(["行业协会", "商会", "协会"])
        name = name if rng.random() < 0.3 else prefix + brand + name[3:]
    body = "".join(rng.choice("0123456789") for _ in range(6)) + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(2))
    code = make_credit_code(CATEGORY_PREFIX[category], district, body)
    key = code
    if category == "个体工商户" and rng.random() < 0.05:
        code, key = "", district + "".join(rng.choice("0123456789") for _ in range(9))
    street = rng.choice(STREETS)
    address = f"辽宁省本溪市{district_name}{street}{rng.randint(1, 399)}号"
    person = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    founded = FIRST_DAY - dt.timedelta(days=rng.randint(0, 7000))
    if serial < len(ANCHORS):
        name, category, district = ANCHORS[serial]
        code = key = make_credit_code(CATEGORY_PREFIX[category], district, body)
        address = f"辽宁省本溪市{dict(DISTRICTS)[district]}{street}{rng.randint(1, 399)}号"
    return Entity(name, code, key, category, district, address, person, founded)


def _plus(day: dt.date, days: int) -> str:
    return (day + dt.timedelta(days=days)).isoformat()


def generate_corpus(n: int, seed: int = SEED) -> Iterator[SearchDoc]:
    """`n` documents, the same for the same (n, seed): ~15% entity profiles, the rest records."""
    rng = random.Random(seed)
    depts = departments()
    entities = [_entity(rng, i) for i in range(max(1, int(n * ENTITY_SHARE)))]
    sequence: dict[tuple[str, str, int], int] = {}
    for i, e in enumerate(entities):
        yield SearchDoc(
            id=f"e{i:07d}", doc_type="entity", kind="entity", title=e.name,
            text=f"住所：{e.address}。法定代表人：{e.person}。成立日期：{e.founded.isoformat()}。"
            f"经营范围：{rng.choice(TRADES)}、{rng.choice(TRADES)}销售；{rng.choice(LICENSES)[2]}。"
            "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
            credit_code=e.code, department=depts["SCJG"][0], department_name=depts["SCJG"][1],
            district=e.district, year=e.founded.year, category=e.category,
            decision_date=e.founded.isoformat(), public_from=e.founded.isoformat(), public_until=None,
            entity_key=e.key,
        )
    for i in range(n - len(entities)):
        e = rng.choice(entities)
        kind = _weighted(rng, KIND_WEIGHTS)
        day = FIRST_DAY + dt.timedelta(days=rng.randint(0, DAY_SPAN))
        until: str | None
        number = ""
        if kind == "penalty":
            law, dept, act = rng.choice(VIOLATIONS)
            punishment = rng.choice(PUNISHMENTS).format(amount=rng.randint(1, 500) * 100, gain=rng.randint(1, 90) * 10)
            text = (
                f"当事人{e.name}于{day.isoformat()}在{e.address}{act}。上述行为违反了《{law}》"
                f"第{rng.randint(20, 90)}条的规定，依据《{law}》第{rng.randint(91, 140)}条，"
                f"{depts[dept][1]}决定对当事人给予{punishment}。"
            )
            until = _plus(day, rng.choice([183, 365, 365, 365, 1095]))
        elif kind == "license":
            dept, item, scope = rng.choice(LICENSES)
            text = (
                f"{depts[dept][1]}准予{e.name}{item}，有效期自{day.isoformat()}至{_plus(day, 1826)}。"
                f"许可内容：{scope}。经营场所：{e.address}。"
            )
            until = None if rng.random() < 0.5 else _plus(day, 1826)
        elif kind == "commitment":
            dept = rng.choice(["SCJG", "SW", "ZJJ", "JTYS"])
            text = (
                f"{e.name}承诺：严格遵守有关法律法规，依法诚信经营，提交的申请材料真实有效，"
                f"如有违反愿意承担相应法律责任并接受失信惩戒。承诺事项：{rng.choice(LICENSES)[1]}告知承诺。"
            )
            until = None
        elif kind == "anomaly_listing":
            dept = "SCJG"
            text = f"{e.name}因{rng.choice(ANOMALY_REASONS)}，被{depts[dept][1]}列入经营异常名录。住所：{e.address}。"
            until = None if rng.random() < 0.7 else _plus(day, rng.randint(30, 700))
        elif kind == "dishonesty_listing":
            dept = "ZYFY"
            text = (
                f"{e.name}未履行生效法律文书确定的义务，被{depts[dept][1]}依法纳入失信被执行人名单。"
                f"案号（{day.year}）辽05执{rng.randint(1, 999)}号，执行标的{rng.randint(1, 900) * 1000}元。"
            )
            until = _plus(day, 1095)
        else:
            dept, title = rng.choice(RED_LISTS)
            text = f"{e.name}被{depts[dept][1]}评为{day.year}年度{title}。"
            until = _plus(day, 365)
        if kind in ("penalty", "license"):
            letter = "罚" if kind == "penalty" else "许"
            seq_key = (dept, letter, day.year)
            sequence[seq_key] = sequence.get(seq_key, 0) + 1
            number = f"{DOC_ABBREVIATIONS[dept]}{letter}〔{day.year}〕{sequence[seq_key]}号"
        yield SearchDoc(
            id=f"r{i:07d}", doc_type="record", kind=kind, title=e.name, text=text,
            credit_code=e.code, document_number=number, department=depts[dept][0],
            department_name=depts[dept][1], district=e.district, year=day.year,
            category=e.category, decision_date=day.isoformat(), public_from=_plus(day, rng.randint(0, 7)),
            public_until=until, entity_key=e.key,
        )


# The query set ------------------------------------------------------------------------
