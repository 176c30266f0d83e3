"""Search benchmark: a deterministic synthetic Benxi corpus, a fixed query set, recall
against a brute-force substring check, latency percentiles, build rate and index size.

    .venv/bin/python bench/search_bench.py --docs 100000 --engine tantivy
    .venv/bin/python bench/search_bench.py --docs 1000000 --engine tantivy --reuse

Writes a JSON report to --out (default bench/out/search-ENGINE-N.json), builds the index
in bench/out/index-ENGINE-N, and prints a Markdown section (bench/SEARCH_RESULTS.md
summarises the runs).  Run one at a time: the build and the timings use the CPU.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.codes import make_credit_code  # noqa: E402
from search.analysis import fold, name_initials  # noqa: E402
from search.engine import FACET_FIELDS, MAX_RESULT_WINDOW, SearchDoc, SearchIndex, open_index  # noqa: E402

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
    catalog = json.loads((ROOT / "schemas" / "catalog.json").read_text(encoding="utf-8"))
    return {d["key"]: (d["code"], d["name"]) for d in catalog["departments"]}


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

@dataclass(frozen=True, slots=True)
class BenchQuery:
    text: str
    kind: str
    #: What a person typing `text` wants: a brute-force predicate over the document.
    truth: Callable[[dict[str, str]], bool]


def contains_all(*needles: str) -> Callable[[dict[str, str]], bool]:
    folded = [fold(n) for n in needles]
    return lambda d: all(n in d["hay"] for n in folded)


def code_starts(prefix: str) -> Callable[[dict[str, str]], bool]:
    prefix = fold(prefix)
    return lambda d: d["code"].startswith(prefix) or d["key"].startswith(prefix)


def matches(pattern: str) -> Callable[[dict[str, str]], bool]:
    compiled = re.compile(pattern)
    return lambda d: compiled.search(d["hay"]) is not None


@dataclass(frozen=True, slots=True)
class Examples:
    """Identifiers taken from the corpus itself, so those queries have answers at any size."""

    credit_code: str
    document_number: str


def pick_examples(n: int) -> Examples:
    """The first entity's credit code and the first public two-digit market-regulation penalty number."""
    code = number = ""
    for doc in generate_corpus(n):
        code = code or doc.credit_code
        if re.fullmatch(r"本市监罚〔\d{4}〕\d\d号", doc.document_number) and is_public(doc, TODAY):
            number = doc.document_number
            break
    return Examples(code, number or "本市监罚〔2023〕45号")


def query_set(examples: Examples) -> list[BenchQuery]:
    """About 25 queries: partial names, districts, single characters, non-adjacent parts,
    text terms, code prefixes, document numbers, initials, common one- and two-term queries."""
    short_number = examples.document_number[examples.document_number.index("〔") : -1]
    return [
        BenchQuery("恒达建材", "partial name", contains_all("恒达建材")),
        BenchQuery("宏图商贸", "partial name", contains_all("宏图商贸")),
        BenchQuery("明山区", "district", contains_all("明山区")),
        BenchQuery("桓仁", "district", contains_all("桓仁")),
        BenchQuery("鑫", "single character", contains_all("鑫")),
        BenchQuery("隆", "single character", contains_all("隆")),
        BenchQuery("本溪恒达", "non-adjacent", contains_all("本溪", "恒达")),
        BenchQuery("明山区建材", "non-adjacent", contains_all("明山区", "建材")),
        BenchQuery("恒达建材公司", "non-adjacent", contains_all("恒达建材", "公司")),
        BenchQuery("桓仁鑫源", "non-adjacent", contains_all("桓仁", "鑫源")),
        BenchQuery("食品安全", "text term", contains_all("食品安全")),
        BenchQuery("扬尘污染", "text term", contains_all("扬尘污染")),
        BenchQuery("健康证明", "text term", contains_all("健康证明")),
        BenchQuery("经营异常名录", "text term", contains_all("经营异常名录")),
        BenchQuery("纳税信用A级", "text term", contains_all("纳税信用A级")),
        BenchQuery("9121050", "code prefix", code_starts("9121050")),
        BenchQuery("92210504", "code prefix", code_starts("92210504")),
        BenchQuery(examples.credit_code, "full code", code_starts(examples.credit_code)),
        BenchQuery(examples.document_number, "document number", contains_all(examples.document_number)),
        BenchQuery(short_number, "document number", matches(re.escape(short_number) + "(?![0-9])")),
        BenchQuery("hdjc", "pinyin initials", lambda d: "hdjc" in d["initials"]),
        BenchQuery("罚款", "common", contains_all("罚款")),
        BenchQuery("有限公司", "common", contains_all("有限公司")),
        BenchQuery("市场监督管理局", "common", contains_all("市场监督管理局")),
        BenchQuery("有限 公司", "common, two terms", contains_all("有限", "公司")),
        BenchQuery("本溪市 罚款", "common, two terms", contains_all("本溪市", "罚款")),
        BenchQuery("食品 罚款", "two terms", contains_all("食品", "罚款")),
        BenchQuery("明山区 建材", "two terms", contains_all("明山区", "建材")),
    ]


def is_public(doc: SearchDoc, today: str) -> bool:
    return doc.public_from <= today and (doc.public_until is None or today <= doc.public_until)


def brute_force(doc: SearchDoc) -> dict[str, str]:
    """What the truth predicates look at: the searchable values, folded, kept apart."""
    return {
        "hay": "\x00".join(fold(v) for v in (doc.title, doc.document_number, doc.department_name, doc.text)),
        "code": fold(doc.credit_code),
        "key": fold(doc.entity_key),
        "initials": name_initials(doc.title)[0],
    }


# Measuring ----------------------------------------------------------------------------

#: Documents per `add` call while building.
ADD_BATCH = 5_000
#: Recall is checked id by id up to this many true matches (all of them can be listed);
#: above it, by the total.
RECALL_ID_LIMIT = MAX_RESULT_WINDOW


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build(
    index: SearchIndex | None, n: int, queries: list[BenchQuery], commit_every: int
) -> tuple[float, dict[str, set[str]]]:
    """Index the corpus in batches, committing every `commit_every` documents (the position is
    the number of documents so far), and compute the truth on the way; with no index, only
    the truth."""
    truth: dict[str, set[str]] = {q.text: set() for q in queries}
    seconds = 0.0
    batch: list[SearchDoc] = []
    committed = 0
    if index is not None:
        index.clear()
    progress = tqdm(generate_corpus(n), total=n, desc="build" if index else "truth", unit="doc")
    for done, doc in enumerate(progress, start=1):
        if is_public(doc, TODAY):
            facts = brute_force(doc)
            for q in queries:
                if q.truth(facts):
                    truth[q.text].add(doc.id)
        if index is None:
            continue
        batch.append(doc)
        if len(batch) == ADD_BATCH or done == n:
            start = time.perf_counter()
            index.add(batch)
            if done - committed >= commit_every or done == n:
                progress.set_postfix_str("committing")
                index.commit(done)
                committed = done
                progress.set_postfix_str("")
            seconds += time.perf_counter() - start
            batch = []
    return seconds, truth


def all_ids(index: SearchIndex, text: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        found = index.search(text, today=TODAY, sort="newest", page=page, page_size=1000)
        ids.update(h.id for h in found.hits)
        if page * 1000 >= found.total:
            return ids
        page += 1


def time_queries(
    index: SearchIndex, queries: list[BenchQuery], repeat: int, **options
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU milliseconds (this process, all threads) per query, `repeat` rounds
    in shuffled order after one warm-up round.  CPU time shows the work done even when the
    shared machine makes the query wait for a core."""
    wall: dict[str, list[float]] = {q.text: [] for q in queries}
    cpu: dict[str, list[float]] = {q.text: [] for q in queries}
    for q in queries:
        index.search(q.text, today=TODAY, **options)
    rng = random.Random(SEED)
    rounds = [list(queries) for _ in range(repeat)]
    for order in tqdm(rounds, desc="queries " + (",".join(options) or "plain"), unit="round"):
        rng.shuffle(order)
        for q in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            index.search(q.text, today=TODAY, **options)
            cpu[q.text].append((time.process_time() - start_cpu) * 1000)
            wall[q.text].append((time.perf_counter() - start) * 1000)
    return wall, cpu


def summary(timings: dict[str, list[float]]) -> dict[str, float]:
    every = [t for ts in timings.values() for t in ts]
    return {f"p{p}": round(percentile(every, p), 2) for p in (50, 95, 99)} | {"max": round(max(every), 2)}


BUILD_FIELDS = ("build_seconds", "docs_per_second", "load_during_build")


def run(n: int, engine: str, directory: Path, repeat: int, commit_every: int, previous: dict | None) -> dict:
    """Build (unless `previous`, the report of an earlier run, and the index at `directory`
    are both at `n` documents), then measure."""
    queries = query_set(pick_examples(n))
    reuse = previous is not None and previous.get("docs") == n and open_index(directory, engine).position() == n
    if reuse:
        _, truth = build(None, n, queries, commit_every)
        built = {k: previous.get(k) for k in BUILD_FIELDS} | {"reused_index": True}
    else:
        shutil.rmtree(directory, ignore_errors=True)
        index = open_index(directory, engine)
        seconds, truth = build(index, n, queries, commit_every)
        built = {"build_seconds": round(seconds, 1), "docs_per_second": round(n / seconds),
                 "load_during_build": round(os.getloadavg()[1], 1)}
        index.close()
    index = open_index(directory, engine)
    assert index.position() == n, "the committed position is the last document's number"
    report: dict = {
        "engine": engine, "docs": n, **built, "index_mb": round(directory_size(directory) / 1e6, 1),
        "cpu": os.cpu_count(), "load_before_queries": os.getloadavg()[0], "queries": [],
    }
    plain, plain_cpu = time_queries(index, queries, repeat)
    faceted, faceted_cpu = time_queries(index, queries, max(1, repeat // 2), facets=list(FACET_FIELDS))
    newest, _ = time_queries(index, queries, max(1, repeat // 2), sort="newest")
    for q in tqdm(queries, desc="recall", unit="query"):
        expected = truth[q.text]
        total = index.search(q.text, today=TODAY).total
        if len(expected) <= RECALL_ID_LIMIT:
            found = all_ids(index, q.text)
            recall = len(found & expected) / len(expected) if expected else 1.0
            precision = len(found & expected) / len(found) if found else 1.0
            checked = "ids"
        else:
            recall = min(1.0, total / len(expected))
            precision = min(1.0, len(expected) / total) if total else 1.0
            checked = "total"
        report["queries"].append({
            "query": q.text, "kind": q.kind, "terms": len(q.text.split()), "truth": len(expected),
            "total": total, "recall": round(recall, 4), "precision": round(precision, 4), "checked": checked,
            "p50_ms": round(percentile(plain[q.text], 50), 2), "max_ms": round(max(plain[q.text]), 2),
            "cpu_p50_ms": round(percentile(plain_cpu[q.text], 50), 2),
            "facets_p50_ms": round(percentile(faceted[q.text], 50), 2),
        })
    report["latency_ms"] = summary(plain)
    report["cpu_ms"] = summary(plain_cpu)
    report["latency_with_facets_ms"] = summary(faceted)
    report["cpu_with_facets_ms"] = summary(faceted_cpu)
    report["latency_newest_ms"] = summary(newest)
    report["load_after_queries"] = os.getloadavg()[0]
    index.close()
    return report


def markdown(report: dict) -> str:
    def triple(d: dict) -> str:
        return f"{d['p50']} / {d['p95']} / {d['p99']}"

    missed = [q["query"] for q in report["queries"] if q["recall"] < 1.0]
    lines = [
        f"### {report['engine']}, {report['docs']:,} documents",
        "",
        f"- build {report['docs_per_second']:,} docs/s ({report['build_seconds']} s, load {report['load_during_build'] or 'n/a'}),"
        f" index {report['index_mb']} MB",
        f"- p50 / p95 / p99 ms, wall clock: {triple(report['latency_ms'])} (max {report['latency_ms']['max']});"
        f" CPU: {triple(report['cpu_ms'])}",
        f"- with five facets, wall: {triple(report['latency_with_facets_ms'])}; CPU: {triple(report['cpu_with_facets_ms'])}",
        f"- newest first, wall: {triple(report['latency_newest_ms'])}",
        f"- machine load (2 cores, shared) before / after the queries: {report['load_before_queries']:.1f} / "
        f"{report['load_after_queries']:.1f}",
        f"- queries below recall 1.0: {', '.join(missed) or 'none'}",
        "",
        "| query | kind | true matches | total | recall | precision | p50 ms | CPU p50 ms | max ms | p50 with facets |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for q in report["queries"]:
        lines.append(
            f"| {q['query']} | {q['kind']} | {q['truth']:,} | {q['total']:,} | {q['recall']:.3f} | "
            f"{q['precision']:.3f} | {q['p50_ms']} | {q['cpu_p50_ms']} | {q['max_ms']} | {q['facets_p50_ms']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--engine", default=None, help="tantivy or whoosh (default: $GONGSHI_SEARCH_ENGINE or tantivy)")
    parser.add_argument("--out", type=Path, default=None, help="JSON report (default bench/out/search-ENGINE-N.json)")
    parser.add_argument("--index-dir", type=Path, default=None, help="where to build (default bench/out/index-ENGINE-N)")
    parser.add_argument("--repeat", type=int, default=10, help="timed rounds over the query set")
    parser.add_argument("--commit-every", type=int, default=100_000, help="documents per commit while building")
    parser.add_argument("--reuse", action="store_true", help="keep the index (and build figures) of an earlier run at --out")
    args = parser.parse_args(argv)
    from search.engine import engine_name

    engine = engine_name(args.engine)
    out = args.out or ROOT / "bench" / "out" / f"search-{engine}-{args.docs}.json"
    directory = args.index_dir or ROOT / "bench" / "out" / f"index-{engine}-{args.docs}"
    previous = json.loads(out.read_text(encoding="utf-8")) if args.reuse and out.exists() else None
    report = run(args.docs, engine, directory, args.repeat, args.commit_every, previous)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
