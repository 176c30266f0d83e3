"""The demo data generator (`gongshi demo`): valid, deterministic, complete and streaming."""
from __future__ import annotations

import collections
import datetime as dt
import hashlib
import inspect
import json
import os
import subprocess
import sys
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

import schemas
from domain import deadlines
from domain.codes import INDIVIDUAL_PLACEHOLDER, is_valid_credit_code, validate_id_number
from domain.publicity import penalty_window
from gongshi.demo import DEPARTMENTS, department_of, generate

END = "2026-11-20"
ENVELOPE = ("kind", "action", "reason")
KEY_FIELDS = {k: tuple(schemas.kind_schema(k)["x-natural-key"]) for k in schemas.KINDS}


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return list(generate(entities=300))


def fields_of(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in ENVELOPE}


def new_records(items, kind=None):
    return [i for i in items if "action" not in i and (kind is None or i["kind"] == kind)]


def digest(entities: int, seed: int) -> str:
    h = hashlib.sha256()
    for item in generate(entities=entities, seed=seed):
        h.update(json.dumps(item, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


# --- validity --------------------------------------------------------------------------------
def test_every_record_and_correction_validates_against_its_kind_schema(items):
    validators = {k: Draft202012Validator(schemas.kind_schema(k), format_checker=FormatChecker())
                  for k in schemas.KINDS}
    for item in items:
        if item.get("action") == "withdraw":
            assert set(item) == {"kind", "action", "reason", "authority_code", "document_number"}
            continue
        errors = [e.message for e in validators[item["kind"]].iter_errors(fields_of(item))]
        assert not errors, (item, errors)
        if "action" in item:
            assert item["action"] == "correct" and item["reason"]


def test_every_item_comes_from_its_catalog_source(items):
    catalog = schemas.catalog()
    names = {d["code"]: d["name"] for d in catalog["departments"]}
    for item in items:
        src = department_of(item)
        assert src in names, item
        if item.get("action") == "withdraw":
            continue
        rule = catalog["sources"][item["kind"]]
        if rule["rule"] == "deciding_authority":
            assert item["source_unit_code"] == item["authority_code"]
        elif rule["rule"] == "department":
            assert src == rule["department"] == item["authority_code"]
        elif rule["rule"] == "by_list_type":
            assert src == rule["by_list_type"][item["list_type"]] == item["authority_code"]
        else:
            assert src == rule["by_category"].get(item["credit_code"][:2], rule["default"])
            assert item["registration_authority"] == names[src]
        if "authority_code" in item:
            assert item["authority"] == names[item["authority_code"]]
    assert {d["code"] for d in DEPARTMENTS.values()} == set(names)


def test_credit_codes_and_id_numbers_are_valid(items):
    for item in items:
        for name in ("authority_code", "source_unit_code", "listing_authority_code"):
            if name in item:
                assert is_valid_credit_code(item[name]), item
        code = item.get("credit_code")
        if code == INDIVIDUAL_PLACEHOLDER:
            assert item["kind"] != "entity" and item["party_type"] == "个体工商户" and item["registration_number"]
        elif code is not None:
            assert is_valid_credit_code(code), item
        for name in ("person_id_number", "legal_representative_id_number"):
            if name in item:
                assert validate_id_number(item[name]) == item[name]
                assert item[name][:2] in ("21", "22")  # Liaoning (and a few neighbours for other-city firms)
        if "phone" in item:
            assert len(item["phone"]) == 11 and item["phone"].isdigit() and item["phone"][0] == "1"


def test_registered_entities_have_unique_codes_and_names_of_every_category(items):
    registrations = [i for i in items if i["kind"] == "entity" and "change_date" not in i]
    codes = [i["credit_code"] for i in registrations]
    names = [i["name"] for i in registrations]
    assert len(set(codes)) == len(codes) == 300
    assert len(set(names)) == len(names)
    assert {c[:2] for c in codes} == {"91", "92", "93", "51", "52", "53"}
    assert {i["district_code"] for i in registrations} == {"210502", "210503", "210504", "210505", "210521", "210522"}
    assert {i["credit_code"][2:8] for i in registrations} <= {"210502", "210503", "210504", "210505", "210521", "210522"}
    types = {i["entity_type"] for i in registrations}
    assert {"有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户", "农民专业合作社"} <= types
    assert any("鑫" in n for n in names)
    assert all(i["address"].startswith("辽宁省本溪市") for i in registrations)


def test_no_decision_is_dated_after_the_demo_today(items):
    for item in items:
        for name in ("decision_date", "commitment_date", "established", "change_date"):
            if name in item:
                assert item[name] <= END, item
        if "decision_date" in item and item["kind"] != "entity":
            assert item["decision_date"] >= "2019-01-01"
        if "valid_from" in item:
            assert item["valid_from"] <= item["valid_to"]


def test_fines_are_in_ten_thousand_yuan_with_at_most_six_decimals(items):
    penalties = new_records(items, "penalty")
    for p in penalties:
        assert ("fine" in p) == ("罚款" in p["categories"]), p
        for name in ("fine", "confiscation"):
            if name in p:
                value = Decimal(str(p[name]))
                assert value > 0 and value == value.quantize(Decimal("0.000001"))
    fines = [p["fine"] for p in penalties if "fine" in p]
    assert min(fines) < 0.1 and max(fines) >= 100


def test_natural_keys_are_unique_per_authority(items):
    keys = collections.Counter((i["kind"], *(i.get(f) for f in KEY_FIELDS[i["kind"]]))
                               for i in new_records(items) if i["kind"] != "entity")
    assert keys and max(keys.values()) == 1
    numbers = collections.Counter((i["authority_code"], i["document_number"])
                                  for i in new_records(items) if i["kind"] != "entity")
    assert max(numbers.values()) == 1  # document numbers never repeat within one authority


# --- determinism -----------------------------------------------------------------------------
def test_same_entities_and_seed_give_the_same_items(items):
    assert list(generate(entities=300)) == items


def test_a_different_seed_gives_different_items(items):
    assert list(generate(entities=300, seed=7)) != items


def test_output_does_not_depend_on_hash_randomisation():
    script = ("import hashlib, json\nfrom gongshi.demo import generate\nh = hashlib.sha256()\n"
              "for i in generate(entities=60, seed=3):\n"
              "    h.update(json.dumps(i, ensure_ascii=False, sort_keys=True).encode())\nprint(h.hexdigest())")
    root = Path(__file__).resolve().parents[1]
    outputs = {subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert outputs == {digest(60, 3)}


# --- completeness ----------------------------------------------------------------------------
def enum_of(kind, field):
    prop = schemas.kind_schema(kind)["properties"][field]
    return set(prop.get("items", prop)["enum"])


#: Kinds a department submits (society-sourced records come from confirmed contributions: gongshi/loading.py).
SUBMITTED_KINDS = {k for k in schemas.KINDS if schemas.catalog()["sources"][k]["rule"] != "confirmed_contribution"}


def test_every_kind_and_action_appears(items):
    seen = {(i["kind"], i.get("action", "record")) for i in items}
    assert {(k, "record") for k in SUBMITTED_KINDS} <= seen
    assert {("penalty", "correct"), ("penalty", "withdraw"), ("license", "correct"), ("license", "withdraw")} <= seen


def test_every_penalty_category_commitment_type_and_anomaly_reason_appears(items):
    assert {c for p in new_records(items, "penalty") for c in p["categories"]} == enum_of("penalty", "categories")
    assert {c["commitment_type"] for c in new_records(items, "commitment")} == enum_of("commitment", "commitment_type")
    # the deadline job lists for reports not filed (gongshi/loading.load_demo runs it): not the generator's to make
    decided_by_rules = {r.cause for r in deadlines.rules().values() if r.trigger == deadlines.REPORT_MISSED}
    assert {a["cause"] for a in new_records(items, "anomaly_listing")} == enum_of("anomaly_listing", "cause") - decided_by_rules
    assert len({d["list_type"] for d in new_records(items, "dishonesty_listing")}) >= 3
    assert len({r["list_type"] for r in new_records(items, "red_list")}) >= 3


def test_licenses_come_from_every_typical_department(items):
    licenses = new_records(items, "license")
    by_type = {}
    for lic in licenses:
        by_type.setdefault(lic["license_type"], set()).add(lic["authority"])
    for license_type, dept in [("道路运输经营许可", "交通运输局"), ("旅行社业务经营许可", "文化旅游和广播电视局"),
                               ("民办学校办学许可", "教育局"), ("医疗机构执业许可", "卫生健康委员会"),
                               ("高新技术企业认定", "科学技术局"), ("食品经营许可", "市场监督管理局"),
                               ("排污许可", "生态环境局"), ("建筑业企业资质", "住房和城乡建设局"),
                               ("安全生产许可", "应急管理局"), ("采矿许可", "自然资源局"),
                               ("人力资源服务许可", "人力资源和社会保障局"), ("A级旅游景区评定", "文化旅游和广播电视局")]:
        assert by_type.get(license_type) == {f"本溪市{dept}"}, license_type
    assert any(lic["valid_to"] == "2099-12-31" for lic in licenses)
    assert {lic["state"] for lic in licenses} == {"1", "2"}
    assert all("〔" in lic["document_number"] and lic["document_number"].endswith("号") for lic in licenses)


def test_penalties_exercise_every_publicity_rule_set(items):
    rules = schemas.publicity_rules()
    windows = [(p, penalty_window(rules, p)) for p in new_records(items, "penalty")]
    combos = collections.Counter((w.rule_set, w.severity) for _, w in windows)
    for rule_set in rules["rule_sets"]:
        for severity in ("minor", "general", "serious"):
            assert combos[(rule_set["id"], severity)] > 0, (rule_set["id"], severity, combos)
    key_sectors = set(rules["severity"]["key_sectors"])
    assert any(w.rule_set == "ndrc-2023-58" and w.severity == "serious" and p["sector"] in key_sectors
               for p, w in windows)
    assert {p["sector"] for p, _ in windows} >= key_sectors
    assert any(p["decision_date"] < rules["rule_sets"][0]["from"] for p, _ in windows)  # before the first set
    public_now = [w for _, w in windows if w.published and w.max_end > END]
    expired = [w for _, w in windows if w.max_end <= END]
    assert public_now and len(expired) > len(windows) / 3


def test_penalties_reach_natural_persons_and_uncoded_individual_businesses(items):
    penalties = new_records(items, "penalty")
    persons = [p for p in penalties if p["party_type"] == "自然人"]
    assert persons and all(p["person_id_type"] == "身份证" and "credit_code" not in p for p in persons)
    individuals = [p for p in penalties if p["party_type"] == "个体工商户"]
    assert any(p["credit_code"] == INDIVIDUAL_PLACEHOLDER for p in individuals)
    assert any(p["credit_code"] != INDIVIDUAL_PLACEHOLDER for p in individuals)
    assert any(p["procedure"] == "简易程序" for p in penalties)


# --- ordering and references -------------------------------------------------------------------
def test_records_follow_the_registration_and_name_their_party_as_registered(items):
    registered = {i["credit_code"] for i in items if i["kind"] == "entity"}
    state: dict[str, dict] = {}
    changes = 0
    for item in items:
        if item.get("action") == "withdraw":
            continue
        code = item.get("credit_code")
        if item["kind"] == "entity":
            if "change_date" in item:
                changes += 1
                assert code in state and item["change_date"] > state[code]["established"]
                state[code]["reps"].append((item["change_date"], item["legal_representative"]))
            else:
                assert code not in state
                state[code] = {"name": item["name"], "established": item["established"],
                               "reps": [(item["established"], item["legal_representative"])]}
            continue
        if code not in registered:
            continue
        assert code in state, item  # the registration was submitted first
        assert item["party_name"] == state[code]["name"]
        if "legal_representative" in item:
            when = item.get("decision_date") or item["commitment_date"]
            in_force = [rep for since, rep in state[code]["reps"] if since <= when]
            assert item["legal_representative"] == in_force[-1], item
    assert changes > 0


def test_removals_follow_an_existing_listing_of_the_same_party(items):
    listings: dict[tuple, dict] = {}
    removed = collections.Counter()
    for item in new_records(items):
        kind = item["kind"]
        if kind in ("anomaly_listing", "dishonesty_listing"):
            listings[(kind, item["authority_code"], item["document_number"])] = item
        elif kind in ("anomaly_removal", "dishonesty_removal"):
            listing = listings[(kind.replace("removal", "listing"), item["listing_authority_code"],
                                item["listing_document_number"])]
            assert listing["credit_code"] == item["credit_code"] and listing["decision_date"] < item["decision_date"]
            if kind == "dishonesty_removal":
                assert item["list_type"] == listing["list_type"]
                listed = dt.date.fromisoformat(listing["decision_date"])
                years = 3 if item["cause"] == "期满移出" else 1
                assert item["decision_date"] >= listed.replace(year=listed.year + years, day=min(listed.day, 28)).isoformat()
            removed[kind] += 1
    assert removed["anomaly_removal"] and removed["dishonesty_removal"]
    assert removed["anomaly_removal"] < sum(1 for k in listings if k[0] == "anomaly_listing")


def test_corrections_and_withdrawals_refer_to_earlier_records(items):
    seen: dict[tuple, dict] = {}
    amended = collections.Counter()
    for item in items:
        key = (item["kind"], item["authority_code"], item["document_number"]) if "document_number" in item else None
        if "action" not in item:
            if key:
                seen[key] = item
            continue
        original = seen[key]
        if item["action"] == "correct":
            assert fields_of(item) != fields_of(original)
            assert {k: v for k, v in fields_of(item).items() if k in ("party_name", "decision_date")} == \
                   {k: v for k, v in fields_of(original).items() if k in ("party_name", "decision_date")}
        amended[(item["kind"], item["action"])] += 1
    penalties = len(new_records(items, "penalty"))
    assert 0 < amended[("penalty", "correct")] < penalties * 0.05
    assert 0 < amended[("penalty", "withdraw")] < penalties * 0.03


# --- size and streaming ------------------------------------------------------------------------
def test_default_size_is_about_ten_items_per_entity():
    counts = collections.Counter(i["kind"] for i in generate())
    assert 2000 <= counts["entity"] <= 2600
    assert 17_000 <= sum(counts.values()) <= 24_000


def test_large_generation_streams_without_materialising_everything():
    stream = generate(entities=100_000)
    assert inspect.isgenerator(stream)
    first = list(islice(stream, 50_000))
    stream.close()
    kinds = collections.Counter(i["kind"] for i in first)
    assert len(first) == 50_000 and set(kinds) == SUBMITTED_KINDS
    assert 4_000 < kinds["entity"] < 7_000  # only the entities needed so far were generated
    assert len({i["credit_code"] for i in first if i["kind"] == "entity"}) > 4_000


def test_zero_entities_yield_nothing_and_a_negative_count_is_refused():
    assert list(generate(entities=0)) == []
    with pytest.raises(ValueError):
        generate(entities=-1)
