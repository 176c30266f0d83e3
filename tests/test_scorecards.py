"""Department scorecards over real HTTP (SQLite and PostgreSQL): per department and month from the ledger (records,
corrections, withdrawals, timeliness, cases on time, catalog coverage), ranked with the method shown."""
from __future__ import annotations

from tests.portal import client, submit
from tests.records import JTYS, SCJG, entity, penalty


def test_a_departments_scorecard_counts_what_it_recorded_corrected_and_withdrew_and_the_ranking_lists_all(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-11-02"), penalty(2, decision_date="2026-10-02"))
    first = penalty(1, decision_date="2026-11-02")
    submit(platform, {**first, "action": "correct", "reason": "更正罚款金额", "facts": "经查，当事人销售不合格商品（已更正）。"})
    submit(platform, {"kind": "penalty", "action": "withdraw", "reason": "复议撤销", "authority_code": SCJG,
                      "document_number": penalty(2)["document_number"]})
    with client(platform) as c:
        card = c.get(f"/api/v1/scorecards/{SCJG}").json()
        totals = card["totals"]
        assert (totals["recorded"], totals["corrections"], totals["withdrawals"]) == (2, 1, 1), totals
        assert totals["on_time_rate"] == 0.0  # both reached the platform well after 7 working days
        assert "anomaly_listing" in card["coverage"]["sources"] and card["coverage"]["submitted"] == []
        ranking = c.get("/api/v1/scorecards").json()["departments"]
        assert ranking[0]["code"] == SCJG and {r["code"] for r in ranking} >= {SCJG, JTYS}
        assert next(r for r in ranking if r["code"] == JTYS)["on_time_rate"] is None
        page = c.get("/scorecards").text
        assert "计算方法" in page and f'data-code="{SCJG}"' in page
        assert 'id="months"' in c.get(f"/scorecards/{SCJG}").text
        assert c.get("/api/v1/scorecards/NOPE").status_code == 404
