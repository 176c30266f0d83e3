"""Packages that another instance published into this one (a county portal publishing to the city).

These are not credit records, so they are not events of the ledger: they are stored as
CKAN package dicts in the platform's own database (beside the API tokens, which likewise
cannot be rebuilt from the log), and uploaded files under GONGSHI_HOME/uploads.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from projections.db import Database

_SCHEMA = ("CREATE TABLE IF NOT EXISTS ckan_packages (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
           "data TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL)")
SAFE_FILENAME = "".join(chr(c) for c in range(128) if chr(c).isalnum()) + "._-"


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def safe_filename(name: str) -> str:
    cleaned = "".join(ch if ch in SAFE_FILENAME else "_" for ch in Path(name or "upload").name)
    return cleaned.strip("._") or "upload"


class PushedPackages:
    """CKAN packages created through the write actions, with their uploaded files."""

    def __init__(self, db: Database, uploads: Path):
        self.db = db
        self.uploads = uploads
        self._lock = threading.Lock()
        self._ready = False

    def _init(self) -> None:
        if not self._ready:
            self.db.execute(_SCHEMA)
            self._ready = True

    # -- reading ------------------------------------------------------------------------------------
    def _render(self, package: dict[str, Any], site: str) -> dict[str, Any]:
        out = json.loads(json.dumps(package))
        out.pop("_history", None)
        for res in out.get("resources", []):
            if res.get("url_type") == "upload":
                res["url"] = f"{site}/dataset/{out['id']}/resource/{res['id']}/download/{res['filename']}"
        out["num_resources"] = len(out.get("resources", []))
        out["num_tags"] = len(out.get("tags", []))
        return out

    def stored(self, ref: str) -> dict[str, Any] | None:
        self._init()
        rows = self.db.execute("SELECT data FROM ckan_packages WHERE id = ? OR name = ?", (ref, ref))
        return json.loads(rows[0][0]) if rows else None

    def get(self, ref: str, site: str) -> dict[str, Any] | None:
        package = self.stored(ref)
        return self._render(package, site) if package else None

    def all(self, site: str) -> list[dict[str, Any]]:
        self._init()
        return [self._render(json.loads(r[0]), site) for r in self.db.execute("SELECT data FROM ckan_packages ORDER BY name")]

    def activity(self, ref: str, limit: int, offset: int) -> list[dict[str, Any]]:
        history = list(reversed((self.stored(ref) or {}).get("_history", [])))
        return history[offset:offset + limit]

    def upload(self, resource_id: str) -> tuple[Path, dict[str, Any]] | None:
        """The uploaded file of a resource and its resource dict."""
        self._init()
        for (data,) in self.db.execute("SELECT data FROM ckan_packages"):
            for res in json.loads(data).get("resources", []):
                if res["id"] == resource_id and res.get("url_type") == "upload":
                    path = self.uploads / resource_id / res["filename"]
                    return (path, res) if path.exists() else None
        return None

    # -- writing ------------------------------------------------------------------------------------
    def save(self, package: dict[str, Any], *, activity_type: str, user: str) -> dict[str, Any]:
        """Insert or replace a package dict (the caller validated it)."""
        self._init()
        stamp = now()
        with self._lock:
            existing = self.stored(package["id"])
            package["metadata_created"] = existing["metadata_created"] if existing else stamp
            package["metadata_modified"] = stamp
            history = (existing or {}).get("_history", [])
            history.append({"id": str(uuid.uuid4()), "timestamp": stamp, "user_id": user, "object_id": package["id"],
                            "activity_type": activity_type, "data": {"package": {"id": package["id"], "name": package["name"]}}})
            package["_history"] = history[-200:]
            text = json.dumps(package, ensure_ascii=False, sort_keys=True)
            with self.db.transaction():
                if existing:
                    self.db.execute("UPDATE ckan_packages SET name = ?, data = ?, modified = ? WHERE id = ?",
                                    (package["name"], text, stamp, package["id"]))
                else:
                    self.db.execute("INSERT INTO ckan_packages (id, name, data, created, modified) VALUES (?, ?, ?, ?, ?)",
                                    (package["id"], package["name"], text, stamp, stamp))
        return package

    def store_upload(self, resource_id: str, filename: str, stream: BinaryIO) -> tuple[str, int, str]:
        """Write an uploaded file; return (safe filename, size, sha256)."""
        name = safe_filename(filename)
        folder = self.uploads / resource_id
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{uuid.uuid4().hex}.tmp"
        digest, size = hashlib.sha256(), 0
        with tmp.open("wb") as out:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        for old in folder.iterdir():
            if old != tmp:
                old.unlink() if old.is_file() else shutil.rmtree(old)
        tmp.replace(folder / name)
        return name, size, digest.hexdigest()
