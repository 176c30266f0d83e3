"""Data-quality flags over real HTTP (SQLite and PostgreSQL): anyone flags a public record, the record page says a flag
is open (and nothing about who), the source department answers within the limit by correcting the record; bad input
names the field with nothing stored; the flagger is never public."""
from __future__ import annotations

from tests.casework import activate, csrf_of, reviewer
from tests.portal import client, submit
from tests.records import COMPANY, JTYS, SCJG, entity, penalty


def _record_id(platform):
    [(record_id,)] = platform.views_db.execute("SELECT record_id FROM v_records WHERE kind = 'penalty' AND "
                                               "valid_to IS NULL")
    return record_id


def test_a_public_flag_is_answered_by_the_source_department_and_the_record_page_shows_it_open(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-11-02"))
    record_id = _record_id(platform)
    with client(platform) as c:
        flag = {"record_id": record_id, "problem": "wrong", "note": "罚款金额应为 5000 元，不是 50000 元。"}
        answer = c.post("/api/v1/quality-flags", json=flag)
        assert answer.status_code == 201, answer.text
        number = answer.json()["number"]
        assert number.startswith("ZL")
        again = c.post("/api/v1/quality-flags", json=flag)
        assert again.status_code == 200 and again.json()["number"] == number and again.json()["linked"]
        page = c.get(f"/records/{record_id}").text
        assert 'id="quality-flag-open"' in page and "数据质量反馈处理中" in page and "50000 元" not in page
        status = c.get(f"/api/v1/cases/{number}").json()
        assert status["status"] == "submitted" and status["due"] == "2026-12-02" and "public:" not in str(status)
        listed = c.get("/api/v1/quality-flags", headers=reviewer(platform, SCJG)).json()
        assert [f["number"] for f in listed["flags"]] == [number]
        assert c.get("/api/v1/quality-flags?department=" + JTYS, headers=reviewer(platform, SCJG)).status_code == 403
        other = c.post(f"/api/v1/quality-flags/{number}/uphold", json={"reason": "核实无误"}, headers=reviewer(platform, JTYS))
        assert other.status_code == 403
        refer = c.post(f"/api/v1/quality-flags/{number}/refer", json={"reason": "转异议"}, headers=reviewer(platform, SCJG))
        assert refer.status_code == 409  # the public raised it: no objection to pass it to
        done = c.post(f"/api/v1/quality-flags/{number}/correct", json={"reason": "已更正罚款金额"},
                      headers=reviewer(platform, SCJG))
        assert done.status_code == 200, done.text
        assert c.get(f"/api/v1/cases/{number}").json()["status"] == "corrected"
        assert 'id="quality-flag-open"' not in c.get(f"/records/{record_id}").text


def test_bad_flags_name_the_field_and_store_nothing(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-11-02"))
    record_id = _record_id(platform)
    with client(platform) as c:
        before = platform.ledger.position()
        for body, status, field in (({"record_id": record_id, "problem": "wrong"}, 422, "note"),
                                    ({"record_id": record_id, "problem": "ugly", "note": "x"}, 422, "problem"),
                                    ({"record_id": "00000000-0000-0000-0000-000000000000", "problem": "wrong",
                                      "note": "x"}, 404, "record_id"),
                                    ({"record_id": "nope", "problem": "wrong", "note": "x"}, 404, "record_id")):
            answer = c.post("/api/v1/quality-flags", json=body)
            assert answer.status_code == status and answer.json()["error"]["field"] == field, answer.text
        assert platform.ledger.position() == before


def test_the_firm_concerned_flags_by_the_record_pages_form_and_its_flag_can_become_an_objection(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-11-02"))
    record_id = _record_id(platform)
    with client(platform) as c:
        activate(c, platform, COMPANY)
        form = c.get(f"/records/{record_id}/quality-flag")
        assert form.status_code == 200 and 'id="flag-form"' in form.text
        bad = c.post(f"/records/{record_id}/quality-flag", data={"csrf": csrf_of(form.text), "problem": "wrong",
                                                                 "note": ""})
        assert bad.status_code == 422 and "note" in bad.text
        done = c.post(f"/records/{record_id}/quality-flag", data={"csrf": csrf_of(form.text), "problem": "wrong_entity",
                                                                  "note": "该处罚不是本企业的"}, follow_redirects=False)
        assert done.status_code == 303
        number = done.headers["location"].rsplit("/", 1)[1]
        refer = c.post(f"/api/v1/quality-flags/{number}/refer", json={"reason": "请依异议程序提出"},
                       headers=reviewer(platform, SCJG))
        assert refer.status_code == 200 and c.get(f"/api/v1/cases/{number}").json()["status"] == "referred"


def test_the_nightly_checks_flag_an_expired_licence_and_a_name_mismatch_once_each(platform):
    from tests.supervision_records import licence
    from tests.supervision_records import submit as submit_own

    submit(platform, entity())
    submit_own(platform, licence(1, decision_date="2020-01-10", valid_to="2025-01-09", state="1"),
               licence(2, decision_date="2026-03-10", valid_to="2030-01-09", state="1",
                       party_name="本溪市明山区恒达建材有限责任公司"))
    today = platform.clock()
    first = platform.quality_checks.run(today)
    assert first.get("expired_licence_flagged") == 1 and first.get("name_mismatch_flagged") == 1, first
    again = platform.quality_checks.run(today)
    assert "expired_licence_flagged" not in again and again["expired_licence"] == 1  # still found, not re-flagged
    flags = platform.views_db.query("SELECT department, status, submitted_on FROM v_cases WHERE kind = 'quality_flag' "
                                    "ORDER BY number")
    assert len(flags) == 2 and {f["department"] for f in flags} == {SCJG}
    with client(platform) as c:
        listed = c.get("/api/v1/quality-flags", headers=reviewer(platform, SCJG)).json()["flags"]
        assert len(listed) == 2 and all(f["status"] == "submitted" for f in listed)
