"""Built resource files: each (dataset version, format) is written once to disk, hashed, then served.

Writing to a spool file first is what lets every response carry Content-Length, a strong
ETag and the SHA-256 of its bytes before the first byte is sent, with flat memory. Because a
version's bytes never change, a built file stays valid forever; the oldest are pruned when
the cache holds more than `max_files`. Every node can rebuild any file, so nothing here needs
a backup.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projections.db import Database
from publishing import exporters
from publishing.rows import Rows
from publishing.versions import Version


@dataclass(frozen=True)
class Built:
    """One file of one dataset version."""

    path: Path
    fmt: str
    sha256: str
    size: int
    version: Version

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def media_type(self) -> str:
        return exporters.FORMATS[self.fmt][0]


class _HashingWriter:
    def __init__(self, raw: Any):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Files:
    """The cache of built files under one directory."""

    def __init__(self, db: Database, root: Path, *, max_files: int = 500):
        self.db = db
        self.root = root
        self.max_files = max_files
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _name(self, version: Version, fmt: str) -> str:
        return hashlib.sha256(f"{version.key}:{fmt}".encode()).hexdigest()[:40]

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def built(self, version: Version, fmt: str) -> Built | None:
        """The file if it was already built (no work otherwise)."""
        name = self._name(version, fmt)
        meta = self.root / f"{name}.meta"
        try:
            info = json.loads(meta.read_text())
        except (OSError, ValueError):
            return None
        path = self.root / f"{name}.{fmt}"
        if not path.exists():
            return None
        return Built(path, fmt, info["sha256"], info["size"], version)

    def build(self, version: Version, fmt: str) -> Built:
        """The file of this version in this format, writing it first if needed."""
        if fmt not in exporters.FORMATS:
            raise ValueError(fmt)
        name = self._name(version, fmt)
        with self._lock(name):
            found = self.built(version, fmt)
            if found is not None:
                os.utime(found.path)  # keeps it young for pruning
                return found
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / f"{name}.{fmt}"
            tmp = self.root / f".{name}.{threading.get_ident()}.tmp"
            try:
                sha, size = self._write(version, fmt, tmp)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            (self.root / f"{name}.meta").write_text(json.dumps(
                {"sha256": sha, "size": size, "key": version.key, "format": fmt}))
        self._prune()
        return Built(path, fmt, sha, size, version)

    def _write(self, version: Version, fmt: str, tmp: Path) -> tuple[str, int]:
        dataset = version.dataset
        rows = Rows(self.db, dataset)
        stream = rows.stream(version.moment)
        columns = dataset.columns
        if fmt == "xlsx":
            created = dt.datetime.fromisoformat(version.recorded_at) if version.recorded_at else dt.datetime(2000, 1, 1)
            exporters.write_xlsx(stream, columns, str(tmp), title=dataset.title, created=created)
            return _file_digest(tmp)
        with tmp.open("wb") as raw:
            out = _HashingWriter(raw)
            if fmt in ("csv", "tsv"):
                exporters.write_delimited(stream, columns, out, delimiter="," if fmt == "csv" else "\t",
                                          bom=fmt == "csv")
            elif fmt == "json":
                exporters.write_json(stream, columns, out)
            else:
                exporters.write_dump_json(stream, columns, out)
        return out.digest.hexdigest(), out.size

    def _prune(self) -> None:
        try:
            files = [p for p in self.root.iterdir() if p.suffix != ".meta" and not p.name.startswith(".")]
        except OSError:
            return
        if len(files) <= self.max_files:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for path in files[: len(files) - self.max_files]:
            path.unlink(missing_ok=True)
            path.with_suffix(".meta").unlink(missing_ok=True)
