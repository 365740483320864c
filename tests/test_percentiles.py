"""Response times as distributions: the nearest-rank percentile against hand computation, the
spread of a measure, and the strip chart that draws it (escaped, bounded, readable as text)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from followthrough.core import metrics as m
from followthrough.core.settings import DEFAULT_SETTINGS
from followthrough.core.pages.chart import BANDS, Dot, Lane, axis_range, band_counts, strip_chart

from .test_metrics import pm

MIN = timedelta(minutes=1)


def minutes(*values: int) -> list[timedelta]:
    return [v * MIN for v in values]


# --- the percentile: nearest rank, ceil(p/100 * n) ------------------------------------------------


@pytest.mark.parametrize(
    ("values", "p50", "p90"),
    [
        ((7,), 7, 7),  # n=1: both are the one value
        ((30, 10), 10, 30),  # n=2: p50 at rank ceil(1.0)=1, p90 at ceil(1.8)=2; never the mean 20
        ((10, 20, 40), 20, 40),  # odd: ranks 2 and ceil(2.7)=3
        ((1, 2, 3, 4), 2, 4),  # even: rank 2 (no interpolation to 2.5), rank ceil(3.6)=4
        ((5, 5, 5, 9), 5, 9),  # ties
        ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 5, 9),  # n=10: ranks 5 and 9 exactly (no float rounding up)
        ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 6, 10),  # n=11: ranks 6 and ceil(9.9)=10
        ((3, 1, 2), 2, 3),  # the input need not be sorted
    ],
)
def test_nearest_rank_percentiles_by_hand(values, p50, p90):
    got = minutes(*values)
    assert (m.percentile(got, 50), m.percentile(got, 90)) == (p50 * MIN, p90 * MIN)


def test_percentile_edges():
    assert m.percentile([], 50) is None
    assert m.percentile(minutes(1, 2, 3), 100) == 3 * MIN
    assert m.percentile(minutes(1, 2, 3), 1) == 1 * MIN
    for bad in (0, 101, -5):
        with pytest.raises(ValueError):
            m.percentile(minutes(1), bad)


def test_the_spread_agrees_with_the_percentile_function():
    pms = [pm(f"i{k}", started="2024-01-01T00:00:00Z", detected=f"2024-01-01T{k // 60:02d}:{k % 60:02d}:00Z") for k in (50, 3, 17, 17, 240, 8, 1)]
    s = m.spread(pms, "detect")
    values = [v.value for v in s.values]
    assert values == sorted(values) and s.n == 7
    assert (s.p50, s.p90) == (m.percentile(values, 50), m.percentile(values, 90)) == (17 * MIN, 240 * MIN)
    assert [v.postmortem.id for v in s.values if v.value == 17 * MIN] == ["i17", "i17"]  # ties kept, by id
    assert m.spread(pms, "resolve") == m.Spread(())
    assert (m.Spread(()).p50, m.Spread(()).p90, m.Spread(()).n) == (None, None, 0)


def test_an_incident_counts_only_in_the_measures_it_records():
    a = pm("a", started="2024-01-01T00:00:00Z", detected="2024-01-01T00:05:00Z")
    b = pm("b", started="2024-01-01T00:00:00Z", resolved="2024-01-01T03:00:00Z")
    row = m.response_by_severity([a, b], DEFAULT_SETTINGS)[0]
    assert (row.incidents, row.detect.n, row.mitigate.n, row.resolve.n) == (2, 1, 0, 1)


# --- the strip -----------------------------------------------------------------------------------


def fmt_seconds(s: float) -> str:
    return f"{s:g} s"


def test_the_strip_draws_a_dot_per_incident_and_marks_p50_and_p90():
    lane = Lane("SEV-1", [Dot(120, "a: 2 min"), Dot(600, "b: 10 min"), Dot(7200, "c: 2 h")], 600, 7200)
    svg = strip_chart("ft-strip-x", "Time to detect", [lane], fmt_seconds)
    assert svg.startswith('<div class="ft-chart"><svg') and svg.endswith("\n</svg></div>")
    assert "\n\n" not in svg  # one block for Markdown
    assert svg.count("<circle") == 3 + 1  # three incidents and the legend's dot
    assert "<title>SEV-1: p50 600 s</title>" in svg and "<title>SEV-1: p90 7200 s</title>" in svg
    assert 'stroke-dasharray="3 2"><title>SEV-1: p90' in svg  # p90 dashed, told apart without colour
    assert ">p50</text>" in svg and ">p90</text>" in svg  # the legend in words
    assert '<title id="ft-strip-x-title">Time to detect</title>' in svg
    assert "SEV-1: 3 incident(s), p50 600 s, p90 7200 s" in svg  # the <desc>: the figures as text


def test_dot_positions_follow_a_log_axis():
    lane = Lane("S", [Dot(60, "a"), Dot(3600, "b"), Dot(216000, "c")], None, None)
    svg = strip_chart("x", "t", [lane], fmt_seconds)
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)" cy="[\d.]+" r="[\d.]+"><title>', svg)]
    # 1 min, 1 h, 60 h: log10 gaps of 1.78 and 1.78: equal steps on the axis.
    assert len(xs) == 3 and abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.5


def test_axis_range_snaps_to_ticks_and_never_collapses():
    assert axis_range([Lane("s", [Dot(90, ""), Dot(5000, "")], None, None)]) == (60, 4 * 3600)
    assert axis_range([Lane("s", [Dot(3600, "")], None, None)]) == (3600, 4 * 3600)  # one value: two ticks apart
    assert axis_range([Lane("s", [], None, None)]) == (60, 3600)
    assert axis_range([Lane("s", [Dot(0, ""), Dot(10**9, "")], None, None)]) == (60, 365 * 86400)  # out of range: the ends


def test_close_dots_merge_so_a_lane_stays_bounded():
    dots = [Dot(600 + k * 0.0002, f"pm{k}: 10 min") for k in range(5000)]  # 600 s to 601 s
    svg = strip_chart("x", "t", [Lane("SEV-2", dots, 600, 601)], fmt_seconds)
    assert svg.count("<circle") == 2  # 5,000 incidents at one place: one dot (and the legend's)
    assert re.search(r"<title>SEV-2: 5000 incidents, 600 s to 601 s</title>", svg)  # :g rounds 600.9998
    spread = [Dot(60 * 1.001**k, "x") for k in range(20000)]  # 20,000 values across the axis
    assert strip_chart("x", "t", [Lane("s", spread, None, None)], fmt_seconds).count("<circle") < 300


def test_untrusted_text_in_the_strip_is_escaped():
    evil = '<script>alert(1)</script>" onload="x'
    svg = strip_chart("x", evil, [Lane(evil, [Dot(60, evil)], 60, 60)], fmt_seconds)
    assert "<script" not in svg and 'onload="' not in svg
    assert "&lt;script&gt;" in svg and "&quot; onload=&quot;x" in svg


def test_bands_count_every_value_once():
    values = [0, 299, 300, 899, 900, 3599, 3600, 14399, 14400, 86399, 86400, 604799, 604800, 10**8]
    assert band_counts(values) == (2, 2, 2, 2, 2, 2, 2)
    assert len(BANDS) == 7 and sum(band_counts([1, 2, 3])) == 3


def test_no_figure_is_a_mean():
    """Every median and percentile goes through `metrics.percentile`: no module averages values
    (statistics' mean, fmean, median, which is the mean of the middle two, or a sum over a len)."""
    import ast
    from pathlib import Path

    root = Path(m.__file__).resolve().parents[1]
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and (any(a.name.split(".")[0] == "statistics" for a in node.names) or getattr(node, "module", None) == "statistics"):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.left, ast.Call) and getattr(node.left.func, "id", "") == "sum" and isinstance(node.right, ast.Call) and getattr(node.right.func, "id", "") == "len":
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []
