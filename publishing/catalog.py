"""The open-data catalog of one platform: its datasets, their versions, and their built files.

`OpenData` is what the web layer and the CLI talk to. Its view of the catalog (which
version each dataset is at, and when it changed) is computed once per log position and
day, so listing and searching the catalog costs a few queries however often it is asked.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projections.db import Database
from publishing import definitions
from publishing.definitions import Dataset
from publishing.files import Built, Files
from publishing.pushed import PushedPackages
from publishing.rows import Rows
from publishing.sources import INDEXES
from publishing.versions import Version, change_span, event_at, last_changes, latest, log_end, naive_utc, pinned


class DatasetNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CatalogState:
    """The catalog at one log position and day."""

    position: int
    today: str
    versions: dict[str, Version]  # latest version of each dataset
    created: dict[str, str]  # naive UTC time of each dataset's first change (or its issue date)

    def modified(self, dataset: Dataset) -> str:
        version = self.versions[dataset.name]
        return max(version.recorded_at or "", self.created[dataset.name])


class OpenData:
    """Datasets defined in publishing/datasets, read from one views database."""

    def __init__(self, db: Database, files_root: Path, today: Callable[[], dt.date], pushed: PushedPackages):
        self.db = db
        self.files = Files(db, files_root)
        self.pushed = pushed
        self._indexed = False
        self._today = today
        self._state: CatalogState | None = None
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    # -- lookups -----------------------------------------------------------------------------------
    @property
    def datasets(self) -> tuple[Dataset, ...]:
        return definitions.datasets()

    def dataset(self, name_or_id: str) -> Dataset:
        found = definitions.by_name(name_or_id)
        if found is None:
            raise DatasetNotFound(name_or_id)
        return found

    def resource(self, resource_id: str) -> tuple[Dataset, str]:
        """The dataset and format a resource id stands for."""
        for dataset in self.datasets:
            for fmt in RESOURCE_FORMATS:
                if definitions.stable_id("resource", dataset.name, fmt) == resource_id:
                    return dataset, fmt
        raise DatasetNotFound(resource_id)

    def rows(self, dataset: Dataset) -> Rows:
        self._ensure_indexes()
        return Rows(self.db, dataset)

    def _ensure_indexes(self) -> None:
        if not self._indexed and self.db.table_exists("v_records"):
            for statement in INDEXES:
                self.db.execute(statement)
            self._indexed = True

    def today(self) -> str:
        return self._today().isoformat()

    # -- versions ------------------------------------------------------------------------------------
    def state(self) -> CatalogState:
        """The catalog now (recomputed when the log moves on or the day changes)."""
        self._ensure_indexes()
        position, today = log_end(self.db), self.today()
        state = self._state
        if state is not None and state.position == position and state.today == today:
            return state
        with self._lock:
            with self.db.snapshot():
                position = log_end(self.db)
                changes = last_changes(self.db)
                versions, created = {}, {}
                for dataset in self.datasets:
                    versions[dataset.name] = latest(self.db, dataset, changes, today)
                    span = change_span(dataset, changes)
                    first = event_at(self.db, span[0]) if span else None
                    issued = f"{dataset.issued}T00:00:00.000000"
                    created[dataset.name] = min(issued, naive_utc(first[1])) if first else issued
            self._state = CatalogState(position, today, versions, created)
            return self._state

    def version(self, dataset: Dataset, as_of: int | None = None) -> Version:
        """The latest version, or the one pinned at a log position."""
        if as_of is None:
            return self.state().versions[dataset.name]
        return pinned(self.db, dataset, as_of, self._today())

    def build(self, dataset: Dataset, fmt: str, as_of: int | None = None) -> Built:
        self._ensure_indexes()
        return self.files.build(self.version(dataset, as_of), fmt)

    def count(self, version: Version) -> int:
        """Rows in a version (cached: a version's content never changes)."""
        key = version.key
        if key not in self._counts:
            if len(self._counts) > 10_000:
                self._counts.clear()
            self._counts[key] = Rows(self.db, version.dataset).count(version.moment)
        return self._counts[key]


#: the files every dataset offers, in CKAN resource order
RESOURCE_FORMATS = ("csv", "json", "xlsx", "schema", "datapackage")


def resource_id(dataset: Dataset, fmt: str) -> str:
    return definitions.stable_id("resource", dataset.name, fmt)


def extras(dataset: Dataset, version: Version) -> list[dict[str, Any]]:
    """CKAN extras (string values) describing how the dataset is versioned."""
    return [
        {"key": "update_frequency", "value": dataset.frequency},
        {"key": "log_position", "value": str(version.position)},
        {"key": "rules_date", "value": version.day},
        {"key": "source_schemas", "value": " ".join(sorted({c.schema for c in dataset.columns}))},
        {"key": "primary_key", "value": ",".join(dataset.key)},
    ]
