"""Writers of a dataset's rows as files: CSV (UTF-8 with BOM), TSV, JSON and XLSX.

Each writer consumes an iterator of rows and writes to a binary file as it goes, so memory
stays flat whatever the size. Output is deterministic: the same rows give the same bytes
(XLSX included: its creation time is the version's, and xlsxwriter fixes the zip times).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import xlsxwriter

from publishing.definitions import Column

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "tsv": ("text/tab-separated-values; charset=utf-8", "TSV"),
    "json": ("application/json", "JSON"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "dump-json": ("application/json", "JSON"),  # CKAN's /datastore/dump shape: {"fields", "records"}
}
_FLUSH = 1 << 16
XLSX_MAX_ROWS = 1_048_575  # Excel's limit is 1,048,576 rows per sheet, one of them the header


def write_delimited(rows: Iterable[Sequence[Any]], columns: Sequence[Column], out: BinaryIO, *,
                    delimiter: str = ",", bom: bool = True, header: bool = True) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        out.write("\ufeff".encode())
    if header:
        writer.writerow([c.id for c in columns])
    for row in rows:
        writer.writerow(row)  # None is written empty, floats by repr(): the shortest exact form
        if buffer.tell() > _FLUSH:
            out.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode())


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_json(rows: Iterable[Sequence[Any]], columns: Sequence[Column], out: BinaryIO) -> None:
    """A JSON array of objects, one per line, keys in column order."""
    ids = [c.id for c in columns]
    chunks: list[str] = ["["]
    size, first = 1, True
    for row in rows:
        chunks.append(("\n" if first else ",\n") + _dumps(dict(zip(ids, row))))
        first = False
        size += len(chunks[-1])
        if size > _FLUSH:
            out.write("".join(chunks).encode())
            chunks, size = [], 0
    chunks.append("\n]\n")
    out.write("".join(chunks).encode())


def write_dump_json(rows: Iterable[Sequence[Any]], columns: Sequence[Column], out: BinaryIO) -> None:
    """CKAN's datastore dump JSON: {"fields": [...], "records": [[...], ...]}."""
    fields = [{"id": c.id, "type": c.datastore_type} for c in columns]
    out.write(('{"fields":' + _dumps(fields) + ',"records":[').encode())
    chunks, size, first = [], 0, True
    for row in rows:
        chunks.append(("\n" if first else ",\n") + _dumps(list(row)))
        first = False
        size += len(chunks[-1])
        if size > _FLUSH:
            out.write("".join(chunks).encode())
            chunks, size = [], 0
    chunks.append("\n]}\n")
    out.write("".join(chunks).encode())


def write_xlsx(rows: Iterable[Sequence[Any]], columns: Sequence[Column], path: str, *, title: str,
               created: dt.datetime) -> None:
    """An XLSX workbook (constant memory): data sheets with Chinese headers, then the data dictionary."""
    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
               "strings_to_urls": False}
    with xlsxwriter.Workbook(path, options) as book:
        book.set_properties({"title": title, "created": created, "author": "公示 · 本溪市信用信息公示平台"})
        bold = book.add_format({"bold": True})
        sheet, sheets, line = None, 0, XLSX_MAX_ROWS
        for row in rows:
            if line >= XLSX_MAX_ROWS:
                sheets += 1
                sheet = book.add_worksheet("数据" if sheets == 1 else f"数据{sheets}")
                for i, col in enumerate(columns):
                    sheet.write_string(0, i, col.title, bold)
                    sheet.set_column(i, i, min(40, max(10, len(col.title) * 2)))
                line = 0
            line += 1
            for i, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)):
                    sheet.write_number(line, i, value)
                else:
                    sheet.write_string(line, i, value)
        if sheet is None:
            sheet = book.add_worksheet("数据")
            for i, col in enumerate(columns):
                sheet.write_string(0, i, col.title, bold)
        dictionary = book.add_worksheet("数据字典")
        for i, head in enumerate(("字段", "名称", "类型", "说明", "来源")):
            dictionary.write_string(0, i, head, bold)
        for n, col in enumerate(columns, start=1):
            for i, text in enumerate((col.id, col.title, col.datastore_type, col.description, col.source)):
                dictionary.write_string(n, i, text)
