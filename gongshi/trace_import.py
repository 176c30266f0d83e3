"""Bulk import of traceability facts (`gongshi import FILE --kind trace --department CODE`).

A department enters what it holds for the entities it regulates (a slaughterhouse's register,
a market's ledger, a laboratory's results): JSON Lines, each line a batch to register (its
fields as in `POST /api/v1/trace/batches`, with `"kind": "batch"`) or a step on a batch (`code`
plus the fields of `POST /api/v1/trace/batches/{code}/events`, `step` naming it); or CSV with
`--kind trace_batch` (one batch per row, columns such as `origin.place`) or `--kind trace_event`
(`code`, `step` and the step's columns; `children.0.quantity`, `inputs.0.code`, `output.batch_number`;
failed `items` separated by ；). A step may name a batch registered earlier in the same file by
`batch_ref`: the `batch_number` of that batch (the code is issued on import, so a file can carry a
whole chain). Every line is its own command through application/trace.py, in file order: a bad
line is refused alone (to FILE.rejects.jsonl with its reasons) and every good one is stored.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import schemas
from domain import flat_forms
from domain.errors import FieldError, ValidationFailed
from domain.trace import TraceActor
from gongshi.importer import FatalImportError, ImportSummary, Rejects, scan, sniff_dialect
from gongshi.platform import Platform

KINDS = ("trace", "trace_batch", "trace_event")


@cache
def _properties(name: str) -> dict[str, Any]:
    """Every property a flat row of this kind may carry (a step row: any step's)."""
    if name == "trace_batch":
        return schemas.load("trace/batch.json")["properties"]
    merged: dict[str, Any] = {"code": {"type": "string"}, "batch_ref": {"type": "string"}}
    for form in ("movement", "test", "order"):
        merged.update(schemas.load(f"trace/{form}.json")["properties"])
    return merged


def _rows(path: Path, fmt: str, kind: str) -> Iterator[tuple[int, Any]]:
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
        if kind == "trace":
            raise FatalImportError("CSV 须用 --kind trace_batch（批次）或 --kind trace_event（环节） / a CSV file needs "
                                   "--kind trace_batch (batches) or --kind trace_event (steps)")
        reader = csv.DictReader(f, dialect=sniff_dialect(f))
        for row in reader:
            flat = {k.strip(): v for k, v in row.items() if k is not None and v not in (None, "")}
            item = flat_forms.unflatten(_properties(kind), flat)
            yield reader.line_num, {"kind": "batch", **item} if kind == "trace_batch" else item


def import_trace(platform: Platform, path: Path, *, kind: str, department: str | None, submitter: str = "cli",
                 progress: Callable[[int], None] | None = None) -> ImportSummary:
    found = platform.ledger.catalog.department((department or "").strip().upper())
    if found is None:
        raise FatalImportError("追溯数据导入须用 --department 指明录入部门（见 gongshi catalog；须为该类产品的监管或检验部门） / "
                               "importing traceability facts needs --department, the regulating or testing department")
    actor = TraceActor(f"{submitter}:{found.code}", department=found.code, department_key=found.key)
    fmt, lines = scan(path)
    summary = ImportSummary(lines=lines, rejects_path=path.with_name(path.name + ".rejects.jsonl"))
    rejects = Rejects(summary.rejects_path)
    issued: dict[str, str] = {}  # batch_number -> code, for steps that refer to a batch of this file
    counts: dict[str, int] = {}
    try:
        for number, item in _rows(path, fmt, kind):
            summary.total += 1
            try:
                if isinstance(item, ValidationFailed):
                    raise item
                if not isinstance(item, dict):
                    raise ValidationFailed([FieldError("", "type", "每行应为一个 JSON 对象（一个批次或一个环节）",
                                                       "each line must be a JSON object (a batch or a step)")])
                saved, what = _one(platform, actor, dict(item), issued)
            except ValidationFailed as e:
                rejects.add(number, item if isinstance(item, dict) else None, [err.as_dict() for err in e.errors])
                continue
            if saved.position is None:
                summary.duplicates += 1
            else:
                summary.accepted += 1
                summary.position = saved.position
                counts[what] = counts.get(what, 0) + 1
            if progress:
                progress(number)
    finally:
        rejects.close()
    summary.rejected = rejects.count
    summary.by_kind = counts
    return summary


def _one(platform: Platform, actor: TraceActor, item: dict[str, Any], issued: dict[str, str]) -> tuple[Any, str]:
    """Register a batch or record a step; (what was saved, the kind counted)."""
    if item.pop("kind", None) == "batch":
        saved = platform.trace.register(actor, item, visible=False)
        issued[str(item.get("batch_number"))] = saved.batch.code
        return saved, "trace_batch"
    ref, code = item.pop("batch_ref", None), item.pop("code", None)
    if code is None and ref is not None:
        code = issued.get(str(ref))
        if code is None:
            raise ValidationFailed([FieldError("batch_ref", "unknown_ref", f"本文件中此前没有批次号为 {ref} 的批次",
                                               f"no earlier batch of this file has the batch number {ref}")])
    if code is None:
        raise ValidationFailed([FieldError("code", "required", "环节须写明追溯码（code）或本文件中批次的批次号（batch_ref）",
                                           "a step names its batch: code, or batch_ref for a batch of this file")])
    saved = platform.trace.record(actor, code, item, visible=False)
    for made in saved.created:  # sub-batches with their own number, a processed product: later lines may name them
        number = made.product.get("batch_number") or (made.key.split("/", 1)[-1] if item.get("step") == "processed"
                                                      else None)
        if number:
            issued[str(number)] = made.code
    return saved, f"trace_{item.get('step', 'event')}"
