"""`make bench`: run every benchmark and write bench/RESULTS.md.

Each benchmark prints a markdown section (table plus the machine it ran on) and compares
with a baseline measured in the same run, because these machines are shared and noisy.
Set BENCH_QUICK=1 for a smaller, faster run (the scale targets need the full one).
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = os.environ.get("BENCH_QUICK") == "1"

#: (script, full-run arguments, quick-run arguments)
BENCHES = [
    ("ledger_bench.py", [], ["--records", "20000", "--memory-records", "0"]),
    ("search_bench.py", ["--docs", "1000000", "--engine", "tantivy"], ["--docs", "100000", "--engine", "tantivy"]),
    ("portal_bench.py", [], []),
    ("datasets_bench.py", [], []),
    ("integrity_bench.py", [], []),
    ("merkle_bench.py", [], []),
    ("supervision_bench.py", [], []),
    ("deadlines_bench.py", [], ["--entities", "20000"]),
    ("report_bench.py", [], ["--repeat", "5", "--memory-reports", "200"]),
    ("trace_bench.py", [], ["--batches", "50000", "--queries", "200"]),
    ("online_bench.py", [], ["--entities", "500", "--seconds", "3", "--certifications", "20000"]),
    ("projects_bench.py", [], ["--projects", "10000", "--requests", "200", "--accepts", "50"]),
]


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from bench.machine import describe

    sections = [f"# Benchmark results\n\nRun {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {describe()}"
                f"{' (quick run)' if QUICK else ''}.\n"]
    failed = 0
    for script, full, quick in BENCHES:
        path = HERE / script
        if not path.exists():
            continue
        print(f"== {script}", flush=True)
        run = subprocess.run([sys.executable, str(path), *(quick if QUICK else full)], capture_output=True, text=True,
                             cwd=HERE.parent)
        print(run.stdout[-4000:], run.stderr[-2000:], sep="\n", flush=True)
        if run.returncode != 0:
            failed += 1
            sections.append(f"## {script}\n\nFAILED (exit {run.returncode}):\n\n```\n{run.stderr[-2000:]}\n```\n")
            continue
        table = run.stdout[run.stdout.find("## "):] if "## " in run.stdout else run.stdout
        sections.append(table.strip() + "\n")
    (HERE / "RESULTS.md").write_text("\n".join(sections), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
