"""Crawl every public page and JSON answer over the demo data: no ID numbers, no phone numbers, anywhere."""
from __future__ import annotations

import random
import re
from urllib.parse import urlsplit

import pytest

import schemas
from gongshi.demo import generate
from gongshi.demo.annual_reports import generate_reports
from gongshi.demo.complaints import generate_complaints
from gongshi.demo.contributions import generate_contributions
from gongshi.loading import load_demo
from tests.portal import client, id_numbers_in, mobiles_in

START = ["/", "/lists/red", "/lists/dishonesty?status=all", "/lists/anomaly?status=all",
         "/search?q=公司", "/search?q=食品", "/search?q=明山区", "/search?q=张", "/search?kind=penalty&sort=newest"]
MAX_PAGES = 350
SAMPLE = 40
_HREF = re.compile(r'href="(/(?:entities|records|lists|search|trace|api/v1/trace)[^"#]*)"')
_SECRET_FIELDS = ("person_id_number", "legal_representative_id_number", "phone")


def twin(url: str) -> str:
    """The JSON twin of a page URL (an answer that is not a page is its own)."""
    parts = urlsplit(url)
    if parts.path.startswith("/api/") or parts.path.endswith(".txt"):
        return url
    path = "/api/v1/summary" if parts.path == "/" else "/api/v1" + parts.path
    return path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def demo(platform):
    load_demo(platform, 120, 7)  # the records, the annual reports and the spot-check results
    platform.runner.catch_up()
    items = list(generate(entities=120, seed=7))
    secrets = {str(item[f]) for item in items for f in _SECRET_FIELDS if item.get(f)}
    reports = list(generate_reports([i for i in items if i.get("kind") == "entity"], 7))
    assert reports
    secrets |= {r.report["phone"] for r in reports}
    secrets |= {c["id_number"] for r in reports for c in r.report.get("contributions", []) if c.get("id_number")}
    complaints = list(generate_complaints([i for i in items if i.get("kind") == "entity"], 7))
    secrets |= {c.filing["contact"]["phone"] for c in complaints if c.filing["contact"]}
    contributed = list(generate_contributions([i for i in items if i.get("kind") == "entity"], 7))
    phones = {m for c in contributed for m in re.findall(r"1[3-9]\d{9}", c.report["summary"])}
    assert phones, "some demo reports quote a phone: the public record must scrub it"
    secrets |= phones
    assert any(len(s) == 18 for s in secrets) and any(len(s) == 11 for s in secrets)
    return secrets


def test_no_public_page_or_json_answer_shows_an_id_or_phone_number(platform, demo):
    rng = random.Random(1)
    records = [r["record_id"] for r in platform.views_db.query("SELECT DISTINCT record_id FROM v_records ORDER BY 1")]
    entities = [r["entity_key"] for r in platform.views_db.query("SELECT DISTINCT entity_key FROM v_entities ORDER BY 1")]
    reports = platform.views_db.execute("SELECT DISTINCT credit_code, year FROM v_annual_reports ORDER BY 1, 2")
    cases = [n for (n,) in platform.views_db.execute("SELECT number FROM v_cases ORDER BY number")]
    assert cases, "the demo files complaints: their status pages are scanned too"
    numbers = [n for (n,) in platform.views_db.execute("SELECT number FROM v_reports ORDER BY number")]
    assert numbers, "the demo issues credit reports: their verification pages are scanned too"
    inspected = [f"/entities/{r[0]}" for r in platform.views_db.execute(
        "SELECT DISTINCT entity_key FROM v_inspection_results ORDER BY 1")][:SAMPLE]
    codes = [c for (c,) in platform.views_db.execute("SELECT code FROM v_trace_batches ORDER BY code")]
    traced = [u for c in codes for u in (f"/trace/{c}", f"/trace/{c}.txt", f"/api/v1/trace/{c}/downstream")]
    assert traced, "the demo's traceability chains are scanned too"
    society = [f"/entities/{k}?tab=society" for (k,) in platform.views_db.execute(
        "SELECT DISTINCT entity_key FROM v_records WHERE kind = 'society_info' ORDER BY 1")]
    assert society, "the demo confirms society-sourced reports: their profiles are scanned"
    marks = [u for (m, c) in platform.views_db.execute(
        "SELECT mark_id, credit_code FROM v_online_presences WHERE valid_to IS NULL AND mark_id IS NOT NULL "
        "ORDER BY mark_id") for u in (f"/marks/{m}", f"/api/v1/marks/{m}", f"/marks/{m}.svg",
                                      f"/api/v1/entities/{c}/online-presences")]
    assert marks, "the demo's online shops carry marks: their verification pages are scanned too"
    disclosed = ["/departments", "/api/v1/departments", "/contracts"] + [
        u for d in schemas.catalog()["departments"] for u in (f"/departments/{d['code']}",
                                                              f"/api/v1/departments/{d['code']}")] + [
        f"/contracts/{s}" for (s,) in platform.views_db.execute(
            "SELECT DISTINCT owner FROM v_documents WHERE kind = 'contract' ORDER BY 1")]
    projects = [u for (n,) in platform.views_db.execute(
        "SELECT number FROM v_projects WHERE valid_to IS NULL ORDER BY number") for u in (f"/projects/{n}",
                                                                                         f"/api/v1/projects/{n}")]
    assert projects, "the demo submits investment projects: their status pages are scanned too"
    disclosed += ["/projects", "/api/v1/projects", *projects, "/progress", "/api/v1/progress", "/scorecards",
                  "/api/v1/scorecards", f"/scorecards/{schemas.catalog()['departments'][0]['code']}"]
    queue = START + traced + society + marks + disclosed + ["/contributors"] + [f"/records/{r}" for r in rng.sample(records, SAMPLE)] + \
        [f"/entities/{e}" for e in rng.sample(entities, SAMPLE)] + \
        [f"/entities/{c}/annual-reports/{y}" for c, y in rng.sample(reports, SAMPLE)] + inspected + \
        ["/complaints/statistics", *(f"/cases/{n}" for n in cases)] + ["/finance/products"] + \
        [f"/entities/{e}/report" for e in rng.sample(entities, 10)] + [f"/reports/{n}" for n in numbers]
    seen: set[str] = set()
    statuses: dict[int, int] = {}
    with client(platform) as c:
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0).replace("&amp;", "&")
            if url in seen:
                continue
            seen.add(url)
            for target in (url, twin(url)):
                response = c.get(target)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code in (200, 404, 410), (target, response.status_code)
                text = response.text
                assert not id_numbers_in(text), (target, id_numbers_in(text))
                assert not mobiles_in(text), (target, mobiles_in(text))
                assert not [s for s in demo if s in text], (target, [s for s in demo if s in text])
                if target == url:
                    queue += [h for h in _HREF.findall(text) if h.replace("&amp;", "&") not in seen]
    assert len(seen) >= 200 and statuses[200] >= 400
    assert any(re.search(r"/annual-reports/\d{4}", u) for u in seen)  # the reports were crawled too
    assert inspected and set(inspected) <= seen  # and the profiles showing spot-check results
    assert set(traced) <= seen  # and every batch's chain, its text answer and its holders
    assert {f"/reports/{n}" for n in numbers} <= seen and any(u.endswith("/report") for u in seen)  # and reports
    assert "/finance/products" in seen  # the lenders' products, public
    assert set(marks) <= seen  # every mark's page, JSON twin and badge
    assert set(disclosed) <= seen and any(u.startswith("/contracts/") for u in seen)  # departments' pages, contracts


def test_lender_reports_and_consents_are_not_public(platform, demo):
    read = [c for (c,) in platform.views_db.execute("SELECT DISTINCT credit_code FROM v_lender_reads ORDER BY 1")]
    assert read, "the demo's lenders read some firms' fuller reports"
    with client(platform) as c:
        for code in read:
            answer = c.get(f"/api/v1/lender/reports/{code}")
            assert answer.status_code == 401 and code not in answer.text
            assert c.get(f"/lender/reports/{code}", follow_redirects=False).status_code == 303  # to the login
        assert c.get("/api/v1/consents").status_code == 401
        assert c.get("/api/v1/loan-applications").status_code == 401
        assert c.get("/firm/consents", follow_redirects=False).status_code == 303


def test_no_credit_report_pdf_shows_an_id_or_phone_number(platform, demo):
    from pypdf import PdfReader

    from gongshi_verify.report import attached_report

    pdfs = sorted((platform.settings.home / "reports").glob("*.pdf"))
    assert pdfs, "the demo saves its PDF reports under GONGSHI_HOME/reports"
    for path in pdfs:
        data = path.read_bytes()
        text = "".join(p.extract_text() for p in PdfReader(path).pages).replace("\x00", "")
        text += attached_report(data).decode("utf-8")
        assert "公共信用信息报告" in text
        assert not id_numbers_in(text) and not mobiles_in(text), path
        assert not [s for s in demo if s in text], (path, [s for s in demo if s in text])
