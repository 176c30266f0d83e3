"""Credit report benchmark (issue 16): PDF reports per second and p95 for entities of 10-200 public records, the
HTML report against the profile page in the same run, and memory over many issued reports.

    python bench/report_bench.py [--sizes 10,50,100,200] [--repeat 20] [--memory-reports 1000]

In-process through the real ASGI app (Starlette's TestClient, SQLite files in a scratch GONGSHI_HOME): each PDF
request gathers the content, draws and seals the PDF, records the CreditReport.Issued event and catches the read
models up, as a requester's download does. Prints a Markdown section and writes it to bench/results/report.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import calibration, describe  # noqa: E402

OUT = ROOT / "bench" / "results" / "report.md"
TODAY = dt.date(2026, 11, 25)


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    return kb / 1024


def _entity(n: int) -> tuple[str, list[dict]]:
    """A company in 明山区 with n public records: penalties of this year and licences (half each)."""
    import schemas
    from domain.codes import make_credit_code

    scjg = next(d["code"] for d in schemas.catalog()["departments"] if d["key"] == "SCJG")
    code = make_credit_code("91", "210504", f"MA{n:06d}")
    name = f"本溪市明山区测试{n}号建材有限公司"
    items = [{"kind": "entity", "credit_code": code, "name": name, "entity_type": "有限责任公司",
              "legal_representative": "王建国", "registered_capital": 500, "established": "2015-06-18",
              "address": "辽宁省本溪市明山区新明路12号", "district_code": "210504", "status": "存续",
              "registration_authority": "本溪市市场监督管理局", "source_unit_code": scjg}]
    for i in range(n):
        common = {"party_name": name, "party_type": "法人及非法人组织", "credit_code": code,
                  "legal_representative": "王建国", "authority": "本溪市市场监督管理局", "authority_code": scjg,
                  "source_unit_code": scjg, "decision_date": (TODAY - dt.timedelta(days=5 + i)).isoformat()}
        if i % 2:
            items.append({**common, "kind": "license", "document_number": f"本市监许〔2026〕{n}-{i}号",
                          "document_title": "食品经营许可决定书", "category": "普通", "license_type": "食品经营许可",
                          "certificate_name": "食品经营许可证", "certificate_number": f"JY2{n:05d}{i:06d}",
                          "content": "预包装食品销售", "valid_from": common["decision_date"], "valid_to": "2031-01-01",
                          "state": "1"})
        else:
            items.append({**common, "kind": "penalty", "document_number": f"本市监罚〔2026〕{n}-{i}号",
                          "violation_type": "销售不合格建筑材料", "facts": "经查，当事人销售的钢筋经抽检不合格。",
                          "legal_basis": "《中华人民共和国产品质量法》第四十九条", "categories": ["罚款"],
                          "content": "罚款2万元", "fine": 2, "procedure": "普通程序"})
    return code, items


def _timed(get, url: str, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = get(url)
        out.append(time.perf_counter() - start)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return out


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50,100,200")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--memory-reports", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from starlette.testclient import TestClient

    from gongshi.config import Settings
    from gongshi.platform import Platform
    from publishing import report_font, report_pdf
    from web.app import create_app
    from web.ratelimit import RateLimit

    lines = ["## Credit reports (issue 16): PDF issuing, HTML report vs profile, memory", "",
             f"{describe()}; calibration {calibration():.0f} ms. In-process ASGI (TestClient), SQLite, "
             f"{args.repeat} requests per row after one warm-up.", "",
             "| public records | PDF reports/s | PDF p50 ms | PDF p95 ms | PDF KiB | PDF p50 ms, full face | "
             "HTML report p50 ms | profile page p50 ms | HTML report / profile |",
             "|---|---|---|---|---|---|---|---|---|"]
    full, index = report_pdf.font_paths()[""]
    started = time.perf_counter()
    report_font.build(full, index)  # the cut face (publishing/report_font.py), as a running server has it
    lines.insert(3, f"The cut face was ready (built or found in {report_font.cache_dir()}) in "
                    f"{time.perf_counter() - started:.1f} s; 'full face' is the same request drawing with the whole "
                    "Noto Sans CJK SC face, the baseline of the same run.")
    lines.insert(4, "")
    cut_face = report_font.working_font
    with tempfile.TemporaryDirectory() as home:
        platform = Platform(Settings(home=Path(home)), today=TODAY)
        codes = {}
        for n in sizes:
            code, items = _entity(n)
            result = platform.records.submit(items, department=None, submitter="bench")
            assert result.count("accepted") == len(items), [i.as_dict() for i in result.items if i.status != "accepted"]
            codes[n] = code
        app = create_app(platform, follow=False)
        app.state.rate_limits = {"report_issues": RateLimit(10**9, 1)}  # the bench is one client issuing thousands
        with TestClient(app) as client:
            for n in sizes:
                pdf_url, report_url, profile_url = (f"/entities/{codes[n]}/report.pdf?purpose=bidding",
                                                    f"/entities/{codes[n]}/report", f"/entities/{codes[n]}")
                size = len(client.get(pdf_url).content)
                client.get(report_url), client.get(profile_url)
                pdf = _timed(client.get, pdf_url, args.repeat)
                report_font.working_font = lambda full, index, text, **_: (full, index)
                whole = _timed(client.get, pdf_url, max(3, args.repeat // 4))
                report_font.working_font = cut_face
                html = _timed(client.get, report_url, args.repeat)
                profile = _timed(client.get, profile_url, args.repeat)
                ratio = statistics.median(html) / statistics.median(profile)
                lines.append(f"| {n} | {1 / statistics.mean(pdf):.1f} | {statistics.median(pdf) * 1000:.0f} | "
                             f"{_p95(pdf) * 1000:.0f} | {size / 1024:.0f} | {statistics.median(whole) * 1000:.0f} | "
                             f"{statistics.median(html) * 1000:.1f} | "
                             f"{statistics.median(profile) * 1000:.1f} | {ratio:.1f} |")
                print(lines[-1], flush=True)
            if args.memory_reports:
                url = f"/entities/{codes[sizes[0]]}/report.pdf"
                samples, start = [], time.perf_counter()
                for i in range(args.memory_reports):
                    assert client.get(url).status_code == 200
                    if i in (99, args.memory_reports // 2 - 1, args.memory_reports - 1):
                        samples.append((i + 1, _rss_mib()))
                seconds = time.perf_counter() - start
                lines += ["", f"Memory over {args.memory_reports} PDF reports ({sizes[0]} records each, "
                          f"{args.memory_reports / seconds:.1f}/s): resident set "
                          + ", ".join(f"{mib:.0f} MiB after {k}" for k, mib in samples) + "."]
        platform.close()
    lines += ["", "The HTML report is a preview (not cached, every section whole); the profile page is answered "
              "from its position-keyed cache after the first request, as the public sees it."]
    text = "\n".join(lines) + "\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
