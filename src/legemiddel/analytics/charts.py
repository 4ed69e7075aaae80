"""Monthly time series as SVG, drawn on the server: no script to load, the same file is the
download, and every chart has its table beside it on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from legemiddel.lib.formatting import format_number

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
MONTHS_NB = ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[dt.date, float | None]]
    colour: str = "#0b4f6c"


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{format_number(value * 100, 0)} %"
    if abs(value) >= 1_000_000:
        return f"{format_number(value / 1_000_000, 1)} mill."
    return format_number(value, 0)


def line_chart(
    *,
    title: str,
    series: Sequence[Series],
    months: Sequence[dt.date],
    percent: bool,
    band: Sequence[tuple[dt.date, float, float, float]] = (),
    markers: Sequence[tuple[dt.date, str]] = (),
    provisional_from: dt.date | None = None,
    target: float | None = None,
    fixed_size: bool = False,
    caption: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    """An accessible SVG line chart (``role="img"`` with a title). On a page it fills its
    column; ``fixed_size`` gives it its own width and height and a legend (for files and PNG,
    which stand alone), with ``caption`` lines above it (the title first) and ``notes`` below
    (the measure's definition, wrapped)."""
    if not months:
        return _empty_chart(title=title, fixed_size=fixed_size, caption=caption)
    values = [v for s in series for _, v in s.points if v is not None]
    values += [b[3] for b in band]
    top = max([*values, target or 0, 1e-9])
    top = 1.0 if percent and top <= 1 else top * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    index = {m: i for i, m in enumerate(months)}
    step = plot_w / max(len(months) - 1, 1)

    def x(month: dt.date) -> float:
        return LEFT + index[month] * step

    def y(value: float) -> float:
        return TOP + plot_h - (value / top) * plot_h

    legend = (
        _legend(
            series=series,
            band=bool(band),
            target=target is not None,
            markers=bool(markers),
            provisional=provisional_from is not None and provisional_from in index,
        )
        if fixed_size
        else []
    )
    top_h = 22 * len(caption) + (8 if caption else 0)
    note_lines = [line for note in notes for line in _wrap(note, 120)] if fixed_size else []
    bottom_h = 20 * len(legend) + 16 * len(note_lines) + (8 if legend or note_lines else 0)
    total = HEIGHT + top_h + bottom_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total}" '
        + (f'width="{WIDTH}" height="{total}" ' if fixed_size else 'width="100%" ')
        + 'role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for i, line in enumerate(caption):
        weight = ' font-weight="bold" font-size="15"' if i == 0 else ' font-size="12"'
        parts.append(
            f'<text x="{LEFT // 4}" y="{18 + 22 * i}"{weight} fill="#222">{escape(line)}</text>'
        )
    parts.append(f'<g transform="translate(0 {top_h})">')
    if provisional_from is not None and provisional_from in index:
        x0 = x(provisional_from) - step / 2
        parts.append(
            f'<rect x="{x0:.1f}" y="{TOP}" width="{LEFT + plot_w - x0:.1f}" height="{plot_h}" '
            'fill="#fff4e0"><title>Foreløpige tall</title></rect>'
        )
    for i in range(5):
        value = top * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e3e6ea"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#444">{escape(_label(value, percent))}</text>'
        )
    for month in months:
        if month.month in (1, 7):
            text = f"{MONTHS_NB[month.month - 1]} {month.year}"
            parts.append(
                f'<text x="{x(month):.1f}" y="{HEIGHT - 18}" font-size="11" text-anchor="middle" '
                f'fill="#444">{text}</text>'
            )
    if band:
        upper = " ".join(f"{x(m):.1f},{y(hi):.1f}" for m, _, _, hi in band)
        lower = " ".join(f"{x(m):.1f},{y(lo):.1f}" for m, lo, _, _ in reversed(band))
        parts.append(
            f'<polygon points="{upper} {lower}" fill="#cfe3ee" opacity="0.7">'
            "<title>10.–90. persentil av enhetene</title></polygon>"
        )
        median = " ".join(f"{x(m):.1f},{y(mid):.1f}" for m, _, mid, _ in band)
        parts.append(
            f'<polyline points="{median}" fill="none" stroke="#6a9fb5" stroke-dasharray="4 3"/>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
            'stroke="#2e7d32" stroke-dasharray="6 4"><title>Mål</title></line>'
        )
    for day, label in markers:
        month = day.replace(day=1)
        if month in index:
            parts.append(
                f'<line x1="{x(month):.1f}" x2="{x(month):.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
                f'stroke="#8a5a00" stroke-dasharray="2 3"><title>{escape(label)}</title></line>'
            )
    for s in series:
        points = [(m, v) for m, v in s.points if v is not None and m in index]
        if points:
            path = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2.5">'
                f"<title>{escape(s.label)}</title></polyline>"
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="#888"/></g>'
    )
    y0 = top_h + HEIGHT
    for i, (swatch, label) in enumerate(legend):
        row = y0 + 8 + 20 * i
        parts.append(
            f'<g transform="translate({LEFT} {row})">{swatch}'
            f'<text x="34" y="12" font-size="12" fill="#222">{escape(label)}</text></g>'
        )
    y0 += 20 * len(legend) + 8
    for i, line in enumerate(note_lines):
        parts.append(
            f'<text x="{LEFT // 4}" y="{y0 + 12 + 16 * i}" font-size="11" fill="#444">'
            f"{escape(line)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


# What a chart with nothing to draw says instead (a file or PNG must stand alone, so the
# reason is written on it rather than answered with an error).
NO_DATA = "Ingen tall å vise ennå: det finnes ingen data for dette stedet og denne perioden."


def _empty_chart(*, title: str, fixed_size: bool, caption: Sequence[str]) -> str:
    """The frame of a chart with the caption and :data:`NO_DATA` in the middle."""
    height = 120 + 22 * len(caption)
    size = f'width="{WIDTH}" height="{height}" ' if fixed_size else 'width="100%" '
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" {size}'
        'role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}: {escape(NO_DATA)}</title>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for i, line in enumerate(caption):
        weight = ' font-weight="bold" font-size="15"' if i == 0 else ' font-size="12"'
        parts.append(
            f'<text x="{LEFT // 4}" y="{18 + 22 * i}"{weight} fill="#222">{escape(line)}</text>'
        )
    middle = 22 * len(caption) + 60
    parts.append(
        f'<rect x="{LEFT}" y="{middle - 40}" width="{WIDTH - LEFT - RIGHT}" height="80" '
        'fill="none" stroke="#e3e6ea"/>'
        f'<text x="{WIDTH // 2}" y="{middle + 5}" font-size="14" text-anchor="middle" '
        f'fill="#444">{escape(NO_DATA)}</text></svg>'
    )
    return "".join(parts)


def _legend(
    *, series: Sequence[Series], band: bool, target: bool, markers: bool, provisional: bool
) -> list[tuple[str, str]]:
    """(swatch, label) for each thing drawn, in the colours the chart uses."""

    def line(colour: str, dash: str = "", width: float = 2.5) -> str:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line x1="0" x2="26" y1="8" y2="8" stroke="{colour}" stroke-width="{width}"{extra}/>'
        )

    found = [(line(s.colour), s.label) for s in series]
    if band:
        found.append(
            (
                '<rect width="26" height="14" fill="#cfe3ee" opacity="0.7"/>',
                "10.–90. persentil av enhetene",
            )
        )
        found.append((line("#6a9fb5", "4 3", 1.5), "Median av enhetene"))
    if target:
        found.append((line("#2e7d32", "6 4", 1.5), "Mål"))
    if markers:
        found.append((line("#8a5a00", "2 3", 1.5), "Avtalestart"))
    if provisional:
        found.append(
            ('<rect width="26" height="14" fill="#fff4e0" stroke="#e8d3a8"/>', "Foreløpige tall")
        )
    return found


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in " ".join(text.split()).split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines


def png(svg: str, scale: int = 2) -> bytes:
    """The chart as PNG (rendered by resvg, which needs no system libraries)."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=WIDTH * scale))
