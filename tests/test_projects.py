"""Investment projects over real HTTP (SQLite and PostgreSQL): submitted once by the firm, accepted once at the window
with the credit check, reviewed in parallel by every department on its own items, decided when all are final;
the public follows by code and sees opinions only after the decision; bad input names the field, nothing stored."""
from __future__ import annotations

import pytest

from tests.casework import OTHER_COMPANY, activate, reviewer
from tests.portal import client, submit
from tests.records import COMPANY, entity
from tests.supervision_records import DEPTS, dishonesty

FGW, ZRZY, STHJ = DEPTS["FGW"], DEPTS["ZRZY"], DEPTS["STHJ"]
PROJECT = {"name": "恒达建材二期扩建项目", "project_type": "verification", "industry": "manufacturing",
           "district": "210504", "amount": "5000", "description": "新建年产 20 万吨干混砂浆生产线"}


@pytest.fixture
def city(platform):
    submit(platform, entity(), entity(credit_code=OTHER_COMPANY, name="本溪市平山区福源商贸有限公司",
                                      district_code="210502"))
    return platform


def _submit(c, csrf, **overrides):
    return c.post("/api/v1/projects", json={**PROJECT, **overrides}, headers={"X-CSRF-Token": csrf})


def _step(c, platform, department, code, step, **body):
    return c.post(f"/api/v1/projects/{code}/{step}", json=body, headers=reviewer(platform, department))


def test_a_project_is_accepted_once_reviewed_in_parallel_and_decided_when_every_item_is(city):
    with client(city) as c:
        answer = _submit(c, activate(c, city))
        assert answer.status_code == 201, answer.text
        code = answer.json()["number"]
        assert code.startswith("2026-210504-30-02-") and answer.json()["status"] == "submitted"
        assert [i["item"] for i in answer.json()["items"]] == ["energy", "environment", "land"]
        assert _step(c, city, ZRZY, code, "opine", item="land", opinion="approve").status_code == 409  # not accepted
        accepted = _step(c, city, FGW, code, "accept")
        assert accepted.status_code == 200 and accepted.json()["status"] == "in_review", accepted.text
        assert accepted.json()["credit"]["check_id"]
        assert _step(c, city, STHJ, code, "opine", item="land", opinion="approve").json()["error"]["field"] == "item"
        assert _step(c, city, ZRZY, code, "opine", item="land", opinion="refuse").json()["error"]["field"] == "reason"
        assert _step(c, city, ZRZY, code, "opine", item="land", opinion="approve").json()["status"] == "in_review"
        public = c.get(f"/api/v1/projects/{code}").json()
        assert public["items_decided"] == 1 and all("opinion" not in i for i in public["items"])  # not before the end
        assert "同意" not in c.get(f"/projects/{code}").text.split('id="items"')[1]
        _step(c, city, STHJ, code, "opine", item="environment", opinion="approve_with_conditions", reason="落实降尘措施")
        last = _step(c, city, FGW, code, "opine", item="energy", opinion="approve")
        assert last.json()["status"] == "approved_with_conditions"
        decided = c.get(f"/api/v1/projects/{code}").json()
        assert decided["decided"] and {i["item"]: i.get("opinion") for i in decided["items"]}["environment"] == \
            "approve_with_conditions"
        assert "落实降尘措施" in c.get(f"/projects/{code}").text
        again = _step(c, city, ZRZY, code, "opine", item="land", opinion="approve")
        assert again.status_code == 409
        stats = c.get("/api/v1/projects").json()
        assert "statistics" in stats, stats
        stats = stats["statistics"]
        assert {r["department"] for r in stats} == {FGW, ZRZY, STHJ} and all(r["on_time"] == 1 for r in stats)


def test_an_applicant_on_the_dishonesty_list_is_refused_at_acceptance_with_the_measure_named(city):
    submit(city, dishonesty(1, decision_date="2026-06-01"))
    with client(city) as c:
        code = _submit(c, activate(c, city)).json()["number"]
        refused = _step(c, city, FGW, code, "accept")
        assert refused.json()["status"] == "not_accepted"
        assert "JC-20" in [m["id"] for m in refused.json()["credit"]["measures"]]  # JC-06 and JC-21 apply too
        public = c.get(f"/api/v1/projects/{code}").json()
        assert public["status"] == "not_accepted" and "credit" not in public


def test_bad_submissions_and_steps_name_the_field_and_store_nothing(city):
    with client(city) as c:
        csrf = activate(c, city)
        before = city.ledger.position()
        for overrides, field in (({"amount": "五千万"}, "amount"), ({"industry": "mining"}, "industry"),
                                 ({"project_type": "x"}, "project_type"), ({"name": "项目"}, "name"),
                                 ({"credit_code": OTHER_COMPANY}, "credit_code")):
            answer = _submit(c, csrf, **overrides)
            assert answer.status_code == 422 and answer.json()["error"]["field"] == field, answer.text
        assert city.ledger.position() == before
        code = _submit(c, csrf).json()["number"]
        before = city.ledger.position()
        assert _step(c, city, ZRZY, code, "accept").status_code == 403  # only the window accepts
        assert _step(c, city, FGW, code, "fly").status_code == 404
        assert city.ledger.position() == before  # no credit check recorded for a refused step either
        assert c.get("/api/v1/projects/2026-NOPE").status_code == 404
        assert c.post("/api/v1/projects", json=PROJECT).status_code == 403  # no CSRF token


def test_a_grade_a_applicant_asking_for_it_is_approved_by_commitment_published_as_a_commitment_record(city):
    from tests.supervision_records import red

    from tests.supervision_records import submit as submit_own

    submit_own(city, red(1))
    with client(city) as c:
        code = _submit(c, activate(c, city), commitment=True).json()["number"]
        accepted = _step(c, city, FGW, code, "accept")
        assert accepted.json()["by_commitment"] is True, accepted.json()
        assert accepted.json()["commitment_record"]["status"] == "accepted"
        assert {m["id"] for m in accepted.json()["credit"]["measures"]} & {"JL-01", "JL-02"}
        assert c.get(f"/api/v1/projects/{code}").json()["by_commitment"] is True
        profile = c.get(f"/api/v1/entities/{COMPANY}").json()
        assert f"承诺〔{code}〕" in str(profile)
