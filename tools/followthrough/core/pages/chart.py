"""A small line chart as inline SVG, drawn at build time so it reads without JavaScript.

Percentages (0-100) over ordered labels (quarters); a missing value (None) breaks the line.
The SVG carries a <title> and <desc>; pages put a table with the same numbers beside it. The
legend names only the series that have a value to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from followthrough.core.escape.html import html_escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 32, 16, 48
# Colours readable on both the light and the dark palette of mkdocs-material.
COLOURS = ("#1f77b4", "#e6550d", "#31a354", "#9467bd")
DASHES = ("", "6 4", "2 3", "8 3 2 3")  # so the series differ without colour too


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label, 0..100


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if n == 1 else span * i / (n - 1))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(0.0, min(100.0, value)) / 100)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """The chart as one block of HTML (a <div> holding the <svg>), with no blank lines in it."""
    e = lambda s: html_escape(str(s))  # noqa: E731
    n = len(labels)
    desc = "; ".join(
        f"{s.name}: " + ", ".join(f"{lab} {'n/a' if v is None else f'{v:.0f}%'}" for lab, v in zip(labels, s.values)) for s in series
    )
    parts = [
        f'<div class="ft-chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="ft-chart-title ft-chart-desc" style="max-width:{WIDTH}px">',
        f'<title id="ft-chart-title">{e(title)}</title><desc id="ft-chart-desc">{e(desc)}</desc>',
        '<g font-size="11" fill="currentColor" stroke="currentColor">',
    ]
    for pct in (0, 25, 50, 75, 100):
        y = _y(pct)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke-opacity="0.2"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" stroke="none">{pct}%</text>')
    step = max(1, (n + 7) // 8)  # at most 8 labels under the axis, so they never overlap
    for i, lab in enumerate(labels):
        if i % step == 0:
            parts.append(f'<text x="{_x(i, n):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" stroke="none">{e(lab)}</text>')
    parts.append("</g>")
    legend = 0
    for k, s in enumerate(series):
        if all(v is None for v in s.values):
            continue  # nothing to draw: a legend entry would point at a line that is not there
        colour, dash = COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_x(i, n):.1f},{_y(v):.1f}")
        if run:
            runs.append(run)
        for r in runs:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} points="{" ".join(r)}"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(f'<circle cx="{_x(i, n):.1f}" cy="{_y(v):.1f}" r="3" fill="{colour}"><title>{e(s.name)} {e(labels[i])}: {v:.0f}%</title></circle>')
        lx = LEFT + 10 + 170 * legend
        legend += 1
        ly = HEIGHT - 12
        parts.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        parts.append(f'<text x="{lx + 30}" y="{ly}" font-size="11" fill="currentColor">{e(s.name)}</text>')
    parts.append("</svg></div>")
    return "\n".join(parts)
