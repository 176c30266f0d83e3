"""Bulk import of annual reports filed on paper (`gongshi import FILE --kind annual_report --department CODE`).

The registration department enters reports it received on paper: JSON Lines (one report per
line, nested as in the API) or CSV whose columns are the form's flat names
(`financials.revenue`, `contributions.0.paid_in`; `public_items` separated by ；). Each line
may give `filed_on` (the day the paper arrived) and `action` (file, the default, or revise).
Every report is its own command through application/annual_reports.py, so a bad line is
refused alone (to FILE.rejects.jsonl with its reasons) and every good one is stored; the read
models catch up once, after the file (the CLI does it), not after every report.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain import annual_reports
from domain.annual_reports import PAPER, Filing
from domain.errors import FieldError, ValidationFailed
from gongshi.importer import FatalImportError, ImportSummary, Rejects, scan, sniff_dialect
from gongshi.platform import Platform

KIND = "annual_report"
ENVELOPE = ("action", "filed_on")


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None) as f:
        if fmt == "jsonl":
            for number, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        yield number, json.loads(line, parse_float=Decimal)
                    except json.JSONDecodeError as e:
                        yield number, ValidationFailed([FieldError(
                            "", "parse", f"第 {number} 行不是合法的 JSON：{e.msg}", f"line {number} is not valid JSON: {e.msg}")])
            return
        reader = csv.DictReader(f, dialect=sniff_dialect(f))
        for row in reader:
            flat = {k.strip(): v for k, v in row.items() if k is not None}
            envelope = {k: flat.pop(k) for k in ENVELOPE if k in flat}
            code = (flat.get("credit_code") or "").strip()
            form = annual_reports.form_for(code)
            report = annual_reports.unflatten(form, flat)
            yield reader.line_num, {**report, **{k: v for k, v in envelope.items() if v}}


def import_reports(platform: Platform, path: Path, *, department: str | None, submitter: str = "cli",
                   progress: Callable[[int], None] | None = None) -> ImportSummary:
    if department is None or platform.ledger.catalog.department(department.strip().upper()) is None:
        raise FatalImportError("年报导入须用 --department 指明录入纸质年报的登记机关（见 gongshi catalog） / importing "
                               "annual reports needs --department, the registration department entering paper reports")
    fmt, lines = scan(path)
    filing = Filing(submitter, PAPER, department=department.strip().upper())
    summary = ImportSummary(lines=lines, rejects_path=path.with_name(path.name + ".rejects.jsonl"))
    rejects = Rejects(summary.rejects_path)
    try:
        for number, item in _rows(path, fmt):
            summary.total += 1
            try:
                if isinstance(item, ValidationFailed):
                    raise item
                if not isinstance(item, dict):
                    raise ValidationFailed([FieldError("", "type", "每行应为一份年度报告（JSON 对象）",
                                                       "each line must be one annual report (a JSON object)")])
                body = dict(item)
                action, filed_on = body.pop("action", "file"), body.pop("filed_on", None)
                if action == "revise":
                    _, position = platform.annual_reports.revise(filing, body, visible=False)
                else:
                    _, position = platform.annual_reports.file(filing, body, filed_on=filed_on, visible=False)
            except ValidationFailed as e:
                already = any(err.code == "already_filed" for err in e.errors)
                if already and _same(platform, item):
                    summary.duplicates += 1
                else:
                    rejects.add(number, item if isinstance(item, dict) else None, [err.as_dict() for err in e.errors])
                continue
            if position is None:
                summary.duplicates += 1
            else:
                summary.accepted += 1
                summary.position = position
            if progress:
                progress(number)
    finally:
        rejects.close()
    summary.rejected = rejects.count
    summary.by_kind = {KIND: summary.accepted} if summary.accepted else {}
    return summary


def _same(platform: Platform, item: dict[str, Any]) -> bool:
    """A re-imported line: the report of that year is already filed with exactly this content."""
    body = {k: v for k, v in item.items() if k not in ENVELOPE}
    try:
        _, fields = annual_reports.check(body)
    except ValidationFailed:
        return False
    report = platform.annual_reports.report(fields["credit_code"], fields["year"])
    return report is not None and report.is_version(fields)
