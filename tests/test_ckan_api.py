"""The CKAN Action API: envelopes, errors, package and catalog actions, as CKAN.md specifies."""
from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from tests.datasets_support import CREDIT_COUNT, DATASET_COUNT, load_sample
from web.app import create_app

NAIVE_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")
PACKAGE_KEYS = {"id", "name", "title", "type", "state", "private", "notes", "url", "version", "author", "author_email",
                "maintainer", "maintainer_email", "license_id", "license_title", "license_url", "isopen", "owner_org",
                "metadata_created", "metadata_modified", "num_resources", "num_tags", "organization", "groups", "tags",
                "extras", "resources"}
RESOURCE_KEYS = {"id", "package_id", "position", "name", "description", "format", "mimetype", "size", "hash", "url",
                 "url_type", "created", "last_modified", "metadata_modified", "state", "datastore_active"}


@pytest.fixture
def client(platform):
    load_sample(platform)
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def call(client, action, prefix="/api/3/action", **params):
    response = client.post(f"{prefix}/{action}", json=params)
    return response.status_code, response.json()


def ok(client, action, **params):
    status, body = call(client, action, **params)
    assert status == 200 and body["success"] is True, body
    assert body["help"].endswith(f"/api/3/action/help_show?name={action}")
    return body["result"]


def test_api_roots_name_their_versions(client):
    assert client.get("/api").json() == {"version": 1}
    assert client.get("/api/3").json() == {"version": 3}


def test_actions_answer_on_both_paths_and_with_duplicate_slashes(client):
    assert client.get("/api/action/site_read").json()["result"] is True
    assert client.get("/api/3/action/site_read").json()["result"] is True
    response = client.get("http://testserver//api//3/action/site_read")
    assert response.status_code == 200 and response.json()["result"] is True


def test_unknown_action_is_a_400_json_string(client):
    response = client.get("/api/3/action/foo")
    assert response.status_code == 400 and response.json() == "Bad request: Action name not known: foo"


def test_a_write_action_over_get_is_a_400(client):
    response = client.get("/api/3/action/package_create?name=x")
    assert response.status_code == 400 and response.json().startswith("Bad request: JSON Error")


def test_errors_carry_ckan_types_status_codes_and_prefixes(client):
    status, body = call(client, "package_show", id="nope")
    assert status == 404 and body["error"] == {"__type": "Not Found Error", "message": "Not found: Dataset not found"}
    status, body = call(client, "package_show")
    assert status == 409 and body["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    status, body = call(client, "package_search", bogus=1)
    assert status == 400 and body["error"]["__type"] == "Search Query Error"
    assert body["error"]["message"].startswith("Search Query is invalid: ")
    status, body = call(client, "package_create", name="x-y")
    assert status == 403 and body["error"]["message"].startswith("Access denied: ")


def test_status_show_and_license_list(client):
    status = ok(client, "status_show")
    assert set(status) >= {"site_title", "site_description", "site_url", "locale_default", "extensions", "ckan_version"}
    licenses = ok(client, "license_list")
    assert {"id", "title", "url"} <= set(licenses[0]) and "cc-by" in [lic["id"] for lic in licenses]


def test_package_list_is_sorted_and_pages(client):
    names = ok(client, "package_list")
    assert names == sorted(names) and len(names) == DATASET_COUNT
    assert ok(client, "package_list", limit="2", offset="1") == names[1:3]


def test_package_show_by_name_or_id_has_every_ckan_key(client):
    package = ok(client, "package_show", id="administrative-penalties", include_tracking=True)
    assert PACKAGE_KEYS <= set(package)
    assert ok(client, "package_show", id=package["id"])["name"] == "administrative-penalties"
    assert package["author_email"] is None and package["license_title"] == "Creative Commons Attribution"
    assert NAIVE_UTC.match(package["metadata_created"]) and NAIVE_UTC.match(package["metadata_modified"])
    assert package["organization"]["name"] == "fgw" and package["organization"]["is_organization"] is True
    assert all(isinstance(e["value"], str) for e in package["extras"])
    for res in package["resources"]:
        assert RESOURCE_KEYS <= set(res) and res["format"]
    assert [r["format"] for r in package["resources"]][:3] == ["CSV", "JSON", "XLSX"]


def test_resource_show_and_size_hash_after_a_download(client):
    package = ok(client, "package_show", id="red-list")
    csv_res = package["resources"][0]
    assert ok(client, "resource_show", id=csv_res["id"])["hash"] == ""
    download = client.get(csv_res["url"])
    shown = ok(client, "resource_show", id=csv_res["id"])
    assert shown["hash"] == download.headers["x-gongshi-sha256"] and shown["size"] == len(download.content)


def test_current_package_list_with_resources_pages_newest_first(client):
    packages = ok(client, "current_package_list_with_resources")
    assert len(packages) == 10 and all(p["resources"] for p in packages)
    stamps = [p["metadata_modified"] for p in packages]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(("q", "expected"), [
    ("失信", {"serious-dishonesty-list", "social-insurance-arrears-list", "society-credit-information"}),
    ("并联审批", {"investment-projects"}),
    ("景区", {"travel-agencies-and-scenic-spots"}),
    ("name:red-list", {"red-list"}),
    ('title:"行政处罚信息"', {"administrative-penalties"}),
    ("tags:红名单 OR tags:统计", {"red-list", "monthly-credit-statistics", "complaint-statistics"}),
    ("groups:(transport OR tourism)", {"road-transport-licenses", "travel-agencies-and-scenic-spots"}),
    ("+organization:scjg -name:market-entities", {"annual-reports", "business-anomaly-list", "spot-check-results",
                                                  "product-quality", "online-operators", "model-contracts"}),
    ("许可 教育", {"private-school-licenses"}),
])
def test_package_search_query_subset(client, q, expected):
    result = ok(client, "package_search", q=q, rows=100)
    assert {p["name"] for p in result["results"]} == expected and result["count"] == len(expected)


def test_package_search_everything_filters_ranges_and_sorts(client):
    everything = ok(client, "package_search", q="*:*", rows=1000)
    assert everything["count"] == DATASET_COUNT and everything["sort"] == "score desc, metadata_modified desc"
    assert ok(client, "package_search", fq="groups:credit", rows=100)["count"] == CREDIT_COUNT
    assert ok(client, "package_search", fq_list=["groups:credit", "organization:rsj"])["count"] == 1
    assert ok(client, "package_search", q="metadata_modified:[2020-01-01T00:00:00Z TO NOW]")["count"] == DATASET_COUNT
    assert ok(client, "package_search", q="metadata_modified:[2099-01-01T00:00:00Z TO *]")["count"] == 0
    names = [p["name"] for p in ok(client, "package_search", sort="name asc", rows=3)["results"]]
    assert names == ["administrative-licenses", "administrative-penalties", "annual-reports"]
    assert len(ok(client, "package_search", rows=5000)["results"]) == DATASET_COUNT


def test_package_search_facets_and_rows_zero(client):
    result = ok(client, "package_search", rows=0, **{"facet.field": json.dumps(["groups", "organization", "res_format"])})
    assert result["results"] == [] and result["count"] == DATASET_COUNT
    assert result["facets"]["groups"]["credit"] == CREDIT_COUNT and result["facets"]["res_format"]["CSV"] == DATASET_COUNT
    items = {i["name"]: i for i in result["search_facets"]["organization"]["items"]}
    assert items["fgw"]["display_name"] == "本溪市发展和改革委员会"
    got = client.get("/api/3/action/package_search?rows=0&facet.field=groups&facet.field=tags&facet.limit=2").json()
    assert set(got["result"]["facets"]) == {"groups", "tags"} and len(got["result"]["facets"]["tags"]) == 2


def test_package_search_bad_query_is_a_search_query_error(client):
    for params in ({"q": "title:(unbalanced"}, {"sort": "nope desc"}, {"q": "nosuchfield:x"}):
        status, body = call(client, "package_search", **params)
        assert status == 400 and body["error"]["__type"] == "Search Query Error", params


def test_lenient_booleans_and_integers_over_get(client):
    got = client.get("/api/3/action/organization_list?all_fields=True&limit=3&sort=name%20asc").json()["result"]
    assert [o["name"] for o in got] == ["czj", "fgw", "hg"]
    assert client.get("/api/3/action/group_list?all_fields=1").json()["result"][0]["package_count"] >= 1
    assert client.get("/api/3/action/package_search?rows=abc").json()["error"]["__type"] == "Validation Error"


def test_organizations_and_groups_show_their_datasets(client):
    org = ok(client, "organization_show", id="jtys", include_datasets="true", include_users=False)
    assert org["title"] == "本溪市交通运输局" and [p["name"] for p in org["packages"]] == ["road-transport-licenses"]
    group = ok(client, "group_show", id="tourism", include_datasets=True)
    assert group["title"] == "旅游" and group["package_count"] == 1
    assert [p["name"] for p in ok(client, "group_package_show", id="health")] == ["medical-institution-licenses"]
    assert len(ok(client, "organization_list")) == 22
    assert ok(client, "group_list", sort="name asc")[0] == "credit"


def test_tag_list(client):
    tags = ok(client, "tag_list")
    assert "红名单" in tags and tags == sorted(tags)
    assert ok(client, "tag_list", query="失信") == ["严重失信"]


def test_package_activity_list_lists_versions_from_the_log(client, platform):
    activities = ok(client, "package_activity_list", id="administrative-penalties")
    positions = [a["data"]["log_position"] for a in activities]
    # 1, 2, 3, 5 (since expired) and 6 recorded, then 3 withdrawn; 4 (never published) is not a version
    assert positions == sorted(positions, reverse=True) and len(positions) == 6
    assert all(NAIVE_UTC.match(a["timestamp"]) for a in activities)
    newest = activities[0]
    assert newest["data"]["event"] == "Record.Withdrawn"
    assert newest["data"]["downloads"]["csv"].endswith(f"?as_of={newest['data']['log_position']}")
    assert ok(client, "package_activity_list", id="administrative-penalties", limit=2, offset=1) == activities[1:3]


def test_help_show_names_the_action(client):
    assert "datastore" not in ok(client, "help_show", name="package_list").lower()
