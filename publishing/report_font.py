"""The report's working font: Noto Sans CJK cut down once to the characters reports use, cached on disk.

Measured (bench/report_bench.py): of a 200-record report's ~1 s, fpdf2 spent ~0.6 s parsing the
full Simplified Chinese face (65,535 glyphs) for every document, before subsetting it again for
the output. A face holding only GB 2312 (6,763 hanzi and its symbols), ASCII, CJK and full-width
punctuation, and every character of the report's own labels parses in ~0.05 s. fontTools (what
fpdf2 itself subsets with) makes it in ~9 s, once per font file: in the background, so no request
waits for it; until it is there, and for any report with a character outside it (a rare
character in a name), the full face is used. The cut face is a derived file: deleting the cache
only costs the 9 s again.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)
CACHE_VARIABLE = "GONGSHI_FONT_CACHE"
#: bump when the coverage changes, so that an old cut face is not reused
COVERAGE = 1
#: code point ranges kept besides GB 2312: ASCII, general punctuation, CJK symbols, full-width forms
_RANGES = ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500), (0x3000, 0x3040),
           (0xFE30, 0xFE50), (0xFF00, 0xFFF0))
_lock = threading.Lock()
_building: set[Path] = set()


def cache_dir() -> Path:
    """GONGSHI_FONT_CACHE, else the user's cache folder (XDG_CACHE_HOME or ~/.cache)/gongshi/fonts."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gongshi" / "fonts"


def coverage() -> set[int]:
    """GB 2312's characters, the ranges above, and every character of the report's own source (its labels)."""
    points = {c for low, high in _RANGES for c in range(low, high)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    labels = Path(__file__).with_name("report_pdf.py").read_text("utf-8")
    points |= {ord(c) for c in labels if ord(c) >= 0x20}
    return points


def cut_path(full: Path, index: int) -> Path:
    """Where the cut face of this font file lives: named by the file's identity and the coverage version."""
    stat = full.stat()
    key = hashlib.sha256(f"{full.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{index}|{COVERAGE}".encode())
    return cache_dir() / f"{full.stem}-{index}-{key.hexdigest()[:16]}.otf"


def build(full: Path, index: int) -> Path:
    """Cut the face now (about 9 s); written to a temporary file and renamed, so a reader never sees half of it."""
    target = cut_path(full, index)
    if target.is_file():
        return target
    font = TTFont(str(full), fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = []  # fpdf2 shapes nothing; it draws code points
    options.name_IDs = ["*"]
    options.hinting = False
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted(coverage()))
    cutter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    try:
        font.save(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


@cache
def _cmap(path: Path) -> frozenset[int]:
    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def working_font(full: Path, index: int, text: str, *, wait: bool = False) -> tuple[Path, int]:
    """(font file, face index) to draw `text` with: the cut face when it is built and holds every character,
    else the full face (and, unless `wait`, the cut face is built in the background for the next report)."""
    try:
        target = cut_path(full, index)
    except OSError:
        return full, index
    if not target.is_file():
        if wait:
            build(full, index)
        else:
            _build_in_background(full, index, target)
            return full, index
    if {ord(c) for c in text} <= _cmap(target):
        return target, 0
    return full, index


def _build_in_background(full: Path, index: int, target: Path) -> None:
    with _lock:
        if target in _building:
            return
        _building.add(target)

    def run() -> None:
        try:
            build(full, index)
            log.info("report font cut to %s", target)
        except Exception:  # a cache that cannot be written costs speed, never a report: not retried here
            log.exception("could not cut the report font; this process keeps using the full face")
            return
        with _lock:
            _building.discard(target)

    threading.Thread(target=run, name="report-font", daemon=True).start()
