"""The credit report as a PDF: A4, a CJK font embedded (subset), selectable text, a QR code, the signed JSON inside.

fpdf2 draws it (chosen by measurement, bench/RESULTS.md: it embeds Noto Sans CJK, whose outlines are CFF, as a
CID subset with a ToUnicode map; reportlab refuses CFF outlines, WeasyPrint took 1.5x as long and needs Pango),
segno encodes the QR code, drawn as vector squares. The signed report JSON is attached as `report.json`, as
canonical JSON and uncompressed, so the issuer can seal the PDF in place (application/reports.py) and
`python -m gongshi_verify report FILE.pdf` can check the file alone.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF
from fpdf.fonts import FontFace

from domain.reports import canonical
from publishing import report_font

ATTACHMENT = "report.json"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/local/share/fonts")
#: (file, face index in the collection): Simplified Chinese is the third face of Debian's Noto Sans CJK files.
#: One face only: a second (bold) face doubled the time spent parsing and subsetting fonts (bench/report_bench.py).
FONT_FILES = {"": ("NotoSansCJK-Regular.ttc", 2)}
FONT_VARIABLE = "GONGSHI_REPORT_FONT_DIR"
_FAMILY = "cjk"
_MARGIN = 15.0


class FontMissing(RuntimeError):
    """No CJK font to embed (Debian: apt-get install fonts-noto-cjk)."""


@cache
def font_paths() -> dict[str, tuple[Path, int]]:
    """Style -> (font file, collection index), found in GONGSHI_REPORT_FONT_DIR or the usual font folders."""
    folders = [os.environ[FONT_VARIABLE]] if os.environ.get(FONT_VARIABLE) else list(FONT_DIRS)
    found = {}
    for style, (name, index) in FONT_FILES.items():
        path = next((Path(f) / name for f in folders if (Path(f) / name).is_file()), None)
        if path is None:
            raise FontMissing(f"{name} not found in {', '.join(folders)}: install fonts-noto-cjk "
                              f"or set {FONT_VARIABLE}")
        found[style] = (path, index)
    return found


class _Document(FPDF):
    def __init__(self, view: dict[str, Any], number: str | None):
        super().__init__(format="A4")
        self.view, self.number = view, number
        text = json.dumps(view, ensure_ascii=False) + (number or "")
        for style, (path, index) in font_paths().items():
            face, face_index = report_font.working_font(path, index, text)  # the cut face when it holds the text
            self.add_font(_FAMILY, style, str(face), collection_font_number=face_index)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(_FAMILY, size=7.5)
        self.set_text_color(90, 90, 90)
        left = f"{self.view['issuer']}  报告编号 {self.number}" if self.number else self.view["issuer"]
        self.cell(0, 5, left, align="L")
        self.set_x(_MARGIN)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")
        self.set_text_color(0, 0, 0)


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url` as filled squares (vector: sharp at any zoom)."""
    code = segno.make(url, error="m", micro=False)
    matrix = code.matrix
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + r * cell, cell, cell, style="F")


def _pairs(pdf: FPDF, rows: list[list[str]], width: float) -> None:
    heading = FontFace(fill_color=(240, 243, 247))
    with pdf.table(col_widths=(40, width - 40), width=width, align="L", first_row_as_headings=False,
                   line_height=5.2, padding=1.2) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=heading)
            row.cell(value)


def _section(pdf: FPDF, section: dict[str, Any]) -> None:
    pdf.set_font(_FAMILY, "", 11)
    pdf.ln(3)
    pdf.cell(0, 7, f"{section['title']}（{section['total']} 条）", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=8.5)
    if not section["rows"]:
        pdf.cell(0, 6, "无。", new_x="LMARGIN", new_y="NEXT")
        return
    widths = {5: (20, 38, 62, 35, 25), 2: (120, 60)}.get(len(section["columns"]))
    with pdf.table(col_widths=widths, width=pdf.epw, line_height=4.6, padding=1,
                   headings_style=FontFace(emphasis=None, fill_color=(230, 235, 242))) as table:
        table.row(section["columns"])
        for cells in section["rows"]:
            table.row(cells)
    if section["total"] > len(section["rows"]):
        pdf.cell(0, 6, f"仅列出最新的 {len(section['rows'])} 条。", new_x="LMARGIN", new_y="NEXT")


def render(view: dict[str, Any], envelope: dict[str, Any], verify_url: str) -> bytes:
    """The PDF of a report view (web/portal/report_view.py) with `envelope` attached as report.json."""
    number = envelope["issue"]["number"]
    pdf = _Document(view, number)
    pdf.set_title(f"{view['title']} {view['name']} {number}")
    pdf.set_author(view["issuer"])
    pdf.set_creator("Gongshi 公示")
    pdf.set_creation_date(dt.datetime.fromisoformat(envelope["issue"]["issued_at"]))
    pdf.add_page()
    _qr(pdf, verify_url, pdf.w - _MARGIN - 28, _MARGIN, 28)
    pdf.set_font(_FAMILY, "", 18)
    pdf.cell(pdf.epw - 32, 10, view["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=12)
    pdf.cell(pdf.epw - 32, 8, view["name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=8)
    pdf.cell(pdf.epw - 32, 5, f"出具单位：{view['issuer']}　扫码或访问右侧二维码核验", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), _MARGIN + 30))
    pdf.set_font(_FAMILY, size=8.5)
    _pairs(pdf, view["facts"], pdf.epw)
    pdf.ln(2)
    pdf.set_font(_FAMILY, "", 11)
    pdf.cell(0, 7, "登记信息", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=8.5)
    _pairs(pdf, view["registration"], pdf.epw)
    for section in view["sections"]:
        _section(pdf, section)
    pdf.ln(3)
    pdf.set_font(_FAMILY, "", 11)
    pdf.cell(0, 7, "未展示的信息及原因", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=8.5)
    for note in view["not_shown"]:
        pdf.multi_cell(0, 4.8, f"· {note}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 4.8, "本报告内容与签名附于文件内（report.json）。离线核验：python -m gongshi_verify report "
                   "本文件.pdf --public-key 平台公钥.pem；平台公钥见 /api/v1/log/key。", new_x="LMARGIN", new_y="NEXT")
    pdf.embed_file(bytes=canonical(envelope), basename=ATTACHMENT, desc="signed credit report (JSON)",
                   mime_type="application/json", modification_date=dt.datetime.fromisoformat(
                       envelope["issue"]["issued_at"]))
    return bytes(pdf.output())
