"""Spot-check results (双随机、一公开) over real HTTP: the inspecting department records each drawn entity's
result, the public reads it on the profile (page and JSON) and in the open dataset, as_of before it hides it,
bad input is refused naming the field with nothing stored, and the same results posted again change nothing."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from domain.codes import make_credit_code
from domain.errors import InputError
from domain.inspections import InspectionDraw
from projections.inspection_results import current_with_outcomes
from tests.conftest import TODAY
from tests.records import COMPANY, JTYS, SCJG, entity
from tests.supervision_records import OTHER, dishonesty, submit
from web.app import create_app

NOT_DRAWN = make_credit_code("91", "210505", "MA0YQ2D7")  # a second B-grade entity: ceil(5% of 2) = 1 is drawn
LATER = TODAY + dt.timedelta(days=6)  # the day the results are recorded
PHONE = "13812345678"


@pytest.fixture
def client(platform):
    submit(platform, entity(), entity(credit_code=OTHER, name="本溪市平山区宏图商贸有限公司", district_code="210502"),
           entity(credit_code=NOT_DRAWN, name="本溪市溪湖区顺达物流有限公司", district_code="210505"),
           dishonesty(1, credit_code=OTHER))
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def token(platform: Any, department: str | None = SCJG, role: str = "submitter") -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.tokens.create(department=department, role=role)}"}


@pytest.fixture
def inspector(platform) -> dict[str, str]:
    return token(platform)


@pytest.fixture
def draw(client, platform, inspector) -> dict[str, Any]:
    """A draw by the market regulator on TODAY; the results are recorded six days later."""
    drawn = client.post("/api/v1/inspections/draw", headers=inspector, json={"seed": "2026-11 双随机一公开"}).json()
    platform.today = LATER
    codes = {e["credit_code"] for e in drawn["entities"]}
    assert drawn["drawn_on"] == TODAY.isoformat() and OTHER in codes and NOT_DRAWN not in codes
    drawn["codes"] = sorted(codes)
    return drawn


def result(code: str = OTHER, outcome: str = "no_problem", inspected_on: str = "2026-11-27", **more: Any) -> dict:
    return {"credit_code": code, "outcome": outcome, "inspected_on": inspected_on, **more}


def post(client: TestClient, headers: dict[str, str], draw: dict[str, Any], *results: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/inspections/{draw['draw_id']}/results", headers=headers,
                       json={"results": list(results)})


def test_the_inspecting_department_records_results_and_the_profile_shows_them(client, platform, inspector, draw):
    other = next(c for c in draw["codes"] if c != OTHER)
    answer = post(client, inspector, draw, result(OTHER, "unreachable", note=f"住所无人，电话{PHONE}无人接听"),
                  result(other, "corrected", "2026-11-30", note="未按规定公示即时信息，已责令限期公示"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["changed"] is True and body["position"] == platform.ledger.position()
    assert {(r["credit_code"], r["outcome"]) for r in body["results"]} == {(OTHER, "unreachable"), (other, "corrected")}

    profile = client.get(f"/api/v1/entities/{OTHER}").json()  # read-your-writes: already there
    [check] = profile["spot_checks"]
    assert check["outcome"] == "unreachable" and check["outcome_name"] == "通过登记的住所(经营场所)无法联系"
    assert check["inspected_on"] == "2026-11-27" and check["drawn_on"] == TODAY.isoformat()
    assert check["seed"] == "2026-11 双随机一公开" and check["draw_id"] == draw["draw_id"]
    assert check["department_code"] == SCJG and check["department_name"] == "本溪市市场监督管理局"
    assert check["note"] == "住所无人，电话[电话已隐藏]无人接听"  # free text is scrubbed
    page = client.get(f"/entities/{OTHER}").text
    assert "抽查检查信息" in page and "通过登记的住所(经营场所)无法联系" in page and "2026-11 双随机一公开" in page
    assert PHONE not in page and PHONE not in client.get(f"/api/v1/entities/{OTHER}").text
    assert client.get(f"/api/v1/entities/{NOT_DRAWN}").json()["spot_checks"] == []
    assert "没有抽查检查信息" in client.get(f"/entities/{NOT_DRAWN}").text
    again = client.get(f"/api/v1/inspections/{draw['draw_id']}", headers=inspector).json()
    assert again["reproduced"] and {r["credit_code"] for r in again["results"]} == {OTHER, other}
    assert current_with_outcomes(platform.views_db, ["unreachable"], "2026-11-30") == [
        (OTHER, draw["draw_id"], "unreachable", "2026-11-27", SCJG)]
    assert current_with_outcomes(platform.views_db, ["unreachable"], "2026-11-26") == []  # not inspected yet


def refused(client: TestClient, platform: Any, headers: dict[str, str], draw: dict[str, Any], body: Any,
            status: int, field: str) -> dict[str, Any]:
    """POST bad results: the status, the field named in both languages, and nothing stored."""
    before = platform.ledger.position()
    answer = client.post(f"/api/v1/inspections/{draw['draw_id']}/results", headers=headers,
                         **({"content": body} if isinstance(body, bytes) else {"json": body}))
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert field in [e["field"] for e in error.get("errors", [error])], error
    assert error["message_zh"] and error["message_en"]
    assert platform.ledger.position() == before
    return error


@pytest.mark.parametrize(("results", "field"), [
    ([result(NOT_DRAWN)], "results[0].credit_code"),  # not in the draw
    ([result(entity_key=NOT_DRAWN, credit_code=None)], "results[0].entity_key"),
    ([result("91210504MA0XK4E22X")], "results[0].credit_code"),  # no such entity at all
    ([result(credit_code="")], "results[0].credit_code"),
    ([result(outcome="looked_fine")], "results[0].outcome"),
    ([result(outcome=None)], "results[0].outcome"),
    ([result(inspected_on=(TODAY - dt.timedelta(days=1)).isoformat())], "results[0].inspected_on"),  # before the draw
    ([result(inspected_on=(LATER + dt.timedelta(days=1)).isoformat())], "results[0].inspected_on"),  # after today
    ([result(inspected_on="2026-11-31")], "results[0].inspected_on"),
    ([result(inspected_on=None)], "results[0].inspected_on"),
    ([result(note="很长" * 300)], "results[0].note"),
    ([result(note=42)], "results[0].note"),
    ([result(grade="A")], "results[0].grade"),
    (["未发现问题"], "results[0]"),
    ([result(), result(outcome="pending")], "results[1].credit_code"),  # the same entity twice
    ([result(COMPANY), result(NOT_DRAWN)], "results[1].credit_code"),  # all or nothing: the good one is not stored
    ([], "results"),
])
def test_bad_results_are_refused_naming_the_field_and_nothing_is_stored(client, platform, inspector, draw, results,
                                                                         field):
    error = refused(client, platform, inspector, draw, {"results": results}, 422, field)
    assert "抽查结果" in error["message_zh"] or field == "results"
    assert client.get(f"/api/v1/entities/{COMPANY}").json()["spot_checks"] == []


def test_bad_requests_are_refused_before_anything_is_stored(client, platform, inspector, draw):
    refused(client, platform, inspector, draw, b"{not json", 400, "body")
    refused(client, platform, inspector, draw, {"result": [result()]}, 422, "results")
    refused(client, platform, token(platform, JTYS), draw, {"results": [result()]}, 403, "department")
    refused(client, platform, token(platform, None, "reviewer"), draw, {"results": [result()]}, 403, "department")
    before = platform.ledger.position()
    assert post(client, token(platform, None, "auditor"), draw, result()).status_code == 403  # auditors only read
    assert post(client, {}, draw, result()).status_code == 401
    assert post(client, inspector, {"draw_id": "00000000-0000-4000-8000-000000000000"}, result()).status_code == 404
    assert post(client, inspector, {"draw_id": "not-a-draw"}, result()).status_code == 404
    assert platform.ledger.position() == before


def test_a_draw_of_no_department_takes_results_from_any_department(client, platform):
    anyone = token(platform, None, "reviewer")
    drawn = client.post("/api/v1/inspections/draw", headers=anyone, json={"seed": "市级统一抽取"}).json()
    answer = post(client, token(platform, JTYS), drawn, result(inspected_on=TODAY.isoformat()))
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["department_name"] == "本溪市交通运输局"


def test_the_same_results_again_change_nothing_and_a_change_needs_a_reason(client, platform, inspector, draw):
    first = post(client, inspector, draw, result(note="现场检查"))
    assert first.json()["changed"] is True
    position = platform.ledger.position()
    again = post(client, inspector, draw, result(note="  现场检查 "))  # the same, but for white space
    assert again.status_code == 200 and again.json() == {**first.json(), "changed": False, "position": None}
    assert platform.ledger.position() == position
    error = refused(client, platform, inspector, draw, {"results": [result(outcome="pending")]}, 409,
                    "results[0].reason")
    assert "未发现问题" in error["message_zh"]

    corrected = post(client, inspector, draw, result(outcome="pending", reason="复核发现检查记录填写有误"))
    assert corrected.status_code == 200 and corrected.json()["changed"] is True
    [check] = client.get(f"/api/v1/entities/{OTHER}").json()["spot_checks"]
    assert check["outcome"] == "pending" and check["revision"] == 1 and check["reason"] == "复核发现检查记录填写有误"
    assert "已更正：复核发现检查记录填写有误" in client.get(f"/entities/{OTHER}").text
    [before] = client.get(f"/api/v1/entities/{OTHER}", params={"as_of": str(position)}).json()["spot_checks"]
    assert before["outcome"] == "no_problem" and before["revision"] == 0
    rows = dataset_rows(client)
    assert [(r["credit_code"], r["outcome"], r["revision"]) for r in rows] == [(OTHER, "pending", "1")]


def test_as_of_before_the_results_hides_them(client, platform, inspector, draw):
    before = platform.ledger.position()
    post(client, inspector, draw, result(outcome="uncooperative"))
    assert client.get(f"/api/v1/entities/{OTHER}").json()["spot_checks"]
    assert client.get(f"/api/v1/entities/{OTHER}", params={"as_of": str(before)}).json()["spot_checks"] == []
    assert "没有抽查检查信息" in client.get(f"/entities/{OTHER}", params={"as_of": str(before)}).text
    assert "不配合检查" in client.get(f"/entities/{OTHER}").text
    assert dataset_rows(client, as_of=before) == [] and len(dataset_rows(client)) == 1


def dataset_rows(client: TestClient, as_of: int | None = None) -> list[dict[str, str]]:
    """The CSV resource of the spot-check-results dataset (pinned to a position if given)."""
    package = client.get("/api/3/action/package_show", params={"id": "spot-check-results"}).json()["result"]
    url = next(r["url"] for r in package["resources"] if r["format"] == "CSV")
    download = client.get(url, params={"as_of": str(as_of)} if as_of else None)
    assert download.status_code == 200, download.text
    return list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))


def test_the_open_dataset_has_each_result_with_its_draws_seed_and_day(client, platform, inspector, draw):
    other = next(c for c in draw["codes"] if c != OTHER)
    post(client, inspector, draw, result(OTHER, "unreachable"), result(other, "no_activity", "2026-12-01"))
    rows = {r["credit_code"]: r for r in dataset_rows(client)}
    assert set(rows) == {OTHER, other}
    row = rows[OTHER]
    assert row["draw_id"] == draw["draw_id"] and row["seed"] == "2026-11 双随机一公开" and row["drawn_on"] == "2026-11-25"
    assert row["department_code"] == SCJG and row["department_name"] == "本溪市市场监督管理局"
    assert row["name"] == "本溪市平山区宏图商贸有限公司" and row["outcome_name"] == "通过登记的住所(经营场所)无法联系"
    assert row["inspected_on"] == "2026-11-27" and rows[other]["outcome"] == "no_activity"
    page = client.get("/datasets/spot-check-results").text
    assert "抽查检查结果" in page and "随机种子" in page


def test_the_supervision_page_shows_each_drawn_entitys_result_and_records_the_form(client, platform, inspector, draw):
    secret = inspector["Authorization"].removeprefix("Bearer ")
    url = f"/supervision/inspections/{draw['draw_id']}"
    page = client.post(url, data={"token": secret, f"outcome.{OTHER}": "corrected",
                                  f"inspected_on.{OTHER}": "2026-11-28", f"note.{OTHER}": "已责令改正"},
                       follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].endswith("?saved=1#results")
    shown = client.get(url).text  # the token is remembered for /supervision
    assert "检查结果已记录" in client.get(f"{url}?saved=1").text
    assert "发现问题已责令改正" in shown and "2026-11-28" in shown and 'name="reason.' in shown
    assert client.get(f"/api/v1/entities/{OTHER}").json()["spot_checks"][0]["outcome"] == "corrected"

    position = platform.ledger.position()
    bad = client.post(url, data={f"outcome.{OTHER}": "pending", f"inspected_on.{OTHER}": "2026-11-28"})
    assert bad.status_code == 400 and "本溪市平山区宏图商贸有限公司：" in bad.text and "更正须说明理由" in bad.text
    late = client.post(url, data={f"outcome.{OTHER}": "corrected", f"inspected_on.{OTHER}": "2026-12-30"})
    assert late.status_code == 400 and "晚于今天" in late.text
    assert platform.ledger.position() == position
    client.cookies.clear()
    assert client.get(url).status_code == 401
    auditor = platform.tokens.create(department=None, role="auditor")
    refused_page = client.post(url, data={"token": auditor, f"outcome.{OTHER}": "pending"})
    assert refused_page.status_code == 400 and "不能记录检查结果" in refused_page.text
    assert platform.ledger.position() == position


def test_a_draw_recorded_before_its_day_was_kept_is_dated_by_the_day_it_was_graded_on():
    old = InspectionDraw(drawer="token:old", role="reviewer", department=None, seed="s", ratios={},
                         moment={"position": 1, "today": "2026-11-20"}, population={}, drawn={})  # as a1f7b00 drew
    assert old.drawn_on == "2026-11-20"
    with pytest.raises(InputError) as refused_day:
        old.record_results([result(COMPANY, inspected_on="2026-11-19")], {COMPANY: COMPANY}, SCJG, "t", TODAY)
    assert refused_day.value.errors[0].field == "results[0].inspected_on"
    assert old.record_results([result(COMPANY, inspected_on="2026-11-20")], {COMPANY: COMPANY}, SCJG, "t", TODAY)
    assert old.results[COMPANY]["outcome"] == "no_problem" and old.results[COMPANY]["reason"] is None


# -- unreachable at the registered address: the deadline job lists the entity (SPOT-UNREACHABLE-ANOMALY) --------
def unreachable_listings(platform: Any) -> list[dict[str, Any]]:
    return [row for row in platform.views_db.query(
        "SELECT * FROM v_records WHERE valid_to IS NULL AND kind = 'anomaly_listing' ORDER BY credit_code")
        if json.loads(row["data"]).get("rule_id") == "SPOT-UNREACHABLE-ANOMALY"]


def test_an_entity_found_unreachable_is_listed_by_the_deadline_job_naming_the_rule_once(client, platform, inspector,
                                                                                         draw):
    other = next(c for c in draw["codes"] if c != OTHER)
    post(client, inspector, draw, result(OTHER, "unreachable", note="登记住所无人办公"), result(other, "unreachable"))
    post(client, inspector, draw, result(other, "no_problem", "2026-11-28", reason="复核：已在登记住所取得联系"))
    before = platform.ledger.position()
    summary = platform.deadlines.run(LATER)  # 2026-12-01, a Tuesday: within 10 working days of 2026-11-27
    outcome = summary.rules["SPOT-UNREACHABLE-ANOMALY"]
    assert (outcome.decided, outcome.overdue, outcome.rejected) == (1, 0, 0), outcome.errors
    [listing] = unreachable_listings(platform)
    data = json.loads(listing["data"])
    assert listing["credit_code"] == OTHER and listing["decision_date"] == LATER.isoformat()
    assert data["cause"] == "通过登记的住所或者经营场所无法联系" and "第九条" in data["legal_basis"]
    assert draw["draw_id"] in data["remarks"] and "2026-11-27" in data["remarks"]
    assert listing["document_number"] == f"本市监查异列〔{draw['draw_id'].replace('-', '')[:8]}〕{OTHER}号"
    assert listing["authority_code"] == SCJG  # the catalog's source of anomaly listings decides
    tab = {"tab": "anomaly"}
    assert "SPOT-UNREACHABLE-ANOMALY" in client.get(f"/entities/{OTHER}", params=tab).text
    assert "SPOT-UNREACHABLE-ANOMALY" not in client.get(f"/entities/{OTHER}", params={**tab, "as_of": str(before)}).text
    record = client.get(f"/api/v1/records/{listing['record_id']}").json()["record"]
    assert record["listing"]["on_list"] and record["fields"]["rule_id"] == "SPOT-UNREACHABLE-ANOMALY"
    assert not any(json.loads(r["data"]).get("credit_code") == other for r in unreachable_listings(platform))

    again = platform.deadlines.run(LATER + dt.timedelta(days=1))
    assert again.rules["SPOT-UNREACHABLE-ANOMALY"].decided == 0
    assert again.rules["SPOT-UNREACHABLE-ANOMALY"].already == 1 and len(unreachable_listings(platform)) == 1
