"""Bulk import of records from JSON Lines or CSV files (`gongshi import`).

The whole file is checked for encoding and shape before anything is stored, so a fatal
error (exit 2) stores nothing. Records are then stored in batches, each batch one
transaction; every rejected record goes to FILE.rejects.jsonl with its reasons.
"""
from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import schemas
from domain.ledger import ACCEPTED, DUPLICATE, REJECTED

BATCH_SIZE = 1000


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
    for number, line in enumerate(f, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as e:
            yield number, _Unparsable(f"第 {number} 行不是合法的 JSON：{e.msg} / line {number} is not valid JSON: {e.msg}")


def _csv_reader(f: TextIO, kind: str | None) -> csv.DictReader:
    if kind is None:
        raise FatalImportError("CSV 文件须用 --kind 指明信息类别 / a CSV file needs --kind KIND "
                               f"(one of: {', '.join(schemas.KINDS)})")
    sample = f.read(64 * 1024)
    f.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(f, dialect=dialect)
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
    platform: Any,
    path: Path,
    *,
    kind: str | None = None,
    department: str | None = None,
    submitter: str = "cli",
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one file into the ledger; see the module docstring for the guarantees."""
    if kind is not None and kind not in schemas.KINDS:
        raise FatalImportError(f"未知的信息类别 {kind!r} / unknown kind {kind!r}; known: {', '.join(schemas.KINDS)}")
    fmt, lines = scan(path)
    if department is not None and platform.ledger.catalog.department(department.strip().upper()) is None:
        raise FatalImportError(f"部门 {department} 不在政务数据采集目录中 / department {department} is not in the catalog "
                               "(see `gongshi catalog`)")
    department = department.strip().upper() if department else None
    summary = ImportSummary(lines=lines, rejects_path=path.with_name(path.name + ".rejects.jsonl"))
    rejects = _Rejects(summary.rejects_path)
    try:
        with path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None) as f:
            rows = _jsonl_rows(f) if fmt == "jsonl" else _csv_rows(_csv_reader(f, kind))
            for chunk in _batches(rows, BATCH_SIZE):
                _store(platform, chunk, kind, department, submitter, summary, rejects)
                if progress:
                    progress(chunk[-1][0])
    finally:
        rejects.close()
    summary.rejected = rejects.count
    return summary


class _Rejects:
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


def _store(platform: Any, chunk: list[tuple[int, Any]], kind: str | None, department: str | None,
           submitter: str, summary: ImportSummary, rejects: _Rejects) -> None:
    """Store one batch (one transaction) and account for every item of it."""
    summary.total += len(chunk)
    parsable = [(n, item) for n, item in chunk if not isinstance(item, _Unparsable)]
    result = platform.ledger.submit([item for _, item in parsable], department=department,
                                    submitter=submitter, default_kind=kind)
    outcomes = iter(result.items)
    for number, item in chunk:
        if isinstance(item, _Unparsable):
            rejects.add(number, None, [{"field": "", "code": "parse", "message_zh": item.message, "message_en": item.message}])
            continue
        outcome = next(outcomes)
        if outcome.status == REJECTED:
            rejects.add(number, item, [e.as_dict() for e in outcome.errors])
        elif outcome.status == ACCEPTED:
            summary.accepted += 1
            summary.by_kind[outcome.kind] = summary.by_kind.get(outcome.kind, 0) + 1
        elif outcome.status == DUPLICATE:
            summary.duplicates += 1
    if result.position is not None:
        summary.position = result.position
