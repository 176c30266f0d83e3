"""Search benchmark: a deterministic synthetic Benxi corpus, a fixed query set, recall
against a brute-force substring check, latency percentiles, build rate and index size.

    .venv/bin/python bench/search_bench.py --docs 100000 --engine tantivy
    .venv/bin/python bench/search_bench.py --docs 1000000 --engine tantivy --reuse

Writes a JSON report to --out (default bench/out/search-ENGINE-N.json), builds the index
in bench/out/index-ENGINE-N, and prints a Markdown section (bench/SEARCH_RESULTS.md
summarises the runs).  Run one at a time: the build and the timings use the CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.analysis import fold, name_initials  # noqa: E402
from search.engine import open_index
from search.interface import FACET_FIELDS, MAX_RESULT_WINDOW, SearchDoc, SearchIndex  # noqa: E402

from bench.search_corpus import SEED, TODAY, generate_corpus  # noqa: E402


@dataclass(frozen=True, slots=True)
class BenchQuery:
    text: str
    kind: str
    #: What a person typing `text` wants: a brute-force predicate over the document.
    truth: Callable[[dict[str, str]], bool]


def contains_all(*needles: str) -> Callable[[dict[str, str]], bool]:
    folded = [fold(n) for n in needles]
    return lambda d: all(n in d["hay"] for n in folded)


def code_starts(prefix: str) -> Callable[[dict[str, str]], bool]:
    prefix = fold(prefix)
    return lambda d: d["code"].startswith(prefix) or d["key"].startswith(prefix)


def matches(pattern: str) -> Callable[[dict[str, str]], bool]:
    compiled = re.compile(pattern)
    return lambda d: compiled.search(d["hay"]) is not None


@dataclass(frozen=True, slots=True)
class Examples:
    """Identifiers taken from the corpus itself, so those queries have answers at any size."""

    credit_code: str
    document_number: str


def pick_examples(n: int) -> Examples:
    """The first entity's credit code and the first public two-digit market-regulation penalty number."""
    code = number = ""
    for doc in generate_corpus(n):
        code = code or doc.credit_code
        if re.fullmatch(r"本市监罚〔\d{4}〕\d\d号", doc.document_number) and is_public(doc, TODAY):
            number = doc.document_number
            break
    return Examples(code, number or "本市监罚〔2023〕45号")


def query_set(examples: Examples) -> list[BenchQuery]:
    """About 25 queries: partial names, districts, single characters, non-adjacent parts,
    text terms, code prefixes, document numbers, initials, common one- and two-term queries."""
    short_number = examples.document_number[examples.document_number.index("〔") : -1]
    return [
        BenchQuery("恒达建材", "partial name", contains_all("恒达建材")),
        BenchQuery("宏图商贸", "partial name", contains_all("宏图商贸")),
        BenchQuery("明山区", "district", contains_all("明山区")),
        BenchQuery("桓仁", "district", contains_all("桓仁")),
        BenchQuery("鑫", "single character", contains_all("鑫")),
        BenchQuery("隆", "single character", contains_all("隆")),
        BenchQuery("本溪恒达", "non-adjacent", contains_all("本溪", "恒达")),
        BenchQuery("明山区建材", "non-adjacent", contains_all("明山区", "建材")),
        BenchQuery("恒达建材公司", "non-adjacent", contains_all("恒达建材", "公司")),
        BenchQuery("桓仁鑫源", "non-adjacent", contains_all("桓仁", "鑫源")),
        BenchQuery("食品安全", "text term", contains_all("食品安全")),
        BenchQuery("扬尘污染", "text term", contains_all("扬尘污染")),
        BenchQuery("健康证明", "text term", contains_all("健康证明")),
        BenchQuery("经营异常名录", "text term", contains_all("经营异常名录")),
        BenchQuery("纳税信用A级", "text term", contains_all("纳税信用A级")),
        BenchQuery("9121050", "code prefix", code_starts("9121050")),
        BenchQuery("92210504", "code prefix", code_starts("92210504")),
        BenchQuery(examples.credit_code, "full code", code_starts(examples.credit_code)),
        BenchQuery(examples.document_number, "document number", contains_all(examples.document_number)),
        BenchQuery(short_number, "document number", matches(re.escape(short_number) + "(?![0-9])")),
        BenchQuery("hdjc", "pinyin initials", lambda d: "hdjc" in d["initials"]),
        BenchQuery("罚款", "common", contains_all("罚款")),
        BenchQuery("有限公司", "common", contains_all("有限公司")),
        BenchQuery("市场监督管理局", "common", contains_all("市场监督管理局")),
        BenchQuery("有限 公司", "common, two terms", contains_all("有限", "公司")),
        BenchQuery("本溪市 罚款", "common, two terms", contains_all("本溪市", "罚款")),
        BenchQuery("食品 罚款", "two terms", contains_all("食品", "罚款")),
        BenchQuery("明山区 建材", "two terms", contains_all("明山区", "建材")),
    ]


def is_public(doc: SearchDoc, today: str) -> bool:
    return doc.public_from <= today and (doc.public_until is None or today <= doc.public_until)


def brute_force(doc: SearchDoc) -> dict[str, str]:
    """What the truth predicates look at: the searchable values, folded, kept apart."""
    return {
        "hay": "\x00".join(fold(v) for v in (doc.title, doc.document_number, doc.department_name, doc.text)),
        "code": fold(doc.credit_code),
        "key": fold(doc.entity_key),
        "initials": name_initials(doc.title)[0],
    }


# Measuring ----------------------------------------------------------------------------

#: Documents per `add` call while building.
ADD_BATCH = 5_000
#: Recall is checked id by id up to this many true matches (all of them can be listed);
#: above it, by the total.
RECALL_ID_LIMIT = MAX_RESULT_WINDOW


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build(
    index: SearchIndex | None, n: int, queries: list[BenchQuery], commit_every: int
) -> tuple[float, dict[str, set[str]]]:
    """Index the corpus in batches, committing every `commit_every` documents (the position is
    the number of documents so far), and compute the truth on the way; with no index, only
    the truth."""
    truth: dict[str, set[str]] = {q.text: set() for q in queries}
    seconds = 0.0
    batch: list[SearchDoc] = []
    committed = 0
    if index is not None:
        index.clear()
    progress = tqdm(generate_corpus(n), total=n, desc="build" if index else "truth", unit="doc")
    for done, doc in enumerate(progress, start=1):
        if is_public(doc, TODAY):
            facts = brute_force(doc)
            for q in queries:
                if q.truth(facts):
                    truth[q.text].add(doc.id)
        if index is None:
            continue
        batch.append(doc)
        if len(batch) == ADD_BATCH or done == n:
            start = time.perf_counter()
            index.add(batch)
            if done - committed >= commit_every or done == n:
                progress.set_postfix_str("committing")
                index.commit(done)
                committed = done
                progress.set_postfix_str("")
            seconds += time.perf_counter() - start
            batch = []
    return seconds, truth


def all_ids(index: SearchIndex, text: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        found = index.search(text, today=TODAY, sort="newest", page=page, page_size=1000)
        ids.update(h.id for h in found.hits)
        if page * 1000 >= found.total:
            return ids
        page += 1


def time_queries(
    index: SearchIndex, queries: list[BenchQuery], repeat: int, **options
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU milliseconds (this process, all threads) per query, `repeat` rounds
    in shuffled order after one warm-up round.  CPU time shows the work done even when the
    shared machine makes the query wait for a core."""
    wall: dict[str, list[float]] = {q.text: [] for q in queries}
    cpu: dict[str, list[float]] = {q.text: [] for q in queries}
    for q in queries:
        index.search(q.text, today=TODAY, **options)
    rng = random.Random(SEED)
    rounds = [list(queries) for _ in range(repeat)]
    for order in tqdm(rounds, desc="queries " + (",".join(options) or "plain"), unit="round"):
        rng.shuffle(order)
        for q in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            index.search(q.text, today=TODAY, **options)
            cpu[q.text].append((time.process_time() - start_cpu) * 1000)
            wall[q.text].append((time.perf_counter() - start) * 1000)
    return wall, cpu


def summary(timings: dict[str, list[float]]) -> dict[str, float]:
    every = [t for ts in timings.values() for t in ts]
    return {f"p{p}": round(percentile(every, p), 2) for p in (50, 95, 99)} | {"max": round(max(every), 2)}


BUILD_FIELDS = ("build_seconds", "docs_per_second", "load_during_build")


def run(n: int, engine: str, directory: Path, repeat: int, commit_every: int, previous: dict | None) -> dict:
    """Build (unless `previous`, the report of an earlier run, and the index at `directory`
    are both at `n` documents), then measure."""
    queries = query_set(pick_examples(n))
    reuse = previous is not None and previous.get("docs") == n and open_index(directory, engine).position() == n
    if reuse:
        _, truth = build(None, n, queries, commit_every)
        built = {k: previous.get(k) for k in BUILD_FIELDS} | {"reused_index": True}
    else:
        shutil.rmtree(directory, ignore_errors=True)
        index = open_index(directory, engine)
        seconds, truth = build(index, n, queries, commit_every)
        built = {"build_seconds": round(seconds, 1), "docs_per_second": round(n / seconds),
                 "load_during_build": round(os.getloadavg()[1], 1)}
        index.close()
    index = open_index(directory, engine)
    assert index.position() == n, "the committed position is the last document's number"
    report: dict = {
        "engine": engine, "docs": n, **built, "index_mb": round(directory_size(directory) / 1e6, 1),
        "cpu": os.cpu_count(), "load_before_queries": os.getloadavg()[0], "queries": [],
    }
    plain, plain_cpu = time_queries(index, queries, repeat)
    faceted, faceted_cpu = time_queries(index, queries, max(1, repeat // 2), facets=list(FACET_FIELDS))
    newest, _ = time_queries(index, queries, max(1, repeat // 2), sort="newest")
    for q in tqdm(queries, desc="recall", unit="query"):
        expected = truth[q.text]
        total = index.search(q.text, today=TODAY).total
        if len(expected) <= RECALL_ID_LIMIT:
            found = all_ids(index, q.text)
            recall = len(found & expected) / len(expected) if expected else 1.0
            precision = len(found & expected) / len(found) if found else 1.0
            checked = "ids"
        else:
            recall = min(1.0, total / len(expected))
            precision = min(1.0, len(expected) / total) if total else 1.0
            checked = "total"
        report["queries"].append({
            "query": q.text, "kind": q.kind, "terms": len(q.text.split()), "truth": len(expected),
            "total": total, "recall": round(recall, 4), "precision": round(precision, 4), "checked": checked,
            "p50_ms": round(percentile(plain[q.text], 50), 2), "max_ms": round(max(plain[q.text]), 2),
            "cpu_p50_ms": round(percentile(plain_cpu[q.text], 50), 2),
            "facets_p50_ms": round(percentile(faceted[q.text], 50), 2),
        })
    report["latency_ms"] = summary(plain)
    report["cpu_ms"] = summary(plain_cpu)
    report["latency_with_facets_ms"] = summary(faceted)
    report["cpu_with_facets_ms"] = summary(faceted_cpu)
    report["latency_newest_ms"] = summary(newest)
    report["load_after_queries"] = os.getloadavg()[0]
    index.close()
    return report


def markdown(report: dict) -> str:
    def triple(d: dict) -> str:
        return f"{d['p50']} / {d['p95']} / {d['p99']}"

    missed = [q["query"] for q in report["queries"] if q["recall"] < 1.0]
    lines = [
        f"### {report['engine']}, {report['docs']:,} documents",
        "",
        f"- build {report['docs_per_second']:,} docs/s ({report['build_seconds']} s, load {report['load_during_build'] or 'n/a'}),"
        f" index {report['index_mb']} MB",
        f"- p50 / p95 / p99 ms, wall clock: {triple(report['latency_ms'])} (max {report['latency_ms']['max']});"
        f" CPU: {triple(report['cpu_ms'])}",
        f"- with five facets, wall: {triple(report['latency_with_facets_ms'])}; CPU: {triple(report['cpu_with_facets_ms'])}",
        f"- newest first, wall: {triple(report['latency_newest_ms'])}",
        f"- machine load (2 cores, shared) before / after the queries: {report['load_before_queries']:.1f} / "
        f"{report['load_after_queries']:.1f}",
        f"- queries below recall 1.0: {', '.join(missed) or 'none'}",
        "",
        "| query | kind | true matches | total | recall | precision | p50 ms | CPU p50 ms | max ms | p50 with facets |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for q in report["queries"]:
        lines.append(
            f"| {q['query']} | {q['kind']} | {q['truth']:,} | {q['total']:,} | {q['recall']:.3f} | "
            f"{q['precision']:.3f} | {q['p50_ms']} | {q['cpu_p50_ms']} | {q['max_ms']} | {q['facets_p50_ms']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--engine", default=None, help="tantivy or whoosh (default: $GONGSHI_SEARCH_ENGINE or tantivy)")
    parser.add_argument("--out", type=Path, default=None, help="JSON report (default bench/out/search-ENGINE-N.json)")
    parser.add_argument("--index-dir", type=Path, default=None, help="where to build (default bench/out/index-ENGINE-N)")
    parser.add_argument("--repeat", type=int, default=10, help="timed rounds over the query set")
    parser.add_argument("--commit-every", type=int, default=100_000, help="documents per commit while building")
    parser.add_argument("--reuse", action="store_true", help="keep the index (and build figures) of an earlier run at --out")
    args = parser.parse_args(argv)
    from search.engine import engine_name

    engine = engine_name(args.engine)
    out = args.out or ROOT / "bench" / "out" / f"search-{engine}-{args.docs}.json"
    directory = args.index_dir or ROOT / "bench" / "out" / f"index-{engine}-{args.docs}"
    previous = json.loads(out.read_text(encoding="utf-8")) if args.reuse and out.exists() else None
    report = run(args.docs, engine, directory, args.repeat, args.commit_every, previous)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
