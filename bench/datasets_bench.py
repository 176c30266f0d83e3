"""Open-data speed: a 1,000,000-row dataset over real HTTP, and Datasette on the same rows as the peer.

    .venv/bin/python bench/datasets_bench.py [--rows 1000000]

Measures, against a real uvicorn server in its own process:
- the CSV download of the whole dataset: time cold (the file is built and hashed first) and
  warm (served from the built file), and the server's peak memory (VmHWM);
- datastore_search for a filtered page (first page of each of 8 filter values, repeated): p50/p95;
- Datasette serving the same page from an equivalent SQLite table, in the same run: p50/p95.

The rows are written straight into the read model (v_records, v_log) rather than through the
ledger: what is measured is publishing, not ingestion. Datasette is installed into the venv
for this bench only (`pip install datasette==0.65.5`); it is not a project dependency.
Targets: CSV download under 15 s with peak memory under 300 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

from projections.ledger_views import SCHEMA  # noqa: E402
from publishing.catalog import resource_id  # noqa: E402
from publishing.definitions import by_name  # noqa: E402

DATASET = "administrative-penalties"
AUTHORITIES = [("112105000086742610", "本溪市市场监督管理局"), ("112105000019467030", "本溪市生态环境局"),
               ("11210500001306845H", "本溪市交通运输局"), ("112105000018079813", "国家税务总局本溪市税务局"),
               ("11210500002418267N", "本溪市应急管理局"), ("112105000051272975", "本溪市卫生健康委员会"),
               ("11210500002322943R", "本溪市文化旅游和广播电视局"), ("11210500006854947H", "本溪市住房和城乡建设局")]
DISTRICTS = ("210502", "210503", "210504", "210505", "210521", "210522")
PARTY_TYPES = ("法人及非法人组织", "法人及非法人组织", "法人及非法人组织", "个体工商户")
REQUESTS_PER_SIDE = 80


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def synthetic(i: int) -> dict:
    authority_code, authority = AUTHORITIES[i % len(AUTHORITIES)]
    day = f"{2024 + (i % 2)}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return {
        "party_name": f"本溪市{'平山溪湖明山南芬'[i % 4 * 2:i % 4 * 2 + 2]}区第{i}号商贸有限公司", "party_type": PARTY_TYPES[i % 4],
        "credit_code": f"91{DISTRICTS[i % 6]}MA{i:08d}"[:18], "legal_representative": f"王{i % 1000}",
        "document_number": f"本罚〔{day[:4]}〕{i}号", "violation_type": "销售不合格商品",
        "facts": f"经查，当事人于{day}销售的商品经抽检不合格，货值金额{i % 9000 + 1000}元。",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条", "categories": ["罚款", "没收违法所得"],
        "content": f"罚款{i % 50 + 1}万元", "fine": i % 50 + 1, "confiscation": round((i % 700) / 100, 2),
        "decision_date": day, "authority": authority, "authority_code": authority_code, "source_unit_code": authority_code,
        "procedure": "普通程序", "sector": "市场监管",
    }


def fill(home: Path, rows: int) -> None:
    """Write `rows` public penalties into the views database and the same rows into Datasette's table."""
    views = sqlite3.connect(home / "views.sqlite", isolation_level=None)
    peer = sqlite3.connect(home / "peer.sqlite", isolation_level=None)
    for statement in SCHEMA:
        views.execute(statement)
    dataset = by_name(DATASET)
    columns = dataset.column_ids
    peer.execute(f"CREATE TABLE penalties ({', '.join(c + (' TEXT PRIMARY KEY' if c == 'record_id' else '') for c in columns)})")
    views.execute("BEGIN")
    peer.execute("BEGIN")
    batch_v, batch_l, batch_p = [], [], []
    stamp = "2026-11-25T00:00:00+00:00"
    for i in range(1, rows + 1):
        fields = synthetic(i)
        rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"/bench/{i}"))
        end = f"{int(fields['decision_date'][:4]) + 3}{fields['decision_date'][4:]}"
        data = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        batch_v.append((rid, i, 1, "recorded", "penalty", fields["credit_code"], fields["party_name"], fields["party_type"],
                        fields["authority_code"], fields["authority"], fields["authority_code"], fields["document_number"],
                        fields["decision_date"], fields["credit_code"][2:8], "active", 1, fields["decision_date"], end, data, stamp))
        batch_l.append((i, stamp, "Record.Recorded", rid))
        row = {**fields, "record_id": rid, "public_until": end, "categories": ";".join(fields["categories"])}
        batch_p.append(tuple(row.get(c) for c in columns))
        if len(batch_v) == 20000 or i == rows:
            views.executemany(
                "INSERT INTO v_records (record_id, valid_from, version, event, kind, credit_code, party_name, party_type, "
                "authority_code, authority, department, document_number, decision_date, district, status, published, "
                "public_from, public_until, data, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch_v)
            views.executemany("INSERT INTO v_log VALUES (?,?,?,?)", batch_l)
            peer.executemany(f"INSERT INTO penalties VALUES ({','.join('?' * len(columns))})", batch_p)
            batch_v, batch_l, batch_p = [], [], []
    views.execute("COMMIT")
    peer.execute("COMMIT")
    views.close()
    peer.close()


def start(args: list[str], ready: str, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(ready, timeout=5).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read().decode()[-2000:]}")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (load on a shared machine inflates wall time, not this)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def download(url: str) -> tuple[float, int, dict]:
    began, size = time.perf_counter(), 0
    with httpx.stream("GET", url, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes(1 << 20):
            size += len(chunk)
        headers = dict(response.headers)
    return time.perf_counter() - began, size, headers


def latencies(urls: list[str], params: list[dict | None]) -> list[float]:
    out = []
    with httpx.Client(timeout=60) as client:
        for url, p in zip(urls, params):
            began = time.perf_counter()
            response = client.get(url, params=p)
            response.raise_for_status()
            out.append((time.perf_counter() - began) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{describe()}; SQLite {sqlite3.sqlite_version}; load average at the end {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, help="Keep the generated databases here and reuse them on the next run.")
    args = parser.parse_args()
    datasette = Path(sys.executable).parent / "datasette"
    if not datasette.exists():
        sys.exit("datasette is not installed: .venv/bin/pip install datasette==0.65.5 (for this bench only)")
    home = args.home or Path(tempfile.mkdtemp(prefix="gongshi-bench-"))
    try:
        if not (home / "peer.sqlite").exists():
            home.mkdir(parents=True, exist_ok=True)
            began = time.perf_counter()
            fill(home, args.rows)
            print(f"wrote {args.rows} rows in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        for derived in ("downloads", "search"):  # a cold download; no index left by an older build
            shutil.rmtree(home / derived, ignore_errors=True)
        env = {**os.environ, "GONGSHI_HOME": str(home), "PYTHONPATH": str(ROOT)}
        port, peer_port = free_port(), free_port()
        server = start([sys.executable, "-m", "gongshi.cli", "serve", "--port", str(port)],
                       f"http://127.0.0.1:{port}/api/3/action/site_read", env)
        peer = start([str(datasette), "serve", str(home / "peer.sqlite"), "--port", str(peer_port),
                      "--setting", "sql_time_limit_ms", "10000", "--setting", "default_page_size", "100",
                      "--setting", "suggest_facets", "off"], f"http://127.0.0.1:{peer_port}/-/versions.json", env)
        try:
            base = f"http://127.0.0.1:{port}"
            dataset = by_name(DATASET)
            rid = resource_id(dataset, "csv")
            csv_url = f"{base}/dataset/{DATASET}/resource/{rid}/download/{DATASET}.csv"
            httpx.get(f"{base}/api/3/action/package_show", params={"id": DATASET}, timeout=600)  # one-time indexes
            cpu_before = cpu_seconds(server.pid)
            cold, size, headers = download(csv_url)
            cold_cpu = cpu_seconds(server.pid) - cpu_before
            warm, _, _ = download(csv_url)
            memory = peak_mb(server.pid)
            values = [code for code, _ in AUTHORITIES] * (REQUESTS_PER_SIDE // len(AUTHORITIES))  # each value 10 times
            ours = latencies([f"{base}/api/3/action/datastore_search"] * len(values),
                             [{"resource_id": rid, "filters": json.dumps({"authority_code": v}), "limit": 100} for v in values])
            theirs = latencies([f"http://127.0.0.1:{peer_port}/peer/penalties.json"] * len(values),
                               [{"authority_code": v, "_size": 100, "_sort": "record_id"} for v in values])
        finally:
            for process in (server, peer):
                process.terminate()
                process.wait(timeout=30)
        print(f"\n## Open data bench: {args.rows:,} rows ({DATASET})\n")
        print(f"Machine: {machine()}; datasette {subprocess.run([str(datasette), '--version'], capture_output=True, text=True).stdout.strip()}\n")
        print("| measure | result | target |\n| --- | --- | --- |")
        print(f"| CSV download, cold (build + hash + send) | {cold:.1f} s, {size / 1e6:.0f} MB | < 15 s |")
        print(f"| server CPU time for that download (user + system) | {cold_cpu:.1f} s | |")
        print(f"| CSV download, warm (built file) | {warm:.1f} s | |")
        print(f"| server peak memory (VmHWM) | {memory:.0f} MB | < 300 MB |")
        cold = len(AUTHORITIES)  # the first request of each filter value computes its exact total
        print(f"| datastore_search filtered page, p50 / p95 ({len(ours)} requests) | {statistics.median(ours):.1f} / {p95(ours):.1f} ms | |")
        print(f"| datastore_search, first request per filter (total not yet cached), median | {statistics.median(ours[:cold]):.1f} ms | |")
        print(f"| Datasette same page, p50 / p95 ({len(theirs)} requests) | {statistics.median(theirs):.1f} / {p95(theirs):.1f} ms | |")
        print(f"| Datasette, first request per filter, median | {statistics.median(theirs[:cold]):.1f} ms | |")
        print(f"| ratio ours / Datasette at p95 | {p95(ours) / p95(theirs):.2f} | |")
        print(f"\nSHA-256 of the download: {headers.get('x-gongshi-sha256')}, log position {headers.get('x-gongshi-position')}")
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
