"""`gongshi import`: JSON Lines and CSV files, rejects file, exit codes, idempotence."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gongshi.importer import FatalImportError, import_file
from tests.records import SCJG, penalty


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


def write_csv(path: Path, items: list[dict], *, bom: bool = False, national: bool = False) -> Path:
    import schemas

    to_code = {v: k for k, v in schemas.national_codes("penalty").items()}
    rows = []
    for item in items:
        row = {k: ";".join(v) if isinstance(v, list) else v for k, v in item.items() if k != "kind"}
        rows.append({to_code.get(k, k) if national else k: v for k, v in row.items()})
    headers = sorted({k for r in rows for k in r})
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.DictWriter(f, headers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_cli(*args: str, home: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GONGSHI_HOME": str(home), **(env_extra or {})}
    env.pop("GONGSHI_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "gongshi.cli", *args], capture_output=True, text=True, env=env, timeout=300)


def test_jsonl_import_stores_every_valid_record_and_is_idempotent(platform, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [penalty(n) for n in range(1, 2501)])
    first = import_file(platform, path)
    assert (first.accepted, first.rejected, first.exit_code) == (2500, 0, 0)
    second = import_file(platform, path)
    assert (second.accepted, second.duplicates, second.position) == (0, 2500, None)
    assert platform.ledger.position() == 2500


def test_rejected_lines_go_to_the_rejects_file_with_reasons(platform, tmp_path):
    items = [penalty(1), penalty(2, credit_code="91210504MA0XK4E22F"), penalty(3)]
    path = write_jsonl(tmp_path / "p.jsonl", items)
    with path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    summary = import_file(platform, path)
    assert (summary.accepted, summary.rejected, summary.exit_code) == (2, 2, 1)
    rejects = [json.loads(line) for line in summary.rejects_path.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [2, 4]
    assert rejects[0]["errors"][0]["field"] == "credit_code"
    assert rejects[0]["item"]["document_number"] == "本市监罚〔2024〕2号"
    assert "JSON" in rejects[1]["errors"][0]["message_en"]


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("national", [False, True])
def test_csv_with_or_without_bom_and_national_headers(sqlite_platform, tmp_path, bom, national):
    path = write_csv(tmp_path / "p.csv", [penalty(n) for n in range(1, 6)], bom=bom, national=national)
    summary = import_file(sqlite_platform, path, kind="penalty")
    assert (summary.accepted, summary.rejected) == (5, 0)
    sqlite_platform.runner.catch_up()
    row = sqlite_platform.views_db.query("SELECT data FROM v_records LIMIT 1")[0]
    assert json.loads(row["data"])["categories"] == ["罚款", "没收违法所得"]


def test_csv_without_kind_is_fatal_and_stores_nothing(sqlite_platform, tmp_path):
    path = write_csv(tmp_path / "p.csv", [penalty(1)])
    with pytest.raises(FatalImportError, match="--kind"):
        import_file(sqlite_platform, path)
    assert sqlite_platform.ledger.position() == 0


def test_csv_with_unknown_column_is_fatal_and_names_it(sqlite_platform, tmp_path):
    path = write_csv(tmp_path / "p.csv", [penalty(1, colour="red")])
    with pytest.raises(FatalImportError, match="colour"):
        import_file(sqlite_platform, path, kind="penalty")
    assert sqlite_platform.ledger.position() == 0


def test_file_that_is_not_utf8_is_fatal_before_anything_is_stored(sqlite_platform, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [penalty(n) for n in range(1, 1500)])
    with path.open("ab") as f:
        f.write("本溪".encode("gbk") + b"\n")
    with pytest.raises(FatalImportError, match="UTF-8"):
        import_file(sqlite_platform, path)
    assert sqlite_platform.ledger.position() == 0


def test_cli_exit_codes_summary_and_rejects(tmp_path):
    home = tmp_path / "home"
    good = write_jsonl(tmp_path / "good.jsonl", [penalty(1), penalty(2)])
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [penalty(3), penalty(4, decision_date="2099-01-01")])
    fatal = write_csv(tmp_path / "fatal.csv", [penalty(5)])
    ok = run_cli("import", str(good), home=home)
    assert ok.returncode == 0, ok.stderr
    assert "2 accepted" in ok.stdout
    again = run_cli("import", str(good), home=home)
    assert again.returncode == 0 and "0 accepted, 2 already present" in again.stdout
    some = run_cli("import", str(mixed), "--department", SCJG, home=home)
    assert some.returncode == 1 and "1 rejected" in some.stdout
    assert (tmp_path / "mixed.jsonl.rejects.jsonl").exists()
    bad = run_cli("import", str(fatal), home=home)
    assert bad.returncode == 2 and "--kind" in bad.stderr


def test_every_cli_command_has_help(tmp_path):
    for args in (["--help"], ["import", "--help"], ["demo", "--help"], ["token", "create", "--help"],
                 ["catalog", "--help"], ["replay", "--help"], ["serve", "--help"]):
        result = run_cli(*args, home=tmp_path)
        assert result.returncode == 0 and "Usage:" in result.stdout, args


def test_parallel_checking_stores_the_same_as_in_process(sqlite_platform, tmp_path):
    items = [penalty(n) for n in range(1, 2201)] + [penalty(9999, decision_date="2099-01-01")]
    path = write_jsonl(tmp_path / "p.jsonl", items)
    with path.open("a", encoding="utf-8") as f:
        f.write("{broken\n")
    summary = import_file(sqlite_platform, path, parallel=True)
    assert (summary.accepted, summary.rejected, summary.position) == (2200, 2, 2200)
    rejects = [json.loads(line) for line in summary.rejects_path.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [2201, 2202]
    assert rejects[0]["errors"][0]["code"] == "future_date"
    again = import_file(sqlite_platform, path, parallel=True)
    assert (again.accepted, again.duplicates) == (0, 2200)
