"""Open datasets built from the ledger: definitions as data, public rows only, versions, files."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

import schemas
from publishing import definitions
from publishing.catalog import RESOURCE_FORMATS
from publishing.privacy import leaks
from publishing.rows import Query, QueryError
from tests.datasets_support import ID_NUMBER, PHONE, code, load_sample, penalty
from tests.records import SCJG


@pytest.fixture
def loaded(platform):
    position = load_sample(platform)
    return platform, position


def rows_of(platform, name, as_of=None):
    opendata = platform.opendata
    dataset = opendata.dataset(name)
    return list(opendata.rows(dataset).stream(opendata.version(dataset, as_of).moment))


def column(platform, name, column_id, as_of=None):
    dataset = platform.opendata.dataset(name)
    index = dataset.column_ids.index(column_id)
    return [row[index] for row in rows_of(platform, name, as_of)]


def test_every_column_is_a_public_field_of_a_json_schema():
    for dataset in definitions.datasets():
        for col in dataset.columns:
            schema = definitions.schema_of(col.schema)
            assert col.field in schema["properties"], (dataset.name, col.id)
            assert schema["properties"][col.field].get("x-public") is not False
            assert col.title == schema["properties"][col.field]["title"]
        assert set(dataset.key) <= set(dataset.column_ids)


def test_a_private_field_cannot_be_put_in_a_dataset():
    with pytest.raises(ValueError, match="not public"):
        definitions.parse({"name": "leak", "title": "t", "notes": "", "organization": "SCJG", "groups": [], "tags": [],
                           "license_id": "cc-by", "frequency": "daily", "issued": "2026-11-01", "schema": "penalty",
                           "rows": {"from": "records", "kinds": ["penalty"]}, "key": "document_number",
                           "columns": ["document_number", "person_id_number"]})


def test_catalog_has_the_required_datasets_themes_and_departments():
    names = {d.name for d in definitions.datasets()}
    assert {"administrative-licenses", "administrative-penalties", "credit-commitments", "business-anomaly-list",
            "serious-dishonesty-list", "red-list", "market-entities", "road-transport-licenses",
            "travel-agencies-and-scenic-spots", "private-school-licenses", "medical-institution-licenses",
            "social-insurance-arrears-list", "high-tech-enterprises", "monthly-credit-statistics"} <= names
    assert [t["title"] for t in definitions.themes()] == ["信用", "法人", "交通", "社会保障", "医疗卫生", "教育", "科技",
                                                         "旅游", "统计"]
    keys = {d["key"] for d in schemas.catalog()["departments"]}
    assert all(d.organization in keys for d in definitions.datasets())


def test_sample_fills_every_dataset(loaded):
    platform, _ = loaded
    for dataset in definitions.datasets():
        assert rows_of(platform, dataset.name), dataset.name


def test_penalties_dataset_holds_only_what_is_public_today(loaded):
    platform, _ = loaded
    documents = column(platform, "administrative-penalties", "document_number")
    assert sorted(documents) == ["本市监罚〔2025〕1号", "本市监罚〔2025〕2号", "本市监罚〔2025〕6号"]
    # 4: minor (never published), 5: publicity ended in 2020, 3: withdrawn


def test_removed_listing_leaves_the_anomaly_list(loaded):
    platform, _ = loaded
    assert column(platform, "business-anomaly-list", "credit_code") == [code(4)]


def test_theme_datasets_take_their_license_type_or_list_type(loaded):
    platform, _ = loaded
    assert column(platform, "road-transport-licenses", "license_type") == ["道路运输经营许可"]
    assert sorted(column(platform, "travel-agencies-and-scenic-spots", "license_type")) == ["A级旅游景区评定", "旅行社业务经营许可"]
    assert column(platform, "social-insurance-arrears-list", "list_type") == ["社会保险严重失信"]
    assert sorted(column(platform, "serious-dishonesty-list", "list_type")) == ["严重违法失信", "社会保险严重失信"]


def test_statistics_count_by_month_district_department_and_kind(loaded):
    platform, _ = loaded
    dataset = platform.opendata.dataset("monthly-credit-statistics")
    rows = [dict(zip(dataset.column_ids, r)) for r in rows_of(platform, dataset.name)]
    penalties = [r for r in rows if r["kind"] == "penalty" and r["month"] == "2025-03"]
    assert sum(r["count"] for r in penalties) == 3  # 1, 2, 6 published; 3 withdrawn; 4 never published
    assert {r["department_name"] for r in penalties} == {"本溪市市场监督管理局"}
    assert {r["district_name"] for r in penalties} >= {"无（自然人或无统一社会信用代码）"}
    assert all(r["kind_title"] for r in rows)


def test_entities_dataset_names_districts_and_hides_phones(loaded):
    platform, _ = loaded
    dataset = platform.opendata.dataset("market-entities")
    rows = [dict(zip(dataset.column_ids, r)) for r in rows_of(platform, dataset.name)]
    assert len(rows) == 12
    assert {r["district_name"] for r in rows} == {"平山区", "溪湖区", "明山区", "南芬区", "本溪满族自治县", "桓仁满族自治县"}
    assert "phone" not in dataset.column_ids


def test_privacy_scan_finds_no_id_or_phone_number_in_any_resource(loaded):
    platform, _ = loaded
    opendata = platform.opendata
    for dataset in opendata.datasets:
        for fmt in ("csv", "tsv", "json", "dump-json", "xlsx"):
            data = opendata.build(dataset, fmt).path.read_bytes()
            assert leaks(fmt, data) == [], (dataset.name, fmt)
            if fmt != "xlsx":
                assert ID_NUMBER.encode() not in data and PHONE.encode() not in data


def test_privacy_scan_catches_an_id_or_phone_number():
    assert leaks("csv", f"a,b\r\n{ID_NUMBER},x\r\n".encode()) == [ID_NUMBER]
    assert leaks("json", json.dumps([{"facts": f"电话{PHONE}"}]).encode()) == [f"电话{PHONE}"]
    assert leaks("csv", b"record_id\r\n50b29f38-c175-5165-8972-22ec72dba8cb\r\n") == []


def test_csv_has_a_bom_and_a_header_of_column_ids(loaded):
    platform, _ = loaded
    dataset = platform.opendata.dataset("administrative-penalties")
    data = platform.opendata.build(dataset, "csv").path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == dataset.column_ids
    assert len(table) == 4


def test_xlsx_has_chinese_headers_and_a_dictionary_sheet(loaded):
    platform, _ = loaded
    dataset = platform.opendata.dataset("red-list")
    book = openpyxl.load_workbook(platform.opendata.build(dataset, "xlsx").path)
    assert book.sheetnames == ["数据", "数据字典"]
    header = [c.value for c in book["数据"][1]]
    assert header == [c.title for c in dataset.columns]
    assert book["数据"].max_row == 2


def test_json_download_is_an_array_of_objects(loaded):
    platform, _ = loaded
    dataset = platform.opendata.dataset("credit-commitments")
    items = json.loads(platform.opendata.build(dataset, "json").path.read_bytes())
    assert items[0]["commitment_type"] == "告知承诺" and list(items[0]) == dataset.column_ids


def test_pinned_version_gives_the_same_bytes_after_later_events(loaded):
    platform, position = loaded
    opendata = platform.opendata
    dataset = opendata.dataset("administrative-penalties")
    before = {fmt: opendata.build(dataset, fmt, position) for fmt in ("csv", "json", "xlsx")}
    platform.records.submit([penalty(9), {"kind": "penalty", "action": "withdraw", "reason": "撤销", "authority_code": SCJG,
                                  "document_number": "本市监罚〔2025〕1号", "source_unit_code": SCJG}],
                    department=None, submitter="test")
    latest = opendata.build(dataset, "csv")
    assert latest.version.position > position and latest.sha256 != before["csv"].sha256
    for fmt, built in before.items():
        built.path.unlink()  # rebuilt from the read models, not served from the cache
        built.path.with_suffix(".meta").unlink()
        again = opendata.build(dataset, fmt, position)
        assert again.sha256 == built.sha256, fmt
    assert len(column(platform, "administrative-penalties", "document_number", position)) == 3


def test_a_position_not_in_the_log_is_refused(loaded):
    platform, position = loaded
    from publishing.versions import PositionError

    with pytest.raises(PositionError):
        platform.opendata.version(platform.opendata.dataset("red-list"), position + 1)


def test_page_filters_sorts_and_pages_by_keyset(loaded):
    platform, _ = loaded
    opendata = platform.opendata
    dataset = opendata.dataset("market-entities")
    rows, moment = opendata.rows(dataset), opendata.version(dataset).moment
    first = rows.page(moment, Query(sort=[("registered_capital", True)], limit=5))
    assert [r[5] for r in first.rows] == [112, 111, 110, 109, 108]
    second = rows.page(moment, Query(sort=[("registered_capital", True)], limit=5, after=first.last))
    assert [r[5] for r in second.rows] == [107, 106, 105, 104, 103]
    filtered = rows.page(moment, Query(filters={"district_code": ["210502", "210503"]}, q="商贸"))
    assert {r[8] for r in filtered.rows} == {"210502", "210503"} and len(filtered.rows) == 4
    assert rows.count(moment, Query(filters={"registered_capital": 105})) == 1
    with pytest.raises(QueryError):
        rows.page(moment, Query(filters={"nope": 1}))


def test_every_dataset_offers_the_same_resources():
    assert RESOURCE_FORMATS == ("csv", "json", "xlsx", "schema", "datapackage")
