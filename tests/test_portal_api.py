"""The JSON twins under /api/v1: the pages' data, paging, as_of, errors as JSON, the OpenAPI document."""
from __future__ import annotations

import pytest

from tests.portal import client, submit
from tests.records import COMPANY, entity, penalty


@pytest.fixture
def api(platform):
    submit(platform, entity(), *[penalty(n, decision_date=f"2025-03-{n:02d}") for n in range(1, 8)])
    with client(platform) as c:
        yield c


def test_every_answer_names_its_position_and_day(api):
    for url in ("/api/v1/summary", "/api/v1/search?q=恒达", f"/api/v1/entities/{COMPANY}", "/api/v1/lists/red"):
        body = api.get(url).json()
        assert body["position"] == 8 and body["today"] == "2026-11-25" and body["as_of"] is None


def test_search_pages_are_stable_and_complete(api):
    seen, url, pages = [], "/api/v1/search?q=恒达建材&kind=penalty&sort=newest&page_size=3", 0
    while url:
        body = api.get(url).json()
        seen += [h["id"] for h in body["hits"]]
        url, pages = body["links"]["next"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    dates = [api.get(f"/api/v1/records/{i}").json()["record"]["decision_date"] for i in seen]
    assert dates == sorted(dates, reverse=True)


def test_search_answers_with_facets_labels_and_links(api):
    body = api.get("/api/v1/search", params={"q": "明山区建材"}).json()
    assert body["total"] == 8 and body["source"] == "index"
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == {"penalty": 7, "entity": 1}
    assert body["facets"]["district"][0] == {"value": "210504", "label": "明山区", "count": 8}
    entity_hit = next(h for h in body["hits"] if h["doc_type"] == "entity")
    assert entity_hit["url"] == f"/entities/{COMPANY}" and "<mark>" in entity_hit["title_html"]


def test_entity_json_pages_the_chosen_tab_only(api):
    first = api.get(f"/api/v1/entities/{COMPANY}", params={"page_size": 5}).json()
    penalties = next(s for s in first["sections"] if s["tab"] == "penalties")
    assert penalties["total"] == 7 and len(penalties["items"]) == 5 and penalties["pages"] == 2
    second = api.get(f"/api/v1/entities/{COMPANY}", params={"page_size": 5, "tab": "penalties", "page": 2}).json()
    rest = next(s for s in second["sections"] if s["tab"] == "penalties")
    assert rest["page"] == 2 and len(rest["items"]) == 2
    assert not {r["id"] for r in rest["items"]} & {r["id"] for r in penalties["items"]}
    assert first["entity"]["legal_representative"] == "王建国"
    assert "legal_representative_id_number" not in first["entity"]["fields"] and "phone" not in first["entity"]["fields"]


def test_page_and_json_twin_show_the_same_records(api):
    body = api.get("/api/v1/summary").json()
    page = api.get("/").text
    assert [r["document_number"] for r in body["latest"]]
    assert all(r["document_number"] in page for r in body["latest"])
    profile = api.get(f"/api/v1/entities/{COMPANY}").json()
    html = api.get(f"/entities/{COMPANY}").text
    assert all(r["document_number"] in html for s in profile["sections"] for r in s["items"])


def test_as_of_position_shows_the_log_as_it_was(api):
    body = api.get(f"/api/v1/entities/{COMPANY}", params={"as_of": "3"}).json()
    assert body["position"] == 3 and body["as_of"] == "3"
    assert next(s for s in body["sections"] if s["tab"] == "penalties")["total"] == 2
    assert api.get("/api/v1/search", params={"q": "恒达", "kind": "penalty", "as_of": "3"}).json()["total"] == 2
    assert api.get("/api/v1/search", params={"q": "恒达", "kind": "penalty", "as_of": "8"}).json()["source"] == "index"


def test_links_keep_as_of(api):
    body = api.get("/api/v1/search", params={"q": "恒达", "as_of": "5", "page_size": 1}).json()
    assert all(h["url"].endswith("?as_of=5") for h in body["hits"]) and "as_of=5" in body["links"]["next"]


@pytest.mark.parametrize("url, status, code", [
    ("/api/v1/entities/123456", 400, "bad_parameter"),
    ("/api/v1/entities/91350100M000100Y43", 404, "not_found"),
    ("/api/v1/records/xyz", 400, "bad_parameter"),
    ("/api/v1/lists/black", 404, "unknown_list"),
    ("/api/v1/lists/red?page=-1", 400, "bad_parameter"),
    ("/api/v1/search?q=恒达&page=50", 404, "page_out_of_range"),
    ("/api/v1/search?q=恒达&as_of=2026-13-01", 400, "bad_parameter"),
])
def test_bad_input_gets_bilingual_json_errors(api, url, status, code):
    response = api.get(url)
    assert response.status_code == status and response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message_zh"] and error["message_en"]


def test_openapi_describes_every_public_read(api):
    doc = api.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path in ("/api/v1/search", "/api/v1/entities/{credit_code}", "/api/v1/records/{id}", "/api/v1/lists/{list}",
                 "/api/v1/summary"):
        operation = doc["paths"][path]["get"]
        assert "as_of" in {p["name"] for p in operation["parameters"]}
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


def test_home_counts_every_entity_registered_outside_the_city_in_one_row(platform):
    from domain.codes import make_credit_code

    shenyang, jilin = make_credit_code("91", "210102", "MA0AB1C2"), make_credit_code("91", "220102", "MA0AB1C3")
    submit(platform, penalty(1), penalty(2, credit_code=shenyang, party_name="沈阳某公司"),
           penalty(3, credit_code=jilin, party_name="长春某公司"))
    with client(platform) as c:
        rows = c.get("/api/v1/summary").json()["by_district"]
    assert [(r["label"], r["count"]) for r in rows] == [("明山区", 1), ("市外登记", 2)]
