"""The response distributions and the People and roles page: computed once per build, linear in N.

For each N (default 300, 1000, 3000) it generates N synthetic postmortems (gen_corpus.py, as
bench_site.py does) and, in the same run:

1. in process, the pure functions over the loaded corpus, best of --repeat: the response figures
   (`response_by_severity` and `response_by_quarter`, every percentile), the three strips
   (`response_strip`), `rotation`, and the two whole pages (`response_page`, `people_page`);
   and how often one `Site.pages()` calls each (once per build: one `rotation`, and
   `response_by_severity` twice, for incidents and for game days; `spread` three times per group
   of incidents: a measure of a severity, or of a severity and quarter); the People and roles
   page again with the roles dealt over 200 people (the corpus has 64); each page's size;
2. unless --no-build, `mkdocs build` of the plugin's site and of bench_site.py's floor (the same
   mkdocs.yml without the plugin), each in a subprocess: CPU seconds per built page, plugin
   against floor, so the per-page cost is measured against a baseline of the same run.

It prints each figure per N and the ratios t(N) / t(previous N): about 3.3 from 300 to 1000 and
3 from 1000 to 3000 is linear.

    python benchmarks/bench_learning.py
    python benchmarks/bench_learning.py --sizes 1000 3000 --no-build
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import ROOT, TODAY, measure, prepare  # noqa: E402

from followthrough.core import metrics as m  # noqa: E402
from followthrough.core.learning import rotation as rotation_module  # noqa: E402
from followthrough.core.pages import generate  # noqa: E402
from followthrough.core.model import Directory, Person, Roles  # noqa: E402
from followthrough.workspace import load_workspace  # noqa: E402


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def calls_per_build(site: generate.Site) -> Counter[str]:
    """How often one `Site.pages()` calls each figure: wrapped where the pages look them up."""
    counts: Counter[str] = Counter()
    wrapped = {
        (generate, "rotation"): generate.rotation,
        (m, "response_by_severity"): m.response_by_severity,
        (m, "response_by_quarter"): m.response_by_quarter,
        (m, "spread"): m.spread,
    }

    def counting(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return fn(*args, **kwargs)

        return call

    for (module, name), fn in wrapped.items():
        setattr(module, name, counting(name, fn))
    try:
        site.pages()
    finally:
        for (module, name), fn in wrapped.items():
            setattr(module, name, fn)
    return counts


def with_people(site: generate.Site, people: int) -> generate.Renderer:
    """The same postmortems with their roles dealt round-robin over `people` handles, all in the
    directory: the corpus has 64 people; a large organisation has hundreds."""
    data = site.data
    handles = [f"p{k:03d}" for k in range(people)]
    directory = Directory(people={h: Person(h, f"Person {h}") for h in handles}, present=True)
    deal = iter(range(10**9))

    def next_handle() -> str:
        return handles[next(deal) % people]

    pms = tuple(
        dataclasses.replace(pm, roles=Roles(**{r: next_handle() for r, _ in pm.roles.holders() if r != "sme"}, sme=tuple(next_handle() for _ in pm.roles.sme)))
        for pm in data.postmortems
    )
    return generate.Renderer(dataclasses.replace(data, postmortems=pms, directory=directory), site.renderer.env)


def pure_times(workdir: Path, repeat: int) -> tuple[dict[str, float], Counter[str], int, dict[str, float]]:
    ws = load_workspace(workdir / "mkdocs-plugin.yml", today=date.fromisoformat(TODAY))
    site = ws.site()
    data, r = site.data, site.renderer
    incidents = m.incidents(data.postmortems)
    rows = m.response_by_severity(incidents, data.settings)
    wide = with_people(site, 200)
    kb = {"response": len(generate.response_page(r)) / 1000, "people (64)": len(generate.people_page(r)) / 1000, "people (200)": len(generate.people_page(wide)) / 1000}
    times = {
        "response figures": best(lambda: (m.response_by_severity(incidents, data.settings), m.response_by_quarter(incidents, data.settings)), repeat),
        "strips (3)": best(lambda: [generate.response_strip(rows, measure) for measure in m.MEASURES], repeat),
        "rotation": best(lambda: rotation_module.rotation(data.postmortems, data.directory), repeat),
        "response page": best(lambda: generate.response_page(r), repeat),
        "people page": best(lambda: generate.people_page(r), repeat),
        "people page, 200 ppl": best(lambda: generate.people_page(wide), repeat),
        "all generated pages": best(site.pages, repeat),
    }
    return times, calls_per_build(site), len(data.postmortems), kb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000], metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each pure function; the least CPU time counts (default 5)")
    parser.add_argument("--no-build", action="store_true", help="skip the two mkdocs builds per N")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and sites go (default: a temp folder, removed after)")
    args = parser.parse_args(argv)
    base = args.workdir or Path(tempfile.mkdtemp(prefix="ft-bench-learning-"))
    pure: dict[int, dict[str, float]] = {}
    builds: dict[int, tuple[float, int, float, int]] = {}
    try:
        for n in args.sizes:
            workdir = base / f"n{n}"
            workdir.mkdir(parents=True, exist_ok=True)
            prepare(workdir, n, args.seed, (ROOT / "mkdocs.yml").resolve())
            pure[n], calls, loaded, kb = pure_times(workdir, args.repeat)
            print(f"N={n}: {loaded} postmortems loaded; calls in one Site.pages(): " + ", ".join(f"{k} {v}" for k, v in sorted(calls.items())), flush=True)
            print("  page sizes (Markdown with its HTML tables and SVG): " + ", ".join(f"{k} {v:.0f} KB" for k, v in kb.items()), flush=True)
            if not args.no_build:
                plugin = measure("plugin", n, workdir, False, 1)
                floor = measure("floor", n, workdir, False, 1)
                builds[n] = (plugin.cpu, plugin.files, floor.cpu, floor.files)
    finally:
        if args.workdir is None:
            shutil.rmtree(base, ignore_errors=True)

    sizes = args.sizes
    print(f"\nPure functions, CPU ms, best of {args.repeat}; ratio = t(N) / t(previous N) (N ratio {', '.join(f'{b / a:.2f}' for a, b in zip(sizes, sizes[1:]))})")
    print(f"{'figure':22}" + "".join(f"{'N=' + str(n):>12}" for n in sizes) + "".join(f"{f'{b}/{a}':>12}" for a, b in zip(sizes, sizes[1:])))
    for name in pure[sizes[0]]:
        row = f"{name:22}" + "".join(f"{pure[n][name] * 1000:12.1f}" for n in sizes)
        row += "".join(f"{pure[b][name] / pure[a][name]:11.2f}x" if pure[a][name] else f"{'n/a':>12}" for a, b in zip(sizes, sizes[1:]))
        print(row)
    if builds:
        print("\nmkdocs build, CPU seconds and per built file (the floor: the same mkdocs.yml without the plugin)")
        print(f"{'N':>6} {'plugin':>9} {'files':>7} {'ms/file':>8} {'floor':>9} {'files':>7} {'ms/file':>8} {'per-file ratio':>15}")
        for n, (pc, pf, fc, ff) in builds.items():
            print(f"{n:>6} {pc:9.1f} {pf:>7} {pc / pf * 1000:8.2f} {fc:9.1f} {ff:>7} {fc / ff * 1000:8.2f} {(pc / pf) / (fc / ff):14.2f}x")
        share = {n: (pure[n]["response page"] + pure[n]["people page"]) / builds[n][0] for n in builds}
        print("the two pages' share of the plugin build's CPU: " + ", ".join(f"N={n} {s:.2%}" for n, s in share.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
