"""Small server-rendered SVG charts (no JavaScript): stacked monthly columns and horizontal bars.

Every chart carries a <title> and <desc> for screen readers; the pages print the numbers
in a table beside it, and the same numbers download as CSV and JSON.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#b3261e", "#0550ae", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#57606a", "#0a7ea4")
GRADE_COLOURS = {"A": "#1a7f37", "B": "#0550ae", "C": "#9a6700", "D": "#b3261e"}


def nice_max(value: float) -> int:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= value))


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'class="chart"><title>{escape(title)}</title><desc>{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def stacked_columns(months: Sequence[str], series: dict[str, Sequence[int]], labels: dict[str, str], title: str,
                    width: int = 760, height: int = 300) -> Markup:
    """One column per month, stacked by series, with a y axis and a legend."""
    left, right, top, bottom, legend = 48, 8, 12, 40, 22 * math.ceil(len(series) / 4)
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(col) for col in zip(*series.values())] if series else [0] * len(months)
    top_value = nice_max(max(totals, default=0))
    step = plot_w / max(len(months), 1)
    body = []
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{value:g}</text>')
    for m, month in enumerate(months):
        base = top + plot_h
        x = left + m * step + step * 0.15
        for s, (key, counts) in enumerate(series.items()):
            h = plot_h * counts[m] / top_value
            if h > 0:
                base -= h
                body.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                            f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(month)} '
                            f'{escape(labels.get(key, key))}：{counts[m]}</title></rect>')
        if m % max(1, len(months) // 8) == 0 or m == len(months) - 1:
            body.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                        f'font-size="11">{escape(month)}</text>')
    for s, key in enumerate(series):
        lx, ly = left + (s % 4) * (plot_w / 4), height + 22 * (s // 4)
        body.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
                    f'<text x="{lx + 14:.1f}" y="{ly}" font-size="12">{escape(labels.get(key, key))}</text>')
    desc = f"{months[0]} 至 {months[-1]} 每月数量" if months else "无数据"
    return _svg(width, height + legend, title, desc, body)


def horizontal_bars(items: Sequence[tuple[str, int]], title: str, colours: dict[str, str] | None = None,
                    width: int = 760) -> Markup:
    """One labelled bar per item, longest scale first as given."""
    row, label_w, right = 26, 190, 60
    height = row * len(items) + 8
    top_value = nice_max(max((v for _, v in items), default=0))
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - right) * value / top_value
        fill = (colours or {}).get(label, PALETTE[1])
        body.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{fill}"/>'
                    f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="12">{value}</text>')
    desc = "；".join(f"{label} {value}" for label, value in items) or "无数据"
    return _svg(width, max(height, 30), title, desc, body)
