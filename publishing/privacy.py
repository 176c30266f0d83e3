"""The privacy scan over published files: the portal's own rule (domain/privacy.py), cell by cell.

Every cell of a CSV, TSV, JSON or XLSX resource must come out of `scrub_text` unchanged:
no resident ID number (with a valid check digit) and no phone number. Our record ids
are UUIDs, whose hex groups can look like a hyphenated phone number, so they are skipped.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import openpyxl

from domain.privacy import scrub_text

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _values(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _values(v)
    elif isinstance(value, list):
        for v in value:
            yield from _values(v)
    elif value is not None:
        yield str(value)


def cells(fmt: str, data: bytes) -> Iterator[str]:
    """Every cell of a resource file, as text."""
    if fmt in ("csv", "tsv"):
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter="," if fmt == "csv" else "\t")
        for row in reader:
            yield from row
    elif fmt in ("json", "dump-json"):
        yield from _values(json.loads(data))
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        for sheet in book:
            for row in sheet.iter_rows(values_only=True):
                yield from (str(c) for c in row if c is not None)
    else:
        raise ValueError(fmt)


def leaks(fmt: str, data: bytes) -> list[str]:
    """Cells that hold an ID number or a phone number (empty when the file is clean)."""
    return [c for c in cells(fmt, data) if not _UUID.match(c) and scrub_text(c) != c]
