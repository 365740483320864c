"""Small charts as inline SVG, drawn at build time so they read without JavaScript.

- `line_chart`: percentages (0-100) over ordered labels (quarters); a missing value (None)
  breaks the line. The legend names only the series that have a value to draw.
- `strip_chart`: durations on a log axis, one lane per group (severity), one dot per incident,
  the lane's p50 and p90 marked.

Each SVG carries a <title> and <desc>, every dot a <title>; pages put a table with the same
numbers beside it. All text is escaped here: titles of postmortems are untrusted input, and the
plugin puts these blocks into the page after its sanitizer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

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


def e(value: object) -> str:
    return html_escape(str(value))


def svg_open(ident: str, title: str, desc: str, width: int, height: int) -> list[str]:
    """The chart's block up to its drawing: the <div> the plugin recognises (and keeps whole),
    the <svg> labelled by its <title> and <desc>. `ident` makes their ids unique on the page."""
    return [
        f'<div class="ft-chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" style="max-width:{width}px">',
        f'<title id="{ident}-title">{e(title)}</title><desc id="{ident}-desc">{e(desc)}</desc>',
    ]


SVG_CLOSE = "</svg></div>"  # on a line of its own: where the plugin's block ends


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """The chart as one block of HTML (a <div> holding the <svg>), with no blank lines in it."""
    n = len(labels)
    desc = "; ".join(
        f"{s.name}: " + ", ".join(f"{lab} {'n/a' if v is None else f'{v:.0f}%'}" for lab, v in zip(labels, s.values)) for s in series
    )
    parts = svg_open("ft-chart", title, desc, WIDTH, HEIGHT)
    parts.append('<g font-size="11" fill="currentColor" stroke="currentColor">')
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
    parts.append(SVG_CLOSE)
    return "\n".join(parts)


# --- strips of durations ----------------------------------------------------------------------

MINUTE, HOUR, DAY = 60, 3600, 86400
# The axis' ticks (seconds, label): a log axis reads minutes and weeks on one line. The axis runs
# from the tick at or below the shortest value to the one at or above the longest.
TICKS: tuple[tuple[int, str], ...] = (
    (MINUTE, "1 min"), (5 * MINUTE, "5 min"), (15 * MINUTE, "15 min"), (HOUR, "1 h"), (4 * HOUR, "4 h"),
    (DAY, "1 d"), (7 * DAY, "7 d"), (30 * DAY, "30 d"), (90 * DAY, "90 d"), (365 * DAY, "365 d"),
)  # fmt: skip
STRIP_WIDTH, LANE_HEIGHT, STRIP_LEFT, STRIP_RIGHT, STRIP_TOP, STRIP_BOTTOM = 640, 30, 96, 24, 8, 44
DOT_MERGE_PX = 3  # dots closer than this are one dot ("4 incidents, ..."): a lane holds at most ~175
LABEL_CHARS = 12  # a longer lane name is cut, whole in its <title>


@dataclass(frozen=True, slots=True)
class Dot:
    seconds: float
    label: str  # the dot's hover text: which incident, how long (untrusted: escaped when drawn)


@dataclass(frozen=True, slots=True)
class Lane:
    name: str
    dots: Sequence[Dot]  # shortest first
    p50: float | None  # seconds
    p90: float | None


def axis_range(lanes: Sequence[Lane]) -> tuple[int, int]:
    """(first tick, last tick) in seconds around every dot; at least two ticks apart."""
    values = [d.seconds for lane in lanes for d in lane.dots]
    low, high = (min(values), max(values)) if values else (MINUTE, HOUR)
    ticks = [t for t, _ in TICKS]
    first = max((t for t in ticks if t <= low), default=ticks[0])
    last = min((t for t in ticks if t >= high), default=ticks[-1])
    if ticks.index(last) - ticks.index(first) < 1:
        i = ticks.index(first)
        first, last = (ticks[i], ticks[i + 1]) if i + 1 < len(ticks) else (ticks[i - 1], ticks[i])
    return first, last


def strip_chart(ident: str, title: str, lanes: Sequence[Lane], duration: Callable[[float], str]) -> str:
    """One lane per group, one dot per value on a log axis (values under the first tick at its
    left edge, above the last at its right edge), a full-height bar at the lane's p50 and a
    dashed one at its p90, and a legend saying so. `duration` writes seconds for people."""
    first, last = axis_range(lanes)
    lo, hi = math.log10(first), math.log10(last)
    span = STRIP_WIDTH - STRIP_LEFT - STRIP_RIGHT
    height = STRIP_TOP + LANE_HEIGHT * max(1, len(lanes)) + STRIP_BOTTOM

    def x(seconds: float) -> float:
        clamped = min(max(seconds, first), last)
        return STRIP_LEFT + span * (math.log10(clamped) - lo) / (hi - lo)

    desc = "; ".join(
        f"{lane.name}: {len(lane.dots)} incident(s)" + (f", p50 {duration(lane.p50)}, p90 {duration(lane.p90)}" if lane.p50 is not None and lane.p90 is not None else "")
        for lane in lanes
    )
    parts = svg_open(ident, title, desc or "no incidents", STRIP_WIDTH, height)
    bottom = STRIP_TOP + LANE_HEIGHT * max(1, len(lanes))
    parts.append('<g font-size="11" fill="currentColor" stroke="currentColor">')
    for seconds, label in TICKS:
        if first <= seconds <= last:
            tx = x(seconds)
            parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{STRIP_TOP}" y2="{bottom}" stroke-opacity="0.2"/>')
            parts.append(f'<text x="{tx:.1f}" y="{bottom + 14}" text-anchor="middle" stroke="none">{label}</text>')
    parts.append("</g>")
    for k, lane in enumerate(lanes):
        top = STRIP_TOP + LANE_HEIGHT * k
        mid = top + LANE_HEIGHT / 2
        colour = COLOURS[k % len(COLOURS)]
        name = lane.name if len(lane.name) <= LABEL_CHARS else lane.name[: LABEL_CHARS - 1] + "\u2026"
        parts.append(f'<text x="{STRIP_LEFT - 8}" y="{mid + 4:.1f}" text-anchor="end" font-size="11" fill="currentColor"><title>{e(lane.name)}</title>{e(name)}</text>')
        parts.append(f'<line x1="{STRIP_LEFT}" x2="{STRIP_WIDTH - STRIP_RIGHT}" y1="{mid:.1f}" y2="{mid:.1f}" stroke="currentColor" stroke-opacity="0.3"/>')
        # The lane's dots share its colour and height, set once on their group: a dot is then
        # its position, size and title alone (a lane holds up to a few hundred).
        parts.append(f'<g fill="{colour}" fill-opacity="0.55" stroke="{colour}">')
        for cx, group in merged(lane.dots, x):
            if len(group) == 1:
                tip = group[0].label
            else:
                tip = f"{len(group)} incidents, {duration(group[0].seconds)} to {duration(group[-1].seconds)}"
            r = 3.5 + min(3.0, math.log2(len(group)))
            parts.append(f'<circle cx="{cx:.1f}" cy="{mid:.1f}" r="{r:.1f}"><title>{e(lane.name)}: {e(tip)}</title></circle>')
        parts.append("</g>")
        for p, value, dash in (("p50", lane.p50, ""), ("p90", lane.p90, ' stroke-dasharray="3 2"')):
            if value is not None:
                px = x(value)
                parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top + 3}" y2="{top + LANE_HEIGHT - 3}" stroke="currentColor" stroke-width="2"{dash}><title>{e(lane.name)}: {p} {e(duration(value))}</title></line>')
    ly = height - 10
    parts.append(f'<g font-size="11" fill="currentColor"><circle cx="{STRIP_LEFT + 4}" cy="{ly - 4}" r="3.5" fill="{COLOURS[0]}" fill-opacity="0.55"/><text x="{STRIP_LEFT + 12}" y="{ly}">one incident (larger: several)</text>')
    parts.append(f'<line x1="{STRIP_LEFT + 220}" x2="{STRIP_LEFT + 220}" y1="{ly - 10}" y2="{ly + 2}" stroke="currentColor" stroke-width="2"/><text x="{STRIP_LEFT + 226}" y="{ly}">p50</text>')
    parts.append(f'<line x1="{STRIP_LEFT + 270}" x2="{STRIP_LEFT + 270}" y1="{ly - 10}" y2="{ly + 2}" stroke="currentColor" stroke-width="2" stroke-dasharray="3 2"/><text x="{STRIP_LEFT + 276}" y="{ly}">p90</text></g>')
    parts.append(SVG_CLOSE)
    return "\n".join(parts)


def merged(dots: Sequence[Dot], x: Callable[[float], float]) -> list[tuple[float, list[Dot]]]:
    """The dots (shortest first) as (x, dots drawn there): neighbours closer than DOT_MERGE_PX
    become one, so a lane draws at most its width / DOT_MERGE_PX dots at any number of incidents."""
    out: list[tuple[float, list[Dot]]] = []
    for dot in dots:
        px = x(dot.seconds)
        if out and px - out[-1][0] < DOT_MERGE_PX:
            out[-1][1].append(dot)
        else:
            out.append((px, [dot]))
    return out


# The bands of the table beside the strips: the same axis, read as counts.
BANDS: tuple[tuple[int | None, str], ...] = (
    (5 * MINUTE, "under 5 min"), (15 * MINUTE, "5-15 min"), (HOUR, "15 min-1 h"), (4 * HOUR, "1-4 h"),
    (DAY, "4 h-1 d"), (7 * DAY, "1-7 d"), (None, "7 d or more"),
)  # fmt: skip


def band_counts(seconds: Sequence[float]) -> tuple[int, ...]:
    """How many values fall in each of BANDS (a band holds its lower edge, not its upper one)."""
    counts = [0] * len(BANDS)
    for value in seconds:
        counts[next(i for i, (upper, _) in enumerate(BANDS) if upper is None or value < upper)] += 1
    return tuple(counts)
