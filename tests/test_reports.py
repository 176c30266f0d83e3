"""The public credit report over real HTTP: content, reproducibility, issuing, verification, bad input."""
from __future__ import annotations

import json

from gongshi_verify import report as offline
from tests.portal import client, id_numbers_in, mobiles_in, submit
from tests.records import COMPANY, penalty
from tests.reports_support import EXPIRED_PENALTY, PUBLIC_PENALTY, WITHDRAWN_PENALTY, firm_with_history

OTHER_VALID = "91350100M000100Y43"  # valid, never registered here


def _documents(envelope: dict, tab: str) -> list[str]:
    return [r["document_number"] for r in envelope["report"]["records"][tab]["items"]]


def test_the_report_holds_the_public_profile_and_says_what_it_leaves_out(platform):
    firm_with_history(platform)
    with client(platform) as c:
        answer = c.get(f"/api/v1/entities/{COMPANY}/report", params={"purpose": "bidding"})
    assert answer.status_code == 200, answer.text
    envelope = answer.json()
    report = envelope["report"]
    assert report["subject"]["name"] == "本溪市明山区恒达建材有限公司"
    assert _documents(envelope, "penalties") == [PUBLIC_PENALTY]  # not the expired one, not the withdrawn one
    assert EXPIRED_PENALTY not in answer.text and WITHDRAWN_PENALTY not in answer.text
    assert report["grade"] is None and "grade" in report["not_shown"]  # grading.json keeps grades internal
    assert {"expired", "repaired", "withdrawn"} <= set(report["not_shown"])
    assert all(n["zh"] for n in envelope["not_shown_explained"])
    assert envelope["issue"]["purpose"] == "bidding" and envelope["issue"]["document"] == "json"
    assert report["moment"]["today"] == platform.clock().isoformat()
    assert not id_numbers_in(answer.text) and not mobiles_in(answer.text)  # the entity's own ID and phone


def test_the_same_entity_position_and_day_give_the_same_digest(platform):
    firm_with_history(platform)
    with client(platform) as c:
        first = c.get(f"/api/v1/entities/{COMPANY}/report").json()
        position = first["report"]["moment"]["position"]
        submit(platform, penalty(7, decision_date="2026-05-01"))
        again = c.get(f"/api/v1/entities/{COMPANY}/report", params={"as_of": position}).json()
        now = c.get(f"/api/v1/entities/{COMPANY}/report").json()
    assert again["issue"]["number"] != first["issue"]["number"]
    assert again["issue"]["content_sha256"] == first["issue"]["content_sha256"]
    assert again["report"] == first["report"]
    assert now["issue"]["content_sha256"] != first["issue"]["content_sha256"]
    assert "本市监罚〔2024〕7号" in _documents(now, "penalties")


def test_an_issued_report_is_recorded_counted_and_verified_by_its_number(platform):
    firm_with_history(platform)
    with client(platform) as c:
        issued = c.get(f"/api/v1/entities/{COMPANY}/report", params={"purpose": "financing"}).json()
        number = issued["issue"]["number"]
        page = c.get(f"/reports/{number}")
        twin = c.get(f"/api/v1/reports/{number}").json()
        key = c.get("/api/v1/log/key").text.encode()
        statistics = c.get("/api/v1/statistics").json()["credit_reports_issued"]
    assert page.status_code == 200 and "核验通过" in page.text and PUBLIC_PENALTY in page.text
    assert twin["content_matches"] is True
    assert twin["signature"] == issued["signature"]  # Ed25519 is deterministic: the re-signed issue is the issued one
    passed, failed = offline.check_envelope(twin, key)
    assert not failed and len(passed) == 4, failed
    assert statistics["total"] == 1 and statistics["by_document"] == {"json": 1}
    assert list(statistics["by_month"].values()) == [{"financing": 1}]
    events = platform.views_db.execute("SELECT event FROM v_log WHERE event LIKE ?", ("CreditReport%",))
    assert events == [("CreditReport.Issued",)]


def test_the_html_preview_issues_nothing(platform):
    firm_with_history(platform)
    with client(platform) as c:
        page = c.get(f"/entities/{COMPANY}/report")
    assert page.status_code == 200 and "出具并下载 PDF 报告" in page.text and PUBLIC_PENALTY in page.text
    assert "未展示的信息及原因" in page.text and EXPIRED_PENALTY not in page.text
    assert platform.issued_reports.counts()["total"] == 0


def test_a_tampered_report_json_names_what_does_not_match(platform):
    firm_with_history(platform)
    with client(platform) as c:
        envelope = c.get(f"/api/v1/entities/{COMPANY}/report").json()
        key = c.get("/api/v1/log/key").text.encode()
    forged = json.loads(json.dumps(envelope))
    forged["report"]["records"]["penalties"]["items"] = []  # hide the penalty
    _, failed = offline.check_envelope(forged, key)
    assert failed == ["the content does not match its signed digest; changed: report.records"]
    forged = json.loads(json.dumps(envelope))
    forged["issue"]["purpose"] = "subsidy"
    _, failed = offline.check_envelope(forged, key)
    assert any("signature does not verify" in f for f in failed)
    forged = json.loads(json.dumps(envelope))
    forged["log"]["consistency_path"] = []
    forged["report"]["log"]["tree_size"] += 1
    _, failed = offline.check_envelope(forged, key)
    assert any("report.log" in f for f in failed) and any("disagree on log" in f for f in failed)


def test_another_key_is_refused_when_the_key_is_pinned(platform, tmp_path):
    from projections import heads

    firm_with_history(platform)
    with client(platform) as c:
        envelope = c.get(f"/api/v1/entities/{COMPANY}/report").json()
    other = heads.public_key_pem(heads.Ed25519PrivateKey.generate()).encode()
    _, failed = offline.check_envelope(envelope, other)
    assert any("not by the pinned key" in f for f in failed)


def test_bad_input_gets_a_bilingual_4xx_naming_the_field(platform):
    firm_with_history(platform)
    html = {"accept": "text/html"}
    with client(platform) as c:
        invalid = c.get("/api/v1/entities/91210504MA0XK4E22F/report")
        unknown = c.get(f"/api/v1/entities/{OTHER_VALID}/report")
        unknown_page = c.get(f"/entities/{OTHER_VALID}/report", headers=html)
        unknown_pdf = c.get(f"/entities/{OTHER_VALID}/report.pdf")
        future = c.get(f"/api/v1/entities/{COMPANY}/report", params={"as_of": "2099-01-01"})
        future_pdf = c.get(f"/entities/{COMPANY}/report.pdf", params={"as_of": "2099-01-01"}, headers=html)
        purpose = c.get(f"/api/v1/entities/{COMPANY}/report", params={"purpose": "lottery"})
        number = c.get("/api/v1/reports/not-a-number")
        missing = c.get("/api/v1/reports/BXXY20261125K7Q2M9XA3D")
        missing_page = c.get("/reports/BXXY20261125K7Q2M9XA3D", headers=html)
    for answer, status, field in ((invalid, 400, "credit_code"), (unknown, 404, "credit_code"),
                                  (unknown_pdf, 404, "credit_code"), (future, 400, "as_of"),
                                  (purpose, 400, "purpose"), (number, 400, "number"), (missing, 404, "number")):
        body = answer.json()["error"]
        assert answer.status_code == status and body["field"] == field, (answer.status_code, body)
        assert body["message_zh"] and body["message_en"] and field in body["message_zh"] + body["message_en"] + field
    assert invalid.json()["error"]["suggestion"]["search_url"].startswith("/search?q=")
    assert unknown.json()["error"]["suggestion"]["search_url"] == f"/search?q={OTHER_VALID}"
    assert unknown_page.status_code == 404 and "在搜索页查找" in unknown_page.text
    assert future_pdf.status_code == 400 and "as_of" in future_pdf.text
    assert "text/html" in future_pdf.headers["content-type"]
    assert missing_page.status_code == 404 and "伪造" in missing_page.text
    assert platform.issued_reports.counts()["total"] == 0  # nothing was issued by any of them


def test_every_report_endpoint_is_in_the_openapi_document(platform):
    with client(platform) as c:
        paths = c.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/entities/{credit_code}/report", "/entities/{credit_code}/report.pdf",
                 "/api/v1/entities/{credit_code}/report", "/reports/{number}", "/api/v1/reports/{number}"):
        assert "get" in paths[path], path
    pdf = paths["/entities/{credit_code}/report.pdf"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf


def test_a_report_carries_the_producers_failed_tests_and_one_issued_in_format_v1_still_verifies(platform,
                                                                                                  monkeypatch):
    from domain import reports
    from domain.trace import TraceActor
    from tests.records import SCJG
    from tests.test_trace import pork

    firm_with_history(platform)
    with client(platform) as c:
        monkeypatch.setitem(reports.config(), "format", "gongshi-credit-report-v1")
        old = c.get(f"/api/v1/entities/{COMPANY}/report").json()  # issued before traceability: no such part
        monkeypatch.undo()
        regulator = TraceActor("test", department=SCJG, department_key="SCJG")
        code = platform.trace.register(regulator, pork()).batch.code
        platform.trace.record(regulator, code, {"step": "tested", "result": "fail", "items": ["莱克多巴胺"],
                                                "report_number": "BX-JC-9"})
        new = c.get(f"/api/v1/entities/{COMPANY}/report").json()
        verified_old = c.get(f"/api/v1/reports/{old['issue']['number']}").json()
        pdf = c.get(f"/entities/{COMPANY}/report.pdf")
        key = c.get("/api/v1/log/key").text.encode()
    assert "product_quality" not in old["report"] and old["issue"]["format"] == "gongshi-credit-report-v1"
    assert verified_old["content_matches"] is True and not offline.check_envelope(verified_old, key)[1]
    assert new["issue"]["format"] == "gongshi-credit-report-v2"
    assert [q["document_number"] for q in new["report"]["product_quality"]] == ["BX-JC-9"]
    assert not offline.check_envelope(new, key)[1]
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


def test_issuing_is_rate_limited_per_client_and_the_preview_is_not(platform):
    from domain import reports

    firm_with_history(platform)
    limit = reports.config()["rate_limit"]["issues"]
    with client(platform) as c:
        answers = [c.get(f"/api/v1/entities/{COMPANY}/report").status_code for _ in range(limit + 1)]
        refused = c.get(f"/entities/{COMPANY}/report.pdf")
        preview = c.get(f"/entities/{COMPANY}/report")
    assert answers[:limit] == [200] * limit and answers[limit] == 429
    assert refused.status_code == 429 and preview.status_code == 200
    issued = platform.views_db.execute("SELECT COUNT(*) FROM v_reports")[0][0]
    assert issued == limit  # a refused request stores nothing
