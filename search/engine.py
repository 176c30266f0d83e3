"""Choosing a search engine: `open_index` opens the named engine's index (types in search/interface.py).

Both engines implement `SearchIndex`; the choice is by name (argument, then the
GONGSHI_SEARCH_ENGINE variable, then DEFAULT_ENGINE). Each engine keeps its files in
its own sub-directory of the index path (named with LAYOUT_VERSION), so switching engines
or changing the layout means a fresh index at position 0 that the projection rebuilds
from the log.
"""
from __future__ import annotations

import os
from pathlib import Path

from search.interface import SearchError, SearchIndex

ENGINE_VARIABLE = "GONGSHI_SEARCH_ENGINE"
ENGINES = ("tantivy", "whoosh")
#: Chosen by measurement: see bench/SEARCH_RESULTS.md.
DEFAULT_ENGINE = "tantivy"
#: Part of the index directory name: bump it when analysis or the index layout changes, and
#: the projection rebuilds a fresh index from the log instead of misreading an old one.
LAYOUT_VERSION = 1


class UnknownEngineError(SearchError):
    """The engine name is not one of ENGINES."""


def engine_name(engine: str | None = None) -> str:
    """Resolve the engine: the argument, else $GONGSHI_SEARCH_ENGINE, else DEFAULT_ENGINE."""
    name = (engine or os.environ.get(ENGINE_VARIABLE) or DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise UnknownEngineError(f"unknown search engine {name!r}; choose one of {', '.join(ENGINES)}")
    return name


def open_index(path: str | os.PathLike[str], engine: str | None = None) -> SearchIndex:
    """Open (creating if needed) the index under `path` with the named engine.

    Opening is cheap and takes no lock; the write lock is taken by the first change.
    """
    name = engine_name(engine)
    directory = Path(path) / f"{name}-v{LAYOUT_VERSION}"
    directory.mkdir(parents=True, exist_ok=True)
    # Only the chosen engine is imported, and only when an index is opened: the analysis both
    # use loads pypinyin's dictionaries (~100 MB, ~0.5 s), which a process that never searches
    # (an import's checking worker, the CLI's other commands) should not pay for. No cycle: the
    # backends import search.interface, never this module.
    if name == "tantivy":
        from search.tantivy_backend import TantivyIndex
        return TantivyIndex(directory)
    from search.whoosh_backend import WhooshIndex
    return WhooshIndex(directory)
