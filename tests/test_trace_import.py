"""`gongshi import FILE --kind trace|trace_batch|trace_event --department CODE`: a department's traceability register
imported line by line through the same commands as the API, a whole chain in one file by batch number, bad lines
refused alone with their reasons, a second import storing nothing twice."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gongshi.trace_import import import_trace
from tests.records import COMPANY, SCJG, entity
from tests.test_crash import cli_env
from tests.test_trace import MARKET, WHOLESALER, pork

ROOT = Path(__file__).resolve().parent.parent


def registered(platform) -> None:
    platform.records.submit([entity(), entity(credit_code=WHOLESALER, name="本溪市平山区鑫源农产品批发有限公司"),
                             entity(credit_code=MARKET, name="本溪市溪湖区惠民超市有限公司")],
                            department=SCJG, submitter="test")


def lines(*items: dict) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)


def test_a_whole_chain_in_one_json_lines_file_and_bad_lines_refused_alone(platform, tmp_path):
    registered(platform)
    path = tmp_path / "slaughterhouse.jsonl"
    path.write_text(lines(
        {"kind": "batch", **pork()},
        {"batch_ref": pork()["batch_number"], "step": "shipped", "by": COMPANY, "to": WHOLESALER, "quantity": 500,
         "on": "2026-11-21", "reference": "CK-0001"},
        {"batch_ref": pork()["batch_number"], "step": "received", "by": WHOLESALER, "on": "2026-11-21",
         "reference": "RK-0001"},
        {"batch_ref": pork()["batch_number"], "step": "split", "by": WHOLESALER, "on": "2026-11-22",
         "children": [{"quantity": 200, "batch_number": "XY-1"}], "reference": "FZ-0001"},
        {"batch_ref": "XY-1", "step": "shipped", "by": WHOLESALER, "to": MARKET, "quantity": 200, "on": "2026-11-22",
         "reference": "CK-0002"},
        {"batch_ref": pork()["batch_number"], "step": "sold", "by": COMPANY, "quantity": 99999},  # more than held
        {"batch_ref": "NOPE", "step": "sold", "by": COMPANY, "quantity": 1},
        {"batch_ref": pork()["batch_number"], "step": "tested", "result": "fail", "report_number": "R1"},  # no items
    ), encoding="utf-8")
    summary = import_trace(platform, path, kind="trace", department=SCJG)
    assert (summary.accepted, summary.rejected) == (5, 3) and summary.exit_code == 1
    rejects = [json.loads(line) for line in summary.rejects_path.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["errors"][0]["field"]) for r in rejects] == [(6, "quantity"), (7, "batch_ref"), (8, "items")]
    platform.runner.catch_up()
    steps = platform.views_db.query("SELECT step FROM v_trace_steps s JOIN v_trace_batches b ON b.code = s.code "
                                    "WHERE b.batch_number = 'XY-1' ORDER BY s.seq")
    assert [s["step"] for s in steps] == ["registered", "shipped"]

    position = platform.ledger.position()
    again = import_trace(platform, path, kind="trace", department=SCJG)  # each line's document number is known
    assert (again.accepted, again.duplicates, again.rejected) == (0, 5, 3)
    assert platform.ledger.position() == position


def test_a_csv_of_batches_and_a_csv_of_test_results(platform, tmp_path):
    registered(platform)
    batches = tmp_path / "batches.csv"
    batches.write_text("registrant,batch_number,product_name,category,origin.place,origin.site,produced_on,quantity,"
                       "unit,shelf_life_days\n"
                       f"{COMPANY},DB-1,大白菜,vegetable,辽宁省本溪市本溪满族自治县东营坊乡,东营坊蔬菜基地,2026-11-10,5000,kg,20\n"
                       f"{COMPANY},DB-2,黄瓜,vegetable,辽宁省本溪市明山区,,2026-11-30,800,kg,10\n", encoding="utf-8")
    nync = next(d["code"] for d in __import__("schemas").catalog()["departments"] if d["key"] == "NYNC")
    summary = import_trace(platform, batches, kind="trace_batch", department=nync)
    assert (summary.accepted, summary.rejected) == (1, 1)  # DB-2 was produced after today
    platform.runner.catch_up()
    [code] = [r["code"] for r in platform.views_db.query("SELECT code FROM v_trace_batches")]
    tests = tmp_path / "tests.csv"
    tests.write_text(f"code,step,result,items,report_number,laboratory,on\n"
                     f"{code},tested,fail,腐霉利；毒死蜱,NY-2026-77,辽宁省农产品质量安全中心本溪工作站,2026-11-20\n",
                     encoding="utf-8")
    assert import_trace(platform, tests, kind="trace_event", department=nync).accepted == 1
    platform.runner.catch_up()
    [quality] = platform.views_db.query("SELECT kind, items, credit_code FROM v_trace_quality")
    assert quality == {"kind": "fail", "items": "腐霉利、毒死蜱", "credit_code": COMPANY}


def test_the_command_line_imports_and_says_what_to_do_without_a_department(platform, settings, tmp_path):
    registered(platform)
    path = tmp_path / "b.jsonl"
    path.write_text(lines({"kind": "batch", **pork()}), encoding="utf-8")
    command = [sys.executable, "-m", "gongshi.cli", "import", str(path), "--kind", "trace"]
    env = cli_env(settings)
    missing = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "--department" in missing.stderr
    done = subprocess.run([*command, "--department", SCJG], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 accepted" in done.stdout
    csv_without_kind = tmp_path / "c.csv"
    csv_without_kind.write_text("registrant,batch_number\n", encoding="utf-8")
    refused = subprocess.run([sys.executable, "-m", "gongshi.cli", "import", str(csv_without_kind), "--kind", "trace",
                              "--department", SCJG], env=env, cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2 and "trace_batch" in refused.stderr
