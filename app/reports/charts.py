"""Server-rendered SVG charts: readable without JavaScript, in print, and by screen readers
(role="img" with a title and description; every chart has a data table beside it).

Charts mirror for right-to-left languages: bars grow from the right, time runs from right
to left. Only presentation attributes are used (no inline style), so the strict
Content-Security-Policy holds.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

from app.i18n import format_number

_ids = itertools.count(1)
BAR_COLOUR = "#005a8e"
AXIS_COLOUR = "#4a4f55"
TEXT_COLOUR = "#1b1b1b"


def svg_frame(width: int, height: int, title: str, description: str, body: str) -> Markup:
    """The <svg> element around a chart's shapes, with its accessible title and description.
    `body` is markup built here from numbers and escaped text only."""
    n = next(_ids)
    return Markup(  # noqa: S704  # nosec B704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="chart-title-{n} chart-desc-{n}">'
        f'<title id="chart-title-{n}">{escape(title)}</title>'
        f'<desc id="chart-desc-{n}">{escape(description)}</desc>{body}</svg>')


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, description: str,
              rtl: bool = False, width: int = 640) -> Markup:
    """Horizontal bars, one per (label, value), in the given order."""
    row_height, label_width, margin = 30, min(260, width // 2 - 20), 8
    height = max(row_height * len(rows) + 2 * margin, 40)
    plot = width - label_width - 70
    top = max((value for _, value in rows), default=0) or 1
    parts: list[str] = []
    for index, (label, value) in enumerate(rows):
        y = margin + index * row_height
        length = round(plot * value / top)
        short = label if len(label) <= 40 else label[:38] + "…"
        if rtl:
            origin = width - label_width
            parts.append(f'<text x="{width - margin}" y="{y + 19}" direction="rtl" '
                         f'text-anchor="start" font-size="13" fill="{TEXT_COLOUR}">'
                         f'{escape(short)}</text>')
            parts.append(f'<rect x="{origin - length}" y="{y + 5}" width="{length}" '
                         f'height="{row_height - 10}" fill="{BAR_COLOUR}"/>')
            parts.append(f'<text x="{origin - length - 6}" y="{y + 19}" direction="rtl" '
                         f'text-anchor="start" font-size="13" fill="{TEXT_COLOUR}">'
                         f'{escape(format_number(value))}</text>')
        else:
            parts.append(f'<text x="{label_width - margin}" y="{y + 19}" text-anchor="end" '
                         f'font-size="13" fill="{TEXT_COLOUR}">{escape(short)}</text>')
            parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{length}" '
                         f'height="{row_height - 10}" fill="{BAR_COLOUR}"/>')
            parts.append(f'<text x="{label_width + length + 6}" y="{y + 19}" '
                         f'font-size="13" fill="{TEXT_COLOUR}">'
                         f'{escape(format_number(value))}</text>')
    axis_x = width - label_width if rtl else label_width
    parts.append(f'<line x1="{axis_x}" y1="{margin}" x2="{axis_x}" y2="{height - margin}" '
                 f'stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    return svg_frame(width, height, title, description, "".join(parts))


def bucket_timeline(points: Sequence[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """Daily counts, regrouped by week (over 60 days) or month (over two years)."""
    if not points:
        return []
    span = (points[-1][0] - points[0][0]).days
    if span <= 60:
        return list(points)
    buckets: dict[dt.date, int] = {}
    for day, count in points:
        if span > 730:
            key = day.replace(day=1)
        else:
            key = day - dt.timedelta(days=day.weekday())
        buckets[key] = buckets.get(key, 0) + count
    return sorted(buckets.items())


def column_chart(points: Sequence[tuple[str, int]], *, title: str, description: str,
                 rtl: bool = False, width: int = 640, height: int = 220) -> Markup:
    """Vertical bars over time; the first, middle and last labels are written out."""
    margin, bottom = 10, 30
    plot_height = height - margin - bottom
    count = max(len(points), 1)
    slot = (width - 2 * margin) / count
    top = max((value for _, value in points), default=0) or 1
    parts: list[str] = []
    label_at = {0, count // 2, count - 1}
    for index, (label, value) in enumerate(points):
        position = count - 1 - index if rtl else index
        x = margin + position * slot
        bar = plot_height * value / top
        parts.append(f'<rect x="{x + slot * 0.1:.1f}" y="{margin + plot_height - bar:.1f}" '
                     f'width="{max(slot * 0.8, 1):.1f}" height="{bar:.1f}" fill="{BAR_COLOUR}"/>')
        if index in label_at:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                         f'font-size="12" fill="{TEXT_COLOUR}">{escape(label)}</text>')
    base = margin + plot_height
    parts.append(f'<line x1="{margin}" y1="{base}" x2="{width - margin}" y2="{base}" '
                 f'stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    return svg_frame(width, height, title, description, "".join(parts))
