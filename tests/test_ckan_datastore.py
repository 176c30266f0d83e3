"""datastore_search and datastore_info: CKAN's parameters and answers, keyset paging, downloads."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from starlette.testclient import TestClient

from domain.clock import CHINA
from projections.moments import position_at
from publishing.catalog import resource_id
from tests.datasets_support import load_sample, penalty
from web.app import create_app


@pytest.fixture
def client(platform):
    load_sample(platform)
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def rid(platform, name, fmt="csv"):
    return resource_id(platform.opendata.dataset(name), fmt)


def search(client, **params):
    response = client.post("/api/3/action/datastore_search", json=params)
    return response.status_code, response.json()


def result(client, **params):
    status, body = search(client, **params)
    assert status == 200, body
    return body["result"]


def test_search_answers_fields_records_total_and_links(client, platform):
    r = result(client, resource_id=rid(platform, "market-entities"), limit=5)
    assert r["total"] == 12 and len(r["records"]) == 5 and r["total_was_estimated"] is False
    assert [f["id"] for f in r["fields"]][:3] == ["credit_code", "name", "entity_type"]
    assert r["fields"][0]["info"]["label"] == "统一社会信用代码"
    assert {f["type"] for f in r["fields"]} >= {"text", "numeric", "date"}
    assert r["_links"]["start"].startswith("/api/3/action/datastore_search?resource_id=")
    assert "offset=5" in r["_links"]["next"]
    assert r["log_position"] > 0 and r["rules_date"] == "2026-11-25"


def test_filters_q_fields_sort_and_formats(client, platform):
    res = rid(platform, "market-entities")
    r = result(client, resource_id=res, filters={"district_code": ["210502", "210504"]}, fields=["credit_code", "district_code"],
               sort="credit_code desc")
    assert r["total"] == 4 and [f["id"] for f in r["fields"]] == ["credit_code", "district_code"]
    codes = [x["credit_code"] for x in r["records"]]
    assert codes == sorted(codes, reverse=True) and {x["district_code"] for x in r["records"]} == {"210502", "210504"}
    r = result(client, resource_id=res, filters=json.dumps({"registered_capital": "105"}), records_format="lists")
    assert r["total"] == 1 and isinstance(r["records"][0], list)
    assert result(client, resource_id=res, q="测试1")["total"] == 4  # 测试1, 测试10, 测试11, 测试12
    assert result(client, resource_id=res, q={"name": "测试12"})["total"] == 1
    text = result(client, resource_id=res, records_format="csv", fields="credit_code,name", limit=3)["records"]
    assert len(list(csv.reader(io.StringIO(text)))) == 3
    assert "\t" in result(client, resource_id=res, records_format="tsv", limit=1)["records"]


def test_distinct_and_array_filters(client, platform):
    r = result(client, resource_id=rid(platform, "market-entities"), fields="status", distinct=True)
    assert r["records"] == [{"status": "存续"}] and r["total"] == 1
    penalties = rid(platform, "administrative-penalties")
    assert result(client, resource_id=penalties, filters={"categories": "没收违法所得"})["total"] == 3
    assert result(client, resource_id=penalties, filters={"categories": "吊销许可证件"})["total"] == 0


def test_limit_clamps_and_offset_pages(client, platform):
    res = rid(platform, "market-entities")
    assert result(client, resource_id=res, limit=100000)["limit"] == 32000
    everything = result(client, resource_id=res, limit=100)["records"]
    assert result(client, resource_id=res, limit=3, offset=3)["records"] == everything[3:6]
    assert result(client, resource_id=res, limit=0)["records"] == []


def test_following_links_pages_to_the_end(client, platform):
    res = rid(platform, "market-entities")
    seen, url = [], f"/api/3/action/datastore_search?resource_id={res}&limit=5"
    while True:
        page = client.get(url).json()["result"]
        if not page["records"]:
            break
        seen += [r["credit_code"] for r in page["records"]]
        url = page["_links"]["next"]
    assert len(seen) == len(set(seen)) == 12


def test_keyset_next_page_is_consistent_while_new_records_arrive(client, platform):
    res = rid(platform, "administrative-penalties")
    first = result(client, resource_id=res, limit=2, sort="decision_date desc")
    assert set(first["next_page"]) == {"$after"}
    platform.records.submit([penalty(20), penalty(21)], department=None, submitter="test")
    seen = [r["record_id"] for r in first["records"]]
    filters = first["next_page"]
    while True:
        page = result(client, resource_id=res, limit=2, sort="decision_date desc", filters=filters)
        seen += [r["record_id"] for r in page["records"]]
        if "next_page" not in page:
            break
        filters = page["next_page"]
    assert len(seen) == len(set(seen)) == 3  # the version the first page saw, not the newer one
    assert result(client, resource_id=res)["total"] == 5
    follow = client.get(first["_links"]["next_page"]).json()["result"]
    assert follow["records"][0]["record_id"] == seen[2]


def test_as_of_pins_a_search_to_a_version(client, platform):
    res = rid(platform, "administrative-penalties")
    before = result(client, resource_id=res)
    platform.records.submit([penalty(30)], department=None, submitter="test")
    assert result(client, resource_id=res)["total"] == before["total"] + 1
    pinned = result(client, resource_id=res, as_of=before["log_position"])
    assert pinned["total"] == before["total"] and pinned["records"] == before["records"]


def test_validation_errors_and_missing_resources(client, platform):
    res = rid(platform, "market-entities")
    cases = [({}, "resource_id"), ({"resource_id": res, "bogus": 1}, "bogus"),
             ({"resource_id": res, "filters": {"nope": 1}}, "filters"), ({"resource_id": res, "fields": "nope"}, "fields"),
             ({"resource_id": res, "sort": "nope asc"}, "sort"), ({"resource_id": res, "limit": -1}, "limit"),
             ({"resource_id": res, "records_format": "xml"}, "records_format"),
             ({"resource_id": res, "filters": {"registered_capital": "abc"}}, "filters"),
             ({"resource_id": res, "as_of": 10**9}, "as_of")]
    for params, field in cases:
        status, body = search(client, **params)
        assert status == 409 and body["error"]["__type"] == "Validation Error" and field in body["error"], params
    status, body = search(client, resource_id="missing")
    assert status == 404 and body["error"]["message"] == 'Not found: Resource "missing" was not found.'


def test_datastore_info_describes_the_table(client, platform):
    info = client.get(f"/api/3/action/datastore_info?id={rid(platform, 'red-list')}").json()["result"]
    assert info["meta"]["count"] == 1 and info["meta"]["table_type"] == "BASE TABLE"
    assert info["fields"][0]["id"] == "record_id" and info["fields"][0]["schema"]["is_index"] is True


def test_download_headers_and_conditional_get(client, platform):
    package = client.get("/api/3/action/package_show?id=red-list").json()["result"]
    url = package["resources"][0]["url"]
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    headers = response.headers
    assert int(headers["content-length"]) == len(response.content)
    assert headers["etag"] == f'"{headers["x-gongshi-sha256"]}"' and headers["last-modified"].endswith("GMT")
    assert int(headers["x-gongshi-position"]) == int(package["version"])
    assert client.get(url, headers={"If-None-Match": headers["etag"]}).status_code == 304
    pinned = client.get(url, params={"as_of": headers["x-gongshi-position"]})
    assert pinned.headers["cache-control"].endswith("immutable")
    assert client.get(url, params={"as_of": "0"}).status_code == 400
    assert client.get(url, params={"as_of": "999999"}).status_code == 404
    assert client.head(url).headers["content-length"] == headers["content-length"]


def test_a_download_as_of_a_date_goes_to_the_position_it_reaches(client, platform):
    url = client.get("/api/3/action/package_show?id=red-list").json()["result"]["resources"][0]["url"]
    end_of_day = dt.datetime(2026, 11, 25, 23, 59, 59, 999999, tzinfo=CHINA)
    moved = client.get(url, params={"as_of": "2026-11-25"}, follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"].endswith(f"as_of={position_at(platform.views_db, end_of_day)}")
    assert client.get(url, params={"as_of": "2026-13-01"}).status_code == 400
    status, body = search(client, resource_id=rid(platform, "red-list"), as_of="2026-13-01")
    assert status == 409 and "as_of" in body["error"]


def test_datastore_dump_formats(client, platform):
    res = rid(platform, "credit-commitments")
    dumped = client.get(f"/datastore/dump/{res}?format=json").json()
    assert [f["id"] for f in dumped["fields"]][0] == "record_id" and len(dumped["records"]) == 1
    assert client.get(f"/datastore/dump/{res}?format=tsv").text.count("\t") > 5
    assert client.get(f"/datastore/dump/{res}?format=xlsx").content[:2] == b"PK"
    assert client.get(f"/datastore/dump/{res}?format=pdf").status_code == 400
    assert client.get("/datastore/dump/nope").status_code == 404


def test_data_dictionary_as_json_schema_and_datapackage(client, platform):
    schema = client.get("/dataset/administrative-penalties/schema.json").json()
    assert schema["$schema"].endswith("2020-12/schema") and schema["properties"]["fine"]["type"] == ["number", "null"]
    assert schema["properties"]["party_name"]["x-national-code"] == "CF_XDR_MC"
    package = client.get("/dataset/administrative-penalties/datapackage.json").json()
    resource = package["resources"][0]
    assert package["profile"] == "tabular-data-package" and resource["encoding"] == "utf-8-sig"
    assert resource["schema"]["primaryKey"] == ["record_id"]
    assert {f["type"] for f in resource["schema"]["fields"]} == {"string", "number", "date"}
