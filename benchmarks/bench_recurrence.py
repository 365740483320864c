"""What the learning figures cost against the item views they start from: N synthetic postmortems
loaded once, then, best of 5 each, the item views (the baseline every page is made from), the
recurrence search, the contributing factors and the verified share, and the three pages rendered.

The corpus leaves many prevent items open for years, so the cases (pairs of a later incident and
an earlier one with open prevent items) grow faster than N: the search is linear in N plus the
cases it finds, and the ratio to the views follows the cases.

    python benchmarks/bench_recurrence.py [-n 3000] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import PLUGIN_CONFIG, ROOT  # noqa: E402 - next to this file
from gen_corpus import REFERENCE_DAY, generate  # noqa: E402

from followthrough.config.load import load_config  # noqa: E402
from followthrough.core import metrics as m  # noqa: E402
from followthrough.core.learning.factors import factor_figures  # noqa: E402
from followthrough.core.learning.recurrence import find  # noqa: E402
from followthrough.core.learning.verification import verification  # noqa: E402
from followthrough.core.pages import generate as g  # noqa: E402
from followthrough.workspace import load_workspace  # noqa: E402


def best(f: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=3000, help="how many postmortems (default 3000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-learning-") as tmp:
        root = Path(tmp)
        generate(root / "postmortems", args.n, args.seed)
        config = root / "mkdocs.yml"
        config.write_text(PLUGIN_CONFIG.format(root_config=ROOT / "mkdocs.yml"), encoding="utf-8")
        ws = load_workspace(load_config(config), today=REFERENCE_DAY, refuse_errors="the corpus is invalid")
        site = ws.site()
        gc.freeze()  # as the plugin does once the postmortems are loaded
        data = site.data
        pms, settings = data.postmortems, data.settings
        base = best(lambda: m.item_views(pms, ws.states, date.fromisoformat(str(REFERENCE_DAY)), data.directory))
        found = find(pms, data.views)
        rows = [
            ("item views (baseline)", base),
            (f"recurrences ({len(found.cases):,} cases)", best(lambda: find(pms, data.views))),
            ("contributing factors", best(lambda: factor_figures(pms, settings))),
            ("verified share", best(lambda: verification(data.views, settings))),
            ("Recurrences page", best(lambda: g.recurrences_page(site.renderer))),
            ("Contributing factors page", best(lambda: g.factors_page(site.renderer))),
            ("completion page (with verified fixes)", best(lambda: g.completion_page(site.renderer))),
        ]
    print(f"{args.n:,} postmortems, best of 5")
    print("| step | seconds | ratio to the item views |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {seconds / base:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
