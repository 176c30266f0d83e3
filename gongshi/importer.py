"""Bulk import of records from JSON Lines or CSV files (`gongshi import`).

The whole file is checked for encoding and shape before anything is stored, so a fatal
error (exit 2) stores nothing. Records are then stored in batches, each batch one
transaction; every rejected record goes to FILE.rejects.jsonl with its reasons.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import orjson

import schemas
from domain.submission import ACCEPTED, DUPLICATE, REJECTED, CheckedItem, Checker, make_checker

if TYPE_CHECKING:  # the checking worker imports this module: it must not load the composition root
    from gongshi.platform import Platform

BATCH_SIZE = 1000
PARALLEL_FROM_LINES = 20_000


class FatalImportError(Exception):
    """The file cannot be imported at all; nothing was stored."""


@dataclass
class ImportSummary:
    lines: int = 0
    total: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    position: int | None = None
    rejects_path: Path | None = None
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def scan(path: Path) -> tuple[str, int]:
    """Check the whole file decodes as UTF-8 and count its lines, in constant memory."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines, first = 0, ""
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError:
                    raise FatalImportError(
                        f"文件不是 UTF-8 编码（约第 {lines + 1} 行之后）；请另存为 UTF-8 后重试 / "
                        f"{path} is not UTF-8 (after about line {lines + 1}); save it as UTF-8 and try again") from None
                first = first or text.lstrip()[:1]
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except OSError as e:
        raise FatalImportError(f"无法读取文件 / cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise FatalImportError(f"文件末尾不是完整的 UTF-8 字符 / {path} ends inside a UTF-8 character") from None
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl", lines
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv", lines
    return ("jsonl" if first == "{" else "csv"), lines


@dataclass(frozen=True)
class _Unparsable:
    message: str


def _jsonl_rows(f: TextIO) -> Iterator[tuple[int, Any]]:
    """Raw lines: parsing happens with the checking, possibly in the worker process."""
    for number, line in enumerate(f, start=1):
        if line.strip():
            yield number, line


def _parse(number: int, raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw, parse_float=Decimal)
    except json.JSONDecodeError as e:
        return _Unparsable(f"第 {number} 行不是合法的 JSON：{e.msg} / line {number} is not valid JSON: {e.msg}")


_DECIMAL = "__gongshi_decimal__"


def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {_DECIMAL: str(value)}
    raise TypeError(f"cannot send {type(value).__name__} to the importing process")


def _untag(value: Any) -> Any:
    if type(value) is dict:
        if len(value) == 1 and _DECIMAL in value:
            return Decimal(value[_DECIMAL])
        for key, item in value.items():
            if type(item) is dict or type(item) is list:
                value[key] = _untag(item)
    elif type(value) is list:
        for i, item in enumerate(value):
            if type(item) is dict or type(item) is list:
                value[i] = _untag(item)
    return value


def pack(checked: list[Any]) -> tuple[bytes, dict[int, Any]]:
    """A checked batch for the trip back from the worker: accepted items as orjson (decimals tagged),
    the rare rest (rejections, unparsable lines) pickled. A third of the cost of pickling it all."""
    rows, others = [], {}
    for i, item in enumerate(checked):
        if isinstance(item, CheckedItem):
            rows.append(item.as_row())
        else:
            rows.append(None)
            others[i] = item
    return orjson.dumps(rows, default=_tag), others


def unpack(packed: tuple[bytes, dict[int, Any]]) -> list[Any]:
    data, others = packed
    return [others[i] if row is None else CheckedItem.from_row(_untag(row)) for i, row in enumerate(orjson.loads(data))]


def check_chunk(chunk: list[tuple[int, Any]], kind: str | None, department: str | None,
                checker: Checker | None = None) -> list[Any]:
    """Parse and validate one batch: per line, the checked item or why it cannot be parsed.

    Only the outcome travels back from the worker; the caller keeps the raw lines for the
    rejects file (parsing a rejected line again is cheaper than shipping every item twice).
    """
    checker = checker or _worker_checker
    out = []
    for index, (number, raw) in enumerate(chunk):
        item = _parse(number, raw)
        out.append(item if isinstance(item, _Unparsable) else checker.check(index, item, department, kind))
    return out


_worker_checker: Checker | None = None


def _init_worker(today: str | None) -> None:
    global _worker_checker
    _worker_checker = make_checker(dt.date.fromisoformat(today) if today else None)


def sniff_dialect(f: TextIO) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of an open file (comma, tab, semicolon or bar), read from its first 64 KiB; excel if unclear."""
    sample = f.read(64 * 1024)
    f.seek(0)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        return csv.excel


def _csv_reader(f: TextIO, kind: str | None) -> csv.DictReader:
    if kind is None:
        raise FatalImportError("CSV 文件须用 --kind 指明信息类别 / a CSV file needs --kind KIND "
                               f"(one of: {', '.join(schemas.KINDS)})")
    reader = csv.DictReader(f, dialect=sniff_dialect(f))
    headers = reader.fieldnames or []
    props = schemas.kind_schema(kind)["properties"]
    codes = {c.upper() for c in schemas.national_codes(kind)}
    allowed = set(props) | {"kind", "action", "reason"}
    unknown = [h for h in headers if h.strip() not in allowed and h.strip().upper() not in codes]
    if unknown or not headers:
        raise FatalImportError(
            f"CSV 表头含有 {kind} 类信息没有的字段：{', '.join(unknown) or '（无表头）'} / unknown column(s) for kind "
            f"{kind}: {', '.join(unknown) or '(no header)'}; use the schema's field names or the national CF_/XK_ "
            f"codes (see schemas/kinds/{kind}.json)")
    return reader


def _csv_rows(reader: csv.DictReader) -> Iterator[tuple[int, Any]]:
    for row in reader:
        if None in row:
            yield reader.line_num, _Unparsable(
                f"第 {reader.line_num} 行的列数多于表头 / line {reader.line_num} has more cells than the header")
            continue
        yield reader.line_num, {k.strip(): v for k, v in row.items() if k is not None}


def _batches(rows: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_file(
    platform: Platform,
    path: Path,
    *,
    kind: str | None = None,
    department: str | None = None,
    submitter: str = "cli",
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportSummary:
    """Import one file into the ledger; see the module docstring for the guarantees.

    `parallel` checks batches in a second process (default: for files of 20,000 lines
    or more on a machine with several cores).
    """
    if kind is not None and kind not in schemas.KINDS:
        raise FatalImportError(f"未知的信息类别 {kind!r} / unknown kind {kind!r}; known: {', '.join(schemas.KINDS)}")
    fmt, lines = scan(path)
    if department is not None and platform.ledger.catalog.department(department.strip().upper()) is None:
        raise FatalImportError(f"部门 {department} 不在政务数据采集目录中 / department {department} is not in the catalog "
                               "(see `gongshi catalog`)")
    department = department.strip().upper() if department else None
    summary = ImportSummary(lines=lines, rejects_path=path.with_name(path.name + ".rejects.jsonl"))
    rejects = Rejects(summary.rejects_path)
    if parallel is None:
        parallel = lines >= PARALLEL_FROM_LINES and (os.cpu_count() or 1) > 1
    try:
        with path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None) as f:
            rows = _jsonl_rows(f) if fmt == "jsonl" else _csv_rows(_csv_reader(f, kind))
            chunks = _batches(rows, BATCH_SIZE)
            checked_chunks = (_checked_in_worker(chunks, kind, department, platform.checker.validator.today_override)
                              if parallel else
                              ((c, check_chunk(c, kind, department, platform.checker)) for c in chunks))
            for chunk, checked in checked_chunks:
                _store(platform, chunk, checked, submitter, summary, rejects)
                if progress:
                    progress(chunk[-1][0])
    finally:
        rejects.close()
    summary.rejected = rejects.count
    return summary


def _checked_in_worker(chunks: Iterator[list[tuple[int, Any]]], kind: str | None, department: str | None,
                       today: dt.date | None) -> Iterator[tuple[list[tuple[int, Any]], list[Any]]]:
    """Check batch n+1 in a second process while batch n is stored here: both cores work.

    At most two batches are in flight, so memory stays flat whatever the file size.
    """
    context = multiprocessing.get_context("spawn")  # no inherited database connections or threads
    with ProcessPoolExecutor(1, mp_context=context, initializer=_init_worker,
                             initargs=(today.isoformat() if today else None,)) as pool:
        ahead = None
        for chunk in chunks:
            future = pool.submit(_check_packed, chunk, kind, department)
            if ahead is not None:
                yield ahead[0], unpack(ahead[1].result())
            ahead = chunk, future
        if ahead is not None:
            yield ahead[0], unpack(ahead[1].result())


def _check_packed(chunk: list[tuple[int, Any]], kind: str | None, department: str | None) -> tuple[bytes, dict[int, Any]]:
    return pack(check_chunk(chunk, kind, department))


class Rejects:
    """FILE.rejects.jsonl, written as rejects happen (memory stays flat); removed when empty."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._file: TextIO | None = None
        path.unlink(missing_ok=True)

    def add(self, line: int, item: Any, errors: list[dict[str, Any]]) -> None:
        if self._file is None:
            self._file = self.path.open("w", encoding="utf-8")
        entry = {"line": line, "errors": errors} if item is None else {"line": line, "item": item, "errors": errors}
        self._file.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _store(platform: Platform, chunk: list[tuple[int, Any]], checked: list[Any], submitter: str,
           summary: ImportSummary, rejects: Rejects) -> None:
    """Store one checked batch (one transaction) and account for every item of it."""
    summary.total += len(chunk)
    result = platform.records.store([c for c in checked if not isinstance(c, _Unparsable)], submitter=submitter,
                                    visible=False)
    outcomes = iter(result.items)
    for (number, raw), check in zip(chunk, checked):
        if isinstance(check, _Unparsable):
            rejects.add(number, None, [{"field": "", "code": "parse", "message_zh": check.message,
                                        "message_en": check.message}])
            continue
        outcome = next(outcomes)
        if outcome.status == REJECTED:
            rejects.add(number, _parse(number, raw), [e.as_dict() for e in outcome.errors])
        elif outcome.status == ACCEPTED:
            summary.accepted += 1
            summary.by_kind[outcome.kind] = summary.by_kind.get(outcome.kind, 0) + 1
        elif outcome.status == DUPLICATE:
            summary.duplicates += 1
    if result.position is not None:
        summary.position = result.position
